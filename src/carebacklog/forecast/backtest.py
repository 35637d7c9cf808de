"""Back-tests: calibrate on the first k months, forecast the rest, score against what happened.

Three forecasters are scored on the same held-out months, for list size, % within 18 weeks and the
52+ week count:

* ``model`` — the calibrated stock-flow model's central path (run-rates from the training months only),
* ``naive`` — no change from the last training month,
* ``trend`` — a least-squares straight line through the training months, extrapolated.

Scores: MAE (mean absolute error, in the measure's units: pathways or percentage points), MAPE
(mean absolute percentage error, %) and MdAPE (its median, which a few lists broken by mergers or
data changes cannot dominate), over every list and held-out month. MAPE skips actual values of
zero, and lists smaller than ``min_size`` pathways at the last training month are left out of both
(a 3-pathway list swings by 33% when one patient leaves, which says nothing about a forecaster).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.inputs import Observations, calibrate
from carebacklog.forecast.montecarlo import REPORTED, forecast

__all__ = ["BACKTEST_MEASURES", "MIN_SIZE", "actual_measures", "backtest"]

BACKTEST_MEASURES = ("total", "pct_within_18", "over_52")
# Smallest list (pathways at the end of training) scored by default.
MIN_SIZE = 100.0

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
    return last_fit[:, None] + slope[:, None] * np.arange(1, ahead + 1)[None, :]


def backtest(obs: Observations, train_months: int, *, min_size: float = MIN_SIZE) -> pl.DataFrame:
    """Scores of model, naive and trend forecasts: one row per (method, measure) with ``mae``,
    ``mape``, ``mdape``, ``n`` (list-months scored), ``lists``, ``train_months`` and ``test_months``."""
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
    trend = np.stack([_trend(train[..., j], ahead) for j in range(len(BACKTEST_MEASURES))], axis=-1)
    trend[..., 0] = np.maximum(trend[..., 0], 0.0)
    trend[..., 1] = np.clip(trend[..., 1], 0.0, 100.0)
    trend[..., 2] = np.maximum(trend[..., 2], 0.0)
    truth = actual[:, train_months:]
    keep = train[:, -1, 0] >= min_size
    rows = []
    for method, pred in (("model", model), ("naive", naive), ("trend", trend)):
        for j, measure in enumerate(BACKTEST_MEASURES):
            a, p = truth[keep, :, j], pred[keep, :, j]
            err = np.abs(p - a)
            nz = np.abs(a) > 0
            rows.append(
                {
                    "method": method,
                    "measure": measure,
                    "mae": float(err.mean()) if err.size else float("nan"),
                    "mape": float(100.0 * (err[nz] / np.abs(a[nz])).mean()) if nz.any() else float("nan"),
                    "mdape": float(100.0 * np.median(err[nz] / np.abs(a[nz]))) if nz.any() else float("nan"),
                    "n": int(err.size),
                    "lists": int(keep.sum()),
                    "train_months": train_months,
                    "test_months": ahead,
                }
            )
    assert set(BACKTEST_MEASURES) <= set(REPORTED)
    return pl.DataFrame(rows)
