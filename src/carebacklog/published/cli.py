"""CLI for published statistics: ``rtt measures`` and ``rtt check``.

Heavy libraries (Polars, NumPy) are imported inside the commands so ``carebacklog --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

FILES = typer.Argument(..., help="NHS England RTT files: Full CSV extract (.csv/.zip) or workbooks (.xls/.xlsx).")
FORMAT = typer.Option("table", "--format", "-f", help="Output format: table, csv or json.")
OUT = typer.Option(None, "--out", "-o", help="Write the output to this file instead of the terminal.")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _read(paths: list[Path], include_totals: bool = False) -> Any:
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from carebacklog.published import PublishedFileError, read_rtt

    frames = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=_stderr_console()) as progress:
        for path in paths:
            task = progress.add_task(f"Reading {path.name}", total=None)
            try:
                frames.append(read_rtt(path, include_totals=include_totals))
            except PublishedFileError as exc:
                _fail(str(exc))
            progress.remove_task(task)
    import polars as pl

    return pl.concat(frames, how="vertical")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text.rstrip("\n"))
    else:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``measures`` and ``check`` to the ``rtt`` group."""

    @app.command("measures")
    def measures(
        files: list[Path] = FILES,
        part: str = typer.Option("incomplete", "--part", help="incomplete, admitted, nonadmitted, dta or new."),
        by: str = typer.Option(
            "national", "--by",
            help="national, provider, provider,treatment_function, commissioner or parent (comma-separated).",
        ),
        fmt: str = FORMAT,
        out: Path | None = OUT,
        min_pathways: int = typer.Option(
            0, "--min-pathways", min=0,
            help="Leave median and percentiles blank below this many pathways (NHS England publishes from 50).",
        ),
    ) -> None:
        """Headline RTT measures (NHS England's definitions and percentile method) by period and grouping."""
        from carebacklog.published import PART_OF, headline_measures
        from carebacklog.published.output import FORMATS, render_frame

        if part not in PART_OF:
            _fail(f"--part must be one of {', '.join(PART_OF)}, not {part!r}")
        if fmt not in FORMATS:
            _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        tidy = _read(files)
        try:
            result = headline_measures(tidy, part, by, min_pathways_for_percentiles=min_pathways)
        except ValueError as exc:
            _fail(str(exc))
        if result.height == 0:
            typer.echo(f"No {part} pathways in {', '.join(str(f) for f in files)}", err=True)
        _emit(render_frame(result, fmt, title=f"RTT {part} pathways by {by}"), out)

    @app.command("check")
    def check(
        file: Path = typer.Argument(..., help="This month's return: Full CSV (.csv/.zip) or an RTT workbook (.xls/.xlsx)."),
        previous: Path | None = typer.Option(None, "--previous", help="Last month's return, for swing checks."),
        fmt: str = typer.Option("table", "--format", "-f", help="Output format: table or json."),
        out: Path | None = OUT,
        fail_on: str = typer.Option("warning", "--fail-on",
                                    help="Exit non-zero when a check of this severity or worse fails: "
                                         "warning (any failure) or error."),
        max_rows: int = typer.Option(10, "--max-rows", help="Offending rows shown per check in the table."),
    ) -> None:
        """Monthly RTT return checks: signs, totals, DTA within the waiting list, plausibility and month-on-month
        swings. Exit code 1 when a check fails, 2 when a file cannot be read."""
        from carebacklog.published.checks import check_extract_rows, check_return

        if fmt not in ("table", "json"):
            _fail(f"--format must be table or json, not {fmt!r}")
        if fail_on not in ("warning", "error"):
            _fail(f"--fail-on must be warning or error, not {fail_on!r}")
        row_checks = []
        if file.suffix.lower() in (".csv", ".zip") and file.exists():
            from carebacklog.published import PublishedFileError
            from carebacklog.published.extract import read_extract_wide, wide_to_tidy

            try:
                wide = read_extract_wide(file)
            except PublishedFileError as exc:
                _fail(str(exc))
            row_checks.append(check_extract_rows(wide))
            current = wide_to_tidy(wide, include_totals=True)
        else:
            current = _read([file], include_totals=True)
        prior = _read([previous], include_totals=True) if previous is not None else None
        results = [*row_checks, *check_return(current, prior)]
        if fmt == "json":
            text = json.dumps({"file": str(file), "previous": None if previous is None else str(previous),
                               "passed": all(r.passed for r in results),
                               "checks": [r.to_dict() for r in results]}, indent=2, default=str)
        else:
            text = _report(results, file, max_rows)
        _emit(text, out)
        failing = [r for r in results if not r.passed and (fail_on == "warning" or r.severity == "error")]
        if failing:
            raise typer.Exit(1)


def _report(results: list[Any], file: Path, max_rows: int) -> str:
    from carebacklog.published.output import render_frame

    lines = [f"RTT return checks: {file}", ""]
    for r in results:
        status = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
        extra = f" ({r.note})" if r.note else ""
        count = "" if r.passed else f" — {r.offending.height} offending row(s)"
        lines.append(f"[{status}] {r.name} ({r.severity}) — {r.description}{extra}{count}")
        if not r.passed:
            lines.append(render_frame(r.offending.head(max_rows), "table").rstrip("\n"))
            if r.offending.height > max_rows:
                lines.append(f"  … and {r.offending.height - max_rows} more (use --format json for all)")
        lines.append("")
    failed = sum(not r.passed for r in results)
    skipped = sum(r.skipped for r in results)
    lines.append(f"{len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return "\n".join(lines)
