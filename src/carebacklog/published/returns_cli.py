"""CLI for returns written from our PTL: ``rtt return``, ``rtt wlmds``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import polars as pl


def _read_events_or_exit(path: Path) -> pl.DataFrame:
    """Events through the engine's reader; rejected rows are reported (and kept out), unreadable files exit 2."""
    from carebacklog.rtt import InputFileError, read_events

    if not path.exists():
        typer.echo(f"error: {path}: no such file", err=True)
        raise typer.Exit(2)
    try:
        result = read_events(path)
    except InputFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if result.rejected.height:
        first = result.rejected.row(0, named=True)
        typer.echo(
            f"warning: {result.rejected.height} event rows rejected (first: {first.get('source_file')}, "
            f"row {first.get('row')}, column {first.get('column')}: {first.get('reason')})",
            err=True,
        )
    return result.events


def _read_organisations(path: Path | None) -> pl.DataFrame | None:
    if path is None:
        return None
    import polars as pl

    if not path.exists():
        typer.echo(f"error: {path}: no such file", err=True)
        raise typer.Exit(2)
    header: list[str] = []
    if path.suffix.lower() == ".csv":
        header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    if "org_code" not in header:  # a published RTT extract: take names and parents from it
        from carebacklog.published import PublishedFileError, read_orgs, read_rtt
        from carebacklog.published.returns import organisations_from_published

        try:
            return organisations_from_published(read_rtt(path), read_orgs(path))
        except (PublishedFileError, ValueError) as exc:
            typer.echo(
                f"error: {path}: neither an org_code,org_name CSV nor a published RTT file ({exc})", err=True
            )
            raise typer.Exit(2) from exc
    frame = pl.read_csv(path, infer_schema_length=0)
    if "org_name" not in frame.columns:
        typer.echo(f"error: {path}: missing column org_name", err=True)
        raise typer.Exit(2)
    for column in ("parent_code", "parent_name"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    return frame


def register(app: typer.Typer) -> None:
    """Add ``rtt return`` and ``rtt wlmds`` to the ``rtt`` group."""

    @app.command("return")
    def monthly_return_command(
        events: Path = typer.Argument(..., help="Pathway events (CSV or Parquet, input contract)."),
        month: str = typer.Option(..., "--month", help="Month of the return, YYYY-MM."),
        out: Path = typer.Option(..., "--out", help="CSV file to write (NHS England's Full CSV layout)."),
        orgs: Path | None = typer.Option(
            None,
            "--orgs",
            help="CSV with org_code, org_name[, parent_code, parent_name] for the name columns.",
        ),
    ) -> None:
        """Write the monthly RTT return (Parts 1A, 1B, 2, 2A, 3) for MONTH from pathway events."""
        import polars as pl

        from carebacklog.published.returns import month_bounds, monthly_return, write_monthly_return
        from carebacklog.rtt import build_periods

        try:
            _, month_end = month_bounds(month)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--month") from exc
        frame = _read_events_or_exit(events)
        organisations = _read_organisations(orgs)
        periods = build_periods(frame, census_date=month_end)
        wide = monthly_return(periods, month, organisations=organisations)
        write_monthly_return(wide, out)
        totals = (
            wide.filter(pl.col("Treatment Function Code") == "C_999")
            .group_by("RTT Part Type")
            .agg(pl.col("Total All").sum())
        )
        summary = ", ".join(f"{p} {n:,}" for p, n in sorted(totals.iter_rows()))
        typer.echo(f"wrote {wide.height} rows to {out} ({summary or 'no activity'})")

    @app.command("wlmds")
    def wlmds_command(
        events: Path = typer.Argument(..., help="Pathway events (CSV or Parquet, input contract)."),
        week_ending: str = typer.Option(..., "--week-ending", help="Last day of the week, YYYY-MM-DD."),
        out: Path = typer.Option(..., "--out", help="Directory for the three WLMDS files."),
        patients: Path | None = typer.Option(
            None, "--patients", help="Patients file (birth date, sex, ethnicity, LSOA)."
        ),
    ) -> None:
        """Write the weekly WLMDS RTT files (open pathways, clock stops, clock starts) for the week ending D."""
        from carebacklog.published.wlmds import wlmds_files, write_wlmds
        from carebacklog.rtt import InputFileError, build_periods, read_patients

        try:
            week_end = date.fromisoformat(week_ending)
        except ValueError as exc:
            raise typer.BadParameter("use YYYY-MM-DD", param_hint="--week-ending") from exc
        if week_end.weekday() != 6:  # WLMDS weeks end on a Sunday (NHS England weekly collection)
            typer.echo(f"note: {week_end} is a {week_end:%A}; WLMDS weeks end on a Sunday", err=True)
        frame = _read_events_or_exit(events)
        people = None
        if patients is not None:
            if not patients.exists():
                typer.echo(f"error: {patients}: no such file", err=True)
                raise typer.Exit(2)
            try:
                people = read_patients(patients).events
            except InputFileError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
        periods = build_periods(frame, census_date=week_end)
        files = wlmds_files(periods, week_end, patients=people)
        written = write_wlmds(files, out)
        for kind, path in written.items():
            typer.echo(f"{kind}: {getattr(files, kind).height:,} rows → {path}")
