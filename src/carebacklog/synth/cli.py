"""CLI for synthetic trusts: ``synth trust`` and ``synth check``."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path

import typer


class OutputFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date (YYYY-MM-DD)", param_hint="--census-date"
        ) from None


def _read_extract(path: Path):  # type: ignore[no-untyped-def]
    from carebacklog.published import PublishedFileError, read_rtt

    if not path.exists():
        typer.echo(f"error: {path}: no such file", err=True)
        raise typer.Exit(2)
    try:
        return read_rtt([path])
    except PublishedFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _many(  # type: ignore[no-untyped-def]
    extract,
    spec: str,
    census: dt.date,
    out: Path,
    seed: int,
    scale: float,
    fmt: str,
    imd_gap_weeks: float,
    shared_patients: float,
    data_errors: float,
    extract_path: Path,
) -> None:
    """``--provider ALL`` (every provider with a waiting list) or a comma-separated list of codes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from carebacklog.synth.many import providers_in, synthesise_providers

    if data_errors:
        typer.echo("error: --data-errors applies to one provider at a time", err=True)
        raise typer.Exit(2)
    codes = providers_in(extract) if spec == "ALL" else [c.strip() for c in spec.split(",") if c.strip()]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("providers", total=len(codes))
        try:
            result = synthesise_providers(
                extract,
                census,
                out,
                seed=seed,
                providers=codes,
                scale=scale,
                imd_gap_weeks=imd_gap_weeks,
                shared_patients=shared_patients,
                fmt=fmt,  # type: ignore[arg-type]
                on_provider=lambda code: progress.update(task, advance=1, description=code),
            )
        except ValueError as exc:
            progress.stop()
            typer.echo(f"error: {extract_path}: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(
        f"{len(result.providers)} providers at {census}: {result.events:,} events, {result.patients:,} patients -> "
        + ", ".join(str(p) for p in result.files)
    )


