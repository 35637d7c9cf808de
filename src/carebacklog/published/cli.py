"""CLI for published statistics: ``rtt measures`` and ``rtt check``.

Written through :mod:`carebacklog.clikit` (format from ``--out``'s extension, atomic writes). Exit codes
(docs/cli.md): 0 done; 1 a check failed (``rtt check``); 2 a file or option cannot be used; 3 the output
could not be written. Polars is imported inside the commands so ``carebacklog --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carebacklog.clikit import FormatOpt, OutOpt, OutputFormat, emit, fail, resolve_format, write_text_output
from carebacklog.errors import ExitCode

if TYPE_CHECKING:
    import polars as pl

__all__ = ["check", "measures", "register"]

FilesArg = Annotated[
    list[Path], typer.Argument(help="NHS England RTT files: Full CSV extract (.csv/.zip) or workbooks (.xls/.xlsx).")
]


class FailOn(StrEnum):
    warning = "warning"
    error = "error"


def _read(paths: list[Path], include_totals: bool = False) -> pl.DataFrame:
    """Published files into one tidy table; a file that cannot be used raises ``PublishedFileError`` (exit 2)."""
    import polars as pl
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from carebacklog.published import read_rtt

    frames = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=Console(stderr=True)) as progress:
        for path in paths:
            task = progress.add_task(f"Reading {path.name}", total=None)
            frames.append(read_rtt(path, include_totals=include_totals))
            progress.remove_task(task)
    return pl.concat(frames, how="vertical")


def measures(
    files: FilesArg,
    part: Annotated[
        str, typer.Option("--part", help="incomplete, admitted, nonadmitted, dta or new.")
    ] = "incomplete",
    by: Annotated[str, typer.Option(
        "--by", help="national, provider, provider,treatment_function, commissioner or parent (comma-separated).",
    )] = "national",
    fmt: FormatOpt = None,
    out: OutOpt = None,
    min_pathways: Annotated[int, typer.Option(
        "--min-pathways", min=0,
        help="Leave median and percentiles blank below this many pathways (NHS England publishes from 50).",
    )] = 0,
) -> None:
    """Headline RTT measures (NHS England's definitions and percentile method) by period and grouping."""
    from carebacklog.files import check_paths
    from carebacklog.published import PART_OF, headline_measures
    from carebacklog.published.output import integral_counts

    if part not in PART_OF:
        fail(f"--part must be one of {', '.join(PART_OF)}, not {part!r}")
    chosen = resolve_format(fmt, out)
    check_paths([(f"FILE {f}", f) for f in files], [("--out", out)])
    tidy = _read(files)
    try:
        result = headline_measures(tidy, part, by, min_pathways_for_percentiles=min_pathways)
    except ValueError as exc:
        fail(str(exc))
    if result.height == 0:
        typer.echo(f"No {part} pathways in {', '.join(str(f) for f in files)}", err=True)
    emit(integral_counts(result), chosen, out, title=f"RTT {part} pathways by {by}")


def check(
    file: Annotated[Path, typer.Argument(
        help="This month's return: Full CSV (.csv/.zip) or an RTT workbook (.xls/.xlsx).")],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Last month's return, for swing checks.")
    ] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on",
        help="Exit 1 when a check of this severity or worse fails: warning (any failure) or error.",
    )] = FailOn.warning,
    max_rows: Annotated[int, typer.Option("--max-rows", min=0, help="Offending rows shown per check in the table.")] = 10,
) -> None:
    """Monthly RTT return checks: signs, totals, DTA within the waiting list, plausibility and month-on-month
    swings. Exit code 1 when a check fails, 2 when a file cannot be read."""
    from carebacklog.files import check_paths
    from carebacklog.published.checks import check_extract_rows, check_return

    chosen = resolve_format(fmt, out, (OutputFormat.table, OutputFormat.json))
    check_paths([("FILE", file), ("--previous", previous)], [("--out", out)])
    row_checks = []
    if file.suffix.lower() in (".csv", ".zip") and file.exists():
        from carebacklog.published.extract import read_extract_wide, wide_to_tidy

        wide = read_extract_wide(file)
        row_checks.append(check_extract_rows(wide))
        current = wide_to_tidy(wide, include_totals=True)
    else:
        current = _read([file], include_totals=True)
    prior = _read([previous], include_totals=True) if previous is not None else None
    results = [*row_checks, *check_return(current, prior)]
    if chosen is OutputFormat.json:
        text = json.dumps({"file": str(file), "previous": None if previous is None else str(previous),
                           "passed": all(r.passed for r in results),
                           "checks": [r.to_dict() for r in results]}, indent=2, default=str)
    else:
        text = _report(results, file, max_rows)
    write_text_output(text, out, f"{len(results)} checks")
    failing = [r for r in results if not r.passed and (fail_on is FailOn.warning or r.severity == "error")]
    if failing:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _report(results: list[Any], file: Path, max_rows: int) -> str:
    from carebacklog.clikit import table_text
    from carebacklog.published.output import integral_counts

    lines = [f"RTT return checks: {file}", ""]
    for r in results:
        status = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
        extra = f" ({r.note})" if r.note else ""
        count = "" if r.passed else f" — {r.offending.height} offending row(s)"
        lines.append(f"[{status}] {r.name} ({r.severity}) — {r.description}{extra}{count}")
        if not r.passed:
            lines.append(table_text(
                integral_counts(r.offending), limit=max_rows, more="use --max-rows, or --format json for all"
            ).rstrip("\n"))
        lines.append("")
    failed = sum(not r.passed for r in results)
    skipped = sum(r.skipped for r in results)
    lines.append(f"{len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``measures`` and ``check`` to the ``rtt`` group."""
    app.command("measures")(measures)
    app.command("check")(check)
