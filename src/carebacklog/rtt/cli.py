"""CLI for the clock engine: ``rtt periods``, ``rtt ptl``, ``rtt explain``, ``rtt quality``.

Files are read through :mod:`carebacklog.rtt.pipeline` (rejected rows counted, reported and quarantinable)
and written through :mod:`carebacklog.clikit` (format from ``--out``'s extension, atomic writes). Exit
codes (docs/cli.md): 0 done; 1 nothing to show (unknown pathway); 2 bad input or usage; 3 output not
written. Polars is imported inside the commands so ``carebacklog --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carebacklog.clikit import (
    CensusDateOpt,
    FormatOpt,
    LimitOpt,
    OutOpt,
    OutputFormat,
    QuarantineOpt,
    emit,
    fail,
    json_records,
    parse_date,
    resolve_format,
)

if TYPE_CHECKING:
    from carebacklog.rtt.pipeline import InputsRead

__all__ = ["explain_command", "periods", "ptl", "quality", "register"]

EventsArg = Annotated[Path, typer.Argument(help="Events file (CSV or Parquet) in the input contract.")]
PatientsOpt = Annotated[Path | None, typer.Option("--patients", help="Patients file for equity columns.")]
BookingsOpt = Annotated[
    Path | None,
    typer.Option("--bookings", help="Bookings file (appointments and TCI dates): booked, booked date, after breach."),
]

#: The columns ``rtt ptl`` shows in a table (CSV, JSON and Parquet carry every column).
PTL_TABLE_COLUMNS = (
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
)


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"


def _check_outputs(inputs: list[tuple[str, Path | None]], out: Path | None, quarantine: Path | None) -> None:
    from carebacklog.files import check_paths
    from carebacklog.rtt.pipeline import bookings_quarantine, patients_quarantine

    given = {name for name, p in inputs if p is not None}
    check_paths(
        inputs,
        [
            ("--out", out),
            ("--quarantine", quarantine),
            ("the patients quarantine", patients_quarantine(quarantine) if "--patients" in given else None),
            ("the bookings quarantine", bookings_quarantine(quarantine) if "--bookings" in given else None),
        ],
    )


def _read(events: Path, quarantine: Path | None, patients: Path | None = None) -> InputsRead:
    from carebacklog.rtt.pipeline import read_inputs

    return read_inputs(events, patients, quarantine)


def periods(
    events: EventsArg,
    census_date: CensusDateOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
    quarantine: QuarantineOpt = None,
    limit: LimitOpt = 50,
) -> None:
    """RTT periods: one row per clock start, with its stop and outcome."""
    from carebacklog.rtt.periods import build_periods

    census = parse_date(census_date)
    chosen = resolve_format(fmt, out)
    _check_outputs([("events", events)], out, quarantine)
    result = _read(events, quarantine)
    table = build_periods(result.events.events, census)
    counts = table.get_column("outcome").value_counts(sort=True).iter_rows()
    footer = ["Periods: " + ", ".join(f"{k} {v}" for k, v in counts)] if table.height else ["No periods."]
    emit(table, chosen, out, limit=limit, footer=footer)


def ptl(
    events: EventsArg,
    census_date: CensusDateOpt = None,
    patients: PatientsOpt = None,
    bookings: BookingsOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
    quarantine: QuarantineOpt = None,
    limit: LimitOpt = 50,
) -> None:
    """PTL at the census date: open pathways in booking order, with waits and breach dates."""
    import polars as pl

    from carebacklog.rtt.pipeline import ptl_from_files
    from carebacklog.rtt.ptl import ptl_summary

    census = parse_date(census_date, required=True)
    chosen = resolve_format(fmt, out)
    _check_outputs([("events", events), ("--patients", patients), ("--bookings", bookings)], out, quarantine)
    snapshot, _ = ptl_from_files(events, patients, census_date=census, quarantine=quarantine, bookings=bookings)
    summary = ptl_summary(snapshot)
    pct = "n/a" if summary.pct_within_18_weeks is None else f"{summary.pct_within_18_weeks:.1f}%"
    assert census is not None
    footer = [
        f"Census {census.isoformat()}: {summary.count} waiting; within 18 weeks {summary.within_18_weeks} ({pct}); "
        f"over 52 weeks {summary.over_52_weeks}; over 65 {summary.over_65_weeks}; "
        f"over 78 {summary.over_78_weeks}; over 104 {summary.over_104_weeks}; with DTA {summary.with_dta}"
    ]
    if bookings is not None:
        booked = snapshot.select(
            pl.col("booked").sum().alias("booked"), pl.col("booked_after_breach").sum().alias("late")
        ).row(0, named=True)
        footer.append(
            f"Booked {booked['booked']}; unbooked {snapshot.height - booked['booked']}; "
            f"booked after their next breach date {booked['late']}"
        )
    extra = ["booked_date"] if bookings is not None else []
    shown = snapshot.select([*PTL_TABLE_COLUMNS, *extra]) if chosen is OutputFormat.table else snapshot
    emit(shown, chosen, out, limit=limit, footer=footer)


def explain_command(
    events: EventsArg,
    pathway: Annotated[str, typer.Option("--pathway", help="Pathway id (PPI) to explain.")],
    census_date: CensusDateOpt = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", help="Output format.")] = ExplainFormat.text,
    quarantine: QuarantineOpt = None,
) -> None:
    """Explain one pathway: what each event did to the clock and which rule applied."""
    from carebacklog.errors import ExitCode
    from carebacklog.rtt.explain import explain, render_explanation

    census = parse_date(census_date)
    _check_outputs([("events", events)], None, quarantine)
    result = _read(events, quarantine)
    explained = explain(result.events.events, pathway, census)
    if explained.height == 0:
        fail(f"no events for pathway '{pathway}' in {events}", ExitCode.CHECK_FAILED)
    if fmt is ExplainFormat.json:
        typer.echo(json.dumps(json_records(explained), default=str))
    else:
        typer.echo(render_explanation(explained, census))


def quality(
    events: EventsArg,
    census_date: CensusDateOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
    quarantine: QuarantineOpt = None,
    limit: LimitOpt = 50,
) -> None:
    """Data-quality table: events that break a clock rule or the input contract."""
    from carebacklog.rtt.quality import data_quality

    census = parse_date(census_date)
    chosen = resolve_format(fmt, out)
    _check_outputs([("events", events)], out, quarantine)
    result = _read(events, quarantine)
    issues = data_quality(result.events.events, census)
    if issues.height:
        counts = issues.get_column("issue").value_counts(sort=True).iter_rows()
        footer = ["Issues: " + ", ".join(f"{k} {v}" for k, v in counts)]
    else:
        footer = ["No data issues found."]
    if result.rejected:
        footer.append(f"Rows rejected on reading: {result.rejected}")
    emit(issues, chosen, out, limit=limit, footer=footer)


def register(app: typer.Typer) -> None:
    """Add ``periods``, ``ptl``, ``explain`` and ``quality`` to the ``rtt`` command group."""
    app.command("periods")(periods)
    app.command("ptl")(ptl)
    app.command("explain")(explain_command)
    app.command("quality")(quality)
