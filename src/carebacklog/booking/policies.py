"""Booking policies: who gets the next slot.

A policy sees the patients waiting in one pool (one specialty's list, or the assessment centre) as a
:class:`PoolView` of NumPy arrays and either scores them (higher score books first) or selects the
patients for today's slots directly. The same policy objects drive the daily simulation
(:mod:`carebacklog.booking.engine`) and the continuous-time validation core
(:mod:`carebacklog.booking.continuous`); the latter accepts only policies whose order does not change
with time (``time_invariant``).

Policies
--------
``fifo``
    Strict first in, first out: longest wait first, priority ignored.
``priority``
    Clinical priority first, then chronological (longest wait first): the NHS standard booking order
    (RTT rules suite; FSSA prioritisation; "treat in turn" within a priority).
``ringfence``
    A share of slots ring-fenced for patients waiting over N weeks, booked longest wait first (on average
    ``share`` of each pool's slots, spread over days so small lists get fenced slots too); the other slots
    (and ring-fenced slots nobody is eligible for) follow priority then chronological.
``equity``
    Priority first; within a priority, patients in the most deprived IMD quintiles are booked as if they
    had waited longer: score = days waited + 7 × boost_weeks[quintile] (default 4 weeks for quintile 1,
    2 weeks for quintile 2, none otherwise). Urgent patients are never delayed by a routine patient's boost
    because priority still comes first.
``custom``
    Any Python callable ``fn(view) -> scores`` (higher books first).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = [
    "POLICY_NAMES",
    "PRIORITY_WEIGHT",
    "BookingPolicy",
    "CustomScore",
    "EquityWeighted",
    "Fifo",
    "PoolView",
    "PriorityThenChronological",
    "RingFenced",
    "best_k",
    "get_policy",
]

#: Score weight of one priority step, in days: larger than any wait, so priority always comes first.
PRIORITY_WEIGHT = 1.0e6


class PoolView:
    """The waiting patients of one pool on day ``today`` (arrays gathered lazily from the patient table).

    ``clock_start`` and ``due_day`` are day numbers relative to the simulation start (negative for patients
    already waiting); ``priority_rank`` is the index in ``PRIORITY_CODES`` (0 = P1a, most urgent; patients
    without a priority rank as P4); ``imd_quintile`` is 1 (most deprived) … 5, 0 unknown.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], ids: np.ndarray, today: float) -> None:
        self._columns = columns
        self.ids = ids
        self.today = today

    def __len__(self) -> int:
        return int(self.ids.size)

    def column(self, name: str) -> np.ndarray:
        return self._columns[name][self.ids]

    @cached_property
    def clock_start(self) -> np.ndarray:
        return self.column("clock_start")

    @cached_property
    def days_waited(self) -> np.ndarray:
        return self.today - self.clock_start

    @cached_property
    def priority_rank(self) -> np.ndarray:
        return self.column("priority_rank")

    @cached_property
    def due_day(self) -> np.ndarray:
        return self.column("due_day")

    @cached_property
    def imd_quintile(self) -> np.ndarray:
        return self.column("imd_quintile")


