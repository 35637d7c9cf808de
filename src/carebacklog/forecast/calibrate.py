"""Calibration: turn observed months of a waiting list into model parameters and run-rates.

Two routes, both vectorised over many lists (leading axis L):

* :func:`calibrate_series` — consecutive months of incomplete pathways by bin, completed pathways by bin
  and new clock starts. Reneges are the residual of the stock equation per bin (docs/rules-rtt.md §Waiting-list dynamics):
  R = I - T - W, where I is last month's list aged one month plus this month's starts.
* :func:`calibrate_snapshot` — one month: that month's flows are the run-rates (Part_3 clock starts,
  Part_1A + Part_1B clock stops); the treatment profile comes from stops by band over the list by band;
  renege rates, which one month cannot reveal, come from a prior (by default the national rates
  calibrated from the bundled 13-month series, see :func:`carebacklog.forecast.inputs.national_priors`).

The estimators (docs/forecast.md explains why):

* **Ratio of sums, pooled over months** — r_b = ΣR_b / ΣI_b and the treatment propensity
  c_b = ΣT_b / ΣI_b, not a mean of monthly ratios (a month with a near-empty bin cannot dominate).
* **Shrinkage** toward the list's pooled rate over all bins, with a prior weight of ``KAPPA``
  pathway-months, so thin bins borrow strength and empty bins get a sensible value.
* **Negative residuals** (inflow under-recorded: transfers in, late-reported starts, revisions) are
  clipped to zero per bin and the positive residuals rescaled so the total renege flow still equals the
  pooled net residual; a negative net residual (the list grew by more than starts - stops) becomes an
  uplift of clock starts instead, so list-size growth is preserved while every rate stays in [0, 1].
* **Run-rates** (:mod:`carebacklog.forecast.runrates`): the level is the mean of the last three months;
  with at least 24 months, seasonal factors by calendar month and a damped Theil–Sen trend.
* **Anchoring**: the renege level is scaled so that, over the run-rate window, starts - stops -
  reneges equals half the list's recent monthly change; the treatment profile is blended with the one
  that keeps today's wait distribution (``PERSISTENCE``), because short runs of months give noisy
  per-bin rates whose own equilibrium is not where the list is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.bins import Bins, steps_per_month
from carebacklog.forecast.runrates import RECENT, correlation, run_rate

__all__ = [
    "KAPPA",
    "Calibration",
    "calibrate_series",
    "calibrate_snapshot",
    "stops_by_model_bin",
]

Array = NDArray[np.float64]

# Prior weight (pathway-months) of the shrinkage toward the pooled rate: about one small clinic's
# monthly list; a bin seen for fewer pathway-months leans on the pooled value. Chosen on the 13-month
# series back-test (docs/forecast.md).
KAPPA = 30.0
# Bounds on a month's renege share of a bin's inflow: at most half leaves untreated in a month.
MAX_RENEGE = 0.5
# Correlation of starts' and stops' monthly noise assumed from one month of data: both follow the
# month's working days. The national 13-month series gives about this (docs/forecast.md).
SNAPSHOT_CORRELATION = 0.8
# Share of the run-rate window's average monthly list change carried into the anchor (0: the list is
# taken to be in balance at today's flows).
ANCHOR_CHANGE = 0.5
# How far the renege level may be rescaled to close the stock equation over the run-rate window.
ANCHOR_BOUNDS = (0.25, 4.0)
# Share of the stops recorded in a bin that the model takes from the next bin (see stops_by_model_bin).
STOP_SHIFT = 0.2
# Weight of the profile that keeps today's wait distribution (see _blend_persistent).
PERSISTENCE = 0.8
PROFILE_FLOOR = 0.25
# Most of a bin's stock that may be recorded one bin older each month (see _residual_renege).
MAX_SKIP = 0.9


@dataclass(frozen=True)
class Calibration:
    """Model inputs for L lists (leading axis), ready for :func:`carebacklog.forecast.forecast`.

    Rates are per model step of ``step_weeks`` weeks; run-rates are per calendar month at ``census``.
    """

    keys: pl.DataFrame  # L rows: the grouping columns (no columns for a single national list)
    bins: Bins
    step_weeks: float
    census: date  # last day of the last observed month
    stock: Array  # (L, B) incomplete pathways with a known clock start, by bin, at census
    unknown_start: Array  # (L,) incomplete pathways with an unknown clock start (held constant)
    starts: Array  # (L,) clock starts per month
    starts_trend: Array  # (L,) relative change per month (damped)
    capacity: Array  # (L,) clock stops (Part_1A + Part_1B) per month
    capacity_trend: Array  # (L,)
    seasonal_starts: Array  # (L, 12) multiplicative factors by calendar month (1 = none)
    seasonal_capacity: Array  # (L, 12)
    renege: Array  # (L, B) share of a bin's inflow that leaves untreated per step
    profile: Array  # (L, B) relative treatment propensity by bin
    starts_cv: Array  # (L,) month-to-month coefficient of variation of starts
    capacity_cv: Array  # (L,)
    renege_sd: Array  # (L,) log-scale sd of the renege rates (parameter uncertainty)
    flow_correlation: Array  # (L,) correlation of month-to-month noise in starts and in stops
    starts_exposed: float  # share of a step's starts exposed to that step's stops (see model.project)
    skip: Array  # (L, B) share of a bin's end-of-step stock recorded one bin older (reporting lag)
    months_observed: int

    @property
    def size(self) -> int:
        return int(self.stock.shape[0])

    def subset(self, index: NDArray[np.intp] | slice) -> Calibration:
        """The calibration of a subset of lists (rows of every array and of ``keys``)."""
        rows = np.arange(self.size)[index]
        arrays = {
            name: getattr(self, name)[rows]
            for name in (
                "stock", "unknown_start", "starts", "starts_trend", "capacity", "capacity_trend",
                "seasonal_starts", "seasonal_capacity", "renege", "profile", "starts_cv",
                "capacity_cv", "renege_sd", "flow_correlation", "skip",
            )
        }
        return replace(self, keys=self.keys[rows.tolist()], **arrays)

    def with_bins(self, bins: Bins, step_weeks: float) -> Calibration:
        """Re-express on other bins and step length (e.g. compact monthly-step bins for sweeps).

        Stock is split evenly by weeks; renege rates become per new step through the survival
        (1 - r)^(new step / old step), treatment propensities scale with the step length, and both
        are averaged over the old bins weighted by stock.
        """
        scale = step_weeks / self.step_weeks
        # A longer step charges a bin's renege rate for the whole step to pathways that spent it moving
        # up from younger bins: take each renege rate from half a step younger, where they were
        # mid-step (the treatment profile stays unshifted: shifting it moved the 18-week share further from the weekly model).
        lag = round(scale / 2.0) if self.bins.widths[0] * 2 <= step_weeks else 0
        renege_src, profile_src = self.renege, self.profile
        if lag:
            renege_src = np.concatenate([np.repeat(self.renege[:, :1], lag, axis=1), self.renege[:, :-lag]], axis=1)
        survive = (1.0 - renege_src) ** scale
        weight = self.stock + 1e-9
        stock = self.bins.rebin(self.stock, bins)
        denom = self.bins.rebin(weight, bins)
        renege = 1.0 - self.bins.rebin(weight * survive, bins) / denom
        # a propensity is a hazard per step: a step `scale` times longer treats `scale` times more at
        # the same water level (λ ≈ 1 at the calibrated capacity, which LAMBDA_MAX is measured from)
        profile = self.bins.rebin(weight * profile_src, bins) / denom * scale
        return replace(
            self,
            bins=bins,
            step_weeks=step_weeks,
            stock=stock,
            skip=np.zeros((self.size, bins.size)),  # a reporting lag of one old bin has no meaning here
            renege=np.clip(renege, 0.0, 1.0),
            profile=np.maximum(profile, 0.0),
        )


def _shrunk_rate(events: Array, exposure: Array, kappa: float) -> Array:
    """Per-bin rate ΣE_b/ΣX_b shrunk toward the pooled rate over bins (arrays (L, B), summed already)."""
    pooled = events.sum(axis=1, keepdims=True) / np.maximum(exposure.sum(axis=1, keepdims=True), 1e-9)
    return np.asarray((events + kappa * pooled) / (exposure + kappa), dtype=np.float64)


def _residual_renege(
    inflow: Array, treated: Array, stock: Array, starts_total: Array
) -> tuple[Array, Array, Array, Array]:
    """Renege rates per month (L, B), start uplift (L,), month-to-month log sd (L,) and skip shares
    (L, B) from (L, K, B) arrays.

    A negative pooled residual in bin 0 means more pathways entered the list than the published clock
    starts (late-reported starts, transfers in): it becomes an uplift of clock starts, as NHSRtt's
    ``redistribute_m0_reneges`` does. In later bins negative residuals are clipped to zero and the
    positive ones rescaled so their total equals the net residual of those bins; a negative net there
    also joins the uplift, so the list's total change is kept.
    """
    resid = inflow - treated - stock  # (L, K, B)
    r_sum = resid.sum(axis=1)
    i_sum = inflow.sum(axis=1)
    # A surplus in bin b+1 next to a shortfall in bin b is one set of pathways recorded a bin older
    # than the month's ageing allows (some providers report new starts only in their second month):
    # net them, and keep the amount as a "skip" share of bin b's stock moved on to bin b+1.
    moved = np.zeros_like(r_sum)
    for b in range(r_sum.shape[1] - 1):
        m = np.minimum(np.maximum(r_sum[:, b], 0.0), np.maximum(-r_sum[:, b + 1], 0.0))
        r_sum[:, b] -= m
        r_sum[:, b + 1] += m
        moved[:, b] = m
    kept = stock.sum(axis=1)
    skip = np.clip(moved / np.maximum(kept + moved, 1e-9), 0.0, MAX_SKIP)
    short0 = np.maximum(-r_sum[:, 0], 0.0)
    net = r_sum[:, 1:].sum(axis=1)  # (L,)
    positive = np.maximum(r_sum, 0.0)
    positive[:, 0] = np.maximum(r_sum[:, 0], 0.0)
    pos_rest = positive[:, 1:].sum(axis=1)
    scale = np.where(pos_rest > 0, np.maximum(net, 0.0) / np.maximum(pos_rest, 1e-9), 0.0)
    events = positive.copy()
    events[:, 1:] *= scale[:, None]
    exposure = i_sum.copy()
    exposure[:, 0] += short0  # the uplifted starts are exposed to bin 0's renege rate too
    rate = np.clip(_shrunk_rate(events, exposure, KAPPA), 0.0, MAX_RENEGE)
    uplift = 1.0 + (short0 + np.maximum(-net, 0.0)) / np.maximum(starts_total, 1e-9)
    monthly = resid.sum(axis=2) / np.maximum(inflow.sum(axis=2), 1e-9)  # (L, K)
    mean = np.maximum(np.abs(monthly.mean(axis=1)), 1e-6)
    sd = np.std(monthly, axis=1, ddof=1) / mean if monthly.shape[1] > 1 else np.full(monthly.shape[0], 0.2)
    return rate, uplift, np.clip(sd, 0.05, 0.5), skip


def stops_by_model_bin(completed: Array) -> Array:
    """Re-attribute clock stops from the bin of the wait *at the stop* to the model bin they leave.

    The model removes treatments from each bin's inflow, whose waits are measured at the end of the
    step; a pathway stopped part-way through the step had waited less when its wait was recorded. With
    starts and stops spread evenly over a step, half of the stops the model takes from bin m are
    recorded in bin m - 1 and half in bin m, so stops recorded in bin m are split half to model bin m
    and half to m + 1 (the top bin keeps its own). Totals are unchanged. Without this the model
    takes too many from new starts (the "negative bin-0 reneges" NHSRtt redistributes) and too few
    from long waiters, and its % within 18 weeks drifts down (docs/forecast.md).
    """
    completed = np.asarray(completed, dtype=np.float64)
    moved = completed * STOP_SHIFT
    out = completed - moved
    out[..., 1:] += moved[..., :-1]
    out[..., -1] += moved[..., -1]
    return out


def _age_one_month(stock: Array, bins: Bins, step_weeks: float) -> tuple[Array, Array]:
    """Age a stock (…, B) by one month of steps; also the month's starts' spread over bins (B,).

    With bins one month wide (monthly series) this is a one-bin shift and starts land in bin 0. With
    narrower bins (weekly) the month is 4.348 weekly steps: the stock moves by the integer part and the
    fraction splits between neighbours; starts spread evenly over the month's weeks.
    """
    steps = steps_per_month(step_weeks)
    whole = math.floor(steps)
    frac = steps - whole
    aging = bins.aging_fraction(step_weeks)

    def shift(x: Array, n: int) -> Array:
        for _ in range(n):
            moving = x * aging
            x = x - moving
            x[..., 1:] += moving[..., :-1]
        return x

    base = shift(np.array(stock, dtype=np.float64), whole)
    aged = base if frac == 0 else (1 - frac) * base + frac * shift(base.copy(), 1)
    spread = np.zeros(bins.size)
    weights = np.append(np.ones(whole), frac) if frac else np.ones(whole)
    weights = weights / weights.sum()
    n = min(weights.size, bins.size)
    spread[:n] = weights[:n]
    return aged, spread


def _blend_persistent(
    pooled: Array, renege: Array, stock: Array, starts: Array, change: Array, bins: Bins, step_weeks: float
) -> Array:
    """Blend the pooled profile with the one that keeps today's wait distribution's shape for a month.

    The persistent profile takes from each bin what the month's inflow holds beyond today's stock
    (scaled by the anchored monthly change) and beyond its reneges. Both profiles are normalised to
    treat the same total from today's inflow before blending with weight ``PERSISTENCE``.
    """
    aged, spread = _age_one_month(stock, bins, step_weeks)
    inflow = aged + starts[:, None] * spread
    total = np.maximum(stock.sum(axis=1, keepdims=True), 1e-9)
    target = stock * (1.0 + change[:, None] / total)
    stops = np.maximum(inflow * (1.0 - renege) - target, 0.0)
    persistent = stops / np.maximum(inflow, 1e-9)

    def norm(c: Array) -> Array:
        return np.asarray(c / np.maximum((c * inflow).sum(axis=1, keepdims=True), 1e-12), dtype=np.float64)

    mixed = (1.0 - PERSISTENCE) * norm(pooled) + PERSISTENCE * norm(persistent)
    # every bin keeps at least a quarter of its pooled propensity: a bin that the persistent profile
    # leaves untreated would otherwise grow without limit once capacity exceeds the rest of the list
    mixed = np.maximum(mixed, PROFILE_FLOOR * norm(pooled))
    scale = (pooled * inflow).sum(axis=1, keepdims=True)
    return np.asarray(norm(mixed) * scale)


def calibrate_series(
    keys: pl.DataFrame,
    bins: Bins,
    step_weeks: float,
    period_ends: list[date],
    incomplete: Array,
    completed: Array,
    starts: Array,
    *,
    unknown_start: Array | None = None,
) -> Calibration:
    """Calibrate from K ≥ 2 consecutive months: ``incomplete`` and ``completed`` (L, K, B), ``starts``
    (L, K) (clock starts in each month), ``period_ends`` the K month-end dates.
    """
    incomplete = np.asarray(incomplete, dtype=np.float64)
    completed = np.asarray(completed, dtype=np.float64)
    starts = np.asarray(starts, dtype=np.float64)
    L, K, B = incomplete.shape
    if K < 2:
        raise ValueError("calibrate_series needs at least two consecutive months; use calibrate_snapshot")
    if bins.size != B or completed.shape != incomplete.shape or starts.shape != (L, K):
        raise ValueError("incomplete/completed must be (lists, months, bins) and starts (lists, months)")
    aged, spread = _age_one_month(incomplete[:, :-1, :], bins, step_weeks)
    inflow = aged + starts[:, 1:, None] * spread
    treated = stops_by_model_bin(completed[:, 1:, :])
    stock_next = incomplete[:, 1:, :]
    per_month_renege, uplift, renege_sd, skip = _residual_renege(
        inflow, treated, stock_next, starts[:, 1:].sum(axis=1)
    )
    s_level, s_trend, s_season, s_cv, s_resid = run_rate(starts * uplift[:, None])
    c_level, c_trend, c_season, c_cv, c_resid = run_rate(completed.sum(axis=2))
    # Anchor the renege level to the run-rate window: over the last RECENT months the model's reneges
    # must close the stock equation, starts - stops - reneges = the list's average monthly change;
    # the pooled per-bin shape is kept and only its level scales (within ANCHOR_BOUNDS).
    w = min(RECENT, K - 1)
    change = ANCHOR_CHANGE * (incomplete[:, -1].sum(axis=1) - incomplete[:, -1 - w].sum(axis=1)) / w
    needed = s_level - c_level - change
    modelled = (per_month_renege[:, None, :] * inflow[:, -w:, :]).sum(axis=2).mean(axis=1)
    scale = np.clip(np.where(modelled > 0, needed / np.maximum(modelled, 1e-9), 1.0), *ANCHOR_BOUNDS)
    per_month_renege = np.clip(per_month_renege * scale[:, None], 0.0, MAX_RENEGE)
    # Outflow that even the lowest renege level cannot square with the list's change (stops persistently
    # above starts while the list holds steady, as at some independent-sector providers): the gap is
    # inflow the published starts miss, added to the starts run-rate.
    gap = np.maximum(modelled * scale - needed, 0.0)
    s_level = s_level + gap
    per_month = steps_per_month(step_weeks)
    # a month's share becomes a per-step rate through survival: (1 - r_step)^(steps per month) = 1 - r
    renege = 1.0 - (1.0 - per_month_renege) ** (1.0 / per_month)
    # treatment propensity per bin: stops over the pathway-months exposed (ratio of sums, shrunk)
    profile = _shrunk_rate(treated.sum(axis=1), inflow.sum(axis=1), KAPPA)
    if PERSISTENCE > 0:
        profile = _blend_persistent(profile, per_month_renege, incomplete[:, -1], s_level, change, bins, step_weeks)
    return Calibration(
        keys=keys,
        bins=bins,
        step_weeks=step_weeks,
        census=period_ends[-1],
        stock=incomplete[:, -1, :].copy(),
        unknown_start=np.zeros(L) if unknown_start is None else np.asarray(unknown_start, dtype=np.float64),
        starts=s_level,
        starts_trend=s_trend,
        capacity=c_level,
        capacity_trend=c_trend,
        seasonal_starts=s_season,
        seasonal_capacity=c_season,
        renege=renege,
        profile=np.maximum(profile, 0.0),
        starts_cv=s_cv,
        capacity_cv=c_cv,
        renege_sd=renege_sd,
        flow_correlation=correlation(s_resid, c_resid),
        skip=skip if per_month == 1.0 else np.zeros_like(skip),
        starts_exposed=1.0,
        months_observed=K,
    )


def calibrate_snapshot(
    keys: pl.DataFrame,
    bins: Bins,
    step_weeks: float,
    census: date,
    incomplete: Array,
    completed: Array,
    starts: Array,
    renege_prior: Array,
    *,
    unknown_start: Array | None = None,
    renege_sd: float = 0.3,
) -> Calibration:
    """Calibrate from one month: ``incomplete``/``completed`` (L, B), ``starts`` (L,) that month.

    Run-rates are the month's own flows with no trend; the profile is ΣT_b over the pathway-weeks
    exposed in bin b (stock × weeks in the month), shrunk toward the pooled rate; ``renege_prior`` (B,)
    or (L, B) per-step renege rates give the shape by bin, their level anchored so the list balances
    at today's flows.
    """
    incomplete = np.asarray(incomplete, dtype=np.float64)
    completed = np.asarray(completed, dtype=np.float64)
    L, B = incomplete.shape
    if bins.size != B or completed.shape != (L, B):
        raise ValueError("incomplete/completed must be (lists, bins) on the given bins")
    per_month = steps_per_month(step_weeks)
    exposure = (incomplete + completed) * per_month
    profile = _shrunk_rate(stops_by_model_bin(completed), exposure, KAPPA)
    ones = np.ones((L, 12))
    # One month shows no trend, so anchor the prior's renege level on balance: starts - stops - reneges
    # = 0 at today's flows (within ANCHOR_BOUNDS; any remaining gap is inflow the starts miss).
    starts = np.asarray(starts, dtype=np.float64)
    renege = np.broadcast_to(np.clip(renege_prior, 0.0, MAX_RENEGE), (L, B))
    monthly = 1.0 - (1.0 - renege) ** per_month
    modelled = (monthly * incomplete).sum(axis=1)
    needed = starts - completed.sum(axis=1)
    scale = np.clip(np.where(modelled > 0, needed / np.maximum(modelled, 1e-9), 1.0), *ANCHOR_BOUNDS)
    renege = 1.0 - (1.0 - np.clip(monthly * scale[:, None], 0.0, MAX_RENEGE)) ** (1.0 / per_month)
    starts = starts + np.maximum(modelled * scale - needed, 0.0)
    return Calibration(
        keys=keys,
        bins=bins,
        step_weeks=step_weeks,
        census=census,
        stock=incomplete.copy(),
        unknown_start=np.zeros(L) if unknown_start is None else np.asarray(unknown_start, dtype=np.float64),
        starts=starts,
        starts_trend=np.zeros(L),
        capacity=completed.sum(axis=1),
        capacity_trend=np.zeros(L),
        seasonal_starts=ones,
        seasonal_capacity=ones.copy(),
        renege=renege,
        profile=np.maximum(profile, 0.0),
        starts_cv=np.full(L, 0.05),
        capacity_cv=np.full(L, 0.05),
        renege_sd=np.full(L, renege_sd),
        flow_correlation=np.full(L, SNAPSHOT_CORRELATION),
        skip=np.zeros((L, B)),
        starts_exposed=1.0,
        months_observed=1,
    )
