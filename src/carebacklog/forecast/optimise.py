"""The capacity optimiser: the least extra clock stops a week that meets every target and keeps meeting it.

A target is ``MEASURE OP VALUE@YYYY-MM``: ``pct18>=65@2026-03`` (% within 18 weeks),
``over52_share<=1@2026-03`` (% of the list over 52 weeks), ``over52<=0@2025-03`` (count; also
``over65``, ``over78``, ``over104``, ``total``). It is met when the projected measure satisfies it at
the target month *and every month after it* up to the end of the plan (the last target plus
``keep_months``), unlike NHSRtt's optimiser which looks only at the final month.

Extra capacity starts in ``start`` (default: the first projected month), either flat or ramped
linearly up to the full amount by the first target month. The search:

1. evaluates a geometric grid of extra capacities for every list at once (lists × grid points are rows
   of one vectorised projection), from 0 (or, with ``allow_reduction``, from minus today's capacity)
   up to a ceiling that could clear the whole list before the first target;
2. takes the smallest grid point that meets every target and bisects between it and the grid point
   below, keeping the upper end feasible, to ``tolerance`` clock stops a week.

More capacity never raises any bin's stock in this model (each bin's treatments rise with the water
level λ), so the 52/65/78/104+ counts and the list size are monotone in capacity and bisection finds
the least capacity. The % within 18 weeks is a ratio and can dip when extra capacity goes mostly to
short waiters; the grid scan finds the first feasible bracket so the answer is the least feasible
capacity at the grid's resolution, then refined. Lists whose targets cannot be met even at the
ceiling are reported plainly with the best value reached. It never recommends less than today's
capacity unless ``allow_reduction`` is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.bins import WEEKS_PER_MONTH
from carebacklog.forecast.calibrate import Calibration
from carebacklog.forecast.montecarlo import Forecast, Scenario, forecast, month_ends

__all__ = ["RING_FENCE_CHOICES", "CapacityPlan", "Target", "parse_target", "plan_capacity"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

_TARGET = re.compile(
    r"^\s*(pct18|over52_share|over52|over65|over78|over104|total)\s*(>=|<=)\s*([0-9]+(?:\.[0-9]+)?)\s*@\s*(\d{4})-(\d{2})\s*$"
)
# Shares of capacity tried when the optimiser also chooses the ring-fence for the longest waiters.
RING_FENCE_CHOICES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
_GRID = 14  # geometric grid points between the floor and the ceiling


@dataclass(frozen=True)
class Target:
    """One target: ``measure`` (pct18 | over52_share | over52 | over65 | over78 | over104 | total)."""

    measure: str
    op: str  # ">=" or "<="
    value: float
    month: date  # last day of the target month

    def __str__(self) -> str:
        return f"{self.measure}{self.op}{self.value:g}@{self.month:%Y-%m}"

    def values(self, fc: Forecast) -> Array:
        """The measure (lists, months) from a forecast's median path."""
        if self.measure == "pct18":
            return fc.measure("pct_within_18")
        if self.measure == "over52_share":
            total = fc.measure("total")
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(total > 0, 100.0 * fc.measure("over_52") / total, 0.0)
        if self.measure == "total":
            return fc.measure("total")
        return fc.measure("over_" + self.measure[4:])

    def met(self, values: Array) -> Mask:
        """Elementwise: does the value satisfy the target (with a hair of float tolerance)?"""
        eps = 1e-9 * max(1.0, abs(self.value))
        return values >= self.value - eps if self.op == ">=" else values <= self.value + eps


def parse_target(text: str) -> Target:
    """Parse ``pct18>=65@2026-03`` and friends; raises ValueError with the accepted forms."""
    m = _TARGET.match(text)
    if not m:
        raise ValueError(
            f"cannot read target {text!r}: write MEASURE>=VALUE@YYYY-MM or MEASURE<=VALUE@YYYY-MM with "
            "MEASURE one of pct18, over52_share, over52, over65, over78, over104, total "
            "(e.g. pct18>=92@2029-03, over52_share<=1@2026-03)"
        )
    measure, op, value, year, month = m.groups()
    if not 1 <= int(month) <= 12:
        raise ValueError(f"target {text!r}: month must be 01-12")
    if measure in ("pct18", "over52_share") and float(value) > 100:
        raise ValueError(f"target {text!r}: a percentage cannot exceed 100")
    first_day = date(int(year), int(month), 1)
    end = month_ends(date.fromordinal(first_day.toordinal() - 1), 1)[0]  # last day of that month
    return Target(measure, op, float(value), end)