def register(app: typer.Typer) -> None:
    """Add ``synth trust``, ``synth check`` and ``synth sweep`` to the ``synth`` group."""

    @app.command("trust")
    def trust_command(
        provider: str = typer.Option(
            ...,
            "--provider",
            help="ODS code of the provider, e.g. RBD; several codes separated by commas, or ALL for every "
            "provider of the extract (written into one events and one patients file).",
        ),
        extract_path: Path = typer.Option(
            ..., "--from", help="Published RTT Full CSV extract (.csv or .zip) holding the provider's month."
        ),
        census_date: str = typer.Option(..., "--census-date", help="Month-end census date, YYYY-MM-DD."),
        out: Path = typer.Option(..., "--out", help="Directory to write events and patients into."),
        seed: int = typer.Option(0, "--seed", help="Seed of the random generator (same seed, same trust)."),
        scale: float = typer.Option(1.0, "--scale", min=1e-6, help="Multiply every published count."),
        fmt: OutputFormat = typer.Option(OutputFormat.parquet, "--format", help="parquet (default) or csv."),
        imd_gap_weeks: float = typer.Option(
            0.0, "--imd-gap-weeks", help="Make IMD quintile 1 wait this many weeks longer than quintile 5."
        ),
        shared_patients: float = typer.Option(
            0.0,
            "--shared-patients",
            min=0.0,
            max=0.99,
            help="Share of pathways given to a patient who already has another (NHS England: about 0.16).",
        ),
        data_errors: float = typer.Option(
            0.0,
            "--data-errors",
            min=0.0,
            max=1.0,
            help="Share of pathways given one known data-quality error (listed in injected_errors).",
        ),
    ) -> None:
        """Generate a synthetic trust whose clock-engine picture reproduces a published RTT month."""
        import numpy as np
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from carebacklog.synth.demo import write_trust
        from carebacklog.synth.trust import synthesise_trust

        census = _parse_date(census_date)
        provider = provider.strip().upper()  # ODS codes are upper case
        extract = _read_extract(extract_path)
        if provider == "ALL" or "," in provider:
            _many(
                extract,
                provider,
                census,
                out,
                seed,
                scale,
                fmt.value,
                imd_gap_weeks,
                shared_patients,
                data_errors,
                extract_path,
            )
            return
        steps = ["targets", "plan", "histories", "tables", "patients", "write"]
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
        ) as progress:
            task = progress.add_task("reading", total=len(steps))

            def step(name: str) -> None:
                progress.update(task, description=name, completed=steps.index(name))

            try:
                trust = synthesise_trust(
                    extract,
                    provider,
                    census,
                    rng=np.random.default_rng(seed),
                    scale=scale,
                    imd_gap_weeks=imd_gap_weeks,
                    data_errors=data_errors,
                    shared_patients=shared_patients,
                    progress=step,
                )
            except ValueError as exc:
                progress.stop()
                typer.echo(f"error: {extract_path}: {exc}", err=True)
                raise typer.Exit(1) from None
            step("write")
            paths = write_trust(trust, out, fmt.value)
            progress.update(task, completed=len(steps))
        typer.echo(
            f"{provider} at {census}: {trust.events.height:,} events, {trust.patients.height:,} patients -> "
            + ", ".join(str(p) for p in paths)
        )

    @app.command("check")
    def check_command(
        events_path: Path = typer.Argument(..., help="Events file written by `synth trust`."),
        provider: str = typer.Option(..., "--provider", help="ODS code of the provider."),
        extract_path: Path = typer.Option(
            ..., "--from", help="The published extract the trust was made from."
        ),
        census_date: str = typer.Option(..., "--census-date", help="Month-end census date, YYYY-MM-DD."),
        scale: float = typer.Option(1.0, "--scale", min=1e-6, help="The scale the trust was made at."),
        fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv or json."),
        failures_only: bool = typer.Option(
            False, "--failures-only", help="Show only checks out of tolerance."
        ),
    ) -> None:
        """Run the clock engine on a synthetic trust and compare it with the published month."""
        import polars as pl

        from carebacklog.rtt import read_events
        from carebacklog.synth.check import calibration_report

        census = _parse_date(census_date)
        provider = provider.strip().upper()
        extract = _read_extract(extract_path)
        result = read_events(events_path)
        if result.rejected.height:
            typer.echo(f"error: {events_path}: {result.rejected.height} rejected rows", err=True)
            raise typer.Exit(1)
        report = calibration_report(result.events, extract, provider, census, scale=scale)
        failed = report.filter(~pl.col("ok")).height
        shown = report.filter(~pl.col("ok")) if failures_only else report
        if fmt is TableFormat.csv:
            typer.echo(shown.write_csv(), nl=False)
        elif fmt is TableFormat.json:
            typer.echo(json.dumps(shown.to_dicts(), default=str))
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table(
                title=f"{provider} at {census}: {report.height - failed} of {report.height} checks pass"
            )
            for column in shown.columns:
                table.add_column(column)
            for row in shown.iter_rows():
                table.add_row(
                    *("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
                )
            Console().print(table)
        if failed:
            raise typer.Exit(1)

    @app.command("sweep")
    def sweep_command(
        extract_path: Path = typer.Option(..., "--from", help="Published RTT extract with many providers."),
        census_date: str = typer.Option(..., "--census-date", help="Month-end census date, YYYY-MM-DD."),
        providers: str = typer.Option("ALL", "--providers", help="Comma-separated ODS codes, or ALL."),
        seed: int = typer.Option(0, "--seed", help="Seed of the random generator."),
        fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv or json."),
        out: Path | None = typer.Option(None, "--out", help="Also write the per-provider table to this CSV."),
    ) -> None:
        """Synthesise each provider in turn and check it through the engine: one row per provider."""
        import numpy as np
        import polars as pl
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from carebacklog.synth.check import calibration_report, data_issues
        from carebacklog.synth.many import providers_in
        from carebacklog.synth.trust import synthesise_trust

        census = _parse_date(census_date)
        extract = _read_extract(extract_path)
        spec = providers.strip().upper()
        codes = providers_in(extract) if spec == "ALL" else [c.strip() for c in spec.split(",") if c.strip()]
        by_provider = {k[0]: v for k, v in extract.partition_by("provider_code", as_dict=True).items()}
        seeds = np.random.SeedSequence(seed).spawn(len(codes))
        rows = []
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("providers", total=len(codes))
            for code, child in zip(codes, seeds, strict=True):
                progress.update(task, description=code)
                frame = by_provider.get(code)
                try:
                    if frame is None:
                        raise ValueError("not in the extract")
                    trust = synthesise_trust(frame, code, census, rng=np.random.default_rng(child))
                except ValueError as exc:
                    rows.append((code, 0, 0, 0, f"error: {exc}"))
                    progress.advance(task)
                    continue
                report = calibration_report(trust.events, frame, code, census)
                failed = report.filter(~pl.col("ok"))
                worst = ", ".join(
                    f"{m} {tf or ''} {'' if b is None else b}: {p:g} vs {s_:g}".replace("  ", " ")
                    for m, tf, b, p, s_ in failed.select(
                        "measure", "treatment_function", "weeks_band", "published", "synthetic"
                    ).rows()[:3]
                )
                rows.append(
                    (code, report.height, failed.height, data_issues(trust.events, census).height, worst)
                )
                progress.advance(task)
        table_frame = pl.DataFrame(
            rows,
            schema=["provider_code", "checks", "failed", "data_issues", "out_of_tolerance"],
            orient="row",
        )
        if out is not None:
            table_frame.write_csv(out)
        if fmt is TableFormat.csv:
            typer.echo(table_frame.write_csv(), nl=False)
        elif fmt is TableFormat.json:
            typer.echo(json.dumps(table_frame.to_dicts()))
        else:
            from rich.console import Console
            from rich.table import Table

            passed = table_frame.filter((pl.col("failed") == 0) & (pl.col("checks") > 0)).height
            table = Table(title=f"{passed} of {table_frame.height} providers pass every check at {census}")
            for column in table_frame.columns:
                table.add_column(column)
            for row in table_frame.filter((pl.col("failed") > 0) | (pl.col("checks") == 0)).iter_rows():
                table.add_row(*(str(v) for v in row))
            Console().print(table)