def best_k(score: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores (in no particular order)."""
    n = score.size
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    if k >= n:
        return np.arange(n)
    return np.argpartition(-score, k - 1)[:k]


class BookingPolicy(ABC):
    """Base class: score the pool (higher books first) and pick the best ``slots`` patients."""

    name: str = "policy"
    #: True when the order depends only on fixed patient attributes, not on the day.
    time_invariant: bool = True

    @abstractmethod
    def score(self, view: PoolView) -> np.ndarray: ...

    def select(self, view: PoolView, slots: int) -> np.ndarray:
        """Positions in ``view`` of the patients booked into today's ``slots``."""
        return best_k(np.asarray(self.score(view), dtype=np.float64), slots)


@dataclass(frozen=True)
class Fifo(BookingPolicy):
    """Strict first in, first out: longest wait first."""

    name: str = "fifo"

    def score(self, view: PoolView) -> np.ndarray:
        return np.asarray(view.days_waited, dtype=np.float64)


@dataclass(frozen=True)
class PriorityThenChronological(BookingPolicy):
    """Clinical priority first, then longest wait first (the NHS standard booking order)."""

    name: str = "priority"

    def score(self, view: PoolView) -> np.ndarray:
        return view.days_waited - PRIORITY_WEIGHT * view.priority_rank


@dataclass(frozen=True)
class EquityWeighted(BookingPolicy):
    """Priority first; within a priority, wait plus a boost (in weeks) by IMD quintile."""

    boost_weeks: Mapping[int, float] = field(default_factory=lambda: {1: 4.0, 2: 2.0})
    name: str = "equity"

    def score(self, view: PoolView) -> np.ndarray:
        boost = np.zeros(6, dtype=np.float64)
        for quintile, weeks in self.boost_weeks.items():
            if not 1 <= int(quintile) <= 5:
                raise ValueError(f"IMD quintile must be 1..5, not {quintile}")
            boost[int(quintile)] = 7.0 * weeks
        return view.days_waited + boost[view.imd_quintile] - PRIORITY_WEIGHT * view.priority_rank


@dataclass(frozen=True)
class RingFenced(BookingPolicy):
    """``share`` of each day's slots for patients waiting over ``over_weeks`` weeks, longest first."""

    share: float = 0.2
    over_weeks: int = 40
    base: BookingPolicy = field(default_factory=PriorityThenChronological)
    name: str = "ringfence"
    time_invariant: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"ring-fenced share must be between 0 and 1, not {self.share}")

    def score(self, view: PoolView) -> np.ndarray:
        return self.base.score(view)

    def select(self, view: PoolView, slots: int) -> np.ndarray:
        if slots <= 0 or len(view) == 0:
            return np.empty(0, dtype=np.int64)
        waited = np.asarray(view.days_waited, dtype=np.float64)
        # "Over N weeks" as in the published bands: more than 7·N days since clock start.
        eligible = np.flatnonzero(waited > 7 * self.over_weeks)
        # Ring-fenced slots today: the day's share of a running total, so a small list (2 slots a day at
        # 20%) still gets one fenced slot every 2.5 days instead of rounding to none every day.
        day = float(view.today)
        quota = int(np.floor(self.share * slots * (day + 1) + 0.5) - np.floor(self.share * slots * day + 0.5))
        fenced = min(quota, eligible.size)
        chosen = eligible[best_k(waited[eligible], fenced)]
        rest = slots - chosen.size
        if rest <= 0:
            return chosen
        score = np.asarray(self.base.score(view), dtype=np.float64).copy()
        score[chosen] = -np.inf
        others = best_k(score, rest + chosen.size)
        others = others[~np.isin(others, chosen)][:rest]
        return np.concatenate([chosen, others])


@dataclass(frozen=True)
class CustomScore(BookingPolicy):
    """A user's scoring function on the pool arrays: ``fn(view) -> scores``, higher books first."""

    fn: Callable[[PoolView], np.ndarray] = field(default=lambda view: view.days_waited)
    name: str = "custom"
    time_invariant: bool = False

    def score(self, view: PoolView) -> np.ndarray:
        score = np.asarray(self.fn(view), dtype=np.float64)
        if score.shape != (len(view),):
            raise ValueError(f"custom score returned shape {score.shape}, expected ({len(view)},)")
        return score


POLICY_NAMES: tuple[str, ...] = ("fifo", "priority", "ringfence", "equity")


def get_policy(name: str, **options: object) -> BookingPolicy:
    """A policy by name (``fifo``, ``priority``, ``ringfence``, ``equity``) with optional settings."""
    factories: dict[str, Callable[..., BookingPolicy]] = {
        "fifo": Fifo,
        "priority": PriorityThenChronological,
        "ringfence": RingFenced,
        "equity": EquityWeighted,
    }
    if name not in factories:
        raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}")
    return factories[name](**options)