@dataclass(frozen=True)
class CapacityPlan:
    """The optimiser's answer for each list.

    ``extra_per_week`` (lists,) the recommended extra clock stops a week at full strength (NaN where no
    capacity meets the targets); ``ring_fence`` the share of capacity for the longest waiters;
    ``feasible`` (lists,); ``profile`` (lists, months) the extra clock stops a week month by month;
    ``projection`` the central projection under the plan (or, where infeasible, at the ceiling);
    ``messages`` one plain-English line per list.
    """

    keys: pl.DataFrame
    targets: list[Target]
    months: list[date]
    base_per_week: Array
    extra_per_week: Array
    ring_fence: Array
    feasible: Mask
    profile: Array
    projection: Forecast
    messages: list[str]

    def capacity_frame(self) -> pl.DataFrame:
        """Rows: keys, ``month``, ``capacity_per_week`` (today's plus extra), ``extra_per_week``."""
        L, H = self.profile.shape
        cols: dict[str, object] = {c: np.repeat(self.keys[c].to_numpy(), H) for c in self.keys.columns}
        cols["month"] = [m.strftime("%Y-%m") for m in self.months] * L
        cols["extra_per_week"] = self.profile.reshape(-1)
        cols["capacity_per_week"] = (self.base_per_week[:, None] + self.profile).reshape(-1)
        return pl.DataFrame(cols)

    def target_frame(self) -> pl.DataFrame:
        """Rows: keys, ``target``, ``value_at_target`` and ``worst_after`` (the worst month from then on), ``met``."""
        rows = []
        for i in range(self.keys.height):
            key = {c: self.keys[c][i] for c in self.keys.columns}
            for t in self.targets:
                vals = t.values(self.projection)[i]
                j = self.months.index(t.month)
                after = vals[j:]
                worst = after.min() if t.op == ">=" else after.max()
                rows.append({**key, "target": str(t), "value_at_target": float(vals[j]),
                             "worst_after": float(worst), "met": bool(t.met(after).all())})
        return pl.DataFrame(rows)


def _months_between(census: date, month: date) -> int:
    return (month.year - census.year) * 12 + month.month - census.month


def _profile(extra: Array, horizon: int, start_index: int, ramp_end: int, ramp: str) -> Array:
    """Extra clock stops a week by month (rows, H) for full-strength amounts ``extra`` (rows,)."""
    h = np.arange(horizon)
    if ramp == "flat":
        shape = (h >= start_index).astype(np.float64)
    elif ramp == "linear":
        n = max(ramp_end - start_index + 1, 1)
        shape = np.clip((h - start_index + 1) / n, 0.0, 1.0)
    else:
        raise ValueError(f"ramp must be 'flat' or 'linear', got {ramp!r}")
    return extra[:, None] * shape[None, :]


def plan_capacity(
    cal: Calibration,
    targets: list[Target],
    *,
    start: date | None = None,
    ramp: str = "flat",
    ring_fence: float | None = 0.0,
    allow_reduction: bool = False,
    keep_months: int = 12,
    scenario: Scenario | None = None,
    tolerance: float = 0.5,
) -> CapacityPlan:
    """The least extra weekly capacity meeting every target at and after its month, per list.

    ``start`` any day in the first month of extra capacity (default the month after the census);
    ``ring_fence`` a fixed share for the longest waiters, or None to choose it from
    ``RING_FENCE_CHOICES`` (least extra capacity wins, then the smaller share); ``scenario`` referral
    growth and capacity change applied underneath the plan; ``tolerance`` clock stops a week.
    """
    if not targets:
        raise ValueError("give at least one target")
    scenario = scenario or Scenario()
    last = max(t.month for t in targets)
    first = min(t.month for t in targets)
    if _months_between(cal.census, first) < 1:
        raise ValueError(f"every target must be after the data's last month ({cal.census:%Y-%m})")
    horizon = _months_between(cal.census, last) + max(keep_months, 0)
    months = month_ends(cal.census, horizon)
    start_index = 0 if start is None else _months_between(cal.census, start) - 1
    if not 0 <= start_index < horizon:
        raise ValueError(f"start must fall within the plan ({months[0]:%Y-%m} to {months[-1]:%Y-%m})")
    ramp_end = _months_between(cal.census, first) - 1
    shares = np.asarray(RING_FENCE_CHOICES if ring_fence is None else (float(ring_fence),))
    if np.any(shares < 0) or np.any(shares > 1):
        raise ValueError("ring_fence must be a share between 0 and 1")
    # every (list, share) pair is one row of a single search; then each list keeps its cheapest share
    S = shares.size
    rows = cal.subset(np.repeat(np.arange(cal.size), S)) if S > 1 else cal
    found, found_ok = _search(rows, targets, horizon, start_index, ramp_end, ramp, np.tile(shares, cal.size),
                              allow_reduction, scenario, tolerance)
    found = np.where(found_ok, found, np.inf).reshape(cal.size, S)
    # least capacity wins; within the tolerance, the smaller share (earlier in RING_FENCE_CHOICES)
    best = np.argmax(found <= found.min(axis=1, keepdims=True) + tolerance, axis=1)
    ok: Mask = np.asarray(found_ok.reshape(cal.size, S).any(axis=1), dtype=bool)
    extra = found[np.arange(cal.size), best]
    share: Array = np.where(ok, shares[best], shares[0])
    ceiling = _ceiling(cal, first)
    used = np.where(ok, extra, ceiling)
    profile = _profile(used, horizon, start_index, ramp_end, ramp)
    final = forecast(cal, horizon, rng=np.random.default_rng(0), runs=0,
                     scenario=replace(scenario, extra_capacity=profile, ring_fence=share))
    today = cal.capacity / WEEKS_PER_MONTH
    # The plan adds to the capacity the scenario runs with (today's, after any scenario change).
    base = today * (1.0 + scenario.capacity_change)
    messages = []
    for i in range(cal.size):
        if ok[i]:
            messages.append(
                f"{extra[i]:+,.0f} clock stops a week ({today[i]:,.0f} today{_change_text(base[i] - today[i], scenario.capacity_change)} → {base[i] + extra[i]:,.0f}) from "
                f"{months[start_index]:%Y-%m}" + (" ramped linearly" if ramp == "linear" else "")
                + (f", {share[i]:.0%} ring-fenced for the longest waiters" if share[i] > 0 else "")
                + " meets every target and keeps meeting it."
            )
        else:
            misses = []
            for t in targets:
                vals = t.values(final)[i]
                j = months.index(t.month)
                if not t.met(vals[j:]).all():
                    worst = vals[j:].min() if t.op == ">=" else vals[j:].max()
                    misses.append(f"{t} (at best {worst:,.1f})")
            messages.append(
                f"Cannot be met: even {ceiling[i]:,.0f} extra clock stops a week misses " + "; ".join(misses) + "."
            )
    return CapacityPlan(
        keys=cal.keys, targets=list(targets), months=months, base_per_week=base,
        extra_per_week=np.where(ok, extra, np.nan), ring_fence=share, feasible=ok,
        profile=np.where(ok[:, None], profile, np.nan), projection=final, messages=messages,
    )


