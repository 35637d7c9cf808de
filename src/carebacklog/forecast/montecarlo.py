"""Projection with uncertainty: Monte Carlo runs as an array axis, many lists at once.

Every (list, run) pair is one row of the model's state, so a thousand runs of a list are one
vectorised projection, not a Python loop of simulations. Each run draws, from the passed-in
``numpy.random.Generator``:

* a demand level and a capacity level (log-normal, sd = month-to-month CV / √3: the run-rate is the
  mean of three months, so its level is uncertain by about that much),
* month-to-month noise on clock starts and on capacity (log-normal with the calibrated CVs, their
  normals correlated as calibrated — X = A, Y = ρA + √(1−ρ²)B: a month with fewer working days has
  fewer of both),
* a renege-rate multiplier (log-normal with the calibrated sd: parameter uncertainty).

``runs=0`` gives the central path with no noise (what the optimiser plans on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.bins import WEEKS_PER_MONTH, steps_per_month
from carebacklog.forecast.calibrate import Calibration
from carebacklog.forecast.model import MEASURES, project
from carebacklog.forecast.runrates import TREND_DAMPING

__all__ = ["QUANTILES", "REPORTED", "Forecast", "Scenario", "forecast", "month_ends", "run_quantiles"]

Array = NDArray[np.float64]

# Ranges reported: 10th and 90th percentiles around the median (issue 5).
QUANTILES = (0.1, 0.5, 0.9)
# Measures reported per month, in this order (pct_within_18 is a percentage of known clock starts).
REPORTED = ("total", "pct_within_18", "over_52", "over_65", "over_78", "over_104")
# Project at most about this many (row × bin) cells at once: ~8 MB per float64 working array, so the
# dozen arrays of a step stay in cache-sized chunks and memory stays flat however many lists there are.
MAX_CELLS = 1_000_000


@dataclass(frozen=True)
class Scenario:
    """What-if inputs. ``extra_capacity`` is extra clock stops per *week*, scalar or (lists, months)."""

    referral_growth: float = 0.0  # per year, e.g. 0.03 for 3% a year, compounding monthly
    capacity_change: float = 0.0  # share of today's capacity, e.g. -0.1 during strikes
    extra_capacity: float | Array = 0.0
    ring_fence: float | Array = 0.0  # share of capacity spent on the longest waiters first, or (lists,)


def month_ends(census: date, horizon: int) -> list[date]:
    """The last day of each of the ``horizon`` months after the census month."""
    out = []
    for h in range(1, horizon + 1):
        y, m = divmod(census.month - 1 + h + 1, 12)
        first_next = date(census.year + y, m + 1, 1)
        out.append(date.fromordinal(first_next.toordinal() - 1))
    return out


def _monthly_paths(cal: Calibration, horizon: int, scenario: Scenario) -> tuple[Array, Array]:
    """Central clock starts and capacity per month (L, H) before noise."""
    h = np.arange(1, horizon + 1)
    damp = np.cumsum(TREND_DAMPING**h)  # damped trend: Σ φ^i, i = 1..h
    pos = (h % 12)[None, :]
    s_season = np.take_along_axis(cal.seasonal_starts, np.broadcast_to(pos, (cal.size, horizon)), axis=1)
    c_season = np.take_along_axis(cal.seasonal_capacity, np.broadcast_to(pos, (cal.size, horizon)), axis=1)
    growth = (1.0 + scenario.referral_growth) ** (h / 12.0)
    starts = cal.starts[:, None] * np.maximum(1.0 + cal.starts_trend[:, None] * damp, 0.0) * s_season * growth
    capacity = cal.capacity[:, None] * np.maximum(1.0 + cal.capacity_trend[:, None] * damp, 0.0) * c_season
    capacity = capacity * (1.0 + scenario.capacity_change)
    extra = np.broadcast_to(np.asarray(scenario.extra_capacity, dtype=np.float64), (cal.size, horizon))
    capacity = np.maximum(capacity + extra * WEEKS_PER_MONTH, 0.0)
    return starts, capacity


@dataclass(frozen=True)
class Forecast:
    """Quantiles of each reported measure: ``values`` (lists, months, measures, quantiles)."""

    keys: pl.DataFrame
    months: list[date]
    values: Array
    runs: int

    def measure(self, name: str, quantile: float = 0.5) -> Array:
        """(lists, months) of one measure at one of ``QUANTILES``."""
        return self.values[:, :, REPORTED.index(name), QUANTILES.index(quantile)]

    def to_frame(self) -> pl.DataFrame:
        """Rows: grouping keys, ``month`` (YYYY-MM), each measure with ``_p10`` and ``_p90``."""
        L, H = self.values.shape[:2]
        cols: dict[str, object] = {}
        for name in self.keys.columns:
            cols[name] = np.repeat(self.keys[name].to_numpy(), H)
        cols["month"] = [m.strftime("%Y-%m") for m in self.months] * L
        for j, name in enumerate(REPORTED):
            for q, suffix in zip(QUANTILES, ("_p10", "", "_p90"), strict=True):
                cols[name + suffix] = self.values[:, :, j, QUANTILES.index(q)].reshape(-1)
        order = ["month"] + [n + s for n in REPORTED for s in ("", "_p10", "_p90")]
        return pl.DataFrame(cols).select([*self.keys.columns, *order])


def _derive(measures: NDArray[np.floating], unknown: NDArray[np.floating]) -> NDArray[np.floating]:
    """Model measures (rows, H, 6) → reported measures (rows, H, 6) with pct and unknown starts."""
    total_known = measures[..., MEASURES.index("total")]
    out = np.empty_like(measures)
    out[..., 0] = total_known + unknown[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * measures[..., MEASURES.index("within_18")] / total_known
    out[..., 1] = np.where(total_known > 0, pct, 100.0)
    for j, name in enumerate(("over_52", "over_65", "over_78", "over_104"), start=2):
        out[..., j] = measures[..., MEASURES.index(name)]
    return out


def _normals(rngs: Sequence[np.random.Generator], runs: int, cols: int, dtype: type) -> Array:
    """(lists × runs, cols) standard normals, list i's rows drawn from ``rngs[i]``."""
    return np.concatenate([g.standard_normal((runs, cols), dtype=dtype) for g in rngs], axis=0)


