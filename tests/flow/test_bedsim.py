"""Bed-flow simulation: queueing theory on simple cases, scenarios, speed."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from carebacklog.booking.theory import mmc
from carebacklog.flow.bedsim import (
    BedModel,
    discharge_service,
    erlang_b,
    extra_beds,
    ring_fence,
    simulate_beds,
)


def test_erlang_b_hand_worked():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)  # a / (1 + a)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)  # (a²/2) / (1 + a + a²/2)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(10, 8.0) == pytest.approx(0.12166, abs=1e-5)


@pytest.mark.parametrize("cv", [1.0, 0.5, 2.0])
def test_loss_system_matches_erlang_b_whatever_the_stay_distribution(cv):
    """Beds with no waiting room (patients finding no bed are diverted): M/G/c/c blocking is Erlang B,
    insensitive to the length-of-stay distribution beyond its mean."""
    model = BedModel(beds=10, emergency_per_day=8.0, emergency_los_days=1.0, emergency_los_cv=cv,
                     emergency_queue=False)
    s = simulate_beds(model, 20_000, rng=np.random.default_rng(7)).summary()
    blocked = s["emergency_diverted"] / s["emergency_arrivals"]
    assert blocked == pytest.approx(erlang_b(10, 8.0), abs=0.008)
    # carried load: occupied beds = a·(1 − B)
    assert s["mean_occupied_beds"] == pytest.approx(8.0 * (1 - erlang_b(10, 8.0)), rel=0.02)


@pytest.mark.parametrize(("beds", "per_day"), [(5, 4.0), (10, 8.0)])
def test_delay_system_matches_erlang_c(beds, per_day):
    """Emergency patients waiting first come first served for exponential stays: M/M/c."""
    theory = mmc(per_day, 1.0, beds)
    result = simulate_beds(BedModel(beds=beds, emergency_per_day=per_day, emergency_los_days=1.0), 20_000,
                           rng=np.random.default_rng(11))
    s = result.summary()
    assert s["share_waiting"] == pytest.approx(theory.probability_of_waiting, abs=0.025)
    assert s["mean_wait_hours"] == pytest.approx(theory.mean_wait * 24, rel=0.2)
    assert s["occupancy"] == pytest.approx(per_day / beds, abs=0.01)
    waits = result.patients["wait_hours"].to_numpy()
    for hours in (4, 12):  # P(W > t) = C·exp(−(cμ − λ)t)
        expected = theory.probability_of_waiting * math.exp(-(beds - per_day) * hours / 24)
        assert (waits > hours).mean() == pytest.approx(expected, abs=0.03)


def test_midnight_count_and_time_average_agree_with_littles_law():
    model = BedModel(beds=200, emergency_per_day=30.0, emergency_los_days=4.0, emergency_los_cv=1.4,
                     electives_per_weekday=7.0, elective_los_days=3.0)
    s = simulate_beds(model, 2_000, rng=np.random.default_rng(3)).summary()
    offered = 30.0 * 4.0 + 7.0 * 5 / 7 * 3.0  # 135 beds: well below 200, so almost nobody waits
    assert s["electives_cancelled"] == 0 and s["dta_over_4h"] == 0
    assert s["mean_occupied_beds"] == pytest.approx(offered, rel=0.02)
    assert s["mean_occupied_midnight"] == pytest.approx(offered, rel=0.03)


def test_discharge_service_frees_the_beds_littles_law_predicts():
    """Delays exponential with mean d shortened by N: beds freed = λ·share·d·(1 − e^(−N/d))."""
    base = BedModel(beds=400, emergency_per_day=50.0, emergency_los_days=4.0, emergency_los_cv=1.2,
                    delayed_share=0.2, delayed_days=5.0)
    before = simulate_beds(base, 3_000, rng=np.random.default_rng(5)).summary()
    after = simulate_beds(discharge_service(base, 2.0), 3_000, rng=np.random.default_rng(5)).summary()
    freed = before["mean_occupied_beds"] - after["mean_occupied_beds"]
    assert freed == pytest.approx(50.0 * 0.2 * 5.0 * (1 - math.exp(-2.0 / 5.0)), rel=0.05)  # ≈ 16.5 beds
    assert after["delayed_bed_days"] < before["delayed_bed_days"]


def _busy_trust() -> BedModel:
    # ~94% occupied: emergencies 52/day × (4.2 + 0.15 × 6) days ≈ 265 beds, electives 12/weekday × 2.5 ≈ 21
    return BedModel(beds=305, emergency_per_day=52.0, emergency_los_days=4.2, emergency_los_cv=1.3,
                    electives_per_weekday=12.0, elective_los_days=2.5, elective_los_cv=1.2,
                    delayed_share=0.15, delayed_days=6.0)


def test_scenarios_move_waits_and_cancellations_the_expected_way():
    days = 730
    base = simulate_beds(_busy_trust(), days, rng=np.random.default_rng(1)).summary()
    service = simulate_beds(discharge_service(_busy_trust(), 2.0), days, rng=np.random.default_rng(1)).summary()
    beds = simulate_beds(extra_beds(_busy_trust(), 15), days, rng=np.random.default_rng(1)).summary()
    hub = simulate_beds(ring_fence(_busy_trust(), 30), days, rng=np.random.default_rng(1)).summary()
    assert base["dta_over_12h"] > 0 and base["electives_cancelled"] > 0
    for better in (service, beds):
        assert better["dta_over_12h"] < base["dta_over_12h"]
        assert better["dta_over_4h"] < base["dta_over_4h"]
        assert better["electives_cancelled"] < base["electives_cancelled"]
    assert service["mean_occupied_beds"] < base["mean_occupied_beds"]  # beds freed
    # an elective hub protects electives and costs emergency patients their beds
    assert hub["electives_cancelled"] < base["electives_cancelled"]
    assert hub["dta_over_12h"] > base["dta_over_12h"]
    # same seed, same patients: common random numbers across scenarios
    assert service["emergency_arrivals"] == base["emergency_arrivals"] == hub["emergency_arrivals"]


def test_electives_never_jump_the_emergency_queue():
    p = simulate_beds(_busy_trust(), 365, rng=np.random.default_rng(2)).patients
    em = p.filter(pl.col("route") == "emergency", pl.col("outcome") == "admitted").sort("arrival")
    # first come first served: emergency patients are admitted in the order they arrived
    assert np.all(np.diff(em["admitted"].to_numpy()) >= 0)
    assert em["wait_hours"].max() > 4  # there was a queue to jump
    arrival, admitted = em["arrival"].to_numpy(), em["admitted"].to_numpy()
    electives = p.filter(pl.col("route") == "elective", pl.col("outcome") == "admitted")["admitted"].to_numpy()
    # no elective is admitted to a general bed while an emergency patient waits in A&E
    waiting_then = [np.any((arrival < t) & (admitted > t)) for t in electives]
    assert not any(waiting_then)


def test_seasonal_rates_and_validation():
    winter = tuple([60.0] * 90 + [45.0] * 275)
    result = simulate_beds(BedModel(beds=400, emergency_per_day=winter, emergency_los_days=4.0), 365,
                           rng=np.random.default_rng(4))
    daily = result.daily
    assert daily.height == 365
    assert daily["emergency_admissions"][:90].mean() > daily["emergency_admissions"][120:].mean() + 10
    with pytest.raises(ValueError):
        BedModel(beds=-1, emergency_per_day=1.0, emergency_los_days=1.0)
    with pytest.raises(ValueError):
        BedModel(beds=1, emergency_per_day=1.0, emergency_los_days=0.0)
    with pytest.raises(ValueError):
        ring_fence(BedModel(beds=5, emergency_per_day=1.0, emergency_los_days=1.0), 6)


def test_a_year_of_a_large_hospital_runs_well_under_a_second():
    model = BedModel(beds=900, emergency_per_day=160.0, emergency_los_days=4.0, emergency_los_cv=1.3,
                     electives_per_weekday=45.0, elective_los_days=2.5, delayed_share=0.15, delayed_days=6.0)
    best = math.inf
    for seed in range(3):
        start = time.perf_counter()
        simulate_beds(model, 365, rng=np.random.default_rng(seed))
        best = min(best, time.perf_counter() - start)
    assert best < 1.0


def test_compare_scenarios_reports_beds_freed_and_changes():
    from carebacklog.flow.bedsim import compare_scenarios

    base = _busy_trust()
    table = compare_scenarios(base, {"discharge 2 days": discharge_service(base, 2.0), "20 beds": extra_beds(base, 20)},
                              days=365, seed=3)
    assert table["scenario"].to_list() == ["baseline", "discharge 2 days", "20 beds"]
    baseline = simulate_beds(base, 365, rng=np.random.default_rng(3)).summary()
    assert table["mean_occupied_beds"][0] == baseline["mean_occupied_beds"] and table["beds_freed"][0] == 0
    service = table.row(1, named=True)
    assert service["beds_freed"] > 5
    assert service["dta_over_12h_change"] == service["dta_over_12h"] - baseline["dta_over_12h"] <= 0
    assert service["electives_cancelled_change"] < 0 and table["electives_cancelled_change"][2] < 0


def test_rebooked_electives_go_first_on_the_next_weekday_list_hand_worked():
    """One bed, two electives booked each weekday, each staying ~0.4 days (the bed is free again by the
    next morning): one operation a weekday, first booked first treated, so the j-th patient booked (0, 1,
    …) is treated on the j-th weekday, and the list grows by one a day."""
    model = BedModel(beds=1, emergency_per_day=0.0, emergency_los_days=1.0, electives_per_weekday=2.0,
                     elective_los_days=0.4, elective_los_cv=1e-3, rebook_cancelled=True)
    result = simulate_beds(model, 28, rng=np.random.default_rng(0), warmup_days=0)
    p = result.patients.sort("arrival", maintain_order=True)
    weekdays = [d for d in range(28) if d % 7 < 5]  # 20 weekdays; day 0 is a Monday
    admitted = p.filter(pl.col("outcome") == "admitted")
    assert admitted.height == 20
    assert [int(a) for a in admitted["admitted"].to_list()] == weekdays
    assert p["admitted"].to_list()[:20] == [d + 8 / 24 for d in weekdays]  # in booking order
    assert p["cancellations"].to_list()[:3] == [0, 1, 1]  # patient 1 waits a day, patient 2 a day
    # patient j is booked on weekday j // 2 and treated on weekday j: cancelled j - j//2 times
    assert p["cancellations"].to_list()[:20] == [j - j // 2 for j in range(20)]
    assert result.daily["electives_cancelled"].sum() == result.summary()["electives_cancelled"]
    # first cancelled on weekday 9 (patient 19), treated on weekday 19: 14 days later; nobody past 28 days
    assert result.summary()["electives_not_treated_within_28_days"] == 20  # the 20 still waiting at the end


def test_rebooking_treats_more_electives_and_counts_28_day_breaches():
    fuller = extra_beds(_busy_trust(), -10)  # 295 beds: some rebooked patients wait past 28 days
    plain = simulate_beds(fuller, 365, rng=np.random.default_rng(8)).summary()
    rebooked_model = BedModel(**{**fuller.__dict__, "rebook_cancelled": True})
    result = simulate_beds(rebooked_model, 365, rng=np.random.default_rng(8))
    rebooked = result.summary()
    assert plain["electives_not_treated_within_28_days"] == plain["electives_cancelled"]  # never rebooked
    el = result.patients.filter(pl.col("route") == "elective")
    treated_plain = plain["electives_booked"] - plain["electives_cancelled"]
    assert el.filter(pl.col("outcome") == "admitted").height > treated_plain
    assert 0 < rebooked["electives_not_treated_within_28_days"] < el.filter(pl.col("cancellations") > 0).height
    # a rebooked patient is admitted on a weekday list at 08:00
    late = el.filter(pl.col("cancellations") > 0, pl.col("outcome") == "admitted")["admitted"].to_numpy()
    assert np.allclose((late % 1) * 24, 8.0) and np.all(np.floor(late + 28) % 7 < 5)


def test_weekend_discharge_holds_add_the_beds_littles_law_predicts():
    """Half of Saturday and Sunday discharges held to Monday: each patient is held 2 days with
    probability ½·1/7 and 1 day with probability ½·1/7, i.e. 3/14 of a day on average, so the hospital
    needs λ·3/14 more beds, and they show as a Sunday-night peak."""
    base = BedModel(beds=400, emergency_per_day=50.0, emergency_los_days=4.0)
    plain = simulate_beds(base, 2_000, rng=np.random.default_rng(5))
    held = simulate_beds(replace(base, weekend_discharge_share=0.5), 2_000, rng=np.random.default_rng(5))
    extra = held.mean_occupied_beds - plain.mean_occupied_beds
    assert plain.delayed_bed_days == 0
    assert extra == pytest.approx(50.0 * 3 / 14, rel=0.05)
    assert held.delayed_bed_days / 2_000 == pytest.approx(extra, rel=0.01)
    by_day = held.daily.with_columns(weekday=pl.col("day") % 7).group_by("weekday").agg(pl.col("occupied_midnight").mean())
    nights = dict(by_day.iter_rows())
    assert nights[6] > nights[4] + 30  # Sunday night against Friday night
    # the same seed draws the same patients: only the holds differ
    assert held.patients["arrival"].equals(plain.patients["arrival"])
    with pytest.raises(ValueError):
        BedModel(beds=1, emergency_per_day=1.0, emergency_los_days=1.0, weekend_discharge_share=1.5)
