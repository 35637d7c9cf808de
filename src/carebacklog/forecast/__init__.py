"""Forecasts and recovery planning for RTT waiting lists (docs/forecast.md).

Public API — the names the web app, the CLI and other packages use:

Queueing calculators (domain.md §5, weeks throughout)
    :func:`queue_plan` (all at once, → :class:`QueuePlan`), :func:`factor_from_percentile`,
    :func:`queue_load`, :func:`target_mean_wait`, :func:`target_queue_size`, :func:`relief_capacity`,
    :func:`target_capacity` (Kingman, with the /2), :func:`waiting_list_pressure`.

Model inputs (a :class:`Calibration` for one or many lists)
    :func:`inputs_from_tidy` — published extracts read by ``carebacklog.published.read_rtt`` (weekly bins).
    :func:`inputs_from_series` / :func:`read_series` — the bundled 13-month monthly-bin series.
    :func:`inputs_from_ptl` — a trust's own ``ptl_snapshot`` frame plus its RTT periods (or two monthly
    numbers): the entry point for the web app's forecast page.
    :func:`load_observations` + :func:`calibrate` — files (CLI FILE arguments) → :class:`Observations`
    → :class:`Calibration`.

Projection and planning
    :func:`forecast` (seeded Monte Carlo, runs as an array axis; ``runs=0`` the central path) under a
    :class:`Scenario` (referral growth, capacity change, extra capacity, ring-fence) → :class:`Forecast`
    (``.to_frame()``: keys, ``month``, ``total``, ``pct_within_18``, ``over_52``/``65``/``78``/``104``,
    each with ``_p10``/``_p90``).
    :func:`plan_capacity` with :func:`parse_target` targets → :class:`CapacityPlan` (least extra clock
    stops a week, profile by month, projection, plain-English messages).
    :func:`backtest` — model, in-sample blend, naive and linear trend on held-out months.
    :func:`sweep` — every list of a national extract on Dask.
    :func:`projection_chart`, :func:`plan_chart` — PNG/SVG.

Model core (for those who build their own inputs)
    :class:`Bins` (:func:`weekly_bins`, :func:`monthly_bins`, :func:`compact_bins`), :func:`project`,
    :func:`step`, :data:`WEEKS_PER_MONTH`.

Web-app example::

    cal = inputs_from_ptl(ptl, census_date, periods=periods)           # or starts/stops per month
    fc = forecast(cal, 24, rng=np.random.default_rng(seed), runs=1000,
                  scenario=Scenario(referral_growth=0.03, capacity_change=-0.05))
    plan = plan_capacity(cal, [parse_target("pct18>=65@2026-03"), parse_target("pct18>=92@2029-03")])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carebacklog.forecast.backtest import backtest
    from carebacklog.forecast.bins import WEEKS_PER_MONTH, Bins, compact_bins, monthly_bins, weekly_bins
    from carebacklog.forecast.calibrate import Calibration
    from carebacklog.forecast.charts import plan_chart, projection_chart
    from carebacklog.forecast.inputs import (
        Observations,
        calibrate,
        inputs_from_ptl,
        inputs_from_series,
        inputs_from_tidy,
        load_observations,
        read_series,
    )
    from carebacklog.forecast.model import project, step
    from carebacklog.forecast.montecarlo import Forecast, Scenario, forecast
    from carebacklog.forecast.optimise import CapacityPlan, Target, parse_target, plan_capacity
    from carebacklog.forecast.queueing import (
        QueuePlan,
        factor_from_percentile,
        queue_load,
        queue_plan,
        relief_capacity,
        target_capacity,
        target_mean_wait,
        target_queue_size,
        waiting_list_pressure,
    )
    from carebacklog.forecast.sweep import sweep

# Where each public name lives. Loaded on first use, so that ``carebacklog --help`` (which imports this
# package for its CLI) does not pay for NumPy, Polars and matplotlib.
_HOME = {
    "backtest": "backtest",
    "WEEKS_PER_MONTH": "bins", "Bins": "bins", "compact_bins": "bins", "monthly_bins": "bins", "weekly_bins": "bins",
    "Calibration": "calibrate",
    "plan_chart": "charts", "projection_chart": "charts",
    "Observations": "inputs", "calibrate": "inputs", "inputs_from_ptl": "inputs", "inputs_from_series": "inputs",
    "inputs_from_tidy": "inputs", "load_observations": "inputs", "read_series": "inputs",
    "project": "model", "step": "model",
    "Forecast": "montecarlo", "Scenario": "montecarlo", "forecast": "montecarlo",
    "CapacityPlan": "optimise", "Target": "optimise", "parse_target": "optimise", "plan_capacity": "optimise",
    "QueuePlan": "queueing", "factor_from_percentile": "queueing", "queue_load": "queueing",
    "queue_plan": "queueing", "relief_capacity": "queueing", "target_capacity": "queueing",
    "target_mean_wait": "queueing", "target_queue_size": "queueing", "waiting_list_pressure": "queueing",
    "sweep": "sweep",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"carebacklog.forecast.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carebacklog.forecast' has no attribute {name!r}")


__all__ = [
    "WEEKS_PER_MONTH",
    "Bins",
    "Calibration",
    "CapacityPlan",
    "Forecast",
    "Observations",
    "QueuePlan",
    "Scenario",
    "Target",
    "backtest",
    "calibrate",
    "compact_bins",
    "factor_from_percentile",
    "forecast",
    "inputs_from_ptl",
    "inputs_from_series",
    "inputs_from_tidy",
    "load_observations",
    "monthly_bins",
    "parse_target",
    "plan_capacity",
    "plan_chart",
    "project",
    "projection_chart",
    "queue_load",
    "queue_plan",
    "read_series",
    "relief_capacity",
    "step",
    "sweep",
    "target_capacity",
    "target_mean_wait",
    "target_queue_size",
    "waiting_list_pressure",
    "weekly_bins",
]
