"""CLI for synthetic trusts: ``synth trust``, ``synth check``, ``synth sweep`` and ``synth advance``.

A trust is written into a temporary folder beside ``--out`` and renamed into place as a whole
(:func:`carebacklog.files.atomic_dir`): an existing trust is replaced only once the new one is complete,
and a failed or interrupted run leaves it as it was. Exit codes (docs/cli.md): 0 done; 1 a check found
differences (``synth check``); 2 bad input (file, option, a provider not in the extract); 3 the output
could not be written.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carebacklog.clikit import OutputFormat, emit, fail, resolve_format, share
from carebacklog.errors import ExitCode

if TYPE_CHECKING:
    import datetime as dt

    import polars as pl

__all__ = ["advance_command", "check_command", "register", "sweep_command", "trust_command"]


class TrustFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


#: What a synthetic trust folder holds; an existing ``--out`` holding anything else is not replaced.
_TRUST_FILE = re.compile(r"^(events|patients|injected_errors|bookings)\.(parquet|csv)$")

ExtractOpt = Annotated[
    Path, typer.Option("--from", help="Published RTT Full CSV extract (.csv or .zip) holding the provider's month.")
]
CensusOpt = Annotated[str, typer.Option("--census-date", help="Month-end census date, YYYY-MM-DD.")]
TableFormatOpt = Annotated[
    OutputFormat | None, typer.Option("--format", help="table, csv or json.", show_default=False)
]


def _parse_date(text: str) -> dt.date:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--census-date {text!r} is not an ISO date (YYYY-MM-DD)")


def _read_extract(path: Path) -> pl.DataFrame:
    """The published extract; a missing or unusable file raises ``PublishedFileError`` (exit 2)."""
    from carebacklog.published import read_rtt

    if not path.exists():
        fail(f"{path}: no such file")
    return read_rtt([path])


def _check_trust_folder(out: Path, extract: Path) -> None:
    """Refuse, before any work, a ``--out`` that holds the extract or files a trust does not write."""
    from carebacklog.files import check_paths

    check_paths([("--from", extract)], [], [("--out", out)])
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file; give a folder")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if not _TRUST_FILE.match(p.name))
        if others:
            fail(
                f"--out {out} holds other files ({', '.join(others[:3])}); a synthetic trust replaces its "
                "folder whole: give a new or empty folder, or one written by synth trust"
            )


def _synthesis_failed(extract_path: Path, exc: ValueError) -> None:
    fail(f"{extract_path}: {exc}", ExitCode.BAD_INPUT)


def _many(
    extract: pl.DataFrame,
    spec: str,
    census: dt.date,
    out: Path,
    options: dict[str, Any],
    extract_path: Path,
) -> None:
    """``--provider ALL`` (every provider with a waiting list) or a comma-separated list of codes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from carebacklog.files import atomic_dir
    from carebacklog.synth.many import providers_in, synthesise_providers

    if options.pop("data_errors"):
        fail("--data-errors applies to one provider at a time")
    codes = providers_in(extract) if spec == "ALL" else [c.strip() for c in spec.split(",") if c.strip()]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as progress, atomic_dir(out) as temp:
        task = progress.add_task("providers", total=len(codes))
        try:
            result = synthesise_providers(
                extract,
                census,
                temp,
                providers=codes,
                on_provider=lambda code: progress.update(task, advance=1, description=code),
                **options,
            )
        except ValueError as exc:
            progress.stop()
            _synthesis_failed(extract_path, exc)
    typer.echo(
        f"{len(result.providers)} providers at {census}: {result.events:,} events, {result.patients:,} patients -> "
        + ", ".join(str(out / Path(p).name) for p in result.files)
    )


