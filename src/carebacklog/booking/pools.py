"""Waiting pools: the patients waiting for each specialty (and the assessment centre), as NumPy arrays.

Entries are removed lazily: an entry is live while its patient is still waiting, has not reached their
renege day, still belongs to this pool (``pool_of``) and, for sorted pools, still has the key it was filed
under. Treatment, reneging, moving on from the assessment centre and re-keying after deterioration
therefore cost nothing until the entry is next looked at.

Two layouts, chosen by the policy:

- :class:`SortedPools` for policies whose order never changes with time (``time_invariant``: FIFO,
  priority then chronological, equity-weighted). Each pool is kept sorted by the policy's key (the
  negated score on day 0), so booking ``k`` slots reads the first live entries: O(k) per day plus an
  O(n) ``numpy.insert`` memcpy for the day's arrivals. Equal keys keep arrival order.
- :class:`ScoredPools` for any other policy (ring-fence, custom scores): the policy scores the whole pool
  each booking day and ``numpy.argpartition`` picks the best ``k``: O(n) per day.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np

from carebacklog.booking.policies import BookingPolicy, PoolView

__all__ = ["ScoredPools", "SortedPools", "make_pools"]

_EMPTY = np.empty(0, dtype=np.int64)


class _Pools(ABC):
    def __init__(
        self, columns: Mapping[str, np.ndarray], n_pools: int, policy: BookingPolicy, waiting: np.ndarray
    ) -> None:
        self.columns = columns
        self.policy = policy
        self.renege_day = columns["renege_day"]
        self.waiting_flag = waiting  # shared with the engine: True while the patient waits
        self.pool_of = np.full(columns["clock_start"].size, -1, dtype=np.int16)
        self.n_pools = n_pools

    @abstractmethod
    def add(self, pool: int, ids: np.ndarray) -> None:
        """File patients in a pool (new referrals, or patients moving on to another stage)."""

    @abstractmethod
    def refresh(self, ids: np.ndarray) -> None:
        """The patients' attributes changed (deterioration): file them again where order depends on it."""

    @abstractmethod
    def book(self, pool: int, day: int, slots: int) -> np.ndarray:
        """The patients booked into the pool's ``slots`` on ``day``, in the policy's order."""

    @abstractmethod
    def live(self, pool: int, day: int) -> np.ndarray:
        """Every patient waiting in the pool on ``day`` (dead entries are dropped)."""

    def all_waiting(self, day: int) -> np.ndarray:
        parts = [self.live(p, day) for p in range(self.n_pools)]
        return np.concatenate(parts) if parts else _EMPTY

    def _valid(self, ids: np.ndarray, pool: int, day: int) -> np.ndarray:
        return self.waiting_flag[ids] & (self.renege_day[ids] > day) & (self.pool_of[ids] == pool)


class ScoredPools(_Pools):
    """Unsorted pools; the policy scores the live entries on each booking day."""

    def __init__(
        self, columns: Mapping[str, np.ndarray], n_pools: int, policy: BookingPolicy, waiting: np.ndarray
    ) -> None:
        super().__init__(columns, n_pools, policy, waiting)
        self.ids: list[np.ndarray] = [_EMPTY] * self.n_pools
        self.pending: list[list[np.ndarray]] = [[] for _ in range(self.n_pools)]

    def add(self, pool: int, ids: np.ndarray) -> None:
        self.pool_of[ids] = pool
        self.pending[pool].append(ids.astype(np.int64, copy=False))

    def refresh(self, ids: np.ndarray) -> None:
        """Nothing to do: scored pools are scored afresh on every booking day."""

    def live(self, pool: int, day: int) -> np.ndarray:
        ids = self.ids[pool]
        if self.pending[pool]:
            ids = np.concatenate([ids, *self.pending[pool]])
            self.pending[pool] = []
            # A patient filed again (onward from the assessment centre, then re-keyed) is one entry: the
            # first, so the pool's order is kept.
            _, first = np.unique(ids, return_index=True)
            if first.size < ids.size:
                ids = ids[np.sort(first)]
        ids = ids[self._valid(ids, pool, day)]
        self.ids[pool] = ids
        return ids

    def book(self, pool: int, day: int, slots: int) -> np.ndarray:
        ids = self.live(pool, day)
        if ids.size == 0:
            return _EMPTY
        return ids[self.policy.select(PoolView(self.columns, ids, day), slots)]


