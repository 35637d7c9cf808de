"""Continuous-time multi-server core, used to validate booking against queueing theory and Ciw.

The daily engine books whole slots per day, which no textbook formula describes; this core runs the same
booking policies in continuous time with exponential service on ``c`` servers (M/M/c), so the results can
be checked against Erlang C and Cobham's priority formula (:mod:`carebacklog.booking.theory`) and
against Ciw on the same scenario.

Design: every arrival time, class and service time is drawn up front in bulk. The policy scores every
customer once (a :class:`PoolView` at time 0, where ``days_waited`` = −arrival time), which is exact for
policies whose order does not change with time (``time_invariant``: FIFO, priority then chronological,
equity-weighted). Then:

- first come first served (``Fifo``): customers start in arrival order on the earliest free server
  (Kiefer–Wolfowitz), a loop of one ``heapq.heapreplace`` per customer; with one server it is Lindley's
  recursion, fully vectorised (a running minimum of cumulative sums);
- any other time-invariant policy: an event loop over arrivals and service completions, with a heap of
  waiting customers keyed by score (non-preemptive).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from carebacklog.booking.policies import BookingPolicy, Fifo, PoolView

__all__ = ["ContinuousRun", "simulate_mmc"]


@dataclass(frozen=True)
class ContinuousRun:
    """Per-customer times of one M/M/c run; statistics over arrivals in [warmup, horizon)."""

    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    customer_class: np.ndarray
    warmup: float
    horizon: float

    def _counted(self, customer_class: int | None = None) -> np.ndarray:
        keep = (self.arrival >= self.warmup) & (self.arrival < self.horizon)
        if customer_class is not None:
            keep &= self.customer_class == customer_class
        return keep

    def mean_wait(self, customer_class: int | None = None) -> float:
        """Mean time in the queue (Wq) of customers arriving after the warm-up."""
        keep = self._counted(customer_class)
        return float((self.start[keep] - self.arrival[keep]).mean())

    def mean_time_in_system(self) -> float:
        keep = self._counted()
        return float((self.end[keep] - self.arrival[keep]).mean())

    def _time_average(self, begin: np.ndarray, finish: np.ndarray) -> float:
        overlap = np.clip(np.minimum(finish, self.horizon) - np.maximum(begin, self.warmup), 0.0, None)
        return float(overlap.sum() / (self.horizon - self.warmup))

    def mean_queue_length(self) -> float:
        """Time-average number waiting (Lq) over [warmup, horizon)."""
        return self._time_average(self.arrival, self.start)

    def mean_number_in_system(self) -> float:
        return self._time_average(self.arrival, self.end)

    def utilisation(self, servers: int) -> float:
        return self._time_average(self.start, self.end) / servers


def _fcfs(arrival: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    if servers == 1:  # Lindley: start_n = a_n + W_n, W_n = max over k ≤ n of (sum of S_i − A_{i+1})
        gaps = np.concatenate([[0.0], service[:-1] - np.diff(arrival)])
        walk = np.cumsum(gaps)
        return arrival + walk - np.minimum.accumulate(np.minimum(walk, 0.0))
    free = [0.0] * servers
    start = np.empty_like(arrival)
    replace = heapq.heapreplace
    for i, (a, s) in enumerate(zip(arrival.tolist(), service.tolist(), strict=True)):
        begin = a if a > free[0] else free[0]
        replace(free, begin + s)
        start[i] = begin
    return start


def _by_key(arrival: np.ndarray, service: np.ndarray, key: np.ndarray, servers: int) -> np.ndarray:
    n = arrival.size
    start = np.empty(n)
    arr, svc, keys = arrival.tolist(), service.tolist(), key.tolist()
    busy: list[float] = []
    waiting: list[tuple[float, int]] = []
    idle = servers
    push, pop = heapq.heappush, heapq.heappop
    i = 0
    inf = float("inf")
    while i < n or waiting:
        next_arrival = arr[i] if i < n else inf
        if busy and busy[0] <= next_arrival:  # a completion (before an arrival at the same instant)
            t = pop(busy)
            if waiting:
                j = pop(waiting)[1]
                start[j] = t
                push(busy, t + svc[j])
            else:
                idle += 1
        else:
            if idle:
                idle -= 1
                start[i] = next_arrival
                push(busy, next_arrival + svc[i])
            else:
                push(waiting, (keys[i], i))
            i += 1
    return start


def simulate_mmc(
    arrival_rates: Sequence[float],
    service_rate: float,
    servers: int,
    *,
    horizon: float,
    rng: np.random.Generator,
    warmup: float = 0.0,
    policy: BookingPolicy | None = None,
) -> ContinuousRun:
    """Simulate an M/M/c queue with one Poisson arrival stream per priority class (0 = most urgent).

    Customers arrive over [0, horizon) and are all served (the run continues until the queue empties).
    ``policy`` defaults to first come first served; class k has ``priority_rank`` k for the policy.
    """
    if servers < 1 or service_rate <= 0 or horizon <= warmup:
        raise ValueError("need servers ≥ 1, service_rate > 0 and horizon > warmup")
    policy = policy if policy is not None else Fifo()
    if not policy.time_invariant:
        raise ValueError(f"policy {policy.name!r} changes order over time; the continuous core needs a fixed order")
    rates = np.asarray(arrival_rates, dtype=np.float64)
    streams = []
    for k, rate in enumerate(rates):
        if rate <= 0:
            continue
        count = rng.poisson(rate * horizon)  # Poisson process: N ~ Poisson(λT), times uniform on [0, T)
        streams.append((np.sort(rng.uniform(0.0, horizon, size=count)), np.full(count, k, dtype=np.int64)))
    arrival = np.concatenate([s[0] for s in streams]) if streams else np.empty(0)
    customer_class = np.concatenate([s[1] for s in streams]) if streams else np.empty(0, dtype=np.int64)
    order = np.argsort(arrival, kind="stable")
    arrival, customer_class = arrival[order], customer_class[order]
    service = rng.exponential(1.0 / service_rate, size=arrival.size)
    if arrival.size == 0:
        start = arrival.copy()
    elif isinstance(policy, Fifo):
        start = _fcfs(arrival, service, servers)
    else:
        columns = {
            "clock_start": arrival,
            "priority_rank": customer_class,
            "due_day": np.full(arrival.size, np.inf),
            "imd_quintile": np.zeros(arrival.size, dtype=np.int64),
        }
        score = np.asarray(policy.score(PoolView(columns, np.arange(arrival.size), 0.0)), dtype=np.float64)
        start = _by_key(arrival, service, -score, servers)
    return ContinuousRun(
        arrival=arrival,
        start=start,
        end=start + service,
        customer_class=customer_class,
        warmup=warmup,
        horizon=horizon,
    )