def _run_chunk(
    cal: Calibration, horizon: int, scenario: Scenario, runs: int, rngs: Sequence[np.random.Generator], dtype: type
) -> Array:
    L, _B = cal.stock.shape
    spm = steps_per_month(cal.step_weeks)
    n_steps = round(horizon * spm)
    record = np.round(np.arange(1, horizon + 1) * spm).astype(np.intp)
    step_month = np.minimum(np.searchsorted(record, np.arange(n_steps) + 1, side="left"), horizon - 1)
    starts_m, cap_m = _monthly_paths(cal, horizon, scenario)
    R = max(runs, 1)
    renege = np.repeat(cal.renege, R, axis=0)
    if runs > 0:
        s_cv: Array = np.repeat(cal.starts_cv, R)[:, None].astype(dtype)
        c_cv: Array = np.repeat(cal.capacity_cv, R)[:, None].astype(dtype)
        rho: Array = np.repeat(cal.flow_correlation, R)[:, None].astype(dtype)
        # columns: demand level, capacity level, renege multiplier, demand by month, capacity by month
        z = _normals(rngs, R, 3 + 2 * horizon, dtype)
        own = np.sqrt(1.0 - rho * rho)

        def pair(a: Array, b: Array) -> tuple[Array, Array]:
            """Standard normals with correlation ρ (bivariate normal: X = A, Y = ρA + √(1-ρ²)B)."""
            return a, rho * a + own * b

        z_sl, z_cl = pair(z[:, 0:1], z[:, 1:2])
        z_sm, z_cm = pair(z[:, 3 : 3 + horizon], z[:, 3 + horizon :])
        d_level = np.exp(z_sl * s_cv / np.sqrt(3.0))
        c_level = np.exp(z_cl * c_cv / np.sqrt(3.0))
        d_noise = np.exp(z_sm * s_cv - s_cv**2 / 2)
        c_noise = np.exp(z_cm * c_cv - c_cv**2 / 2)
        starts_rows = np.repeat(starts_m, R, axis=0) * d_level * d_noise
        cap_rows = np.repeat(cap_m, R, axis=0) * c_level * c_noise
        r_mult = np.exp(z[:, 2:3].astype(np.float64) * np.repeat(cal.renege_sd, R)[:, None])
        renege = np.clip(renege * r_mult, 0.0, 1.0)
    else:
        starts_rows, cap_rows = starts_m, cap_m
    stock: Array = np.repeat(cal.stock, R, axis=0).astype(dtype)
    proj = project(
        stock,
        (starts_rows / spm)[:, step_month],
        (cap_rows / spm)[:, step_month],
        renege,
        np.repeat(cal.profile, R, axis=0),
        cal.bins,
        cal.step_weeks,
        record,
        ring_fence=np.repeat(np.broadcast_to(np.asarray(scenario.ring_fence, dtype=np.float64), (L,)), R),
        skip=np.repeat(cal.skip, R, axis=0) if np.any(cal.skip) else None,
        starts_exposed=cal.starts_exposed,
    )
    derived = _derive(proj.measures, np.repeat(cal.unknown_start, R).astype(dtype))
    return run_quantiles(derived.reshape(L, R, horizon, len(REPORTED)))