class SortedPools(_Pools):
    """Pools kept sorted by a time-invariant policy's key (lower key books first)."""

    def __init__(
        self, columns: Mapping[str, np.ndarray], n_pools: int, policy: BookingPolicy, waiting: np.ndarray
    ) -> None:
        super().__init__(columns, n_pools, policy, waiting)
        n = self.pool_of.size
        # Day-0 score: a time-invariant order is the same on every day.
        self.key = -np.asarray(self.policy.score(PoolView(self.columns, np.arange(n), 0)), dtype=np.float64)
        self.ids = [_EMPTY] * self.n_pools
        self.keys = [np.empty(0, dtype=np.float64)] * self.n_pools
        self.pending: list[list[np.ndarray]] = [[] for _ in range(self.n_pools)]

    def add(self, pool: int, ids: np.ndarray) -> None:
        if ids.size == 0:
            return
        self.pool_of[ids] = pool
        self.pending[pool].append(ids.astype(np.int64, copy=False))

    def refresh(self, ids: np.ndarray) -> None:
        if ids.size == 0:
            return
        new_key = -np.asarray(self.policy.score(PoolView(self.columns, ids, 0)), dtype=np.float64)
        moved = new_key != self.key[ids]  # an unchanged key (e.g. FIFO ignores priority) keeps its entry
        ids = ids[moved]
        self.key[ids] = new_key[moved]
        pools = self.pool_of[ids]
        for pool in np.unique(pools[pools >= 0]):
            self.add(int(pool), ids[pools == pool])  # the old entries no longer match the key: dead

    def _flush(self, pool: int) -> None:
        """File the pool's new entries (arrivals, re-keyed patients) in one merge, when it is next read."""
        if not self.pending[pool]:
            return
        ids = np.unique(np.concatenate(self.pending[pool]))  # a patient filed twice in a week: once
        self.pending[pool] = []
        new_keys = self.key[ids]
        order = np.argsort(new_keys, kind="stable")  # ids ascend, so equal keys keep arrival order
        ids, new_keys = ids[order], new_keys[order]
        old_ids, old_keys = self.ids[pool], self.keys[pool]
        # An old entry of a patient filed again is superseded, whatever its key: a patient re-keyed twice
        # back to an earlier key would otherwise be live twice (booked twice, counted twice).
        superseded = np.isin(old_ids, ids)
        if superseded.any():
            old_ids, old_keys = old_ids[~superseded], old_keys[~superseded]
        size = old_ids.size + ids.size
        at = np.searchsorted(old_keys, new_keys, side="right") + np.arange(ids.size)
        old_at = np.ones(size, dtype=bool)
        old_at[at] = False
        merged_ids, merged_keys = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.float64)
        merged_ids[at], merged_keys[at] = ids, new_keys
        merged_ids[old_at], merged_keys[old_at] = old_ids, old_keys
        self.ids[pool], self.keys[pool] = merged_ids, merged_keys

    def _live_mask(self, pool: int, day: int, stop: int) -> np.ndarray:
        ids = self.ids[pool][:stop]
        return self._valid(ids, pool, day) & (self.key[ids] == self.keys[pool][:stop])

    def live(self, pool: int, day: int) -> np.ndarray:
        self._flush(pool)
        mask = self._live_mask(pool, day, self.ids[pool].size)
        self.ids[pool], self.keys[pool] = self.ids[pool][mask], self.keys[pool][mask]
        return self.ids[pool]

    def book(self, pool: int, day: int, slots: int) -> np.ndarray:
        self._flush(pool)
        size = self.ids[pool].size
        stop = min(size, 2 * slots + 32)
        while True:
            mask = self._live_mask(pool, day, stop)
            if stop == size or np.count_nonzero(mask) >= slots:
                break
            stop = min(size, 4 * stop)
        # drop the dead entries of the head now that they have been looked at
        self.ids[pool] = np.concatenate([self.ids[pool][:stop][mask], self.ids[pool][stop:]])
        self.keys[pool] = np.concatenate([self.keys[pool][:stop][mask], self.keys[pool][stop:]])
        return self.ids[pool][:slots]


def make_pools(
    columns: Mapping[str, np.ndarray], n_pools: int, policy: BookingPolicy, waiting: np.ndarray
) -> _Pools:
    """Sorted pools for a time-invariant policy, scored pools otherwise."""
    kind = SortedPools if policy.time_invariant else ScoredPools
    return kind(columns, n_pools, policy, waiting)
