"""Replications and policy comparison.

Run ``r`` of every policy uses the same child seed (``numpy.random.SeedSequence(seed).spawn(runs)[r]``),
so policies are compared on the same referrals, renege times and capacity (common random numbers) and
the difference between policies is not sampling noise. Replications run in parallel in worker processes
(``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start method, safe with Polars' threads)
when ``workers > 1``; the result does not depend on the number of workers.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context

import numpy as np
import polars as pl

from carebacklog.booking.engine import simulate
from carebacklog.booking.metrics import run_measures
from carebacklog.booking.policies import BookingPolicy, get_policy
from carebacklog.booking.scenario import Scenario

__all__ = ["PolicyComparison", "SimulationResult", "compare_policies", "compare_scenarios", "run_replications"]

#: Two-sided 95% normal quantile for the confidence intervals across replications.
Z95 = 1.959963984540054

TABLES = ("summary", "weekly", "waits", "breaches")


@dataclass(frozen=True)
class SimulationResult:
    """All runs of one policy: each table with a ``run`` column (0-based)."""

    policy: str
    runs: int
    summary: pl.DataFrame
    weekly: pl.DataFrame
    waits: pl.DataFrame
    breaches: pl.DataFrame

    def summary_interval(self) -> pl.DataFrame:
        """Each headline measure's mean over runs with a 95% confidence interval (normal approximation)."""
        long = self.summary.unpivot(index="run", variable_name="measure", value_name="value")
        stats = long.group_by("measure", maintain_order=True).agg(
            mean=pl.col("value").mean(), sd=pl.col("value").std(), n=pl.len()
        )
        half = (Z95 * pl.col("sd") / pl.col("n").cast(pl.Float64).sqrt()).fill_null(0.0).fill_nan(0.0)
        return stats.select(
            pl.lit(self.policy).alias("policy"),
            "measure",
            "mean",
            (pl.col("mean") - half).alias("lower"),
            (pl.col("mean") + half).alias("upper"),
        )

    def weekly_mean(self) -> pl.DataFrame:
        return (
            self.weekly.drop("run")
            .group_by("week", "week_ending", maintain_order=True)
            .mean()
            .with_columns(pl.lit(self.policy).alias("policy"))
            .select("policy", pl.exclude("policy"))
        )

    def waits_mean(self) -> pl.DataFrame:
        return (
            self.waits.drop("run")
            .group_by("dimension", "group", maintain_order=True)
            .mean()
            .with_columns(pl.lit(self.policy).alias("policy"))
            .select("policy", pl.exclude("policy"))
            .sort("dimension", "group")
        )

    def breaches_mean(self) -> pl.DataFrame:
        return (
            self.breaches.drop("run")
            .group_by("priority", maintain_order=True)
            .mean()
            .with_columns(pl.lit(self.policy).alias("policy"))
            .select("policy", pl.exclude("policy"))
            .sort("priority")
        )


@dataclass(frozen=True)
class PolicyComparison:
    """The same scenario under several policies (common random numbers)."""

    results: dict[str, SimulationResult]

    @property
    def summary(self) -> pl.DataFrame:
        """policy, measure, mean, lower, upper (95% CI over runs)."""
        return pl.concat([r.summary_interval() for r in self.results.values()])

    @property
    def weekly(self) -> pl.DataFrame:
        return pl.concat([r.weekly_mean() for r in self.results.values()])

    @property
    def waits(self) -> pl.DataFrame:
        return pl.concat([r.waits_mean() for r in self.results.values()])

    @property
    def breaches(self) -> pl.DataFrame:
        return pl.concat([r.breaches_mean() for r in self.results.values()], how="diagonal_relaxed")

    def as_dict(self) -> dict[str, list[dict[str, object]]]:
        """The four tables as lists of JSON-ready rows (dates as ISO text, NaN as None), for the web API."""
        out: dict[str, list[dict[str, object]]] = {}
        for name in TABLES:
            frame: pl.DataFrame = getattr(self, name)
            frame = frame.with_columns(pl.col(pl.Date).cast(pl.String), pl.col(pl.Float64).fill_nan(None))
            out[name] = frame.to_dicts()
        return out


def _one_run(
    ptl: pl.DataFrame | None,
    scenario: Scenario,
    policy: BookingPolicy,
    census_date: dt.date,
    weeks: int,
    seed: np.random.SeedSequence,
) -> dict[str, pl.DataFrame]:
    run = simulate(ptl, scenario, policy, census_date=census_date, weeks=weeks, rng=np.random.default_rng(seed))
    return run_measures(run)


def _picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


def run_replications(
    ptl: pl.DataFrame | None,
    scenario: Scenario,
    policy: BookingPolicy | str,
    *,
    census_date: dt.date,
    weeks: int,
    runs: int,
    seed: int | np.random.SeedSequence,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """``runs`` independent replications of one policy; ``progress(k)`` is called as each run ends."""
    if runs <= 0:
        raise ValueError("runs must be positive")
    policy = get_policy(policy) if isinstance(policy, str) else policy
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    seeds = root.spawn(runs)
    args = [(ptl, scenario, policy, census_date, weeks, s) for s in seeds]
    outputs: list[dict[str, pl.DataFrame]] = []
    if workers > 1 and runs > 1 and _picklable(policy):
        with ProcessPoolExecutor(max_workers=min(workers, runs), mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_one_run, *a) for a in args]
            for future in futures:
                outputs.append(future.result())
                if progress is not None:
                    progress(1)
    else:
        for a in args:
            outputs.append(_one_run(*a))
            if progress is not None:
                progress(1)
    tables = {
        name: pl.concat(
            [out[name].with_columns(pl.lit(r).alias("run")) for r, out in enumerate(outputs)],
            how="diagonal_relaxed",
        )
        for name in TABLES
    }
    return SimulationResult(policy=policy.name, runs=runs, **tables)


def compare_policies(
    ptl: pl.DataFrame | None,
    scenario: Scenario,
    policies: Sequence[BookingPolicy | str],
    *,
    census_date: dt.date,
    weeks: int = 52,
    runs: int = 5,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> PolicyComparison:
    """Run every policy on the same scenario and seeds (``carebacklog simulate`` and library use)."""
    if not policies:
        raise ValueError("give at least one policy")
    results: dict[str, SimulationResult] = {}
    for item in policies:
        policy = get_policy(item) if isinstance(item, str) else item
        if policy.name in results:
            raise ValueError(f"policy name {policy.name!r} given twice")
        results[policy.name] = run_replications(
            ptl, scenario, policy, census_date=census_date, weeks=weeks, runs=runs, seed=seed,
            workers=workers, progress=progress,
        )
    return PolicyComparison(results=results)



def compare_scenarios(
    ptl: pl.DataFrame | None,
    scenarios: Mapping[str, Scenario],
    policies: Sequence[BookingPolicy | str],
    *,
    census_date: dt.date,
    weeks: int = 52,
    runs: int = 5,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> PolicyComparison:
    """Every scenario (e.g. baseline, extra sessions, an assessment centre) under every policy, on the same
    seeds. Results are labelled ``"<scenario>/<policy>"`` (the ``policy`` column of the tables)."""
    if not scenarios:
        raise ValueError("give at least one scenario")
    results: dict[str, SimulationResult] = {}
    for name, scenario in scenarios.items():
        compared = compare_policies(
            ptl, scenario, policies, census_date=census_date, weeks=weeks, runs=runs, seed=seed,
            workers=workers, progress=progress,
        )
        for policy_name, result in compared.results.items():
            label = f"{name}/{policy_name}"
            results[label] = replace(result, policy=label)
    return PolicyComparison(results=results)
