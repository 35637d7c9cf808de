"""CLI for forecasting: ``forecast project|plan|backtest|sweep`` and ``plan queue``.

Percentages (``--percentile``, ``--referral-growth``, ``--capacity-change``) are given in per cent and
shares (``--ring-fence``) as fractions, as docs/cli.md sets out; ambiguous or out-of-range values are
refused (exit 2) before any work. Outputs go through :mod:`carebacklog.clikit` (format from ``--out``'s
extension, atomic writes). Heavy libraries (NumPy, Polars, Dask, matplotlib) are imported inside the
commands so that ``carebacklog --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from carebacklog.clikit import (
    FormatOpt,
    OutOpt,
    OutputFormat,
    check_chart,
    emit,
    fail,
    percent,
    resolve_format,
    share,
    write_chart,
)
from carebacklog.errors import ExitCode

__all__ = ["backtest_cmd", "plan_cmd", "project_cmd", "queue", "register", "sweep_cmd"]

FilesArg = Annotated[list[Path], typer.Argument(
    help="Published RTT Full CSV extracts (.csv/.zip, consecutive months) or one monthly series (.parquet).")]
ByOpt = Annotated[str, typer.Option("--by", help="national, provider or provider,treatment_function.")]
GrowthOpt = Annotated[str, typer.Option(
    "--referral-growth", help="Referral growth a year, in per cent: 3 (or 3%) = 3%; -100 < value <= 100.")]
CapacityOpt = Annotated[str, typer.Option(
    "--capacity-change", help="Capacity change, in per cent: -10 (or -10%) = -10%; -100 < value <= 100.")]
ChartOpt = Annotated[Path | None, typer.Option("--chart", help="Also draw the first list to this .png/.svg.")]
_TABLE_CSV_JSON = (OutputFormat.table, OutputFormat.csv, OutputFormat.json, OutputFormat.parquet)


def _scenario(referral_growth: str, capacity_change: str) -> Any:
    from carebacklog.forecast.montecarlo import Scenario

    growth = percent(referral_growth, "--referral-growth", -100, 100, open_low=True)
    change = percent(capacity_change, "--capacity-change", -100, 100, open_low=True)
    assert growth is not None and change is not None
    return Scenario(growth, change)


def _load(files: list[Path], by: str) -> Any:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from carebacklog.forecast.inputs import load_observations

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=Console(stderr=True)) as progress:
        progress.add_task(f"Reading {', '.join(f.name for f in files)}", total=None)
        try:
            return load_observations(files, by)
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))


def _measures_table(frame: Any, keep: list[str]) -> Any:
    import polars as pl

    return frame.select([c for c in frame.columns if c in keep or c.split("_p")[0] in keep]).with_columns(
        pl.col(pl.Float64).round(2)
    )


def _outputs(files: list[Path], out: Path | None, chart: Path | None) -> None:
    from carebacklog.files import check_paths

    check_chart(chart)
    check_paths([(f"FILE {f}", f) for f in files], [("--out", out), ("--chart", chart)])


def queue(
    demand: Annotated[float, typer.Option("--demand", help="Clock starts (referrals) per week.")],
    capacity: Annotated[float, typer.Option("--capacity", help="Clock stops per week.")],
    target_wait: Annotated[float, typer.Option("--target-wait", help="Target wait in weeks, e.g. 18.")],
    percentile: Annotated[str | None, typer.Option(
        "--percentile", help="Per cent of the list within the target wait: 92 (or 92%); 0 < value < 100.")] = None,
    factor: Annotated[float | None, typer.Option("--factor", help="Mean-wait factor f (default 4).")] = None,
    queue_size: Annotated[float | None, typer.Option("--queue-size", help="Pathways waiting now.")] = None,
    mean_wait: Annotated[float | None, typer.Option("--mean-wait", help="Mean wait now, in weeks.")] = None,
    weeks_to_clear: Annotated[float, typer.Option("--weeks-to-clear", help="Weeks to reach the target size.")] = 26.0,
    cv_demand: Annotated[float, typer.Option("--cv-demand", help="Coefficient of variation of demand.")] = 1.0,
    cv_capacity: Annotated[float, typer.Option("--cv-capacity", help="Coefficient of variation of capacity.")] = 1.0,
    fmt: Annotated[OutputFormat | None, typer.Option("--format", "-f", help="table or json.", show_default=False)] = None,
) -> None:
    """Queueing rules of thumb for one list, in weeks: load, target wait and size, capacity, pressure."""
    from carebacklog.forecast.queueing import queue_plan

    chosen = resolve_format(fmt, None, (OutputFormat.table, OutputFormat.json))
    fraction = percent(percentile, "--percentile", 0, 100, open_low=True, open_high=True)
    try:
        plan = queue_plan(
            demand, capacity, target_wait, percentile=fraction, factor=factor, queue_size=queue_size,
            mean_wait=mean_wait, weeks_to_clear=weeks_to_clear, cv_demand=cv_demand, cv_capacity=cv_capacity,
        )  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    keys = ["load", "target_mean_wait", "target_queue_size", "relief_capacity", "target_capacity", "pressure"]
    result = {k: plan.as_dict()[k] for k in keys}
    if chosen is OutputFormat.json:
        typer.echo(json.dumps({**result, "factor": plan.factor, "percentile": plan.percentile}, indent=2))
        return
    units = {"load": "demand / capacity", "target_mean_wait": "weeks", "target_queue_size": "pathways",
             "relief_capacity": "clock stops a week", "target_capacity": "clock stops a week",
             "pressure": "2 × mean wait / target"}  # fmt: skip
    typer.echo(f"factor f = {plan.factor:.4f} ({plan.percentile:.2f}% within {target_wait:g} weeks)")
    for k in keys:
        v = result[k]
        shown = "not computed (give --queue-size)" if v is None and k == "relief_capacity" else (
            "not computed (give --mean-wait)" if v is None else f"{v:,.3f}")
        typer.echo(f"{k:<18} {shown:>34}  {units[k] if v is not None else ''}")
    if plan.load >= 1:
        typer.echo("Warning: load ≥ 1, the list will grow without limit at this capacity.", err=True)


def project_cmd(
    files: FilesArg,
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=120, help="Months to project.")],
    by: ByOpt = "national",
    referral_growth: GrowthOpt = "0",
    capacity_change: CapacityOpt = "0",
    runs: Annotated[int, typer.Option("--runs", min=0, help="Monte Carlo runs (0: central path only).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same ranges).")] = 0,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
) -> None:
    """Project list size, % within 18 weeks and 52/65/78+ week waits by month, with 10th–90th ranges."""
    import numpy as np

    from carebacklog.forecast.inputs import calibrate
    from carebacklog.forecast.montecarlo import forecast

    chosen = resolve_format(fmt, out, _TABLE_CSV_JSON)
    scenario = _scenario(referral_growth, capacity_change)
    _outputs(files, out, chart)
    obs = _load(files, by)
    fc = forecast(calibrate(obs), horizon, rng=np.random.default_rng(seed), runs=runs, scenario=scenario)
    frame = fc.to_frame()
    if chosen is OutputFormat.table:
        frame = _measures_table(frame, [*fc.keys.columns, "month", "total", "pct_within_18", "over_52"])
    emit(frame, chosen, out, title=f"Projection ({runs} runs, median and 10th–90th percentiles)")
    if chart is not None:
        from carebacklog.forecast.charts import projection_chart

        try:
            write_chart(chart, lambda temp: projection_chart(fc, temp))
        except ValueError as exc:
            fail(str(exc))


def plan_cmd(
    files: FilesArg,
    target: Annotated[list[str], typer.Option("--target", help="e.g. pct18>=65@2026-03 (repeat for more).")],
    ramp: Annotated[str, typer.Option("--ramp", help="flat, or linear up to the first target month.")] = "flat",
    start: Annotated[str | None, typer.Option("--start", help="First month of extra capacity, YYYY-MM.")] = None,
    ring_fence: Annotated[str, typer.Option(
        "--ring-fence", help="Share (a fraction, 0-0.5) of extra capacity for the longest waiters, or 'auto'.")] = "0",
    allow_reduction: Annotated[bool, typer.Option(
        "--allow-reduction", help="Allow less than today's capacity.")] = False,
    by: ByOpt = "national",
    referral_growth: GrowthOpt = "0",
    capacity_change: CapacityOpt = "0",
    fmt: FormatOpt = None,
    out: OutOpt = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the first list's plan (.png/.svg).")] = None,
) -> None:
    """The least extra clock stops a week that meets every target at its month and keeps meeting it."""
    from datetime import date

    from carebacklog.forecast.inputs import calibrate
    from carebacklog.forecast.optimise import parse_target, plan_capacity

    chosen = resolve_format(fmt, out, _TABLE_CSV_JSON)
    try:
        targets = [parse_target(t) for t in target]
        start_date = None
        if start is not None:
            y, m = start.split("-")
            start_date = date(int(y), int(m), 1)
        fence = None if ring_fence.strip().lower() == "auto" else float(ring_fence)
    except ValueError as exc:
        fail(str(exc) if "target" in str(exc) else f"{exc} (--start is YYYY-MM, --ring-fence a share or 'auto')")
    share(fence, "--ring-fence", 0.0, 0.5)
    scenario = _scenario(referral_growth, capacity_change)
    _outputs(files, out, chart)
    obs = _load(files, by)
    try:
        plan = plan_capacity(calibrate(obs), targets, start=start_date, ramp=ramp, ring_fence=fence,
                             allow_reduction=allow_reduction, scenario=scenario)  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    for i, msg in enumerate(plan.messages):
        label = " · ".join(str(plan.keys[c][i]) for c in plan.keys.columns)
        typer.echo(f"{label}: {msg}", err=chosen is not OutputFormat.table)
    import polars as pl

    frame = plan.capacity_frame().join(
        plan.projection.to_frame().select([*plan.keys.columns, "month", "total", "pct_within_18", "over_52"]),
        on=[*plan.keys.columns, "month"], how="left",
    ).with_columns(pl.col(pl.Float64).round(2))  # fmt: skip
    emit(frame, chosen, out, title="Capacity plan and projected measures (central path)")
    if chosen is OutputFormat.table:
        emit(plan.target_frame(), OutputFormat.table, None, title="Targets")
    if chart is not None:
        from carebacklog.forecast.charts import plan_chart

        try:
            write_chart(chart, lambda temp: plan_chart(plan, temp))
        except ValueError as exc:
            fail(str(exc))
    if not plan.feasible.all():
        raise typer.Exit(ExitCode.CHECK_FAILED)


def backtest_cmd(
    files: FilesArg,
    train_months: Annotated[int | None, typer.Option(
        "--train-months", min=1, help="Months to calibrate on (default: half).")] = None,
    by: ByOpt = "national",
    min_size: Annotated[float, typer.Option("--min-size", help="Leave out lists smaller than this.")] = 100.0,
    keep_broken: Annotated[bool, typer.Option(
        "--keep-broken", help="Also score lists whose training months show a broken series.")] = False,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Calibrate on the first k months, forecast the rest; model and blend against naive and trend."""
    import polars as pl

    from carebacklog.forecast.backtest import backtest

    chosen = resolve_format(fmt, out, _TABLE_CSV_JSON)
    _outputs(files, out, None)
    obs = _load(files, by)
    k = train_months if train_months is not None else max(1, len(obs.periods) // 2)
    try:
        result = backtest(obs, k, min_size=min_size, exclude_broken=not keep_broken)
    except ValueError as exc:
        fail(str(exc))
    emit(result.with_columns(pl.col(pl.Float64).round(3)), chosen, out,
         title=f"Back-test: train {k} months, test {len(obs.periods) - k}")  # fmt: skip


def sweep_cmd(
    file: Annotated[Path, typer.Argument(help="A national Full CSV extract (or the monthly series .parquet).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Results Parquet file.")],
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local cluster worker processes.")] = 2,
    runs: Annotated[int, typer.Option("--runs", min=0, help="Monte Carlo runs per list.")] = 1000,
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=120, help="Months to project.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Project every provider × treatment function on Dask; results as Parquet."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from carebacklog.files import write_frame
    from carebacklog.forecast.inputs import calibrate
    from carebacklog.forecast.sweep import local_cluster, sweep

    if out.suffix.lower() != ".parquet":
        fail(f"{out}: --out must be a .parquet file")
    _outputs([file], out, None)
    obs = _load([file], "provider,treatment_function")
    cal = calibrate(obs)
    from distributed import Client

    began = time.perf_counter()
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = local_cluster(workers)  # no profiler, default malloc policy (sweep.py)
            client = Client(cluster)
    except Exception as exc:
        fail(f"cannot start or reach the Dask scheduler: {exc}")
    try:
        with Progress(TextColumn("Projecting lists"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True)) as progress:
            task = progress.add_task("sweep", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = sweep(cal, horizon, runs=runs, seed=seed, client=client, on_batch=tick)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    write_frame(result, out, "parquet")
    typer.echo(f"Wrote {result.height} rows to {out}: {cal.size} lists × {horizon} months, {runs} runs, "
               f"{time.perf_counter() - began:.1f} s", err=True)


def register(forecast_app: typer.Typer, plan_app: typer.Typer) -> None:
    """Add ``project``, ``plan``, ``backtest`` and ``sweep`` to ``forecast``, and ``queue`` to ``plan``."""
    plan_app.command("queue")(queue)
    forecast_app.command("project")(project_cmd)
    forecast_app.command("plan")(plan_cmd)
    forecast_app.command("backtest")(backtest_cmd)
    forecast_app.command("sweep")(sweep_cmd)
