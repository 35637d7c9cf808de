"""Seasonal forecasts of A&E and beds: hand-worked model arithmetic, back-tests that cannot see the future,
and the commands, against seasonal "no change"."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.flow.forecast import SeasonalModel, backtest, backtest_summary, forecast_series, runs

runner = CliRunner()


def _months(n: int, start: dt.date = dt.date(2016, 4, 30)) -> list[dt.date]:
    out, year, month = [], start.year, start.month
    for _ in range(n):
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        out.append(nxt - dt.timedelta(days=1))
        year, month = nxt.year, nxt.month
    return out


def test_ratio_model_carries_year_on_year_growth() -> None:
    season = np.array([100, 90, 110, 120] * 3 + [0] * 0, dtype=float)[:12]
    history = np.concatenate([season, season[:3] * 1.1])  # 15 months, the last 3 up 10% on a year before
    predicted, naive = SeasonalModel("ratio", 12, 3).predict(history, 3)
    assert naive.tolist() == [season[3], season[4], season[5]]
    assert predicted == pytest.approx(naive * 1.1)
    damped, _ = SeasonalModel("ratio", 12, 3, damping=0.5).predict(history, 3)
    assert damped == pytest.approx(naive * 1.05)


def test_difference_model_adds_the_recent_change() -> None:
    history = np.array([80.0] * 12 + [77.0, 77.0, 77.0])
    predicted, naive = SeasonalModel("difference", 12, 3).predict(history, 2)
    assert naive.tolist() == [80.0, 80.0] and predicted == pytest.approx([77.0, 77.0])
    with pytest.raises(ValueError, match="15 periods"):
        SeasonalModel("difference", 12, 3).predict(history[:14], 1)


def test_runs_split_at_a_gap() -> None:
    periods = _months(5) + _months(3, dt.date(2024, 6, 30))
    assert runs(periods, max_gap_days=40) == [(0, 5), (5, 8)]


def test_backtest_never_uses_the_period_it_forecasts() -> None:
    periods = _months(30)
    rng = np.random.default_rng(1)
    values = 1000 + 100 * np.sin(np.arange(30) * 2 * np.pi / 12) + rng.normal(0, 5, 30)
    series = pl.DataFrame({"period": periods, "value": values})
    results = backtest(series, SeasonalModel("ratio", 12, 3), horizon=3)
    assert (results["period"] > results["origin"]).all()
    # change the last value: only forecasts *of* it change, none made before it is known
    bumped = series.with_columns(pl.when(pl.col("period") == periods[-1]).then(5000.0).otherwise(pl.col("value"))
                                 .alias("value"))
    again = backtest(bumped, SeasonalModel("ratio", 12, 3), horizon=3)
    assert again["forecast"].to_list() == results["forecast"].to_list()
    assert results["origin"].min() == periods[14]  # 15 months of history before the first forecast


def test_growth_is_forecast_better_than_seasonal_no_change() -> None:
    periods = _months(40)
    t = np.arange(40)
    values = (1000 * 1.01 ** t) * (1 + 0.1 * np.sin(t * 2 * np.pi / 12))
    results = backtest(pl.DataFrame({"period": periods, "value": values}), SeasonalModel("ratio", 12, 3), horizon=3)
    summary = backtest_summary(results, kind="ratio").row(2, named=True)
    assert summary["model_mape"] < 0.5 * summary["naive_mape"]


def test_forecast_range_covers_the_stated_share_of_backtest_errors() -> None:
    periods = _months(48)
    rng = np.random.default_rng(7)
    t = np.arange(48)
    values = 80 + 5 * np.sin(t * 2 * np.pi / 12) + rng.normal(0, 1.5, 48)
    series = pl.DataFrame({"period": periods, "value": values})
    model = SeasonalModel("difference", 12, 3, 0.5)
    out = forecast_series(series, model, horizon=3, coverage=0.8)
    assert out["period"].to_list() == _months(3, dt.date(2020, 4, 30))
    assert (out["low"] < out["forecast"]).all() and (out["forecast"] < out["high"]).all()
    errors = backtest(series, model, horizon=3).filter(pl.col("horizon") == 1).with_columns(
        e=pl.col("actual") - pl.col("forecast"))
    lo, hi = out["low"][0] - out["forecast"][0], out["high"][0] - out["forecast"][0]
    inside = errors.filter((pl.col("e") >= lo) & (pl.col("e") <= hi)).height / errors.height
    assert 0.75 <= inside <= 0.85


def test_cli_forecast_and_backtest_on_the_bundled_series() -> None:
    result = runner.invoke(app, ["flow", "forecast", "pct_within_4h", "--provider", "RBD", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["period"] for r in rows] == ["2025-08-31", "2025-09-30", "2025-10-31"]
    assert all(r["low"] < r["forecast"] < r["high"] for r in rows)
    assert rows[0]["window"] == 2  # 14 months in the current run: the window shortens, and says so
    table = runner.invoke(app, ["flow", "backtest", "attendances", "--format", "json"])
    summary = {r["horizon"]: r for r in json.loads(table.stdout)}
    assert summary[3]["model_mape"] < summary[3]["naive_mape"]  # growth in attendances beats "no change"
    assert runner.invoke(app, ["flow", "forecast", "happiness"]).exit_code == 2
    assert runner.invoke(app, ["flow", "forecast", "occupancy_general_acute", "--horizon", "6"]).exit_code == 2