def run_quantiles(derived: NDArray[np.floating]) -> Array:
    """``QUANTILES`` across runs (axis 1) of (L, R, H, M) → (L, H, M, 3) float64.

    The same numbers as ``np.quantile(..., axis=1)`` (linear interpolation between order statistics),
    from one sort of each (list, month, measure)'s runs laid out contiguously: NumPy's vectorised sort
    is about 3× faster than ``np.quantile``'s repeated partitions along a strided axis. NaN (a measure
    the bins cannot see) sorts last and stays NaN, as with ``np.quantile``.
    """
    R = derived.shape[1]
    runs_last = np.ascontiguousarray(np.moveaxis(derived, 1, -1))  # (L, H, M, R)
    runs_last.sort(axis=-1)
    pos = np.asarray(QUANTILES) * (R - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, R - 1)
    frac = pos - lo
    x_lo = runs_last[..., lo].astype(np.float64)
    x_hi = runs_last[..., hi].astype(np.float64)
    out: Array = x_lo + (x_hi - x_lo) * frac
    nan = np.isnan(runs_last).any(axis=-1)
    if nan.any():
        out[nan] = np.nan
    return out


def forecast(
    cal: Calibration,
    horizon: int,
    *,
    rng: np.random.Generator | Sequence[np.random.Generator],
    runs: int = 1000,
    scenario: Scenario | None = None,
    dtype: type = np.float64,
) -> Forecast:
    """Project every list of ``cal`` for ``horizon`` months with ``runs`` Monte Carlo runs each.

    Returns the 10th, 50th and 90th percentiles across runs of list size, % within 18 weeks and the
    52/65/78/104+ week counts at each month end. ``runs=0``: the central path (all three equal).
    ``rng``: one generator (lists draw from it in turn) or one per list — then a list's ranges do not
    depend on which other lists are projected with it (sweeps seed each list by its position).
    """
    if horizon < 1:
        raise ValueError("horizon must be at least one month")
    if runs < 0:
        raise ValueError("runs must not be negative")
    if isinstance(rng, np.random.Generator):
        rngs: Sequence[np.random.Generator] = [rng] * cal.size
    else:
        rngs = list(rng)
        if len(rngs) != cal.size:
            raise ValueError(f"give one generator or one per list ({cal.size}), got {len(rngs)}")
    scenario = scenario or Scenario()
    extra = np.asarray(scenario.extra_capacity, dtype=np.float64)
    fence = np.asarray(scenario.ring_fence, dtype=np.float64)
    per_chunk = max(1, MAX_CELLS // (max(runs, 1) * cal.bins.size))
    parts = []
    for lo in range(0, cal.size, per_chunk):
        idx = slice(lo, min(cal.size, lo + per_chunk))
        sub_scenario = Scenario(
            scenario.referral_growth,
            scenario.capacity_change,
            extra[idx] if extra.ndim == 2 else scenario.extra_capacity,
            fence[idx] if fence.ndim == 1 else scenario.ring_fence,
        )
        parts.append(_run_chunk(cal.subset(idx), horizon, sub_scenario, runs, rngs[idx], dtype))
    values = np.concatenate(parts, axis=0) if parts else np.empty((0, horizon, len(REPORTED), 3))
    return Forecast(keys=cal.keys, months=month_ends(cal.census, horizon), values=values, runs=runs)
