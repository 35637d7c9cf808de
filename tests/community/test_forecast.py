"""The community band forecast: the stock-flow arithmetic on the published bin edges, the December 2024
band merge, and back-tests against "no change" that cannot see the future."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.community.forecast import (
    BANDS,
    BandForecast,
    backtest_bands,
    backtest_bands_summary,
    band_matrix,
    forecast_bands,
)

runner = CliRunner()
NAMES = [n for n, _lo, _hi in BANDS]


def test_nobody_leaving_and_nobody_arriving_only_ages_the_list() -> None:
    model = BandForecast(stay=np.ones(len(BANDS)), inflow=np.zeros(len(BANDS)))
    counts = np.array([0, 0, 0, 80.0, 0, 0, 0])  # 80 people at 4-12 weeks, 10 a week
    (after,) = model.project(counts, 1)
    assert after.sum() == pytest.approx(80)  # nobody lost
    # a month (4.35 weeks) on, the people at 4-12 weeks are at 8.35-16.35: 3.65 weeks' worth still
    # under 12 and 4.35 weeks' worth now at 12-18
    assert after[3] == pytest.approx(10 * (12 - 8.348), rel=1e-3)
    assert after[4] == pytest.approx(80 - after[3])


def test_a_steady_list_is_forecast_steady() -> None:
    steady = np.array([100, 100, 200, 700, 450, 1500, 900.0])
    model = BandForecast.fit(np.vstack([steady, steady, steady]))
    assert model.project(steady, 6)[-1] == pytest.approx(steady)


def test_fitted_stay_rates_reproduce_a_known_exit_rate() -> None:
    truth = BandForecast(stay=np.array([1, 1, 1, 0.9, 0.8, 0.95, 0.97]), inflow=np.array([120, 110, 210, 0, 0, 0, 0]))
    start = np.array([120, 110, 210, 700, 400, 1200, 800.0])
    months = np.vstack([start, *truth.project(start, 4)])
    fitted = BandForecast.fit(months, months=3)
    assert fitted.stay[3:] == pytest.approx(truth.stay[3:], rel=1e-6)
    assert fitted.inflow[:3] == pytest.approx(truth.inflow[:3])


def _tidy(period: dt.date, bands: dict[str, float], code: str = "RX1") -> pl.DataFrame:
    return pl.DataFrame({"period": [period] * len(bands), "org_type": "Provider", "org_code": code,
                         "age_group": "adult", "service_line": "Podiatry", "band": list(bands),
                         "count": [float(v) for v in bands.values()], "aggregate": False})


def test_band_matrix_merges_the_december_2024_split() -> None:
    before = _tidy(dt.date(2024, 11, 30), {"0-1": 5, ">52": 30})
    after = _tidy(dt.date(2024, 12, 31), {"0-1": 6, ">52-104": 20, ">104": 12})
    matrix = band_matrix(pl.concat([before, after]))
    assert matrix.columns == ["org_code", "period", *NAMES]
    assert matrix[">52"].to_list() == [30.0, 32.0] and matrix[">2-4"].to_list() == [0.0, 0.0]


def test_backtest_compares_with_what_was_published_next() -> None:
    rng = np.random.default_rng(3)
    periods = [dt.date(2024, m, 28) for m in range(1, 13)]
    frames = [_tidy(p, dict(zip(NAMES, rng.integers(50, 500, len(NAMES)).astype(float), strict=True)))
              for p in periods]
    matrix = band_matrix(pl.concat(frames))
    results = backtest_bands(matrix, horizon=3)
    first = results.filter((pl.col("origin") == periods[1]) & (pl.col("horizon") == 1)).row(0, named=True)
    assert first["total_naive"] == pytest.approx(matrix.row(1, named=True)[">52"] + sum(
        matrix.row(1, named=True)[n] for n in NAMES[:-1]))
    assert first["total_actual"] == pytest.approx(sum(matrix.row(2, named=True)[n] for n in NAMES))
    assert (results["period"] > results["origin"]).all()
    summary = backtest_bands_summary(results)
    assert summary["horizon"].to_list() == [1, 2, 3] and (summary["forecasts"] > 0).all()


def test_forecast_bands_and_its_measures() -> None:
    steady = {n: v for n, v in zip(NAMES, [100, 100, 200, 700, 450, 1500, 900.0], strict=True)}
    matrix = band_matrix(pl.concat([_tidy(dt.date(2025, m, 28), steady) for m in (5, 6, 7)]))
    out = forecast_bands(matrix.drop("org_code"), horizon=2)
    assert out["period"].to_list() == [dt.date(2025, 8, 31), dt.date(2025, 9, 30)]
    assert out["total"].to_list() == pytest.approx([3950, 3950])
    assert out["pct_within_18"][0] == pytest.approx(1550 / 3950 * 100)
    assert out["over_52"][0] == pytest.approx(900)


def test_cli_forecast_and_backtest_on_the_bundled_months() -> None:
    result = runner.invoke(app, ["community", "forecast", "--provider", "RYV", "--age-group", "cyp",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["period"] for r in rows] == ["2025-08-31", "2025-09-30", "2025-10-31"]
    assert "scenario, not a prediction" in result.stderr
    table = runner.invoke(app, ["community", "backtest", "--level", "national", "--format", "json"])
    assert table.exit_code == 0, table.output
    assert [r["horizon"] for r in json.loads(table.stdout)] == [1, 2, 3]
    assert runner.invoke(app, ["community", "forecast", "--age-group", "teen"]).exit_code == 2
