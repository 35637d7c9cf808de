"""Queueing formulas the simulation is validated against (textbook values)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carebacklog.booking import erlang_c, mm1, mmc, priority_mmc_waits


def test_mm1_matches_the_closed_forms() -> None:
    q = mm1(0.8, 1.0)
    assert q.utilisation == pytest.approx(0.8)
    assert q.mean_wait == pytest.approx(0.8 / (1.0 - 0.8))  # ρ / (μ − λ)
    assert q.mean_queue_length == pytest.approx(0.8**2 / 0.2)  # ρ² / (1 − ρ)
    assert q.mean_number_in_system == pytest.approx(4.0)  # ρ / (1 − ρ)
    assert q.probability_of_waiting == pytest.approx(0.8)


def test_erlang_c_for_two_servers_at_half_load() -> None:
    # M/M/2 with a = 1: P0 = 1/3 and C = a²/(2!(1 − ρ))·P0 = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    q = mmc(1.0, 1.0, 2)
    assert q.mean_wait == pytest.approx((1 / 3) / (2.0 - 1.0))


def test_erlang_c_agrees_with_the_factorial_formula_for_many_servers() -> None:
    c, a = 12, 10.5
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    assert erlang_c(c, a) == pytest.approx(tail / (head + tail))


def test_little_law_holds_in_the_formulas() -> None:
    q = mmc(7.0, 1.0, 9)
    assert q.mean_queue_length == pytest.approx(7.0 * q.mean_wait)
    assert q.mean_number_in_system == pytest.approx(7.0 * q.mean_time_in_system)


def test_unstable_queue_is_refused_with_its_load() -> None:
    with pytest.raises(ValueError, match="unstable"):
        mmc(3.0, 1.0, 3)


def test_priority_waits_conserve_work_and_order_classes() -> None:
    rates = [0.5, 1.0, 0.9]
    waits = priority_mmc_waits(rates, 1.0, 3)
    fcfs = mmc(sum(rates), 1.0, 3).mean_wait
    # Kleinrock's conservation law: same service rate, non-preemptive → the rate-weighted mean is FCFS.
    assert float(np.dot(rates, waits) / sum(rates)) == pytest.approx(fcfs)
    assert waits[0] < waits[1] < waits[2]
    assert priority_mmc_waits([2.4], 1.0, 3)[0] == pytest.approx(fcfs)
