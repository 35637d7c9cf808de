"""Queueing rules of thumb for one waiting list (docs/rules-rtt.md §Waiting-list dynamics), in weeks throughout.

The formulas are those of Fong, Walton et al. (2022), *Understanding Waiting Lists Pressures*
(medRxiv 10.1101/2022.08.23.22279117), which treat a list as one first-in-first-out queue whose waits
are roughly exponential. Every rate is per week and every wait is in weeks: there is no day/week mix
(the NHSRwaitinglist ``wl_stats`` bug computes the mean wait in days and divides by a target in weeks).

* ``factor`` f links the mean wait to a percentile: with exponential waits P(wait > T) = exp(-T/W), so
  requiring a share p within the target T gives W = T / f with f = -ln(1 - p). 92% gives f = 2.5257.
* load = demand / capacity; 1 or more means the list grows without limit.
* target mean wait = T / f; target queue size = demand × T / f (Little's law, L = λW).
* relief capacity = demand + (queue - target queue) / weeks to clear.
* pressure = 2 × mean wait / target wait (above 1: the target will probably be missed).
* target capacity (Kingman / Marchal approximation for a G/G/1 queue):
  C = D + ((cv_D² + cv_C²) / 2) × f / T. The ``/ 2`` is the Kingman heavy-traffic factor: the mean
  queueing delay is about ρ/(1-ρ) · (cv_a² + cv_s²)/2 · service time, and its help text in
  NHSRwaitinglist omits it (issues #134/#135). With cv = 1 for both (Poisson arrivals, exponential
  service) the bracket is 1 and C = D + f / T.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = [
    "DEFAULT_CV",
    "DEFAULT_FACTOR",
    "DEFAULT_WEEKS_TO_CLEAR",
    "QueuePlan",
    "factor_from_percentile",
    "percentile_from_factor",
    "queue_load",
    "queue_plan",
    "relief_capacity",
    "target_capacity",
    "target_mean_wait",
    "target_queue_size",
    "waiting_list_pressure",
]

# Fong et al. (2022) §2 / NHSRwaitinglist defaults: factor 4 (98.2% within target under exponential
# waits), 26 weeks to clear the excess, coefficients of variation of 1 (Poisson / exponential).
DEFAULT_FACTOR = 4.0
DEFAULT_WEEKS_TO_CLEAR = 26.0
DEFAULT_CV = 1.0


def _positive(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of weeks or patients per week, got {value!r}")
    return float(value)


def factor_from_percentile(percentile: float) -> float:
    """f = -ln(1 - p) for the share p (0 < p < 1, or 0 < p < 100 as a percentage) within the target."""
    p = percentile / 100.0 if percentile >= 1.0 else percentile
    if not 0.0 < p < 1.0:
        raise ValueError(f"percentile must be between 0 and 1 (or 0 and 100), got {percentile!r}")
    return -math.log1p(-p)


def percentile_from_factor(factor: float) -> float:
    """The share within the target implied by a factor under exponential waits: 1 - exp(-f)."""
    return 1.0 - math.exp(-_positive("factor", factor))


def queue_load(demand: float, capacity: float) -> float:
    """Load ρ = demand / capacity (both per week); ρ ≥ 1 means the list grows without limit."""
    return _positive("demand", demand) / _positive("capacity", capacity)


def target_mean_wait(target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    """The mean wait (weeks) that puts the chosen share within ``target_wait`` weeks: T / f."""
    return _positive("target_wait", target_wait) / _positive("factor", factor)


def target_queue_size(demand: float, target_wait: float, factor: float = DEFAULT_FACTOR) -> float:
    """Little's law: the list size whose mean wait is T / f at ``demand`` per week."""
    return _positive("demand", demand) * target_mean_wait(target_wait, factor)


def relief_capacity(
    demand: float,
    queue_size: float,
    target_wait: float,
    factor: float = DEFAULT_FACTOR,
    weeks_to_clear: float = DEFAULT_WEEKS_TO_CLEAR,
) -> float:
    """Weekly capacity that brings the list to its target size in ``weeks_to_clear`` weeks.

    demand + (queue - target queue) / weeks to clear. Below ``demand`` when the list is already smaller
    than its target size (it may then shrink capacity safely back towards demand).
    """
    if queue_size < 0:
        raise ValueError(f"queue_size must not be negative, got {queue_size!r}")
    excess = queue_size - target_queue_size(demand, target_wait, factor)
    return demand + excess / _positive("weeks_to_clear", weeks_to_clear)


def target_capacity(
    demand: float,
    target_wait: float,
    factor: float = DEFAULT_FACTOR,
    cv_demand: float = DEFAULT_CV,
    cv_capacity: float = DEFAULT_CV,
) -> float:
    """Kingman-style capacity that sustains the target: D + ((cv_D² + cv_C²) / 2) × f / T."""
    if cv_demand < 0 or cv_capacity < 0:
        raise ValueError("coefficients of variation must not be negative")
    variability = (cv_demand**2 + cv_capacity**2) / 2.0
    return _positive("demand", demand) + variability * _positive("factor", factor) / _positive(
        "target_wait", target_wait
    )


def waiting_list_pressure(mean_wait: float, target_wait: float) -> float:
    """Pressure = 2 × mean wait / target wait (weeks over weeks); above 1 the target is likely missed."""
    if mean_wait < 0:
        raise ValueError(f"mean_wait must not be negative, got {mean_wait!r}")
    return 2.0 * mean_wait / _positive("target_wait", target_wait)


@dataclass(frozen=True)
class QueuePlan:
    """Every calculator's answer for one list; a field is None when its inputs were not given."""

    demand: float
    capacity: float
    target_wait: float
    factor: float
    percentile: float
    load: float
    target_mean_wait: float
    target_queue_size: float
    relief_capacity: float | None
    target_capacity: float
    pressure: float | None

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)


def queue_plan(
    demand: float,
    capacity: float,
    target_wait: float,
    *,
    percentile: float | None = None,
    factor: float | None = None,
    queue_size: float | None = None,
    mean_wait: float | None = None,
    weeks_to_clear: float = DEFAULT_WEEKS_TO_CLEAR,
    cv_demand: float = DEFAULT_CV,
    cv_capacity: float = DEFAULT_CV,
) -> QueuePlan:
    """All the calculators at once. Give ``percentile`` or ``factor`` (not both); neither → factor 4."""
    if percentile is not None and factor is not None:
        raise ValueError("give either percentile or factor, not both")
    f = factor_from_percentile(percentile) if percentile is not None else (factor or DEFAULT_FACTOR)
    return QueuePlan(
        demand=demand,
        capacity=capacity,
        target_wait=target_wait,
        factor=f,
        percentile=100.0 * percentile_from_factor(f),
        load=queue_load(demand, capacity),
        target_mean_wait=target_mean_wait(target_wait, f),
        target_queue_size=target_queue_size(demand, target_wait, f),
        relief_capacity=(
            None
            if queue_size is None
            else relief_capacity(demand, queue_size, target_wait, f, weeks_to_clear)
        ),
        target_capacity=target_capacity(demand, target_wait, f, cv_demand, cv_capacity),
        pressure=None if mean_wait is None else waiting_list_pressure(mean_wait, target_wait),
    )
