"""The optimiser's answers re-project to meet every target; slightly less capacity fails."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from carebacklog.forecast.inputs import calibrate, observations_from_tidy
from carebacklog.forecast.montecarlo import Scenario, forecast
from carebacklog.forecast.optimise import parse_target, plan_capacity


@pytest.fixture(scope="module")
def rbd_cal(rbd_tidy):
    return calibrate(observations_from_tidy(rbd_tidy, "national"))


def _reproject(cal, plan, extra_profile):
    scenario = Scenario(extra_capacity=extra_profile, ring_fence=float(plan.ring_fence[0]))
    return forecast(cal, len(plan.months), rng=np.random.default_rng(0), runs=0, scenario=scenario)


def _met(targets, fc):
    ok = True
    for t in targets:
        j = fc.months.index(t.month)
        ok &= bool(t.met(t.values(fc)[0, j:]).all())
    return ok


@pytest.mark.parametrize("ramp", ["flat", "linear"])
def test_plan_meets_every_target_and_keeps_meeting_it_and_less_fails(rbd_cal, ramp):
    targets = [parse_target("pct18>=65@2025-06"), parse_target("pct18>=80@2026-03"),
               parse_target("over52_share<=1@2025-09")]
    plan = plan_capacity(rbd_cal, targets, ramp=ramp)
    assert plan.feasible.all() and plan.extra_per_week[0] > 0
    assert _met(targets, _reproject(rbd_cal, plan, plan.profile))
    less = plan.profile * (plan.extra_per_week[0] - 2.0) / plan.extra_per_week[0]
    assert not _met(targets, _reproject(rbd_cal, plan, less))
    assert plan.target_frame()["met"].all()
    frame = plan.capacity_frame()
    assert (frame["capacity_per_week"] >= plan.base_per_week[0] - 1e-9).all()


def test_never_recommends_less_than_today_unless_asked(rbd_cal):
    easy = [parse_target("pct18>=10@2025-06")]
    plan = plan_capacity(rbd_cal, easy)
    assert plan.extra_per_week[0] == 0.0
    cut = plan_capacity(rbd_cal, easy, allow_reduction=True)
    assert cut.extra_per_week[0] < 0
    assert _met(easy, _reproject(rbd_cal, cut, cut.profile))


def test_start_after_the_target_is_reported_as_impossible(rbd_cal):
    plan = plan_capacity(rbd_cal, [parse_target("pct18>=75@2025-01")], start=date(2025, 6, 1))
    assert not plan.feasible[0]
    assert plan.messages[0].startswith("Cannot be met") and "pct18>=75@2025-01" in plan.messages[0]
    assert np.isnan(plan.extra_per_week[0])


def test_choosing_a_ring_fence_never_needs_more_capacity(rbd_cal):
    targets = [parse_target("over52<=0@2025-09")]
    fixed = plan_capacity(rbd_cal, targets, ring_fence=0.0)
    chosen = plan_capacity(rbd_cal, targets, ring_fence=None)
    assert chosen.extra_per_week[0] <= fixed.extra_per_week[0] + 0.5
    assert _met(targets, _reproject(rbd_cal, chosen, chosen.profile))


def test_targets_parse_and_refuse_nonsense():
    t = parse_target("pct18>=92@2029-03")
    assert (t.measure, t.op, t.value, t.month) == ("pct18", ">=", 92.0, date(2029, 3, 31))
    assert parse_target(" over52 <= 0 @ 2026-02 ").month == date(2026, 2, 28)
    for bad in ("pct18>92@2029-03", "pct18>=92", "pct18>=120@2029-03", "wait>=1@2029-03", "pct18>=9@2029-13"):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_scenario_growth_needs_more_capacity(rbd_cal):
    targets = [parse_target("pct18>=70@2025-12")]
    base = plan_capacity(rbd_cal, targets)
    grow = plan_capacity(rbd_cal, targets, scenario=replace(Scenario(), referral_growth=0.1))
    assert grow.extra_per_week[0] > base.extra_per_week[0]


def test_a_capacity_cut_is_reported_against_the_capacity_the_plan_runs_with(rbd_cal):
    """With a -20% scenario change the plan adds to 80% of today's capacity, and says so."""
    from carebacklog.forecast.bins import WEEKS_PER_MONTH

    targets = [parse_target("pct18>=65@2025-09")]
    cut = Scenario(capacity_change=-0.2)
    plan = plan_capacity(rbd_cal, targets, scenario=cut)
    today = rbd_cal.capacity[0] / WEEKS_PER_MONTH
    assert plan.base_per_week[0] == pytest.approx(0.8 * today)
    assert "-20% change" in plan.messages[0]
    # The capacity the frame reports re-projects (without the scenario's cut) to meet the target.
    frame = plan.capacity_frame()
    weekly = np.asarray(frame["capacity_per_week"], dtype=float)
    extra_over_today = weekly - today
    fc = forecast(rbd_cal, len(plan.months), rng=np.random.default_rng(0), runs=0,
                  scenario=Scenario(extra_capacity=extra_over_today, ring_fence=float(plan.ring_fence[0])))
    assert _met(targets, fc)
    # ... and the old figure (today's capacity plus the extra, ignoring the cut) overstates it.
    assert weekly[-1] < today + plan.extra_per_week[0] - 1.0