def trust_command(
    provider: Annotated[str, typer.Option(
        "--provider",
        help="ODS code of the provider, e.g. RBD; several codes separated by commas, or ALL for every "
        "provider of the extract (written into one events and one patients file).",
    )],
    extract_path: ExtractOpt,
    census_date: CensusOpt,
    out: Annotated[Path, typer.Option("--out", help="Directory to write events and patients into (replaced whole).")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random generator (same seed, same trust).")] = 0,
    scale: Annotated[float, typer.Option("--scale", min=1e-6, help="Multiply every published count.")] = 1.0,
    fmt: Annotated[TrustFormat, typer.Option("--format", help="parquet (default) or csv.")] = TrustFormat.parquet,
    imd_gap_weeks: Annotated[float, typer.Option(
        "--imd-gap-weeks", help="Make IMD quintile 1 wait this many weeks longer than quintile 5.")] = 0.0,
    shared_patients: Annotated[float, typer.Option(
        "--shared-patients",
        help="Share (a fraction, 0-0.99) of pathways given to a patient who already has another "
        "(NHS England: about 0.16).",
    )] = 0.0,
    data_errors: Annotated[float, typer.Option(
        "--data-errors",
        help="Share (a fraction, 0-1) of pathways given one known data-quality error (listed in injected_errors).",
    )] = 0.0,
    bookings: Annotated[bool, typer.Option(
        "--bookings", help="Also write what is booked at the census (bookings.csv/.parquet: appointments, TCIs).",
    )] = False,
) -> None:
    """Generate a synthetic trust whose clock-engine picture reproduces a published RTT month."""
    census = _parse_date(census_date)
    share(shared_patients, "--shared-patients", 0.0, 0.99)
    share(data_errors, "--data-errors", 0.0, 1.0)
    provider = provider.strip().upper()  # ODS codes are upper case
    _check_trust_folder(out, extract_path)
    extract = _read_extract(extract_path)
    if provider == "ALL" or "," in provider:
        options = {
            "seed": seed, "scale": scale, "imd_gap_weeks": imd_gap_weeks, "shared_patients": shared_patients,
            "fmt": fmt.value, "data_errors": data_errors,
        }  # fmt: skip
        _many(extract, provider, census, out, options, extract_path)
        return
    import numpy as np
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from carebacklog.files import atomic_dir
    from carebacklog.synth.demo import write_trust
    from carebacklog.synth.trust import synthesise_trust

    steps = ["targets", "plan", "histories", "tables", "patients", "write"]
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True) as progress:
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
            _synthesis_failed(extract_path, exc)
        if bookings:
            from dataclasses import replace

            from carebacklog.synth.bookings import synthetic_bookings

            trust = replace(trust, bookings=synthetic_bookings(trust.events, census, seed))
        step("write")
        with atomic_dir(out) as temp:
            paths = write_trust(trust, temp, fmt.value)
        progress.update(task, completed=len(steps))
    typer.echo(
        f"{provider} at {census}: {trust.events.height:,} events, {trust.patients.height:,} patients -> "
        + ", ".join(str(out / p.name) for p in paths)
    )


