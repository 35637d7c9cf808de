"""Policy comparison: ring-fencing, equity weighting, due-date breaches and the comparison tables."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from carebacklog.booking import (
    EquityWeighted,
    PoolView,
    RingFenced,
    Scenario,
    compare_policies,
    get_policy,
    run_replications,
)

CENSUS = dt.date(2025, 3, 31)


def _tight(two_specialties, ratio: float = 0.97) -> Scenario:
    """Capacity a little under demand, so the list grows and the order matters."""
    scenario = two_specialties()
    specs = [
        s.model_copy(update={"cases_per_session": ratio * s.referrals_per_week / sum(s.sessions_per_week)})
        for s in scenario.specialties
    ]
    return scenario.model_copy(update={"specialties": specs})


def _view(days_waited, rank=None, quintile=None) -> PoolView:
    n = len(days_waited)
    cols = {
        "clock_start": -np.asarray(days_waited, dtype=np.int64),
        "priority_rank": np.asarray(rank if rank is not None else [4] * n),
        "imd_quintile": np.asarray(quintile if quintile is not None else [0] * n),
        "due_day": np.zeros(n),
    }
    return PoolView(cols, np.arange(n), 0)


def test_ring_fence_books_its_share_for_long_waiters_longest_first() -> None:
    # ten patients: two urgent short waiters, long waiters at 300 and 350 days (over 40 weeks = 280 days)
    view = _view([10, 20, 300, 350, 100, 90, 80, 70, 60, 50], rank=[2, 2, 4, 4, 4, 4, 4, 4, 4, 4])
    # a small pool: 20% of 2 slots a day gives a fenced slot on 2 days in 5
    fenced_days = [
        3 in RingFenced(share=0.2, over_weeks=40).select(PoolView(view._columns, view.ids, day), 2).tolist()
        for day in range(10)
    ]
    assert sum(fenced_days) == 4
    chosen = set(RingFenced(share=0.5, over_weeks=40).select(view, 4).tolist())
    assert chosen == {3, 2, 0, 1}  # two fenced slots to the long waiters, two to the urgent patients
    chosen = set(RingFenced(share=0.25, over_weeks=40).select(view, 4).tolist())
    assert chosen == {3, 0, 1, 2}  # one fenced slot (350 days); the rest by priority then longest wait
    # nobody eligible: the fenced slots go back to the base order
    assert set(RingFenced(share=1.0, over_weeks=60).select(view, 2).tolist()) == {0, 1}
    with pytest.raises(ValueError, match="between 0 and 1"):
        RingFenced(share=1.5)


def test_equity_boost_formula_orders_within_priority_only() -> None:
    view = _view([100, 80, 80, 5], rank=[4, 4, 4, 2], quintile=[5, 1, 2, 5])
    score = EquityWeighted(boost_weeks={1: 4.0, 2: 2.0}).score(view)
    # within P4: 80 + 28 (Q1) > 100 (Q5) > 80 + 14 (Q2); the P2 patient is first whatever their quintile
    assert list(np.argsort(-score)) == [3, 1, 0, 2]
    with pytest.raises(ValueError, match="quintile"):
        EquityWeighted(boost_weeks={6: 1.0}).score(view)


def test_unknown_policy_name_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="fifo, priority, ringfence, equity"):
        get_policy("shortest")


def test_comparison_shows_the_trade_offs_users_ask_about(make_ptl, two_specialties) -> None:
    start = make_ptl(1500, seed=2)
    scenario = _tight(two_specialties)
    comparison = compare_policies(
        start, scenario, ["fifo", "priority", RingFenced(share=0.3, over_weeks=52), "equity"],
        census_date=CENSUS, weeks=26, runs=2, seed=11,
    )
    summary = comparison.summary
    assert set(summary["policy"]) == {"fifo", "priority", "ringfence", "equity"}
    assert (summary["lower"] <= summary["mean"]).all() and (summary["mean"] <= summary["upper"]).all()

    def measure(policy: str, name: str) -> float:
        row = summary.filter((pl.col("policy") == policy) & (pl.col("measure") == name))
        return float(row["mean"][0])

    # Same referrals and capacity under every policy (common random numbers)
    assert len({measure(p, "referrals") for p in comparison.results}) == 1
    # FIFO ignores priority, so urgent patients breach their due dates; priority order breaches only for
    # patients already past due on the starting list (due = clock start + FSSA time frame when not given)
    assert measure("fifo", "due_date_breaches") > 2 * measure("priority", "due_date_breaches")
    # Ring-fencing for the over-52s clears them faster than plain priority order
    assert measure("ringfence", "over_52") < measure("priority", "over_52")
    # Equity weighting narrows the gap between the most and least deprived
    assert measure("equity", "imd_gap_weeks") < measure("priority", "imd_gap_weeks") - 0.5
    # … without delaying urgent (P2) patients
    waits = comparison.waits.filter((pl.col("dimension") == "priority") & (pl.col("group") == "P2"))
    p2 = dict(zip(waits["policy"], waits["mean_wait_weeks"], strict=True))
    assert p2["equity"] == pytest.approx(p2["priority"], abs=0.2)
    assert comparison.weekly.height == 4 * 26
    payload = comparison.as_dict()  # what the web app's scenario page serves
    decoded = json.loads(json.dumps(payload, allow_nan=False))  # no NaN: valid JSON for browsers
    assert set(decoded) == {"summary", "weekly", "waits", "breaches"}
    assert len(decoded["weekly"]) == 4 * 26 and isinstance(decoded["weekly"][0]["week_ending"], str)
    weekly = comparison.results["priority"].weekly  # per run: % within 18 weeks is within_18 / list size
    ratio = weekly["within_18"] / weekly["list_size"] * 100
    np.testing.assert_allclose(weekly["pct_within_18"].to_numpy(), ratio.to_numpy(), rtol=1e-9)


def test_waits_by_every_equity_group(make_ptl, two_specialties) -> None:
    result = run_replications(
        make_ptl(800), _tight(two_specialties), "priority", census_date=CENSUS, weeks=8, runs=1, seed=0
    )
    waits = result.waits
    assert set(waits["dimension"]) == {"priority", "imd_quintile", "ethnic_group", "age_band", "sex"}
    quintiles = waits.filter(pl.col("dimension") == "imd_quintile")["group"].to_list()
    assert {"1", "2", "3", "4", "5"} <= set(quintiles)
    by_dim = waits.group_by("dimension").agg(pl.col("treated").sum(), pl.col("waiting").sum())
    assert by_dim["treated"].n_unique() == 1 and by_dim["waiting"].n_unique() == 1  # each dimension is a partition
    assert result.summary["treated"][0] == by_dim["treated"][0]


def test_replications_in_worker_processes_give_the_same_answer(make_ptl, two_specialties) -> None:
    start, scenario = make_ptl(300), _tight(two_specialties)
    serial = run_replications(start, scenario, "equity", census_date=CENSUS, weeks=4, runs=2, seed=5)
    parallel = run_replications(start, scenario, "equity", census_date=CENSUS, weeks=4, runs=2, seed=5, workers=2)
    assert serial.summary.equals(parallel.summary)
    assert serial.weekly.equals(parallel.weekly)
