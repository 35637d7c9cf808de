"""Queueing calculators against hand-worked values (docs/rules-rtt.md §Waiting-list dynamics; Fong et al. 2022)."""

import math

import pytest

from carebacklog.forecast.queueing import (
    factor_from_percentile,
    percentile_from_factor,
    queue_load,
    queue_plan,
    relief_capacity,
    target_capacity,
    target_mean_wait,
    target_queue_size,
    waiting_list_pressure,
)


def test_factor_for_92_percent_is_2_5257_and_mean_wait_7_127_weeks():
    f = factor_from_percentile(0.92)
    assert f == pytest.approx(2.5257, abs=1e-4)
    assert factor_from_percentile(92) == pytest.approx(f)  # percentages accepted too
    assert target_mean_wait(18, f) == pytest.approx(7.127, abs=1e-3)


def test_factor_4_means_98_2_percent_within_target():
    assert percentile_from_factor(4.0) == pytest.approx(1 - math.exp(-4), rel=1e-12)
    assert percentile_from_factor(factor_from_percentile(0.65)) == pytest.approx(0.65)


def test_load_queue_size_relief_and_pressure_by_hand():
    assert queue_load(100, 110) == pytest.approx(100 / 110)
    # Little's law: 100 a week × 18/4 weeks = 450 pathways
    assert target_queue_size(100, 18) == pytest.approx(450.0)
    # 100 + (1,200 - 450) / 26
    assert relief_capacity(100, 1200, 18) == pytest.approx(100 + 750 / 26)
    assert waiting_list_pressure(mean_wait=9, target_wait=18) == pytest.approx(1.0)


def test_kingman_target_capacity_halves_the_variability_term():
    # cv 1 and 1: (1 + 1) / 2 = 1 → D + f / T
    assert target_capacity(100, 18, factor=4) == pytest.approx(100 + 4 / 18)
    # cv 0 and 1: (0 + 1) / 2 = 0.5
    assert target_capacity(100, 18, factor=4, cv_demand=0, cv_capacity=1) == pytest.approx(100 + 0.5 * 4 / 18)


def test_queue_plan_defaults_and_missing_inputs():
    plan = queue_plan(100, 110, 18)
    assert plan.factor == 4.0
    assert plan.relief_capacity is None and plan.pressure is None
    full = queue_plan(100, 110, 18, percentile=92, queue_size=1200, mean_wait=10, weeks_to_clear=52)
    assert full.relief_capacity == pytest.approx(100 + (1200 - 100 * 18 / factor_from_percentile(0.92)) / 52)
    assert full.pressure == pytest.approx(20 / 18)


@pytest.mark.parametrize(
    "kwargs",
    [dict(demand=0, capacity=1, target_wait=18), dict(demand=1, capacity=1, target_wait=-1),
     dict(demand=1, capacity=1, target_wait=18, percentile=92, factor=3),
     dict(demand=1, capacity=1, target_wait=18, percentile=100)],
)
def test_bad_inputs_are_refused(kwargs):
    with pytest.raises(ValueError):
        queue_plan(**kwargs)
