"""CLI for the clock engine: ``rtt periods``, ``rtt ptl``, ``rtt explain``, ``rtt quality``.

Heavy libraries (Polars) are imported inside the commands so ``carebacklog --help`` stays fast.
Exit codes: 0 done; 1 nothing to show (unknown pathway); 2 bad input (file, option).
"""

from __future__ import annotations

import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import polars as pl

    from carebacklog.rtt.reader import ReadResult

_err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_EVENTS_ARG = typer.Argument(..., help="Events file (CSV or Parquet) in the input contract.")
_CENSUS_OPT = typer.Option(
    None, "--census-date", help="Census date (YYYY-MM-DD): only events on or before it count."
)
_FORMAT_OPT = typer.Option(OutputFormat.table, "--format", help="Output format.")
_OUT_OPT = typer.Option(None, "--out", help="Write the output to this file instead of the terminal.")
_QUARANTINE_OPT = typer.Option(
    None, "--quarantine", help="Write rejected input rows (with file, row, column, reason) to this CSV."
)
_LIMIT_OPT = typer.Option(50, "--limit", min=0, help="Rows shown in table format (the summary covers all).")


def _census(value: str | None, required: bool = False) -> date | None:
    if value is None:
        if required:
            _err.print("[red]error:[/red] --census-date is required (YYYY-MM-DD)")
            raise typer.Exit(2)
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _err.print(f"[red]error:[/red] --census-date '{value}' is not a date (use YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _read(path: Path, quarantine: Path | None, patients: bool = False) -> ReadResult:
    from carebacklog.rtt.reader import InputFileError, read_events, read_patients

    reader = read_patients if patients else read_events
    try:
        with _err.status(f"Reading {path}…"):
            result = reader(path, quarantine)
    except InputFileError as err:
        _err.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2) from None
    if result.rejected.height:
        where = f"; written to {quarantine}" if quarantine else "; use --quarantine FILE to keep them"
        _err.print(f"[yellow]{result.rejected.height} of {result.rows_read} rows rejected{where}[/yellow]")
        for row in result.rejected.head(5).iter_rows(named=True):
            _err.print(f"  {row['source_file']} row {row['row']}: {row['reason']}", markup=False)
    return result


def _json_ready(frame: pl.DataFrame) -> list[dict[str, Any]]:
    import polars as pl

    text_dates = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    return text_dates.to_dicts()


def _table(frame: pl.DataFrame, limit: int, title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(column, overflow="fold")
    for row in frame.head(limit).iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    return table


def _emit(
    frame: pl.DataFrame,
    fmt: OutputFormat,
    out: Path | None,
    limit: int,
    footer: list[str] | None = None,
) -> None:
    """Write ``frame`` as table / CSV / JSON to ``out`` or stdout (table shows ``limit`` rows + footer)."""
    import polars as pl

    if fmt is OutputFormat.json:
        text = json.dumps(_json_ready(frame), indent=None, default=str)
    elif fmt is OutputFormat.csv:
        text = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).write_csv()
    else:
        console = Console(record=True, width=250, file=io.StringIO()) if out else Console(width=250)
        if frame.height:
            console.print(_table(frame, limit))
        if frame.height > limit:
            console.print(f"… showing {limit} of {frame.height} rows (use --limit or --format csv for all)")
        for line in footer or []:
            console.print(line)
        if out is None:
            return
        text = console.export_text()
    if out is None:
        typer.echo(text.rstrip("\n"))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        _err.print(f"Wrote {frame.height} rows to {out}")


def periods(
    events: Path = _EVENTS_ARG,
    census_date: str | None = _CENSUS_OPT,
    out: Path | None = _OUT_OPT,
    fmt: OutputFormat = _FORMAT_OPT,
    quarantine: Path | None = _QUARANTINE_OPT,
    limit: int = _LIMIT_OPT,
) -> None:
    """RTT periods: one row per clock start, with its stop and outcome."""
    from carebacklog.rtt.periods import build_periods

    census = _census(census_date)
    result = _read(events, quarantine)
    with _err.status("Running the clock rules…"):
        table = build_periods(result.events, census)
    counts = table.get_column("outcome").value_counts(sort=True).iter_rows()
    footer = ["Periods: " + ", ".join(f"{k} {v}" for k, v in counts)] if table.height else ["No periods."]
    _emit(table, fmt, out, limit, footer)


