"""Validation: the continuous-time core (same policy objects as the daily engine) against queueing
theory and against Ciw on the same scenario. Tolerances are statistical: replication means must lie
within four standard errors of theory (or of each other), a false alarm rate below 1 in 10,000.
"""

from __future__ import annotations

import numpy as np
import pytest

from carebacklog.booking import (
    EquityWeighted,
    PriorityThenChronological,
    RingFenced,
    mmc,
    priority_mmc_waits,
    simulate_mmc,
)

Z = 4.0


def _replicate(stat, reps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([stat(np.random.default_rng(np.random.SeedSequence([seed, r]))) for r in range(reps)])
    return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(reps)


@pytest.mark.parametrize(("lam", "servers"), [(0.7, 1), (0.5, 1), (2.4, 3), (7.0, 8)])
def test_mean_wait_and_queue_length_match_erlang_c(lam: float, servers: int) -> None:
    theory = mmc(lam, 1.0, servers)

    def stat(rng: np.random.Generator) -> list[float]:
        run = simulate_mmc([lam], 1.0, servers, horizon=12_000, warmup=1_000, rng=rng)
        return [run.mean_wait(), run.mean_queue_length(), run.mean_number_in_system(), run.utilisation(servers)]

    mean, se = _replicate(stat, 8, seed=servers * 1000 + int(lam * 10))
    expected = [theory.mean_wait, theory.mean_queue_length, theory.mean_number_in_system, theory.utilisation]
    for got, err, want in zip(mean, se, expected, strict=True):
        assert abs(got - want) < Z * err + 1e-9, (got, want, err)
    # and close in relative terms, so a loose tolerance cannot hide a biased simulator
    assert mean[0] == pytest.approx(theory.mean_wait, rel=0.06)


def test_priority_classes_match_cobham() -> None:
    rates = [0.6, 0.9, 0.9]  # most urgent first; ρ = 0.8 on three servers
    theory = priority_mmc_waits(rates, 1.0, 3)

    def stat(rng: np.random.Generator) -> list[float]:
        run = simulate_mmc(rates, 1.0, 3, horizon=12_000, warmup=1_000, rng=rng, policy=PriorityThenChronological())
        return [run.mean_wait(k) for k in range(3)]

    mean, se = _replicate(stat, 8, seed=77)
    for got, err, want in zip(mean, se, theory, strict=True):
        assert abs(got - want) < Z * err, (got, want, err)
    assert mean[0] < mean[1] < mean[2]


def test_equity_boost_with_no_deprivation_data_is_priority_order() -> None:
    a = simulate_mmc([0.5, 1.5], 1.0, 3, horizon=2_000, rng=np.random.default_rng(3), policy=EquityWeighted())
    b = simulate_mmc(
        [0.5, 1.5], 1.0, 3, horizon=2_000, rng=np.random.default_rng(3), policy=PriorityThenChronological()
    )
    np.testing.assert_array_equal(a.start, b.start)


def test_policies_whose_order_changes_over_time_are_refused() -> None:
    with pytest.raises(ValueError, match="fixed order"):
        simulate_mmc([1.0], 1.0, 2, horizon=10, rng=np.random.default_rng(0), policy=RingFenced())


def _ciw_waits(rates: list[float], servers: int, horizon: float, warmup: float, seed: int) -> list[float]:
    ciw = pytest.importorskip("ciw")
    classes = [f"c{k}" for k in range(len(rates))]
    network = ciw.create_network(
        arrival_distributions={c: [ciw.dists.Exponential(rate=r)] for c, r in zip(classes, rates, strict=True)},
        service_distributions={c: [ciw.dists.Exponential(rate=1.0)] for c in classes},
        number_of_servers=[servers],
        priority_classes={c: k for k, c in enumerate(classes)},
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    records = [r for r in sim.get_all_records() if r.arrival_date >= warmup]
    return [float(np.mean([r.waiting_time for r in records if r.customer_class == c])) for c in classes]


def _agree(ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray]) -> None:
    for m1, s1, m2, s2 in zip(*ours, *theirs, strict=True):
        assert abs(m1 - m2) < Z * np.hypot(s1, s2), (m1, m2, s1, s2)


def test_same_mmc_scenario_in_ciw_gives_the_same_mean_wait() -> None:
    horizon, warmup = 3_000.0, 300.0
    ciw_values = np.array([_ciw_waits([2.1], 3, horizon, warmup, seed) for seed in range(6)])
    theirs = ciw_values.mean(axis=0), ciw_values.std(axis=0, ddof=1) / np.sqrt(6)
    ours = _replicate(
        lambda rng: [simulate_mmc([2.1], 1.0, 3, horizon=horizon, warmup=warmup, rng=rng).mean_wait()], 12, seed=5
    )
    _agree(ours, theirs)
    # both agree with Erlang C too
    assert abs(theirs[0][0] - mmc(2.1, 1.0, 3).mean_wait) < Z * theirs[1][0]


def test_same_priority_scenario_in_ciw_gives_the_same_class_waits() -> None:
    rates, horizon, warmup = [0.7, 1.4], 3_000.0, 300.0
    ciw_values = np.array([_ciw_waits(rates, 3, horizon, warmup, seed) for seed in range(6)])
    theirs = ciw_values.mean(axis=0), ciw_values.std(axis=0, ddof=1) / np.sqrt(6)

    def stat(rng: np.random.Generator) -> list[float]:
        run = simulate_mmc(rates, 1.0, 3, horizon=horizon, warmup=warmup, rng=rng, policy=PriorityThenChronological())
        return [run.mean_wait(0), run.mean_wait(1)]

    _agree(_replicate(stat, 12, seed=9), theirs)
