"""Back-tests on the real 13-month series (May 2024 – May 2025)."""

import numpy as np
import pytest

from carebacklog.forecast.backtest import actual_measures, backtest
from carebacklog.forecast.inputs import observations_from_series


@pytest.fixture(scope="module")
def national(series):
    return observations_from_series(series, "national")


def test_national_backtest_scores_model_naive_and_trend(national):
    result = backtest(national, 7)
    assert set(result["method"]) == {"model", "naive", "trend"}
    assert set(result["measure"]) == {"total", "pct_within_18", "over_52"}
    assert (result["test_months"] == 6).all() and (result["n"] == 6).all()
    model = {r["measure"]: r for r in result.filter(result["method"] == "model").iter_rows(named=True)}
    # six months ahead, England's list within 1% and its 18-week share within 1.5 points on average
    assert model["total"]["mape"] < 1.0
    assert model["pct_within_18"]["mae"] < 1.5


def test_model_beats_naive_on_list_size_averaged_over_training_windows(national):
    scores = {"model": [], "naive": []}
    for k in range(5, 12):
        result = backtest(national, k)
        for method in scores:
            row = result.filter((result["method"] == method) & (result["measure"] == "total"))
            scores[method].append(row["mape"][0])
    assert np.mean(scores["model"]) < np.mean(scores["naive"])


def test_actuals_use_monthly_bins_with_18_weeks_interpolated(national):
    actual = actual_measures(national)
    assert actual.shape == (1, 13, 3)
    assert actual[0, 0, 0] == pytest.approx(7_481_369, rel=1e-6)
    assert 55 < actual[0, 0, 1] < 65  # England was near 59% within 18 weeks in 2024/25
    assert actual[0, 0, 2] == pytest.approx(national.incomplete[0, 0, 12])


def test_provider_backtest_skips_small_lists(series):
    obs = observations_from_series(series, "provider")
    result = backtest(obs, 9, min_size=1000)
    lists = result["lists"][0]
    assert 0 < lists < obs.keys.height
    with pytest.raises(ValueError):
        backtest(obs, 13)
