"""CLI for booking simulation: ``carebacklog simulate``."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from carebacklog.clikit import (
    FormatOpt,
    QuarantineOpt,
    check_chart,
    emit,
    fail,
    resolve_format,
    write_chart,
)

__all__ = ["register", "simulate_command"]

if TYPE_CHECKING:
    import polars as pl

    from carebacklog.booking.policies import BookingPolicy
    from carebacklog.booking.runner import PolicyComparison


class Table(StrEnum):
    summary = "summary"
    weekly = "weekly"
    waits = "waits"
    breaches = "breaches"


def _boost(text: str) -> dict[int, float]:
    """'1:4,2:2' -> {1: 4.0, 2: 2.0} (IMD quintile: weeks)."""
    boost: dict[int, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        quintile, sep, weeks = part.partition(":")
        try:
            if not sep or not 1 <= int(quintile) <= 5:
                raise ValueError
            boost[int(quintile)] = float(weeks)
        except ValueError:
            fail(f"--equity-boost {text!r}: write quintile:weeks pairs, e.g. 1:4,2:2")
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
                fail(f"--policy {name}: cannot import scoring function ({exc})")
            out.append(CustomScore(fn=fn, name=attr))
        elif name == "ringfence":
            out.append(RingFenced(share=share, over_weeks=over_weeks))
        elif name == "equity":
            out.append(EquityWeighted(boost_weeks=_boost(boost)))
        else:
            try:
                out.append(get_policy(name))
            except ValueError as exc:
                fail(str(exc))
    if not out:
        fail("--policy names no policy")
    return out


def _table(comparison: PolicyComparison, which: Table) -> pl.DataFrame:
    if which is Table.summary:
        return comparison.summary
    if which is Table.weekly:
        return comparison.weekly
    if which is Table.waits:
        return comparison.waits
    return comparison.breaches


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
    fmt: FormatOpt = None,
    out: Path | None = typer.Option(
        None, "--out", help="Write the table to FILE (format from its extension: .csv, .json, .parquet)."
    ),
    chart: Path | None = typer.Option(None, "--chart", help="Write a PNG/SVG chart of the comparison."),
    schema: bool = typer.Option(False, "--schema", help="Print the scenario JSON schema and exit."),
    quarantine: QuarantineOpt = None,
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
    out_fmt = resolve_format(fmt, out)
    check_chart(chart)
    from carebacklog.files import check_paths
    from carebacklog.rtt.pipeline import patients_quarantine

    inputs = [("LIST", starting_list), ("--patients", patients), *(("--scenario", f) for f in scenario_files or [])]
    check_paths(
        inputs,
        [("--out", out), ("--chart", chart), ("--quarantine", quarantine),
         ("the patients quarantine", patients_quarantine(quarantine) if patients else None)],
    )  # fmt: skip
    try:
        files = list(scenario_files or [])
        if empty:
            if not files or census is None:
                fail("--empty needs --scenario and --census-date")
            ptl, census_used = None, census
        else:
            if starting_list is None:
                fail("give a starting list (PTL or events file), or --empty")
            if str(starting_list) == "demo" and not starting_list.exists():
                start = demo_starting_list(seed)
            else:
                start = read_starting_list(
                    starting_list, census_date=census, patients=patients, quarantine=quarantine
                )
            ptl, census_used = start.ptl, start.census_date
        scenarios: dict[str, Scenario] = {}
        for file in files:
            if file.stem in scenarios:
                fail(f"two scenario files are called {file.stem!r}; rename one")
            scenarios[file.stem] = complete_scenario(
                load_scenario(file), ptl, census_used, capacity_ratio, two_stage=not single_stage
            )
        if not scenarios:
            assert ptl is not None
            scenarios["list"] = scenario_from_list(ptl, census_used, capacity_ratio, two_stage=not single_stage)
    except InputError as exc:
        fail(str(exc))
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
        fail(str(exc))
    frame = _table(comparison, table)
    if chart is not None:
        try:
            write_chart(
                chart,
                lambda temp: comparison_chart(
                    comparison, temp, title=f"Booking policies from {census_used}, {weeks} weeks, {runs} runs"
                ),
            )
        except ValueError as exc:
            fail(str(exc))
    title = f"{table.value} — {', '.join(comparison.results)}; {runs} runs × {weeks} weeks"
    emit(frame, out_fmt, out, title=title)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root ``carebacklog`` command."""
    app.command("simulate", help="Simulate booking policies on a waiting list (PTL, events file or empty).")(
        simulate_command
    )

