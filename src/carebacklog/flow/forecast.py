"""Forecasts of A&E attendances, 4-hour performance and bed occupancy with winter seasonality, and their
back-tests against seasonal "no change".

Seasonal "no change" (the benchmark) says a month will be what the same month was a year before. The
model adjusts it by the recent year-on-year change, which carries growth in attendances and a
deterioration or recovery in performance into the forecast:

- ``ratio`` (counts such as attendances): ŷ(t+h) = y(t+h−s) × [mean of the last ``window`` periods /
  mean of the same periods a season before];
- ``difference`` (percentages such as 4-hour performance or occupancy): ŷ(t+h) = y(t+h−s) +
  [mean of the last ``window`` periods − mean of the same periods a season before];

with ``damping`` (0–1) shrinking the adjustment towards "no change" (1 keeps all of it). ``s`` is 12 for
monthly series and 4 for quarterly ones (KH03). Ranges come from the model's own back-test errors at each
horizon (empirical quantiles, as a conformal interval), so their stated coverage is measured, not assumed.
Only periods of an unbroken run are used: a gap (the 2016–2019 A&E series beside 2024–25) starts a new
run, and no forecast reaches across one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl

__all__ = ["SeasonalModel", "backtest", "backtest_summary", "forecast_series", "runs"]

Kind = Literal["ratio", "difference"]


@dataclass(frozen=True)
class SeasonalModel:
    """Seasonal "no change" adjusted by the recent year-on-year change (see the module docstring)."""

    kind: Kind = "ratio"
    season: int = 12
    window: int = 3
    damping: float = 1.0

    def __post_init__(self) -> None:
        if self.season < 1 or self.window < 1 or not 0 <= self.damping <= 1:
            raise ValueError("season and window must be at least 1 and damping between 0 and 1")

    @property
    def history_needed(self) -> int:
        """Periods of history a forecast needs: a season plus the adjustment window."""
        return self.season + self.window

    def predict(self, history: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """(model, seasonal "no change") forecasts for the next ``horizon`` periods after ``history``.

        ``horizon`` may not exceed the season (the forecast reads a value a season back)."""
        if horizon < 1 or horizon > self.season:
            raise ValueError(f"horizon must be 1 to {self.season}")
        if len(history) < self.history_needed:
            raise ValueError(f"need {self.history_needed} periods of history, have {len(history)}")
        n = len(history)
        naive = np.array([history[n - self.season + h - 1] for h in range(1, horizon + 1)], dtype=float)
        recent = history[n - self.window:]
        before = history[n - self.window - self.season:n - self.season]
        if self.kind == "ratio":
            ratio = float(np.mean(recent) / np.mean(before)) if np.mean(before) > 0 else 1.0
            return naive * (1 + self.damping * (ratio - 1)), naive
        return naive + self.damping * float(np.mean(recent) - np.mean(before)), naive


def runs(periods: list[dt.date], *, max_gap_days: int) -> list[tuple[int, int]]:
    """(start, end) index ranges of unbroken runs of sorted ``periods`` (end exclusive)."""
    if not periods:
        return []
    bounds, start = [], 0
    for i in range(1, len(periods)):
        if (periods[i] - periods[i - 1]).days > max_gap_days:
            bounds.append((start, i))
            start = i
    bounds.append((start, len(periods)))
    return bounds


def _gap(model: SeasonalModel) -> int:
    return 100 if model.season == 4 else 40


def backtest(
    series: pl.DataFrame, model: SeasonalModel, *, horizon: int = 3, value: str = "value", key: str = "org_code"
) -> pl.DataFrame:
    """Rolling-origin back-test: from every origin with enough history in an unbroken run, forecast
    1..``horizon`` periods ahead and set model and seasonal "no change" beside what happened.

    ``series``: ``period``, ``key`` (e.g. ``org_code``; may be absent for one series) and ``value``.
    Columns: ``key``, ``origin``, ``period``, ``horizon``, ``actual``, ``forecast``, ``naive``.
    """
    frame = series if key in series.columns else series.with_columns(pl.lit("all").alias(key))
    rows: list[dict[str, object]] = []
    for (code,), group in frame.filter(pl.col(value).is_not_null()).sort("period").group_by([key],
                                                                                             maintain_order=True):
        periods = group["period"].to_list()
        values = group[value].to_numpy().astype(float)
        for start, end in runs(periods, max_gap_days=_gap(model)):
            for origin in range(start + model.history_needed - 1, end - 1):
                steps = min(horizon, end - 1 - origin)
                predicted, naive = model.predict(values[start:origin + 1], steps)
                for h in range(1, steps + 1):
                    rows.append({key: code, "origin": periods[origin], "period": periods[origin + h], "horizon": h,
                                 "actual": float(values[origin + h]), "forecast": float(predicted[h - 1]),
                                 "naive": float(naive[h - 1])})
    schema = {key: pl.String, "origin": pl.Date, "period": pl.Date, "horizon": pl.Int64, "actual": pl.Float64,
              "forecast": pl.Float64, "naive": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def backtest_summary(results: pl.DataFrame, *, kind: Kind) -> pl.DataFrame:
    """Error of the model and of seasonal "no change" by horizon: MAPE (%) for ``ratio`` series (counts),
    MAE (points) for ``difference`` series (percentages), the share of forecasts the model got closer, and
    the number of forecasts."""
    if kind == "ratio":
        def err(c: str) -> pl.Expr:
            return ((pl.col(c) - pl.col("actual")).abs() / pl.col("actual")).filter(pl.col("actual") > 0).mean() * 100
        label = "mape"
    else:
        def err(c: str) -> pl.Expr:
            return (pl.col(c) - pl.col("actual")).abs().mean()
        label = "mae"
    return (
        results.group_by("horizon")
        .agg(err("forecast").alias(f"model_{label}"), err("naive").alias(f"naive_{label}"),
             ((pl.col("forecast") - pl.col("actual")).abs() < (pl.col("naive") - pl.col("actual")).abs())
             .mean().alias("share_model_closer"), pl.len().alias("forecasts"))
        .sort("horizon")
    )


def _interval(results: pl.DataFrame, kind: Kind, coverage: float) -> dict[int, tuple[float, float]]:
    """Empirical quantiles of back-test errors by horizon: relative for ratio series, absolute otherwise."""
    lo_q, hi_q = (1 - coverage) / 2, 1 - (1 - coverage) / 2
    errors = results.with_columns(
        e=(pl.col("actual") / pl.col("forecast") - 1) if kind == "ratio" else (pl.col("actual") - pl.col("forecast")))
    out = {}
    for (h,), group in errors.filter(pl.col("e").is_finite()).group_by(["horizon"]):
        lo, hi = group["e"].quantile(lo_q, "linear"), group["e"].quantile(hi_q, "linear")
        if lo is not None and hi is not None:
            out[int(h)] = (float(lo), float(hi))
    return out


def forecast_series(
    series: pl.DataFrame,
    model: SeasonalModel,
    *,
    horizon: int = 3,
    coverage: float = 0.8,
    calibration: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Forecast ``horizon`` periods after the last of one series (``period``, ``value``), with a range.

    The range is the ``coverage`` central interval of the back-test errors in ``calibration`` (a
    :func:`backtest` result, e.g. over every provider), or of this series' own back-test when omitted.
    Columns: ``period``, ``horizon``, ``forecast``, ``naive``, ``low``, ``high`` and ``window`` (the
    adjustment window used: shorter than the model's when the latest run is too short for it).
    """
    if not 0 < coverage < 1:
        raise ValueError("coverage must be between 0 and 1")
    ordered = series.filter(pl.col("value").is_not_null()).sort("period")
    periods = ordered["period"].to_list()
    bounds = runs(periods, max_gap_days=_gap(model))
    if not bounds:
        raise ValueError("the series is empty")
    start, end = bounds[-1]
    values = ordered["value"].to_numpy().astype(float)[start:end]
    if len(values) < model.history_needed and len(values) > model.season:
        # a short run (14 months of the current A&E series): a shorter adjustment window, said in ``window``
        model = replace(model, window=len(values) - model.season)
    predicted, naive = model.predict(values, horizon)
    errors = _interval(calibration if calibration is not None else backtest(ordered, model, horizon=horizon),
                       model.kind, coverage)
    months = 3 if model.season == 4 else 1
    last = periods[end - 1]
    rows = []
    for h in range(1, horizon + 1):
        when = _month_end(last, months * h)
        lo, hi = errors.get(h, (float("nan"), float("nan")))
        f = float(predicted[h - 1])
        low, high = (f * (1 + lo), f * (1 + hi)) if model.kind == "ratio" else (f + lo, f + hi)
        rows.append({"period": when, "horizon": h, "forecast": f, "naive": float(naive[h - 1]),
                     "low": low, "high": high, "window": model.window})
    return pl.DataFrame(rows)


def _month_end(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