def check_command(
    events_path: Annotated[Path, typer.Argument(help="Events file written by `synth trust`.")],
    provider: Annotated[str, typer.Option("--provider", help="ODS code of the provider.")],
    extract_path: Annotated[Path, typer.Option("--from", help="The published extract the trust was made from.")],
    census_date: CensusOpt,
    scale: Annotated[float, typer.Option("--scale", min=1e-6, help="The scale the trust was made at.")] = 1.0,
    fmt: TableFormatOpt = None,
    failures_only: Annotated[bool, typer.Option("--failures-only", help="Show only checks out of tolerance.")] = False,
) -> None:
    """Run the clock engine on a synthetic trust and compare it with the published month."""
    import polars as pl

    from carebacklog.rtt.pipeline import read_inputs
    from carebacklog.synth.check import calibration_report

    census = _parse_date(census_date)
    chosen = resolve_format(fmt, None, (OutputFormat.table, OutputFormat.csv, OutputFormat.json))
    provider = provider.strip().upper()
    extract = _read_extract(extract_path)
    lines: list[str] = []
    read = read_inputs(events_path, report=lines.append)
    if read.rejected:  # a synthetic trust is written in the contract: a rejected row is a failed check
        for line in lines:
            typer.echo(line, err=True)
        fail(f"{events_path}: {read.rejected} rejected rows", ExitCode.CHECK_FAILED)
    report = calibration_report(read.events.events, extract, provider, census, scale=scale)
    failed = report.filter(~pl.col("ok")).height
    shown = report.filter(~pl.col("ok")) if failures_only else report
    emit(shown, chosen, None, title=f"{provider} at {census}: {report.height - failed} of {report.height} checks pass")
    if failed:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def sweep_command(
    extract_path: Annotated[Path, typer.Option("--from", help="Published RTT extract with many providers.")],
    census_date: CensusOpt,
    providers: Annotated[str, typer.Option("--providers", help="Comma-separated ODS codes, or ALL.")] = "ALL",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random generator.")] = 0,
    fmt: TableFormatOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the per-provider table to this file (.csv, .json or .parquet; CSV otherwise).",
    )] = None,
) -> None:
    """Synthesise each provider in turn and check it through the engine: one row per provider."""
    import numpy as np
    import polars as pl
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from carebacklog.files import check_paths
    from carebacklog.synth.check import calibration_report, data_issues
    from carebacklog.synth.many import providers_in
    from carebacklog.synth.trust import synthesise_trust

    census = _parse_date(census_date)
    chosen = resolve_format(fmt, None, (OutputFormat.table, OutputFormat.csv, OutputFormat.json))
    out_fmt = resolve_format(None, out, (OutputFormat.csv, OutputFormat.json, OutputFormat.parquet))
    check_paths([("--from", extract_path)], [("--out", out)])
    extract = _read_extract(extract_path)
    spec = providers.strip().upper()
    codes = providers_in(extract) if spec == "ALL" else [c.strip() for c in spec.split(",") if c.strip()]
    by_provider = {k[0]: v for k, v in extract.partition_by("provider_code", as_dict=True).items()}
    seeds = np.random.SeedSequence(seed).spawn(len(codes))
    rows = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
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
            rows.append((code, report.height, failed.height, data_issues(trust.events, census).height, worst))
            progress.advance(task)
    table_frame = pl.DataFrame(
        rows, schema=["provider_code", "checks", "failed", "data_issues", "out_of_tolerance"], orient="row"
    )
    if out is not None:
        emit(table_frame, out_fmt, out)
    if chosen is OutputFormat.table:
        passed = table_frame.filter((pl.col("failed") == 0) & (pl.col("checks") > 0)).height
        shown = table_frame.filter((pl.col("failed") > 0) | (pl.col("checks") == 0))
        emit(shown, chosen, None, title=f"{passed} of {table_frame.height} providers pass every check at {census}")
    else:
        emit(table_frame, chosen, None)


def advance_command(
    events: Annotated[Path, typer.Argument(help="The extract's events (CSV or Parquet).", show_default=False)],
    patients: Annotated[Path, typer.Option("--patients", help="The extract's patients (CSV or Parquet).")],
    census_date: CensusOpt,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the later extract into (replaced whole).")],
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Days on from the census date.")] = 7,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random generator.")] = 0,
    growth: Annotated[
        float, typer.Option("--growth", min=0.0, max=10.0, help="New referrals ÷ pathways that left the list.")
    ] = 1.0,
    fmt: Annotated[TrustFormat, typer.Option("--format", help="parquet (default) or csv.")] = TrustFormat.parquet,
) -> None:
    """Make a trust's extract some days on: clock stops, removals and new referrals (to try daily loads)."""
    from carebacklog.files import atomic_dir
    from carebacklog.rtt.pipeline import read_inputs
    from carebacklog.synth.advance import advance_extract
    from carebacklog.synth.demo import write_trust
    from carebacklog.synth.trust import SynthTrust

    census = _parse_date(census_date)
    for given in (events, patients):
        _check_trust_folder(out, given)
    read = read_inputs(events, patients)
    assert read.patients is not None
    later = advance_extract(
        read.events.events, read.patients.events, census, days=days, seed=seed, growth=growth
    )
    provider = ",".join(sorted(later.events.get_column("provider_code").unique().to_list()))
    with atomic_dir(out) as temp:
        paths = write_trust(SynthTrust(provider, later.census_date, later.events, later.patients), temp, fmt.value)
    typer.echo(
        f"{provider} at {later.census_date}: {later.stopped:,} clock stops, {later.removed:,} removed, "
        f"{later.referred:,} new referrals -> " + ", ".join(str(out / p.name) for p in paths)
    )


def register(app: typer.Typer) -> None:
    """Add ``synth trust``, ``synth check``, ``synth sweep`` and ``synth advance`` to the ``synth`` group."""
    app.command("advance")(advance_command)
    app.command("trust")(trust_command)
    app.command("check")(check_command)
    app.command("sweep")(sweep_command)
