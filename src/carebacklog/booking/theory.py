"""Queueing theory the simulation is validated against.

- M/M/c (Erlang C): Poisson arrivals at rate λ, ``c`` servers with exponential service at rate μ, first
  come first served. Offered load a = λ/μ, utilisation ρ = a/c < 1. The probability of waiting is Erlang's
  C formula, computed stably from the Erlang B recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)) and
  C = c·B(c) / (c − a·(1 − B(c))). Then Wq = C / (cμ − λ), Lq = λ·Wq (Little's law), W = Wq + 1/μ,
  L = λ·W. M/M/1 is c = 1: Wq = ρ / (μ − λ), Lq = ρ² / (1 − ρ).
- Non-preemptive priority M/M/c with the same service rate for every class (Cobham 1954; Kleinrock,
  *Queueing Systems* vol. 2, §3.6): class k (0 = most urgent) waits on average
  Wq_k = C / (cμ · (1 − σ_{k−1}) · (1 − σ_k)), with σ_k = Σ_{i ≤ k} λ_i / (cμ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["QueueTheory", "erlang_c", "mm1", "mmc", "priority_mmc_waits"]


@dataclass(frozen=True)
class QueueTheory:
    """Steady-state measures of an M/M/c queue (times in the rates' time unit)."""

    arrival_rate: float
    service_rate: float
    servers: int
    utilisation: float
    probability_of_waiting: float
    mean_wait: float  # Wq: time in the queue before service starts
    mean_time_in_system: float  # W = Wq + 1/μ
    mean_queue_length: float  # Lq
    mean_number_in_system: float  # L


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if servers < 1:
        raise ValueError("servers must be at least 1")
    if arrival_rate < 0 or service_rate <= 0:
        raise ValueError("arrival_rate must be ≥ 0 and service_rate > 0")
    if arrival_rate >= servers * service_rate:
        raise ValueError(
            f"unstable queue: load λ/(cμ) = {arrival_rate / (servers * service_rate):.3f} ≥ 1, "
            "so the list grows without limit"
        )


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival has to wait in an M/M/c queue with offered load a = λ/μ < c."""
    if servers < 1 or offered_load < 0 or offered_load >= servers:
        raise ValueError("need servers ≥ 1 and 0 ≤ offered load < servers")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return servers * b / (servers - offered_load * (1.0 - b))


def mmc(arrival_rate: float, service_rate: float, servers: int) -> QueueTheory:
    """Erlang C measures of an M/M/c first-come-first-served queue."""
    _check(arrival_rate, service_rate, servers)
    a = arrival_rate / service_rate
    c_prob = erlang_c(servers, a)
    wq = c_prob / (servers * service_rate - arrival_rate)
    w = wq + 1.0 / service_rate
    return QueueTheory(
        arrival_rate=arrival_rate,
        service_rate=service_rate,
        servers=servers,
        utilisation=a / servers,
        probability_of_waiting=c_prob,
        mean_wait=wq,
        mean_time_in_system=w,
        mean_queue_length=arrival_rate * wq,
        mean_number_in_system=arrival_rate * w,
    )


def mm1(arrival_rate: float, service_rate: float) -> QueueTheory:
    """M/M/1: Wq = ρ/(μ − λ), Lq = ρ²/(1 − ρ)."""
    return mmc(arrival_rate, service_rate, 1)


def priority_mmc_waits(arrival_rates: Sequence[float], service_rate: float, servers: int) -> np.ndarray:
    """Mean queue wait of each class (0 = most urgent) under non-preemptive priority (Cobham)."""
    rates = np.asarray(arrival_rates, dtype=np.float64)
    _check(float(rates.sum()), service_rate, servers)
    c_prob = erlang_c(servers, float(rates.sum()) / service_rate)
    sigma = np.cumsum(rates) / (servers * service_rate)
    before = np.concatenate([[0.0], sigma[:-1]])
    return c_prob / (servers * service_rate * (1.0 - before) * (1.0 - sigma))
