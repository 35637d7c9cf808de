"""Run-rates of monthly flows (clock starts, clock stops): level, trend, seasonality and noise.

The level is the mean of the last ``RECENT`` months. With at least ``TREND_MIN_MONTHS`` months, seasonal
factors by calendar month (ratio to a centred 12-month mean) and a Theil–Sen trend (the median of
pairwise slopes, robust to one odd month) damped by ``TREND_DAMPING`` a month. The month-to-month
coefficient of variation and the residuals (for the correlation of starts' and stops' noise) feed the
Monte Carlo runs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["MIN_CV", "RECENT", "TREND_DAMPING", "TREND_MIN_MONTHS", "correlation", "run_rate"]

Array = NDArray[np.float64]

# Run-rate window (months): the level of starts and stops is their mean over the last RECENT months.
RECENT = 3
# A trend is fitted only from two years of months (with the seasonal factors): on the 13-month series a
# trend fitted to 4–10 months made every back-test worse (docs/forecast.md).
TREND_MIN_MONTHS = 24
# Monthly damping of the run-rate trend (Gardner & McKenzie damped trend): the trend's effect fades
# rather than compounding for years.
TREND_DAMPING = 0.9
# Floor for the month-to-month coefficients of variation used in Monte Carlo runs.
MIN_CV = 0.02


def _theil_sen(y: Array) -> Array:
    """Median pairwise slope per row of y (L, K); 0 when K < 3."""
    k = y.shape[1]
    if k < 3:
        return np.zeros(y.shape[0])
    i, j = np.triu_indices(k, 1)
    slopes = (y[:, j] - y[:, i]) / (j - i)
    return np.asarray(np.median(slopes, axis=1))


def run_rate(series: Array) -> tuple[Array, Array, Array, Array, Array]:
    """Level, damped relative trend, seasonal factors (L, 12), CV and relative residuals (L, K).

    The series' last column is the census month. Seasonal factors need 24 months and are returned
    aligned so that column ``j`` is ``j`` months after the census month's calendar month, mod 12.
    """
    series = np.asarray(series, dtype=np.float64)
    L, K = series.shape
    level = series[:, -min(RECENT, K) :].mean(axis=1)
    seasonal = np.ones((L, 12))
    deseason = series
    if K >= 24:
        # ratio to a centred 12-month mean, averaged by position in the year
        ratios = np.full((L, K), np.nan)
        for t in range(6, K - 6):
            ratios[:, t] = series[:, t] / np.maximum(series[:, t - 6 : t + 6].mean(axis=1), 1e-9)
        pos = (np.arange(K) - (K - 1)) % 12  # 0 = census month's position
        for p in range(12):
            cols = ratios[:, pos == p]
            if cols.size and np.isfinite(cols).any():
                seasonal[:, p] = np.nanmean(cols, axis=1)
        seasonal = np.where(np.isfinite(seasonal), seasonal, 1.0)
        seasonal /= seasonal.mean(axis=1, keepdims=True)
        deseason = series / seasonal[:, pos]
        level = deseason[:, -RECENT:].mean(axis=1)
    safe = np.maximum(level, 1e-9)
    trend = np.where(level > 0, _theil_sen(deseason) / safe, 0.0) if K >= TREND_MIN_MONTHS else np.zeros(L)
    trend = np.clip(trend, -0.05, 0.05)  # at most ±5% a month
    if K >= 3:
        t = np.arange(K) - (K - 1)
        fitted = level[:, None] * (1.0 + trend[:, None] * t)
        resid = (deseason - fitted) / safe[:, None]
        cv = np.std(resid, axis=1, ddof=1)
    else:
        resid = np.zeros((L, K))
        cv = np.full(L, 0.05)  # one or two months: assume 5% month-to-month variation
    return level, trend, seasonal, np.maximum(np.where(level > 0, cv, MIN_CV), MIN_CV), resid


def correlation(a: Array, b: Array) -> Array:
    """Row-wise Pearson correlation of residuals, clipped to [0, 0.95] (0 when undefined)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denom = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(denom > 0, (a * b).sum(axis=1) / denom, 0.0)
    return np.clip(rho, 0.0, 0.95)