def _ceiling(cal: Calibration, first: date) -> Array:
    """Extra a week that could treat today's list plus the starts before the first target, and more."""
    months = max(_months_between(cal.census, first), 1)
    known = cal.stock.sum(axis=1)
    return np.asarray(2.0 * (known + cal.starts * months) / (months * WEEKS_PER_MONTH) + 10.0, dtype=np.float64)


def _feasible(cal: Calibration, targets: list[Target], fc: Forecast) -> Mask:
    months = fc.months
    ok = np.ones(cal.size, dtype=bool)
    for t in targets:
        j = months.index(t.month)
        ok &= t.met(t.values(fc)[:, j:]).all(axis=1)
    return ok


def _search(
    cal: Calibration, targets: list[Target], horizon: int, start_index: int, ramp_end: int, ramp: str,
    share: Array, allow_reduction: bool, scenario: Scenario, tolerance: float,
) -> tuple[Array, Mask]:
    """Least feasible extra a week per list (rows of ``cal``, each with its ring-fence ``share``)."""
    L = cal.size
    first = min(t.month for t in targets)
    ceiling = _ceiling(cal, first)
    floor = -cal.capacity / WEEKS_PER_MONTH if allow_reduction else np.zeros(L)
    # grid: floor, then geometric steps from 1/2^(G-2) of the span up to the ceiling
    span = ceiling - floor
    fractions = np.concatenate([[0.0], 2.0 ** -np.arange(_GRID - 2, -1, -1, dtype=np.float64)])
    grid = floor[:, None] + span[:, None] * fractions[None, :]  # (L, G)
    G = grid.shape[1]
    rep = cal.subset(np.repeat(np.arange(L), G))
    fc = forecast(
        rep, horizon, rng=np.random.default_rng(0), runs=0,
        scenario=replace(scenario, extra_capacity=_profile(grid.reshape(-1), horizon, start_index, ramp_end, ramp),
                         ring_fence=np.repeat(share, G)),
    )
    ok_grid = _feasible(rep, targets, fc).reshape(L, G)
    feasible: Mask = np.asarray(ok_grid.any(axis=1), dtype=bool)
    first_ok = np.argmax(ok_grid, axis=1)
    hi = grid[np.arange(L), first_ok]
    lo = np.where(first_ok > 0, grid[np.arange(L), np.maximum(first_ok - 1, 0)], hi)
    active = feasible & (hi - lo > tolerance)
    while active.any():
        idx = np.flatnonzero(active)
        mid = (lo[idx] + hi[idx]) / 2.0
        sub = cal.subset(idx)
        fc = forecast(
            sub, horizon, rng=np.random.default_rng(0), runs=0,
            scenario=replace(scenario, extra_capacity=_profile(mid, horizon, start_index, ramp_end, ramp),
                             ring_fence=share[idx]),
        )
        ok = _feasible(sub, targets, fc)
        hi[idx] = np.where(ok, mid, hi[idx])
        lo[idx] = np.where(ok, lo[idx], mid)
        active = feasible & (hi - lo > tolerance)
    return hi, np.asarray(feasible, dtype=bool)


def _change_text(change_per_week: float, change_share: float) -> str:
    """How the scenario's capacity change moves today's capacity, for the plan's message."""
    if not change_share:
        return ""
    return f", {change_per_week:+,.0f} with the scenario's {change_share:+.0%} change"
