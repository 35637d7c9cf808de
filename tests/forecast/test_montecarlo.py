"""Monte Carlo projection: seeded, ordered ranges, runs as an array axis."""

import numpy as np
import pytest

from carebacklog.forecast.inputs import calibrate, observations_from_tidy
from carebacklog.forecast.montecarlo import Scenario, forecast, month_ends


@pytest.fixture(scope="module")
def rbd_cal(rbd_tidy):
    return calibrate(observations_from_tidy(rbd_tidy, "national"))


def test_same_seed_same_ranges_and_ordered_quantiles(rbd_cal):
    a = forecast(rbd_cal, 6, rng=np.random.default_rng(7), runs=300)
    b = forecast(rbd_cal, 6, rng=np.random.default_rng(7), runs=300)
    c = forecast(rbd_cal, 6, rng=np.random.default_rng(8), runs=300)
    assert np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    lo, mid, hi = a.values[..., 0], a.values[..., 1], a.values[..., 2]
    assert (lo <= mid + 1e-9).all() and (mid <= hi + 1e-9).all()
    assert (hi[:, -1, 0] - lo[:, -1, 0] > hi[:, 0, 0] - lo[:, 0, 0]).all()  # ranges widen with time


def test_median_run_is_close_to_the_central_path(rbd_cal):
    central = forecast(rbd_cal, 6, rng=np.random.default_rng(0), runs=0)
    mc = forecast(rbd_cal, 6, rng=np.random.default_rng(0), runs=1000)
    assert np.allclose(mc.measure("total"), central.measure("total"), rtol=0.02)


def test_first_month_starts_from_the_published_list(rbd_cal):
    fc = forecast(rbd_cal, 1, rng=np.random.default_rng(0), runs=0)
    start_total = rbd_cal.stock.sum() + rbd_cal.unknown_start.sum()
    assert fc.measure("total")[0, 0] == pytest.approx(start_total, rel=0.05)
    assert fc.months == month_ends(rbd_cal.census, 1)


def test_scenarios_move_the_list_the_right_way(rbd_cal):
    rng = np.random.default_rng
    base = forecast(rbd_cal, 12, rng=rng(0), runs=0).measure("total")[0, -1]
    growth = forecast(rbd_cal, 12, rng=rng(0), runs=0, scenario=Scenario(referral_growth=0.05)).measure("total")
    strike = forecast(rbd_cal, 12, rng=rng(0), runs=0, scenario=Scenario(capacity_change=-0.1)).measure("total")
    extra = forecast(rbd_cal, 12, rng=rng(0), runs=0, scenario=Scenario(extra_capacity=100)).measure("total")
    assert growth[0, -1] > base and strike[0, -1] > base and extra[0, -1] < base


def test_frame_has_the_json_columns(rbd_cal):
    frame = forecast(rbd_cal, 2, rng=np.random.default_rng(0), runs=50).to_frame()
    for col in ("month", "total", "total_p10", "total_p90", "pct_within_18", "pct_within_18_p10",
                "pct_within_18_p90", "over_52", "over_52_p10", "over_52_p90"):
        assert col in frame.columns
    assert frame["month"].to_list() == ["2024-12", "2025-01"]
