"""Sorted and scored pools book the same patients; inputs and the scenario contract."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from pydantic import ValidationError

from carebacklog.booking import (
    CustomScore,
    EquityWeighted,
    Fifo,
    PoolView,
    PriorityThenChronological,
    Scenario,
    load_scenario,
    read_starting_list,
    scenario_from_list,
    simulate,
)
from carebacklog.booking.inputs import InputError

CENSUS = dt.date(2025, 3, 31)


@pytest.mark.parametrize("policy", [Fifo(), PriorityThenChronological(), EquityWeighted()])
def test_sorted_pools_book_exactly_what_scoring_every_day_books(policy, make_ptl, two_specialties) -> None:
    # The same order evaluated afresh each day (argpartition) and read off sorted pools must treat
    # patients with the same keys every day (ties may fall to different, interchangeable patients).
    scored = CustomScore(fn=policy.score, name="scored", time_invariant=False)
    start, scenario = make_ptl(1200, seed=8), two_specialties()
    a = simulate(start, scenario, policy, census_date=CENSUS, weeks=10, rng=np.random.default_rng(2))
    b = simulate(start, scenario, scored, census_date=CENSUS, weeks=10, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a.daily["clock_stops"], b.daily["clock_stops"])
    np.testing.assert_array_equal(a.weekly["list_size"], b.weekly["list_size"])
    cols = a.population.columns
    key = -policy.score(PoolView(cols, np.arange(a.population.size), 0))  # no deterioration: keys fixed
    for day in range(0, 70, 5):
        np.testing.assert_array_equal(
            np.sort(key[a.exit_day == day]), np.sort(key[b.exit_day == day]), err_msg=f"day {day}"
        )


def test_scenario_from_list_reads_demand_and_priority_mix(make_ptl) -> None:
    start = make_ptl(2000, seed=1)
    scenario = scenario_from_list(start, CENSUS, capacity_ratio=1.2)
    recent = start.filter(pl.col("days_waited") < 28)
    by_tf = dict(recent.group_by("treatment_function").len().iter_rows())
    admitted = start.group_by("treatment_function").agg(
        (pl.col("has_dta") | pl.col("priority").is_not_null()).mean().alias("share")
    )
    share = dict(admitted.iter_rows())
    for spec in scenario.specialties:
        demand = spec.referrals_per_week
        assert demand == pytest.approx(by_tf[spec.treatment_function] / 4)
        # two stages: outpatients at 1.2 × demand, converting at the list's admitted share
        stage = spec.outpatient
        assert stage is not None and stage.conversion_rate == pytest.approx(share[spec.treatment_function])
        assert sum(stage.sessions_per_week) * stage.cases_per_session == pytest.approx(1.2 * demand)
        assert spec.weekly_capacity() == pytest.approx(1.2 * demand * stage.conversion_rate)
    assert set(scenario.priority_mix) <= {"P2", "P3", "P4", "none"}
    assert sum(scenario.priority_mix.values()) == pytest.approx(1.0)
    single = scenario_from_list(start, CENSUS, capacity_ratio=1.2, two_stage=False)
    assert all(s.outpatient is None and s.weekly_capacity() == pytest.approx(1.2 * s.referrals_per_week)
               for s in single.specialties)
    with pytest.raises(InputError, match="empty list"):
        scenario_from_list(start.head(0), CENSUS)


def test_ptl_file_census_date_is_derived_from_days_waited(tmp_path, make_ptl) -> None:
    path = tmp_path / "ptl.parquet"
    make_ptl(50).write_parquet(path)
    start = read_starting_list(path)
    assert start.census_date == CENSUS and start.source == "ptl" and start.ptl.height == 50
    no_days = tmp_path / "nodays.csv"
    make_ptl(5).drop("days_waited").write_csv(no_days)
    with pytest.raises(InputError, match="census-date"):
        read_starting_list(no_days)
    assert read_starting_list(no_days, census_date=CENSUS).census_date == CENSUS
    missing = tmp_path / "missing_col.csv"
    make_ptl(5).drop("clock_start").write_csv(missing)
    with pytest.raises(InputError, match="'clock_start' missing"):
        read_starting_list(missing)


def test_scenario_contract_refuses_inconsistent_input(tmp_path, two_specialties) -> None:
    with pytest.raises(ValueError, match=r"\['999'\] are not in specialties"):
        simulate(None, two_specialties(strikes=[{"dates": ["2025-04-01"], "treatment_functions": ["999"]}]),
                 Fifo(), census_date=CENSUS, weeks=1, rng=np.random.default_rng(0))
    with pytest.raises(ValidationError, match="must not exceed 1"):
        two_specialties(dna_rate=0.6, cancellation_rate=0.5)
    with pytest.raises(ValidationError, match="unknown priority"):
        two_specialties(priority_mix={"P7": 1.0})
    with pytest.raises(ValidationError, match="7 items"):
        two_specialties(weekday_pattern=[1, 1, 1])
    with pytest.raises(ValidationError, match="once"):
        Scenario.model_validate({"specialties": [two_specialties().specialties[0].model_dump()] * 2})
    path = tmp_path / "s.json"
    path.write_text(json.dumps(json.loads(two_specialties().model_dump_json())))
    assert load_scenario(path) == two_specialties()
    path.write_text("{not json")
    with pytest.raises(InputError, match="line 1, column 2"):
        load_scenario(path)


def test_complete_scenario_reads_left_out_specialties_off_the_list(make_ptl) -> None:
    from carebacklog.booking import complete_scenario

    start = make_ptl(400)  # treatment functions 110 and 130
    partial = Scenario.model_validate(
        {
            "specialties": [{"treatment_function": "110", "referrals_per_week": 9, "sessions_per_week": [1] * 7,
                             "cases_per_session": 2}],
            "dna_rate": 0.1,
            "strikes": [{"dates": ["2025-04-02"], "treatment_functions": ["130"]}],
        }
    )
    full = complete_scenario(partial, start, CENSUS, capacity_ratio=0.8, two_stage=False)
    assert full.specialty_codes() == ["110", "130"]
    assert full.specialties[0] == partial.specialties[0] and full.dna_rate == 0.1
    assert full.specialties[1].weekly_capacity() == pytest.approx(0.8 * full.specialties[1].referrals_per_week)
    with pytest.raises(InputError, match="no specialties"):
        complete_scenario(Scenario(), None, CENSUS)
    assert complete_scenario(full, start, CENSUS) is full
