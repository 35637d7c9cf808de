"""The daily booking simulation: conservation, booking order, DNAs, reneging, deterioration, scenarios."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.booking import Fifo, PriorityThenChronological, Scenario, get_policy, simulate
from carebacklog.booking.arrivals import NO_DAY, PRIORITY_RANK
from carebacklog.booking.engine import OUTCOME_CENTRE, OUTCOME_RENEGED, OUTCOME_TREATED, OUTCOME_WAITING

CENSUS = dt.date(2025, 3, 31)  # as conftest: day 0 of the simulation is Tuesday 1 April 2025


def _no_referrals(two_specialties, **changes: object) -> Scenario:
    scenario = two_specialties(**changes)
    specs = [s.model_copy(update={"referrals_per_week": 0.0}) for s in scenario.specialties]
    return scenario.model_copy(update={"specialties": specs})


def _run(ptl, scenario, policy="priority", weeks=8, seed=1):
    return simulate(ptl, scenario, get_policy(policy), census_date=CENSUS, weeks=weeks, rng=np.random.default_rng(seed))


def test_every_patient_is_accounted_for(ptl, scenario) -> None:
    scenario = scenario.model_copy(update={"renege_rate_per_week": 0.02, "dna_rate": 0.1, "cancellation_rate": 0.05})
    run = _run(ptl, scenario, weeks=20)
    counts = np.bincount(run.outcome, minlength=4)
    assert counts.sum() == ptl.height + run.daily["arrivals"].sum()
    assert counts[OUTCOME_TREATED] == run.daily["clock_stops"].sum()
    assert run.weekly["list_size"][-1] == counts[OUTCOME_WAITING] == run.final_list().height
    # stock and flow each week: list(t) = list(t−1) + referrals − treated − reneged
    from carebacklog.booking import run_measures

    weekly = run_measures(run)["weekly"]
    sizes = np.concatenate([[ptl.height], weekly["list_size"].to_numpy()])
    flow = weekly["referrals"] - weekly["treated"] - weekly["reneged"] - weekly["nullified"]
    np.testing.assert_array_equal(np.diff(sizes), flow.to_numpy())


@pytest.mark.parametrize("policy", ["fifo", "priority", "equity", "ringfence"])
def test_each_patient_is_booked_at_most_once_a_day_under_every_policy(policy, ptl, two_specialties) -> None:
    # deterioration re-files patients; an unchanged key (FIFO ignores priority) must not file them twice
    scenario = two_specialties(deterioration_rate_per_week={"P4": 0.3, "P3": 0.3}, renege_rate_per_week=0.05)
    run = _run(ptl, scenario, policy=policy, weeks=12)
    counts = np.bincount(run.outcome, minlength=4)
    assert run.weekly["list_size"][-1] == counts[OUTCOME_WAITING]
    assert counts[OUTCOME_TREATED] == run.daily["clock_stops"].sum()
    assert counts.sum() == ptl.height + run.daily["arrivals"].sum()


def test_starts_from_an_empty_list(scenario) -> None:
    run = _run(None, scenario, weeks=6)
    assert run.population.n_existing == 0
    assert run.daily["arrivals"].sum() > 0
    assert run.daily["clock_stops"].sum() > 0
    assert run.weekly["list_size"][-1] == np.count_nonzero(run.outcome == OUTCOME_WAITING)


def test_fifo_treats_the_longest_waiters_first(ptl, two_specialties) -> None:
    run = _run(ptl, _no_referrals(two_specialties), policy="fifo", weeks=2)
    cols = run.population.columns
    for spec in (0, 1):
        mine = cols["specialty"] == spec
        treated = cols["clock_start"][mine & (run.outcome == OUTCOME_TREATED)]
        waiting = cols["clock_start"][mine & (run.outcome == OUTCOME_WAITING)]
        assert treated.size > 0 and waiting.size > 0
        assert treated.max() <= waiting.min()


def test_priority_then_chronological_books_urgent_first_then_in_turn(ptl, two_specialties) -> None:
    run = _run(ptl, _no_referrals(two_specialties), policy="priority", weeks=3)
    cols = run.population.columns
    key = cols["priority_rank"].astype(np.int64) * 10_000 + cols["clock_start"]
    for spec in (0, 1):
        mine = cols["specialty"] == spec
        treated = key[mine & (run.outcome == OUTCOME_TREATED)]
        waiting = key[mine & (run.outcome == OUTCOME_WAITING)]
        assert treated.max() <= waiting.min()
    # patients without a priority book after P4 (the PTL's booking order)
    assert PRIORITY_RANK[-1] == 5 and PRIORITY_RANK[4] == 4


def test_dna_and_cancellation_lose_the_slot_and_keep_the_patient(ptl, make_ptl, two_specialties) -> None:
    run = _run(ptl, _no_referrals(two_specialties, dna_rate=1.0, first_dna_nullifies=False), weeks=2)
    assert run.daily["clock_stops"].sum() == 0
    assert run.daily["dna"].sum() == run.daily["booked"].sum() == run.daily["capacity"].sum()
    assert run.final_list().height == ptl.height
    run = _run(make_ptl(3000), _no_referrals(two_specialties, cancellation_rate=0.3), weeks=4)
    booked, cancelled = run.daily["booked"].sum(), run.daily["cancelled"].sum()
    assert cancelled == booked - run.daily["attended"].sum()
    assert abs(cancelled / booked - 0.3) < 4 * np.sqrt(0.3 * 0.7 / booked)


def test_dna_at_the_first_appointment_nullifies_the_period(make_ptl, two_specialties) -> None:
    from carebacklog.booking.engine import OUTCOME_NULLIFIED

    start = make_ptl(800, seed=3)
    run = _run(start, _no_referrals(two_specialties, dna_rate=0.5), policy="fifo", weeks=3)
    cols = run.population.columns
    gone = run.outcome == OUTCOME_NULLIFIED
    assert gone.any() and gone.sum() == run.daily["nullified"].sum()
    # only pathways with no first appointment yet (not on an admitted list at the start) can be nullified
    assert not (gone & cols["admitted"]).any()
    # a pathway that attended or missed once is never nullified later: at most one nullification per
    # pathway, and each nullification is a DNA
    assert run.daily["nullified"].sum() <= run.daily["dna"].sum()
    assert run.weekly["list_size"][-1] == np.count_nonzero(run.outcome == OUTCOME_WAITING)
    # new referrals have not had a first appointment either
    with_referrals = _run(None, two_specialties(dna_rate=0.5), weeks=4)
    assert with_referrals.daily["nullified"].sum() > 0
    # with the rule switched off, the same DNAs keep everyone on the list
    kept = _run(start, _no_referrals(two_specialties, dna_rate=0.5, first_dna_nullifies=False), "fifo", weeks=3)
    assert kept.daily["nullified"].sum() == 0
    assert kept.weekly["list_size"][-1] > run.weekly["list_size"][-1]


def test_patients_who_leave_are_removed_at_the_renege_rate(ptl, make_ptl, two_specialties) -> None:
    scenario = _no_referrals(two_specialties, renege_rate_per_week=0.05)
    scenario = scenario.model_copy(
        update={"specialties": [s.model_copy(update={"cases_per_session": 0.0}) for s in scenario.specialties]}
    )
    big = make_ptl(5000)
    run = _run(big, scenario, weeks=10)
    left = np.count_nonzero(run.outcome == OUTCOME_RENEGED)
    expected = 1 - np.exp(-0.05 * 10)
    assert abs(left / big.height - expected) < 4 * np.sqrt(expected * (1 - expected) / big.height)
    assert run.weekly["list_size"][-1] == big.height - left
    assert (run.exit_day[run.outcome == OUTCOME_RENEGED] < run.days).all()


def test_renege_hazard_by_weeks_waited(make_ptl, two_specialties) -> None:
    # a validation sweep: nobody leaves before 52 weeks, then half the remaining leave each week or so
    scenario = _no_referrals(
        two_specialties, renege_by_weeks_waited=[{"from_week": 0, "rate_per_week": 0.0},
                                                 {"from_week": 52, "rate_per_week": 0.7}],
    )
    scenario = scenario.model_copy(
        update={"specialties": [s.model_copy(update={"cases_per_session": 0.0}) for s in scenario.specialties]}
    )
    start = make_ptl(4000, seed=9)
    run = _run(start, scenario, weeks=10)
    cols = run.population.columns
    left = run.outcome == OUTCOME_RENEGED
    waited_at_exit = run.exit_day[left] - cols["clock_start"][left]
    assert left.any() and (waited_at_exit >= 364).all()
    over_52_all_along = (start["days_waited"] >= 364).to_numpy()
    assert left[over_52_all_along].mean() == pytest.approx(1 - np.exp(-0.7 * 10), abs=0.02)
    never_reach = (start["days_waited"] + 70 < 364).to_numpy()
    assert not left[never_reach].any()
    with pytest.raises(ValueError, match="start at week 0"):
        two_specialties(renege_by_weeks_waited=[{"from_week": 4, "rate_per_week": 0.1}])


def test_reneged_patients_are_never_booked_afterwards(ptl, scenario) -> None:
    run = _run(ptl, scenario.model_copy(update={"renege_rate_per_week": 0.2}), weeks=12)
    treated = run.outcome == OUTCOME_TREATED
    assert (run.exit_day[treated] < run.population.columns["renege_day"][treated]).all()


def test_deterioration_raises_priority_and_resets_the_due_date(make_ptl, two_specialties) -> None:
    scenario = _no_referrals(two_specialties, deterioration_rate_per_week={"P4": 0.5, "P3": 0.2})
    scenario = scenario.model_copy(
        update={"specialties": [s.model_copy(update={"cases_per_session": 0.0}) for s in scenario.specialties]}
    )
    start = make_ptl(2000, seed=4)
    run = _run(start, scenario, weeks=6)
    cols = run.population.columns
    was_p4 = (start["priority"] == "P4").fill_null(False).to_numpy()
    now = np.array(["P1a", "P1b", "P2", "P3", "P4", "P5", "P6", "none"])[cols["priority_label"]]
    share_moved = np.mean(now[was_p4] != "P4")
    assert abs(share_moved - (1 - np.exp(-0.5 * 6))) < 0.06
    assert set(now[was_p4]) <= {"P4", "P3", "P2"}
    moved_to_p3 = was_p4 & (now == "P3")
    due_from = cols["due_day"][moved_to_p3] - 90  # FSSA P3: within three months of the priority being set
    assert ((due_from >= 0) & (due_from < run.days)).all()
    # P5/P6 (patient deferred) and P1a never deteriorate
    assert (cols["priority_label"][~was_p4 & (start["priority"] == "P2").fill_null(False).to_numpy()] >= 1).all()


def test_strike_days_lose_capacity_and_extra_sessions_add_it(scenario) -> None:
    strike = [dt.date(2025, 4, 8), dt.date(2025, 4, 9)]  # days 7 and 8
    changed = Scenario.model_validate(
        {
            **scenario.model_dump(),
            "strikes": [{"dates": strike, "capacity_lost": 1.0}],
            "extra_sessions": [{"from_date": dt.date(2025, 4, 28), "treatment_function": "110",
                                "sessions": [0, 0, 0, 0, 0, 1, 0], "cases_per_session": 10}],
        }
    )
    base = _run(None, scenario, weeks=6)
    run = _run(None, changed, weeks=6)
    assert run.daily["capacity"][7] == run.daily["capacity"][8] == 0
    assert base.daily["capacity"][7] > 0
    extra = run.daily["capacity"] - base.daily["capacity"]
    saturdays = [d for d in range(42) if (CENSUS + dt.timedelta(days=d + 1)).weekday() == 5]
    assert all(extra[d] == (10 if d >= 27 else 0) for d in saturdays)
    assert extra.sum() == -base.daily["capacity"][7:9].sum() + 10 * sum(d >= 27 for d in saturdays)


def test_assessment_centre_completes_some_pathways_and_passes_the_rest_on(scenario) -> None:
    centre = {"from_date": dt.date(2025, 4, 1), "referral_share": 0.5, "completion_share": 0.6,
              "sessions_per_week": [1, 1, 1, 1, 1, 0, 0], "cases_per_session": 30}
    changed = Scenario.model_validate({**scenario.model_dump(), "assessment_centre": centre})
    run = _run(None, changed, weeks=12)
    cols = run.population.columns
    at_centre = cols["entry_pool"] == 2
    routed_share = at_centre.mean()
    eligible = np.isin(cols["priority_label"], [3, 4, 7]).mean()  # P3, P4, none (deterioration off)
    assert abs(routed_share - 0.5 * eligible) < 0.05
    completed = run.outcome == OUTCOME_CENTRE
    assert completed.any() and (completed <= at_centre).all()
    seen = at_centre & (completed | (run.outcome == OUTCOME_TREATED))
    assert abs(completed.sum() / seen.sum() - 0.6) < 0.06
    # those passed on keep their clock start and are treated later in the main list
    onward = at_centre & (run.outcome == OUTCOME_TREATED)
    assert onward.any() and (run.exit_day[onward] > cols["clock_start"][onward]).all()


def test_referrals_follow_the_weekday_pattern_and_growth(two_specialties) -> None:
    scenario = two_specialties(annual_growth=0.5)
    run = _run(None, scenario, weeks=104)
    weekday = np.array([(CENSUS + dt.timedelta(days=d + 1)).weekday() for d in range(run.days)])
    assert run.daily["arrivals"][weekday >= 5].sum() == 0  # default pattern: no weekend referrals
    first, second = run.daily["arrivals"][:364].sum(), run.daily["arrivals"][364:728].sum()
    assert second / first == pytest.approx(1.5, rel=0.05)
    # mean of 1.5^t over the first year is (1.5 − 1) / ln 1.5; the scenario has 40 + 30 referrals a week
    assert first / 52 == pytest.approx(70 * (1.5 - 1) / np.log(1.5), rel=0.05)


def test_same_seed_same_run_and_policies_share_the_referrals(ptl, scenario) -> None:
    scenario = scenario.model_copy(update={"renege_rate_per_week": 0.01, "dna_rate": 0.05})
    a, b = _run(ptl, scenario, "priority", seed=3), _run(ptl, scenario, "priority", seed=3)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.exit_day, b.exit_day)
    c = _run(ptl, scenario, "fifo", seed=3)
    np.testing.assert_array_equal(a.daily["arrivals"], c.daily["arrivals"])
    np.testing.assert_array_equal(a.daily["capacity"], c.daily["capacity"])
    d = _run(ptl, scenario, "priority", seed=4)
    assert not np.array_equal(a.daily["arrivals"], d.daily["arrivals"])


def test_final_list_reports_waits_at_the_end(ptl, two_specialties) -> None:
    scenario = _no_referrals(two_specialties)
    scenario = scenario.model_copy(
        update={"specialties": [s.model_copy(update={"cases_per_session": 0.0}) for s in scenario.specialties]}
    )
    run = _run(ptl, scenario, weeks=3)
    final = run.final_list().sort("patient")
    np.testing.assert_array_equal(final["days_waited"].to_numpy(), ptl["days_waited"].to_numpy() + 21)
    assert final["census_date"][0] == CENSUS + dt.timedelta(days=21)
    assert final["priority"].to_list() == ptl["priority"].to_list()
    assert final["pathway_id"].to_list() == ptl["pathway_id"].to_list()


def test_priority_due_dates_from_the_ptl_are_kept(make_ptl, two_specialties) -> None:
    start = make_ptl(5).with_columns(
        priority=pl.lit("P2"), priority_due_date=pl.lit(dt.date(2025, 4, 10), pl.Date)
    )
    run = _run(start, _no_referrals(two_specialties), weeks=1)
    assert (run.population.columns["due_day"][:5] == 9).all()  # 10 April = day 9 (day 0 = 1 April)
    assert NO_DAY > 10**8


def test_unknown_specialty_on_the_list_is_an_error_naming_it(scenario, make_ptl) -> None:
    start = make_ptl(5).with_columns(treatment_function=pl.lit("C_999"))
    with pytest.raises(ValueError, match="999"):
        _run(start, scenario)
    ok = make_ptl(5).with_columns(treatment_function=pl.lit("C_110"))  # 'C_110' names treatment function 110
    assert _run(ok, scenario).population.n_existing == 5


def test_custom_score_and_fifo_policy_objects(ptl, two_specialties) -> None:
    from carebacklog.booking import CustomScore

    newest_first = CustomScore(fn=lambda view: -view.days_waited, name="newest")
    run = simulate(ptl, _no_referrals(two_specialties), newest_first, census_date=CENSUS, weeks=1, rng=np.random.default_rng(0))
    cols = run.population.columns
    treated = cols["clock_start"][run.outcome == OUTCOME_TREATED]
    waiting = cols["clock_start"][run.outcome == OUTCOME_WAITING]
    assert run.policy == "newest" and treated.min() >= np.percentile(waiting, 90)
    bad = CustomScore(fn=lambda view: np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        simulate(ptl, _no_referrals(two_specialties), bad, census_date=CENSUS, weeks=1, rng=np.random.default_rng(0))
    assert isinstance(get_policy("fifo"), Fifo) and isinstance(get_policy("priority"), PriorityThenChronological)


def test_two_stage_pathway_outpatients_then_admitted_list(make_ptl, two_specialties) -> None:
    from carebacklog.booking.engine import OUTCOME_OUTPATIENT

    scenario = two_specialties()
    first = {**scenario.specialties[0].model_dump(),
             "outpatient": {"sessions_per_week": [2, 2, 2, 2, 2, 0, 0], "cases_per_session": 5, "conversion_rate": 0.3}}
    staged = Scenario.model_validate(
        {**scenario.model_dump(), "specialties": [first, scenario.specialties[1].model_dump()]}
    )
    start = make_ptl(1500, seed=6)
    run = _run(start, staged, policy="priority", weeks=16)
    cols = run.population.columns
    n_spec = 2
    in_outpatients = cols["entry_pool"] == n_spec + 1  # specialty 0's outpatient stage
    # waiting pathways without a priority or DTA start in outpatients; new referrals there have no priority
    old = np.arange(run.population.size) < run.population.n_existing
    no_code = (start["priority"].is_null() & ~start["has_dta"]).to_numpy()
    spec0 = (start["treatment_function"] == "110").to_numpy()
    np.testing.assert_array_equal(in_outpatients[old], no_code & spec0)
    stops = run.outcome == OUTCOME_OUTPATIENT
    assert stops.any() and (stops <= in_outpatients).all()
    # attended outpatients: about 30% convert and go on to the admitted list with a priority and due date
    seen = in_outpatients & ((run.outcome == OUTCOME_OUTPATIENT) | (run.outcome == OUTCOME_TREATED)
                             | ((run.outcome == OUTCOME_WAITING) & cols["admitted"]))
    converted = seen & (run.outcome != OUTCOME_OUTPATIENT)
    assert abs(converted.sum() / seen.sum() - 0.3) < 0.05
    assert (cols["priority_label"][converted] != 7).all()  # no longer 'none'
    p3 = converted & (cols["priority_label"] == 3) & (run.outcome == OUTCOME_TREATED)
    dta_day = cols["due_day"][p3] - 90  # FSSA P3: due three months from the decision to admit
    assert p3.any() and (dta_day >= cols["clock_start"][p3]).all() and (dta_day <= run.exit_day[p3]).all()
    # a specialty without an outpatient stage has nothing in that pool, and the list still balances
    assert not (cols["entry_pool"] == n_spec + 2).any()
    counts = np.bincount(run.outcome, minlength=5)
    assert run.weekly["list_size"][-1] == counts[OUTCOME_WAITING]
    assert counts[[1, 2, 4]].sum() == run.daily["clock_stops"].sum()


def test_daily_engine_obeys_littles_law(two_specialties) -> None:
    # L = λ·W on the sample path: the time-average list equals the arrival rate times the mean time on the
    # list (completed, reneged and still waiting alike), once the start-up is past.
    scenario = two_specialties(dna_rate=0.05, renege_rate_per_week=0.01, weekday_pattern=[1] * 7)
    run = _run(None, scenario, policy="fifo", weeks=156, seed=4)
    cols = run.population.columns
    warm = 28 * 7
    arrived = (cols["clock_start"] >= warm) & (cols["clock_start"] < run.days - 1)
    left = np.where(run.outcome == OUTCOME_WAITING, run.days - 1, run.exit_day)
    time_on_list = np.minimum(left, run.days - 1) - cols["clock_start"]
    rate = arrived.sum() / (run.days - 1 - warm)
    little = rate * time_on_list[arrived].mean()
    # the list at the end of every day, from the flows (and it agrees with the weekly snapshots)
    reneged = np.bincount(run.exit_day[run.outcome == OUTCOME_RENEGED], minlength=run.days)[: run.days]
    daily_list = np.cumsum(run.daily["arrivals"] - run.daily["clock_stops"] - run.daily["nullified"] - reneged)
    np.testing.assert_array_equal(daily_list[6::7], run.weekly["list_size"])
    average_list = daily_list[warm : run.days - 1].mean()
    assert little == pytest.approx(average_list, rel=0.03)