def ptl(
    events: Path = _EVENTS_ARG,
    census_date: str | None = _CENSUS_OPT,
    patients: Path | None = typer.Option(None, "--patients", help="Patients file for equity columns."),
    out: Path | None = _OUT_OPT,
    fmt: OutputFormat = _FORMAT_OPT,
    quarantine: Path | None = _QUARANTINE_OPT,
    limit: int = _LIMIT_OPT,
) -> None:
    """PTL at the census date: open pathways in booking order, with waits and breach dates."""
    from carebacklog.rtt.periods import build_periods
    from carebacklog.rtt.ptl import ptl_snapshot, ptl_summary

    census = _census(census_date, required=True)
    assert census is not None
    result = _read(events, quarantine)
    people = None
    if patients is not None:
        people_quarantine = (
            None if quarantine is None else quarantine.with_name(f"{quarantine.stem}_patients.csv")
        )
        people = _read(patients, people_quarantine, patients=True).events
    with _err.status("Building the PTL…"):
        snapshot = ptl_snapshot(build_periods(result.events, census), census, people)
    summary = ptl_summary(snapshot)
    pct = "n/a" if summary.pct_within_18_weeks is None else f"{summary.pct_within_18_weeks:.1f}%"
    footer = [
        f"Census {census.isoformat()}: {summary.count} waiting; within 18 weeks {summary.within_18_weeks} ({pct}); "
        f"over 52 weeks {summary.over_52_weeks}; over 65 {summary.over_65_weeks}; "
        f"over 78 {summary.over_78_weeks}; over 104 {summary.over_104_weeks}; with DTA {summary.with_dta}"
    ]
    shown = snapshot
    if fmt is OutputFormat.table:
        wanted = [
            "booking_rank",
            "pathway_id",
            "period",
            "treatment_function",
            "clock_start",
            "days_waited",
            "weeks_waited",
            "priority",
            "priority_due_date",
            "has_dta",
            "breach_18_date",
            "breach_52_date",
        ]
        shown = snapshot.select(wanted)
    _emit(shown, fmt, out, limit, footer)


def explain_command(
    events: Path = _EVENTS_ARG,
    pathway: str = typer.Option(..., "--pathway", help="Pathway id (PPI) to explain."),
    census_date: str | None = _CENSUS_OPT,
    fmt: str = typer.Option("text", "--format", help="text or json."),
    quarantine: Path | None = _QUARANTINE_OPT,
) -> None:
    """Explain one pathway: what each event did to the clock and which rule applied."""
    from carebacklog.rtt.explain import explain, render_explanation

    census = _census(census_date)
    result = _read(events, quarantine)
    explained = explain(result.events, pathway, census)
    if explained.height == 0:
        _err.print(f"[red]error:[/red] no events for pathway '{pathway}' in {events}")
        raise typer.Exit(1)
    if fmt == "json":
        typer.echo(json.dumps(_json_ready(explained), default=str))
    elif fmt == "text":
        typer.echo(render_explanation(explained, census))
    else:
        _err.print(f"[red]error:[/red] --format must be text or json, not '{fmt}'")
        raise typer.Exit(2)


def quality(
    events: Path = _EVENTS_ARG,
    census_date: str | None = _CENSUS_OPT,
    out: Path | None = _OUT_OPT,
    fmt: OutputFormat = _FORMAT_OPT,
    quarantine: Path | None = _QUARANTINE_OPT,
    limit: int = _LIMIT_OPT,
) -> None:
    """Data-quality table: events that break a clock rule or the input contract."""
    from carebacklog.rtt.quality import data_quality

    census = _census(census_date)
    result = _read(events, quarantine)
    with _err.status("Checking events…"):
        issues = data_quality(result.events, census)
    if issues.height:
        counts = issues.get_column("issue").value_counts(sort=True).iter_rows()
        footer = ["Issues: " + ", ".join(f"{k} {v}" for k, v in counts)]
    else:
        footer = ["No data issues found."]
    if result.rejected.height:
        footer.append(f"Rows rejected on reading: {result.rejected.height}")
    _emit(issues, fmt, out, limit, footer)


def register(app: typer.Typer) -> None:
    """Add ``periods``, ``ptl``, ``explain`` and ``quality`` to the ``rtt`` command group."""
    app.command("periods")(periods)
    app.command("ptl")(ptl)
    app.command("explain")(explain_command)
    app.command("quality")(quality)
