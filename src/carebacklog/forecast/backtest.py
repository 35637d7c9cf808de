"""Back-tests: calibrate on the first k months, forecast the rest, score against what happened.

Four forecasters are scored on the same held-out months, for list size, % within 18 weeks and the
52+ week count:

* ``model`` — the calibrated stock-flow model's central path (run-rates from the training months only),
* ``blend`` — no change plus a share of the model's projected change, the share per list and measure
  from an inner back-test within the training months (:func:`in_sample_weights`),
* ``naive`` — no change from the last training month,
* ``trend`` — a least-squares straight line through the training months, extrapolated.

Scores: MAE (mean absolute error, in the measure's units: pathways or percentage points), MAPE
(mean absolute percentage error, %) and MdAPE (its median, which a few lists broken by mergers or
data changes cannot dominate), over every list and held-out month; by list, the median of each list's
mean APE and the share of lists where a method beats naive. MAPE skips actual values of zero, and
lists smaller than ``min_size`` pathways at the last training month are left out of all, as are lists
whose training months show a broken series (:func:`broken_lists`; a 3-pathway list swings by 33% when
one patient leaves, and a merger is no test of a forecaster).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.inputs import Observations, calibrate
from carebacklog.forecast.montecarlo import REPORTED, forecast

__all__ = ["BACKTEST_MEASURES", "MIN_SIZE", "actual_measures", "backtest", "broken_lists", "in_sample_weights"]

BACKTEST_MEASURES = ("total", "pct_within_18", "over_52")
# Smallest list (pathways at the end of training) scored by default.
MIN_SIZE = 100.0
# A month-to-month list size ratio beyond this (or below its inverse) marks a broken series (broken_lists).
BREAK_RATIO = 2.0
# Forecast origins among the last training months for the inner back-test that weighs model against no change.
INNER_TEST = 3

Array = NDArray[np.float64]


def actual_measures(obs: Observations) -> Array:
    """(lists, months, 3): total (with unknown starts), % within 18 weeks, 52+ from observed stock."""
    weights = obs.bins.measure_weights()
    cube = obs.incomplete @ weights  # (L, K, 6)
    total_known = cube[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(total_known > 0, 100.0 * cube[..., 1] / total_known, 100.0)
    return np.stack([total_known + obs.unknown_start, pct, cube[..., 2]], axis=-1)


def _trend(train: Array, ahead: int) -> Array:
    """Least-squares line per list through (L, k) training values, at 1..ahead months after the last."""
    k = train.shape[1]
    if k < 2:
        return np.repeat(train[:, -1:], ahead, axis=1)
    t = np.arange(k) - (k - 1)
    tc = t - t.mean()
    slope = (train - train.mean(axis=1, keepdims=True)) @ tc / (tc @ tc)
    last_fit = train.mean(axis=1) + slope * (0 - t.mean())
    return np.asarray(last_fit[:, None] + slope[:, None] * np.arange(1, ahead + 1)[None, :], dtype=np.float64)


def broken_lists(train: Observations) -> NDArray[np.bool_]:
    """Lists whose *training* months show a broken series (``BREAK_RULE``), as (L,) booleans.

    Broken: a training month with no pathways on the list, no clock starts or no clock stops
    (missing returns, a provider that opened or closed), or a month-to-month list size that more than
    doubles or falls by more than half (a merger, a reporting change). Only training months are read,
    so the rule is known at forecast time; back-tests leave these lists out for every method alike.
    """
    total = train.incomplete.sum(axis=2) + train.unknown_start  # (L, k)
    stops = train.completed.sum(axis=2)
    missing = (total <= 0).any(axis=1) | (train.starts <= 0).any(axis=1) | (stops <= 0).any(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = total[:, 1:] / total[:, :-1]
    jump = ((ratio > BREAK_RATIO) | (ratio < 1.0 / BREAK_RATIO)).any(axis=1) if total.shape[1] > 1 else False
    out: NDArray[np.bool_] = missing | jump
    return out


def in_sample_weights(train: Observations) -> Array:
    """(L, 3) weight of the model against no change, per list and measure, from the training months.

    An inner back-test within the training window: from each of the last ``INNER_TEST`` training
    months as origin (each calibrated on at least two months before it), the model and the naive
    forecast are scored on the training months after it, and the weight is the naive forecast's share
    of the summed squared error, e_naive² / (e_model² + e_naive²) (inverse-MSE weights; ½ when both are
    exact). With fewer than three training months the weight is 1 (the model alone).
    """
    k = len(train.periods)
    L = train.keys.height
    if k < 3:
        return np.ones((L, len(BACKTEST_MEASURES)))
    actual = actual_measures(train)
    e_model = np.zeros((L, len(BACKTEST_MEASURES)))
    e_naive = np.zeros_like(e_model)
    for origin in range(max(2, k - INNER_TEST), k):
        central = forecast(calibrate(train.first(origin)), k - origin, rng=np.random.default_rng(0), runs=0)
        model = np.stack([central.measure(m) for m in BACKTEST_MEASURES], axis=-1)
        truth = actual[:, origin:]
        e_model += np.nansum((model - truth) ** 2, axis=1)
        e_naive += np.nansum((actual[:, origin - 1 : origin] - truth) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(e_model + e_naive > 0, e_naive / (e_model + e_naive), 0.5)
    return np.nan_to_num(w, nan=0.5)


def backtest(
    obs: Observations, train_months: int, *, min_size: float = MIN_SIZE, exclude_broken: bool = True
) -> pl.DataFrame:
    """Scores of model, blend, naive and trend forecasts: one row per (method, measure) with ``mae``,
    ``mape``, ``mdape`` (median over list-months), ``list_mdape`` (median over lists of each list's
    mean APE), ``wins`` (share of lists whose mean APE beats naive's; ties count half), ``n``
    (list-months scored), ``lists``, ``broken`` (lists left out by :func:`broken_lists`),
    ``train_months`` and ``test_months``.

    ``blend`` = naive + w·(model − naive) with ``w`` from :func:`in_sample_weights` (training months only).
    """
    K = len(obs.periods)
    if not 1 <= train_months < K:
        raise ValueError(f"train_months must be between 1 and {K - 1} for {K} months of data")
    ahead = K - train_months
    actual = actual_measures(obs)
    train_obs = obs.first(train_months)
    cal = calibrate(train_obs)
    central = forecast(cal, ahead, rng=np.random.default_rng(0), runs=0)
    model = np.stack([central.measure(m) for m in BACKTEST_MEASURES], axis=-1)
    train = actual[:, :train_months]
    naive = np.repeat(train[:, -1:, :], ahead, axis=1)
    weights = in_sample_weights(train_obs)
    blend = naive + weights[:, None, :] * (model - naive)
    trend = np.stack([_trend(train[..., j], ahead) for j in range(len(BACKTEST_MEASURES))], axis=-1)
    trend[..., 0] = np.maximum(trend[..., 0], 0.0)
    trend[..., 1] = np.clip(trend[..., 1], 0.0, 100.0)
    trend[..., 2] = np.maximum(trend[..., 2], 0.0)
    truth = actual[:, train_months:]
    broken = broken_lists(train_obs) if exclude_broken else np.zeros(obs.keys.height, dtype=bool)
    keep = (train[:, -1, 0] >= min_size) & ~broken
    rows = []

    def list_ape(pred: Array, j: int) -> Array:
        a, p = truth[keep, :, j], pred[keep, :, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            ape = np.where(np.abs(a) > 0, np.abs(p - a) / np.abs(a), np.nan)
        kept = np.where(np.isnan(ape).all(axis=1, keepdims=True), 0.0, ape)
        return np.asarray(100.0 * np.nanmean(kept, axis=1), dtype=np.float64)

    for method, pred in (("model", model), ("blend", blend), ("naive", naive), ("trend", trend)):
        for j, measure in enumerate(BACKTEST_MEASURES):
            a, p = truth[keep, :, j], pred[keep, :, j]
            err = np.abs(p - a)
            nz = np.abs(a) > 0
            mine, base = list_ape(pred, j), list_ape(naive, j)
            rows.append(
                {
                    "method": method,
                    "measure": measure,
                    "mae": float(err.mean()) if err.size else float("nan"),
                    "mape": float(100.0 * (err[nz] / np.abs(a[nz])).mean()) if nz.any() else float("nan"),
                    "mdape": float(100.0 * np.median(err[nz] / np.abs(a[nz]))) if nz.any() else float("nan"),
                    "list_mdape": float(np.median(mine)) if mine.size else float("nan"),
                    "wins": float(((mine < base) + 0.5 * (mine == base)).mean()) if mine.size else float("nan"),
                    "n": int(err.size),
                    "lists": int(keep.sum()),
                    "broken": int(broken.sum()),
                    "train_months": train_months,
                    "test_months": ahead,
                }
            )
    assert set(BACKTEST_MEASURES) <= set(REPORTED)
    return pl.DataFrame(rows)
