"""CLI for booking simulation: ``carebacklog simulate``."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

__all__ = ["register", "simulate_command"]

if TYPE_CHECKING:
    import polars as pl

    from carebacklog.booking.policies import BookingPolicy
    from carebacklog.booking.runner import PolicyComparison


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Table(StrEnum):
    summary = "summary"
    weekly = "weekly"
    waits = "waits"
    breaches = "breaches"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=2)


def _boost(text: str) -> dict[int, float]:
    """'1:4,2:2' -> {1: 4.0, 2: 2.0} (IMD quintile: weeks)."""
    boost: dict[int, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        quintile, sep, weeks = part.partition(":")
        try:
            if not sep or not 1 <= int(quintile) <= 5:
                raise ValueError
            boost[int(quintile)] = float(weeks)
        except ValueError as exc:
            raise _fail(f"--equity-boost {text!r}: write quintile:weeks pairs, e.g. 1:4,2:2") from exc
    return boost


def _policies(spec: str, share: float, over_weeks: int, boost: str) -> list[BookingPolicy]:
    from carebacklog.booking.policies import POLICY_NAMES, CustomScore, EquityWeighted, RingFenced, get_policy

    names = list(POLICY_NAMES) if spec == "all" else [s.strip() for s in spec.split(",") if s.strip()]
    out: list[BookingPolicy] = []
    for name in names:
        if ":" in name:  # module:function, a custom scoring function
            module, _, attr = name.partition(":")
            try:
                fn = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                raise _fail(f"--policy {name}: cannot import scoring function ({exc})") from exc
            out.append(CustomScore(fn=fn, name=attr))
        elif name == "ringfence":
            out.append(RingFenced(share=share, over_weeks=over_weeks))
        elif name == "equity":
            out.append(EquityWeighted(boost_weeks=_boost(boost)))
        else:
            try:
                out.append(get_policy(name))
            except ValueError as exc:
                raise _fail(str(exc)) from exc
    if not out:
        raise _fail("--policy names no policy")
    return out


def _table(comparison: PolicyComparison, which: Table) -> pl.DataFrame:
    if which is Table.summary:
        return comparison.summary
    if which is Table.weekly:
        return comparison.weekly
    if which is Table.waits:
        return comparison.waits
    return comparison.breaches


def _render(frame: pl.DataFrame, fmt: OutputFormat) -> str | None:
    import polars as pl

    if fmt is OutputFormat.csv:
        return frame.write_csv()
    if fmt is OutputFormat.json:
        return json.dumps(frame.with_columns(pl.col(pl.Date).cast(pl.String)).to_dicts(), indent=2, default=str)
    return None


def _print_table(frame: pl.DataFrame, title: str) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=title)
    for column in frame.columns:
        table.add_column(column, justify="right" if frame[column].dtype.is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*("" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)


def simulate_command(
    starting_list: Path | None = typer.Argument(
        None,
        help="PTL snapshot (CSV/Parquet), a pathway events file, or 'demo' (the demo trust); omit with --empty.",
        show_default=False,
    ),
    policy: str = typer.Option(
        "priority", "--policy", "-p",
        help="fifo, priority, ringfence, equity, a comma-separated list, 'all', or module:function (custom score).",
    ),
    scenario_files: list[Path] | None = typer.Option(
        None, "--scenario", help="Scenario JSON (see --schema); repeat to compare scenarios (labelled by file name)."
    ),
    weeks: int = typer.Option(52, min=1, max=520, help="Weeks to simulate."),
    runs: int = typer.Option(5, min=1, max=1000, help="Replications per policy."),
    seed: int = typer.Option(0, help="Seed of numpy.random.SeedSequence (same seed, same result)."),
    workers: int = typer.Option(1, min=1, help="Worker processes for the replications."),
    census_date: dt.datetime | None = typer.Option(None, formats=["%Y-%m-%d"], help="Census date of the list."),
    patients: Path | None = typer.Option(None, help="Patients file (with an events file) for equity groups."),
    empty: bool = typer.Option(False, "--empty", help="Start from an empty list (needs --scenario, --census-date)."),
    capacity_ratio: float = typer.Option(
        1.0, min=0.0, help="Specialties read off the list (no --scenario, or left out of it): capacity ÷ demand."
    ),
    single_stage: bool = typer.Option(
        False, "--single-stage", help="Specialties read off the list: one pool, no outpatient stage."
    ),
    ringfence_share: float = typer.Option(0.2, min=0.0, max=1.0, help="ringfence: share of slots."),
    ringfence_weeks: int = typer.Option(40, min=0, help="ringfence: for patients waiting over N weeks."),
    equity_boost: str = typer.Option(
        "1:4,2:2", help="equity: weeks added to the wait by IMD quintile (quintile:weeks, 1 = most deprived)."
    ),
    table: Table = typer.Option(Table.summary, "--table", help="Which table to print."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    out: Path | None = typer.Option(None, "--out", help="Write the table to FILE (csv or json format)."),
    chart: Path | None = typer.Option(None, "--chart", help="Write a PNG/SVG chart of the comparison."),
    schema: bool = typer.Option(False, "--schema", help="Print the scenario JSON schema and exit."),
) -> None:
    """Simulate booking a waiting list under one or more policies and compare the outcomes."""
    from carebacklog.booking.charts import comparison_chart
    from carebacklog.booking.inputs import (
        InputError,
        complete_scenario,
        demo_starting_list,
        load_scenario,
        read_starting_list,
        scenario_from_list,
    )
    from carebacklog.booking.runner import compare_policies, compare_scenarios
    from carebacklog.booking.scenario import Scenario

    if schema:
        typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
        raise typer.Exit()
    census = census_date.date() if census_date is not None else None
    try:
        files = list(scenario_files or [])
        if empty:
            if not files or census is None:
                raise _fail("--empty needs --scenario and --census-date")
            ptl, census_used = None, census
        else:
            if starting_list is None:
                raise _fail("give a starting list (PTL or events file), or --empty")
            if str(starting_list) == "demo" and not starting_list.exists():
                start = demo_starting_list(seed)
            else:
                start = read_starting_list(starting_list, census_date=census, patients=patients)
            ptl, census_used = start.ptl, start.census_date
        scenarios: dict[str, Scenario] = {}
        for file in files:
            if file.stem in scenarios:
                raise _fail(f"two scenario files are called {file.stem!r}; rename one")
            scenarios[file.stem] = complete_scenario(
                load_scenario(file), ptl, census_used, capacity_ratio, two_stage=not single_stage
            )
        if not scenarios:
            assert ptl is not None
            scenarios["list"] = scenario_from_list(ptl, census_used, capacity_ratio, two_stage=not single_stage)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    chosen = _policies(policy, ringfence_share, ringfence_weeks, equity_boost)

    from rich.console import Console
    from rich.progress import Progress

    try:
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Simulating", total=runs * len(chosen) * len(scenarios))
            if len(scenarios) == 1:
                comparison = compare_policies(
                    ptl, next(iter(scenarios.values())), chosen, census_date=census_used, weeks=weeks,
                    runs=runs, seed=seed, workers=workers, progress=lambda k: bar.advance(task, k),
                )
            else:
                comparison = compare_scenarios(
                    ptl, scenarios, chosen, census_date=census_used, weeks=weeks, runs=runs, seed=seed,
                    workers=workers, progress=lambda k: bar.advance(task, k),
                )
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    frame = _table(comparison, table)
    if chart is not None:
        try:
            comparison_chart(comparison, chart, title=f"Booking policies from {census_used}, {weeks} weeks, {runs} runs")
        except ValueError as exc:
            raise _fail(str(exc)) from exc
    if out is not None:
        text = _render(frame, OutputFormat.json if fmt is OutputFormat.json else OutputFormat.csv)
        Path(out).write_text(text or "")
        typer.echo(f"wrote {out}", err=True)
        return
    text = _render(frame, fmt)
    if text is not None:
        typer.echo(text.rstrip("\n"))
    else:
        _print_table(frame, f"{table.value} — {', '.join(comparison.results)}; {runs} runs × {weeks} weeks")


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root ``carebacklog`` command."""
    app.command("simulate", help="Simulate booking policies on a waiting list (PTL, events file or empty).")(
        simulate_command
    )

