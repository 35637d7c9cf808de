"""CLI for forecasting: ``forecast project|plan|backtest|sweep`` and ``plan queue``.

Heavy libraries (NumPy, Polars, Dask, matplotlib) are imported inside the commands so that
``carebacklog --help`` stays fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

FILES = typer.Argument(
    ..., help="Published RTT Full CSV extracts (.csv/.zip, consecutive months) or one monthly series (.parquet)."
)
FORMAT = typer.Option("table", "--format", "-f", help="Output format: table, csv or json.")
OUT = typer.Option(None, "--out", "-o", help="Write the table to this file instead of the terminal.")
BY = typer.Option("national", "--by", help="national, provider or provider,treatment_function.")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _share(value: float, name: str) -> float:
    """3 or 0.03 both mean 3%: values beyond ±1 are read as percentages."""
    if not math.isfinite(value):
        _fail(f"{name} must be a number")
    return value / 100.0 if abs(value) > 1.0 else value


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _render(frame: Any, fmt: str, out: Path | None, title: str = "") -> None:
    """Write a Polars frame as a table, CSV or JSON (NaN → null) to the terminal or ``out``."""
    if fmt not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json, got {fmt!r}")
    if fmt == "json":
        rows = [{k: _clean(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]
        text = json.dumps(rows, indent=2, default=str)
    elif fmt == "csv":
        text = frame.write_csv()
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title or None)
        for col in frame.columns:
            table.add_column(col, justify="right" if frame[col].dtype.is_numeric() else "left")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row))
        if out is None:
            Console(width=max(120, 14 * len(frame.columns))).print(table)
            return
        import io

        console = Console(record=True, width=max(120, 14 * len(frame.columns)), file=io.StringIO())
        console.print(table)
        text = console.export_text()
    if out is None:
        typer.echo(text.rstrip("\n"))
    else:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {out}", err=True)


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
            _fail(str(exc))
        except Exception as exc:  # reader errors name the file, row and column
            _fail(f"{type(exc).__name__}: {exc}")


def _measures_table(frame: Any, keep: list[str]) -> Any:
    import polars as pl

    return frame.select([c for c in frame.columns if c in keep or c.split("_p")[0] in keep]).with_columns(
        pl.col(pl.Float64).round(2)
    )


def register(forecast_app: typer.Typer, plan_app: typer.Typer) -> None:
    """Add ``project``, ``plan``, ``backtest`` and ``sweep`` to ``forecast``, and ``queue`` to ``plan``."""

    @plan_app.command("queue")
    def queue(
        demand: float = typer.Option(..., "--demand", help="Clock starts (referrals) per week."),
        capacity: float = typer.Option(..., "--capacity", help="Clock stops per week."),
        target_wait: float = typer.Option(..., "--target-wait", help="Target wait in weeks, e.g. 18."),
        percentile: float | None = typer.Option(None, "--percentile", help="Share within the target: 92 or 0.92."),
        factor: float | None = typer.Option(None, "--factor", help="Mean-wait factor f (default 4)."),
        queue_size: float | None = typer.Option(None, "--queue-size", help="Pathways waiting now."),
        mean_wait: float | None = typer.Option(None, "--mean-wait", help="Mean wait now, in weeks."),
        weeks_to_clear: float = typer.Option(26.0, "--weeks-to-clear", help="Weeks to reach the target size."),
        cv_demand: float = typer.Option(1.0, "--cv-demand", help="Coefficient of variation of demand."),
        cv_capacity: float = typer.Option(1.0, "--cv-capacity", help="Coefficient of variation of capacity."),
        fmt: str = FORMAT,
    ) -> None:
        """Queueing rules of thumb for one list, in weeks: load, target wait and size, capacity, pressure."""
        from carebacklog.forecast.queueing import queue_plan

        try:
            plan = queue_plan(
                demand, capacity, target_wait, percentile=percentile, factor=factor, queue_size=queue_size,
                mean_wait=mean_wait, weeks_to_clear=weeks_to_clear, cv_demand=cv_demand, cv_capacity=cv_capacity,
            )
        except ValueError as exc:
            _fail(str(exc))
        keys = ["load", "target_mean_wait", "target_queue_size", "relief_capacity", "target_capacity", "pressure"]
        result = {k: plan.as_dict()[k] for k in keys}
        if fmt == "json":
            typer.echo(json.dumps({**result, "factor": plan.factor, "percentile": plan.percentile}, indent=2))
            return
        if fmt != "table":
            _fail(f"--format must be table or json, got {fmt!r}")
        units = {"load": "demand / capacity", "target_mean_wait": "weeks", "target_queue_size": "pathways",
                 "relief_capacity": "clock stops a week", "target_capacity": "clock stops a week",
                 "pressure": "2 × mean wait / target"}
        typer.echo(f"factor f = {plan.factor:.4f} ({plan.percentile:.2f}% within {target_wait:g} weeks)")
        for k in keys:
            v = result[k]
            shown = "not computed (give --queue-size)" if v is None and k == "relief_capacity" else (
                "not computed (give --mean-wait)" if v is None else f"{v:,.3f}")
            typer.echo(f"{k:<18} {shown:>34}  {units[k] if v is not None else ''}")
        if plan.load >= 1:
            typer.echo("Warning: load ≥ 1, the list will grow without limit at this capacity.", err=True)

    @forecast_app.command("project")
    def project_cmd(
        files: list[Path] = FILES,
        horizon: int = typer.Option(..., "--horizon", min=1, max=120, help="Months to project."),
        by: str = BY,
        referral_growth: float = typer.Option(0.0, "--referral-growth", help="Referral growth a year: 3 or 0.03 = 3%."),
        capacity_change: float = typer.Option(0.0, "--capacity-change", help="Capacity change: -10 or -0.1 = -10%."),
        runs: int = typer.Option(1000, "--runs", min=0, help="Monte Carlo runs (0: central path only)."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same ranges)."),
        fmt: str = FORMAT,
        out: Path | None = OUT,
        chart: Path | None = typer.Option(None, "--chart", help="Also draw the first list to this .png/.svg."),
    ) -> None:
        """Project list size, % within 18 weeks and 52/65/78+ week waits by month, with 10th–90th ranges."""
        import numpy as np

        from carebacklog.forecast.inputs import calibrate
        from carebacklog.forecast.montecarlo import Scenario, forecast

        obs = _load(files, by)
        scenario = Scenario(_share(referral_growth, "--referral-growth"), _share(capacity_change, "--capacity-change"))
        fc = forecast(calibrate(obs), horizon, rng=np.random.default_rng(seed), runs=runs, scenario=scenario)
        frame = fc.to_frame()
        if fmt == "table":
            frame = _measures_table(frame, [*fc.keys.columns, "month", "total", "pct_within_18", "over_52"])
        _render(frame, fmt, out, title=f"Projection ({runs} runs, median and 10th–90th percentiles)")
        if chart is not None:
            from carebacklog.forecast.charts import projection_chart

            try:
                typer.echo(f"Wrote {projection_chart(fc, chart)}", err=True)
            except ValueError as exc:
                _fail(str(exc))

    @forecast_app.command("plan")
    def plan_cmd(
        files: list[Path] = FILES,
        target: list[str] = typer.Option(..., "--target", help="e.g. pct18>=65@2026-03 (repeat for more)."),
        ramp: str = typer.Option("flat", "--ramp", help="flat, or linear up to the first target month."),
        start: str | None = typer.Option(None, "--start", help="First month of extra capacity, YYYY-MM."),
        ring_fence: str = typer.Option("0", "--ring-fence", help="Share for the longest waiters (0-0.5), or 'auto'."),
        allow_reduction: bool = typer.Option(False, "--allow-reduction", help="Allow less than today's capacity."),
        by: str = BY,
        referral_growth: float = typer.Option(0.0, "--referral-growth", help="Referral growth a year: 3 or 0.03 = 3%."),
        capacity_change: float = typer.Option(0.0, "--capacity-change", help="Capacity change: -10 or -0.1 = -10%."),
        fmt: str = FORMAT,
        out: Path | None = OUT,
        chart: Path | None = typer.Option(None, "--chart", help="Also draw the first list's plan (.png/.svg)."),
    ) -> None:
        """The least extra clock stops a week that meets every target at its month and keeps meeting it."""
        from datetime import date

        from carebacklog.forecast.inputs import calibrate
        from carebacklog.forecast.montecarlo import Scenario
        from carebacklog.forecast.optimise import parse_target, plan_capacity

        try:
            targets = [parse_target(t) for t in target]
            start_date = None
            if start is not None:
                y, m = start.split("-")
                start_date = date(int(y), int(m), 1)
            fence = None if ring_fence.strip().lower() == "auto" else float(ring_fence)
        except ValueError as exc:
            _fail(str(exc) if "target" in str(exc) else f"{exc} (--start is YYYY-MM, --ring-fence a share or 'auto')")
        obs = _load(files, by)
        scenario = Scenario(_share(referral_growth, "--referral-growth"), _share(capacity_change, "--capacity-change"))
        try:
            plan = plan_capacity(calibrate(obs), targets, start=start_date, ramp=ramp, ring_fence=fence,
                                 allow_reduction=allow_reduction, scenario=scenario)
        except ValueError as exc:
            _fail(str(exc))
        for i, msg in enumerate(plan.messages):
            label = " · ".join(str(plan.keys[c][i]) for c in plan.keys.columns)
            typer.echo(f"{label}: {msg}", err=fmt != "table")
        import polars as pl

        frame = plan.capacity_frame().join(
            plan.projection.to_frame().select([*plan.keys.columns, "month", "total", "pct_within_18", "over_52"]),
            on=[*plan.keys.columns, "month"], how="left",
        ).with_columns(pl.col(pl.Float64).round(2))
        _render(frame, fmt, out, title="Capacity plan and projected measures (central path)")
        if fmt == "table":
            _render(plan.target_frame(), "table", None, title="Targets")
        if chart is not None:
            from carebacklog.forecast.charts import plan_chart

            try:
                typer.echo(f"Wrote {plan_chart(plan, chart)}", err=True)
            except ValueError as exc:
                _fail(str(exc))
        if not plan.feasible.all():
            raise typer.Exit(1)

    @forecast_app.command("backtest")
    def backtest_cmd(
        files: list[Path] = FILES,
        train_months: int | None = typer.Option(None, "--train-months", help="Months to calibrate on (default: half)."),
        by: str = BY,
        min_size: float = typer.Option(100.0, "--min-size", help="Leave out lists smaller than this."),
        keep_broken: bool = typer.Option(False, "--keep-broken",
                                         help="Also score lists whose training months show a broken series."),
        fmt: str = FORMAT,
        out: Path | None = OUT,
    ) -> None:
        """Calibrate on the first k months, forecast the rest; model and blend against naive and trend."""
        from carebacklog.forecast.backtest import backtest

        obs = _load(files, by)
        k = train_months if train_months is not None else max(1, len(obs.periods) // 2)
        try:
            result = backtest(obs, k, min_size=min_size, exclude_broken=not keep_broken)
        except ValueError as exc:
            _fail(str(exc))
        import polars as pl

        _render(result.with_columns(pl.col(pl.Float64).round(3)), fmt, out,
                title=f"Back-test: train {k} months, test {len(obs.periods) - k}")

    @forecast_app.command("sweep")
    def sweep_cmd(
        file: Path = typer.Argument(..., help="A national Full CSV extract (or the monthly series .parquet)."),
        out: Path = typer.Option(..., "--out", "-o", help="Results Parquet file."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler."),
        workers: int = typer.Option(2, "--workers", min=1, help="Local cluster worker processes."),
        runs: int = typer.Option(1000, "--runs", min=0, help="Monte Carlo runs per list."),
        horizon: int = typer.Option(24, "--horizon", min=1, max=120, help="Months to project."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
    ) -> None:
        """Project every provider × treatment function on Dask; results as Parquet."""
        import time

        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from carebacklog.forecast.inputs import calibrate
        from carebacklog.forecast.sweep import local_cluster, sweep

        if out.suffix.lower() != ".parquet":
            _fail(f"{out}: --out must be a .parquet file")
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
            _fail(f"cannot start or reach the Dask scheduler: {exc}")
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
        result.write_parquet(out)
        typer.echo(f"Wrote {out}: {cal.size} lists × {horizon} months, {runs} runs, "
                   f"{time.perf_counter() - began:.1f} s", err=True)
