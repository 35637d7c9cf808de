"""A real trust's bed model from its KH03 and A&E figures reproduces its published occupancy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from carebacklog.flow.bedsim import discharge_service, simulate_beds
from carebacklog.flow.calibrate import calibrate_model

Q4_2024_25 = dt.date(2025, 3, 31)


def test_dorset_county_hospital_occupancy_is_reproduced(series):
    model, published = calibrate_model(series, "RBD", Q4_2024_25, electives_per_weekday=8.0,
                                       delayed_share=0.12, delayed_days=5.0)
    # KH03 January–March 2025: 340.0 general & acute beds available, 328.3 occupied (96.5%)
    assert published["beds_available"] == pytest.approx(340.044, abs=0.001)
    assert round(published["occupancy"], 1) == 96.5
    assert model.beds == 340
    # A&E SitRep January–March 2025: emergency admissions (via A&E and other) per day
    assert published["emergency_per_day"] == pytest.approx(76.1, abs=0.05)
    run = simulate_beds(model, 730, rng=np.random.default_rng(2024)).summary()  # not the fitting seed
    assert run["occupancy"] * 100 == pytest.approx(published["occupancy"], abs=1.0)
    assert run["mean_occupied_midnight"] == pytest.approx(published["beds_occupied"], rel=0.012)
    # the discharge service: two days off each delayed discharge frees beds and saves cancellations
    after = simulate_beds(discharge_service(model, 2.0), 730, rng=np.random.default_rng(2024)).summary()
    freed = run["mean_occupied_beds"] - after["mean_occupied_beds"]
    assert 10 < freed < 16  # Little's law: 76.1 × 0.12 × 5 × (1 − e^(−0.4)) ≈ 15.1 offered
    assert after["electives_cancelled"] < run["electives_cancelled"]


def test_calibration_needs_the_quarters_figures(series):
    with pytest.raises(ValueError, match="no KH03"):
        calibrate_model(series, "NOPE", Q4_2024_25)
    with pytest.raises(ValueError, match="need all three"):
        calibrate_model(series, "RBD", dt.date(2024, 6, 30))  # A&E starts in June 2024
    with pytest.raises(ValueError, match="not the last day of a quarter"):
        calibrate_model(series, "RBD", dt.date(2025, 2, 28))
