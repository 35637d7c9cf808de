"""CLI for returns written from our PTL: ``rtt return``, ``rtt wlmds``.

Events go through :func:`carebacklog.rtt.pipeline.periods_from_files` (rejected rows counted, reported
and quarantinable; a file with every row rejected exits 2). The return is written atomically; the WLMDS
files are written into a temporary folder and each renamed into place when all three are complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carebacklog.clikit import QuarantineOpt, fail, parse_date, report

if TYPE_CHECKING:
    import polars as pl

__all__ = ["monthly_return_command", "register", "wlmds_command"]

EventsArg = Annotated[Path, typer.Argument(help="Pathway events (CSV or Parquet, input contract).")]


def _read_organisations(path: Path | None) -> pl.DataFrame | None:
    if path is None:
        return None
    import polars as pl

    if not path.exists():
        fail(f"{path}: no such file")
    header: list[str] = []
    if path.suffix.lower() == ".csv":
        header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    if "org_code" not in header:  # a published RTT extract: take names and parents from it
        from carebacklog.published import PublishedFileError, read_orgs, read_rtt
        from carebacklog.published.returns import organisations_from_published

        try:
            return organisations_from_published(read_rtt(path), read_orgs(path))
        except (PublishedFileError, ValueError) as exc:
            fail(f"{path}: neither an org_code,org_name CSV nor a published RTT file ({exc})")
    frame = pl.read_csv(path, infer_schema_length=0)
    if "org_name" not in frame.columns:
        fail(f"{path}: missing column org_name")
    for column in ("parent_code", "parent_name"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    return frame


def monthly_return_command(
    events: EventsArg,
    month: Annotated[str, typer.Option("--month", help="Month of the return, YYYY-MM.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write (NHS England's Full CSV layout).")],
    orgs: Annotated[Path | None, typer.Option(
        "--orgs", help="CSV with org_code, org_name[, parent_code, parent_name] for the name columns.",
    )] = None,
    quarantine: QuarantineOpt = None,
) -> None:
    """Write the monthly RTT return (Parts 1A, 1B, 2, 2A, 3) for MONTH from pathway events."""
    import polars as pl

    from carebacklog.files import atomic_path, check_paths
    from carebacklog.published.returns import month_bounds, monthly_return, write_monthly_return
    from carebacklog.rtt.pipeline import periods_from_files

    try:
        _, month_end = month_bounds(month)
    except ValueError as exc:
        fail(f"--month: {exc}")
    check_paths([("events", events), ("--orgs", orgs)], [("--out", out), ("--quarantine", quarantine)])
    organisations = _read_organisations(orgs)
    periods, _ = periods_from_files(events, census_date=month_end, quarantine=quarantine)
    wide = monthly_return(periods, month, organisations=organisations)
    with atomic_path(out) as temp:
        write_monthly_return(wide, temp)
    totals = (
        wide.filter(pl.col("Treatment Function Code") == "C_999")
        .group_by("RTT Part Type")
        .agg(pl.col("Total All").sum())
    )
    summary = ", ".join(f"{p} {n:,}" for p, n in sorted(totals.iter_rows()))
    report(f"Wrote {wide.height} rows to {out} ({summary or 'no activity'})")


def wlmds_command(
    events: EventsArg,
    week_ending: Annotated[str, typer.Option("--week-ending", help="Last day of the week, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the three WLMDS files.")],
    patients: Annotated[Path | None, typer.Option(
        "--patients", help="Patients file (birth date, sex, ethnicity, LSOA).")] = None,
    bookings: Annotated[Path | None, typer.Option(
        "--bookings", help="Bookings file: fills TCI_Date from admission bookings.")] = None,
    quarantine: QuarantineOpt = None,
) -> None:
    """Write the weekly WLMDS RTT files (open pathways, clock stops, clock starts) for the week ending D."""
    from carebacklog.files import atomic_files_in, check_paths
    from carebacklog.published.wlmds import wlmds_files, write_wlmds
    from carebacklog.rtt.pipeline import patients_quarantine, periods_from_files

    week_end = parse_date(week_ending, "--week-ending", required=True)
    assert week_end is not None
    if week_end.weekday() != 6:  # WLMDS weeks end on a Sunday (NHS England weekly collection)
        import datetime as dt

        before = week_end - dt.timedelta(days=week_end.weekday() + 1)
        fail(
            f"--week-ending {week_end} is a {week_end:%A}; WLMDS weeks end on a Sunday: give {before} "
            f"(the Sunday before) or {before + dt.timedelta(days=7)}"
        )
    q_patients = patients_quarantine(quarantine) if patients is not None else None
    check_paths(
        [("events", events), ("--patients", patients)],
        [("--quarantine", quarantine), ("the patients quarantine", q_patients)],
    )
    booked = None
    if bookings is not None:
        from carebacklog.rtt.bookings import read_bookings
        from carebacklog.rtt.pipeline import bookings_quarantine

        check_paths([("--bookings", bookings)], [("the bookings quarantine", bookings_quarantine(quarantine))])
        booked = read_bookings(bookings, bookings_quarantine(quarantine)).events
    periods, read = periods_from_files(events, patients, census_date=week_end, quarantine=quarantine)
    people = read.patients.events if read.patients is not None else None
    files = wlmds_files(periods, week_end, patients=people, bookings=booked)
    with atomic_files_in(out) as temp:
        written = write_wlmds(files, temp)
    for kind, path in written.items():
        typer.echo(f"{kind}: {getattr(files, kind).height:,} rows → {Path(out) / path.name}")


def register(app: typer.Typer) -> None:
    """Add ``rtt return`` and ``rtt wlmds`` to the ``rtt`` group."""
    app.command("return")(monthly_return_command)
    app.command("wlmds")(wlmds_command)
