"""Inputs: weekly bins from a published extract reproduce NHS England's figures at the start."""

from datetime import date

import numpy as np
import polars as pl
import pytest

from carebacklog.forecast.inputs import (
    calibrate,
    inputs_from_ptl,
    load_observations,
    observations_from_series,
    observations_from_tidy,
)
from carebacklog.published import headline_measures

from .conftest import RBD


def test_starting_18_week_share_is_the_published_one(rbd_tidy):
    obs = observations_from_tidy(rbd_tidy, "provider,treatment_function")
    published = headline_measures(rbd_tidy, "incomplete", by=["provider", "treatment_function"])
    w = obs.bins.measure_weights()
    stock = obs.incomplete[:, -1]
    ours = obs.keys.with_columns(
        pl.Series("within", stock @ w[:, 1]), pl.Series("over52", stock @ w[:, 2]),
        pl.Series("known", stock.sum(axis=1)),
    )
    joined = ours.join(published, on=["provider_code", "treatment_function"])
    assert joined.height == obs.keys.height
    assert np.allclose(joined["within"], joined["within_18"])
    assert np.allclose(joined["over52"], joined["over_52"])
    assert np.allclose(100 * joined["within"] / joined["known"], joined["pct_within_18"])


def test_single_month_uses_its_own_flows(rbd_tidy):
    cal = calibrate(observations_from_tidy(rbd_tidy))
    part = rbd_tidy.group_by("part").agg(pl.col("count").sum())
    counts = dict(zip(part["part"], part["count"], strict=True))
    assert cal.starts[0] >= counts["Part_3"]  # anchoring can only add unreported inflow
    known_stops = rbd_tidy.filter(pl.col("part").is_in(["Part_1A", "Part_1B"]) & pl.col("weeks_band").is_not_null())
    assert cal.capacity[0] == pytest.approx(known_stops["count"].sum())
    assert cal.months_observed == 1 and cal.census == date(2024, 11, 30)


def test_series_by_provider_and_treatment_function(series):
    obs = observations_from_series(series, "provider,treatment_function")
    assert set(obs.keys.columns) == {"provider", "treatment_function"}
    assert len(obs.periods) == 13 and obs.bins.size == 13
    national = observations_from_series(series, "national")
    assert national.incomplete[0, 0].sum() == pytest.approx(7_481_369, rel=1e-6)  # May 2024, README check


def test_inputs_from_a_trusts_own_ptl_and_periods():
    census = date(2025, 3, 31)
    weeks = [0, 1, 5, 17, 18, 30, 52, 60] * 5
    ptl = pl.DataFrame({"pathway_id": [str(i) for i in range(len(weeks))], "weeks_waited": weeks,
                        "treatment_function": ["110"] * 20 + ["120"] * 20})
    periods = pl.DataFrame({
        "clock_start": [date(2025, 1, 5), date(2025, 2, 1), date(2025, 3, 2), date(2024, 6, 1)],
        "clock_stop": [date(2025, 2, 1), None, date(2025, 3, 20), date(2025, 3, 1)],
        "outcome": ["admitted", "open", "non_admitted", "non_admitted"],
        "treatment_function": ["110", "110", "120", "120"],
    })
    cal = inputs_from_ptl(ptl, census, periods=periods, by=["treatment_function"])
    assert cal.keys["treatment_function"].to_list() == ["110", "120"]
    assert cal.stock.sum(axis=1).tolist() == [20, 20]
    assert cal.capacity.tolist() == pytest.approx([1 / 3, 2 / 3])
    simple = inputs_from_ptl(ptl, census, starts_per_month=30, stops_per_month=25)
    assert simple.capacity[0] == pytest.approx(25)


def test_missing_file_and_mixed_inputs_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_observations([tmp_path / "nope.csv"])
    (tmp_path / "x.parquet").touch()
    with pytest.raises(ValueError):
        load_observations([RBD, tmp_path / "x.parquet"])


def test_two_consecutive_published_months_use_the_residual_estimator_on_weekly_bins(rbd_tidy):
    """A second month (the same provider a month on, list 2% longer) exercises weekly-bin calibration
    from monthly data: the month ages the list by 4.348 weekly bands."""
    nxt = rbd_tidy.with_columns(pl.lit(date(2024, 12, 31)).alias("period"), pl.col("count") * 1.02)
    cal = calibrate(observations_from_tidy(pl.concat([rbd_tidy, nxt]), "national"))
    assert cal.months_observed == 2 and cal.census == date(2024, 12, 31) and cal.bins.size == 105
    assert (cal.renege >= 0).all() and (cal.renege <= 0.5).all() and (cal.profile >= 0).all()
    from carebacklog.forecast.montecarlo import forecast

    fc = forecast(cal, 3, rng=np.random.default_rng(0), runs=0)
    assert fc.measure("total")[0, 0] == pytest.approx(cal.stock.sum() + cal.unknown_start[0], rel=0.05)
    with pytest.raises(ValueError, match="consecutive"):
        observations_from_tidy(pl.concat([rbd_tidy, nxt.with_columns(pl.lit(date(2025, 2, 28)).alias("period"))]))
