"""The stock-flow model: a waiting list by time waited, aged, fed and emptied each step.

State: ``stock`` of shape (rows, bins), one row per list (and per Monte Carlo run). One step of
``step_weeks`` weeks does, for every row at once:

1. **Age**: each bin passes the share ``step / width`` of its patients to the next bin (all of them when
   the bin is one step wide, a plain shift); the top bin keeps its patients.
2. **Clock starts** join bin 0. Inflow I = aged stock + starts.
3. **Reneges** (validation removals, treated elsewhere, died, unreported stops: domain.md §5) leave at a
   per-bin rate r: R = r·I.
4. **Treatments** (clock stops) share the step's capacity C by a profile c over the bins: T_b =
   min(A_b, λ·c_b·I_b) where A = I - R is what is left to treat and λ is set so ΣT = min(C, ΣA) (water
   filling, solved exactly in one pass per step). A share ``ring_fence`` of C is kept back for the
   longest waiters and spent from the top bin down (treat in turn).
5. W = I - R - T.

**Surplus**: a bin is never treated beyond what it holds; capacity beyond the whole list is *unused*
(returned in ``Projection.unused``), not pushed into other bins or reported as treatments. So stocks
never go negative and starts - treated - reneged = change in list size holds exactly at every step
(up to floating-point rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from carebacklog.forecast.bins import Bins

__all__ = ["MEASURES", "Projection", "allocate_treatments", "project", "step"]

# Column order of Projection.measures (weights from Bins.measure_weights).
MEASURES = ("total", "within_18", "over_52", "over_65", "over_78", "over_104")

_BIG = 1e30  # stands in for an infinite cap threshold (a bin with no treatment propensity)

Array = NDArray[np.floating]


def _thresholds(renege: Array, profile: Array) -> Array:
    """λ at which bin b is fully treated: (1 - r_b) / c_b (independent of the stock)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(profile > 0, (1.0 - renege) / np.where(profile > 0, profile, 1.0), _BIG)
    return np.minimum(theta, _BIG)


def allocate_treatments(
    available: Array, weights: Array, capacity: Array, order: NDArray[np.intp], theta_sorted: Array
) -> Array:
    """Water-filling: T_b = min(available_b, λ·weights_b) with ΣT = min(capacity, Σavailable).

    ``order`` sorts each row's bins by their cap threshold θ_b = available_b / weights_b and
    ``theta_sorted`` holds the sorted thresholds. The total treated at λ = θ_k is
    g_k = Σ_{j<k} available_j + θ_k · Σ_{j≥k} weights_j (sorted order); λ lies in the first segment
    where g reaches the capacity.
    """
    a_s = np.take_along_axis(available, order, axis=-1)
    w_s = np.take_along_axis(weights, order, axis=-1)
    a_before = np.cumsum(a_s, axis=-1) - a_s
    w_from = np.cumsum(w_s[..., ::-1], axis=-1)[..., ::-1]
    reach = a_before + theta_sorted * w_from
    cap = capacity[..., None]
    hit = reach >= cap
    k = np.argmax(hit, axis=-1)[..., None]
    any_hit = hit.any(axis=-1)
    a_k = np.take_along_axis(a_before, k, axis=-1)[..., 0]
    w_k = np.take_along_axis(w_from, k, axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(w_k > 0, (capacity - a_k) / np.where(w_k > 0, w_k, 1.0), 0.0)
    lam = np.where(any_hit, np.maximum(lam, 0.0), _BIG)
    treated: Array = np.minimum(available, lam[..., None] * weights)
    return treated


def _longest_first(available: Array, capacity: Array) -> Array:
    """Spend ``capacity`` on the longest waiters first (top bin down), never beyond what a bin holds."""
    above = np.cumsum(available[..., ::-1], axis=-1)[..., ::-1] - available
    return np.clip(capacity[..., None] - above, 0.0, available)


def step(
    stock: Array,
    starts: Array,
    capacity: Array,
    renege: Array,
    profile: Array,
    aging: Array,
    ring_fence: Array | float = 0.0,
    *,
    order: NDArray[np.intp] | None = None,
    theta_sorted: Array | None = None,
) -> tuple[Array, Array, Array, Array]:
    """One step for every row: returns (new stock, treated by bin, reneged by bin, unused capacity).

    ``stock`` (rows, bins); ``starts`` and ``capacity`` (rows,) per step; ``renege`` and ``profile``
    (rows, bins) or (bins,); ``aging`` (bins,) from ``Bins.aging_fraction``; ``ring_fence`` the share
    of capacity kept for the longest waiters, scalar or (rows,).
    """
    renege = np.broadcast_to(renege, stock.shape)
    profile = np.broadcast_to(profile, stock.shape)
    if order is None or theta_sorted is None:
        theta = _thresholds(renege, profile)
        order = np.argsort(theta, axis=-1)
        theta_sorted = np.take_along_axis(theta, order, axis=-1)
    moving = stock * aging
    inflow = stock - moving
    inflow[..., 1:] += moving[..., :-1]
    inflow[..., 0] += starts
    reneged = renege * inflow
    available = inflow - reneged
    fence = np.asarray(ring_fence, dtype=stock.dtype) * capacity
    by_profile = allocate_treatments(available, profile * inflow, capacity - fence, order, theta_sorted)
    treated = by_profile + _longest_first(available - by_profile, fence)
    new_stock = np.maximum(available - treated, 0.0)
    unused = np.maximum(capacity - treated.sum(axis=-1), 0.0)
    return new_stock, treated, reneged, unused


@dataclass(frozen=True)
class Projection:
    """What a projection records at each reporting step (month end).

    ``measures`` (rows, months, 6) in the order of ``MEASURES``; ``starts``, ``treated``, ``reneged``,
    ``unused`` (rows, months): flows summed over the steps since the previous record; ``stock`` (rows,
    bins) at the end.
    """

    measures: Array
    starts: Array
    treated: Array
    reneged: Array
    unused: Array
    stock: Array


def project(
    stock: Array,
    starts: Array,
    capacity: Array,
    renege: Array,
    profile: Array,
    bins: Bins,
    step_weeks: float,
    record_steps: NDArray[np.intp],
    ring_fence: Array | float = 0.0,
) -> Projection:
    """Run the model for ``starts.shape[1]`` steps and record measures after each of ``record_steps``.

    ``stock`` (rows, bins) at the start; ``starts``/``capacity`` (rows, steps) per step; ``renege`` /
    ``profile`` (rows, bins) or (bins,); ``record_steps`` 1-based step counts (e.g. month ends).
    The computation runs in ``stock``'s dtype (float32 halves memory and time in sweeps).
    """
    dtype = stock.dtype if np.issubdtype(stock.dtype, np.floating) else np.float64
    w = np.array(stock, dtype=dtype, copy=True)
    rows, _n_bins = w.shape
    n_steps = starts.shape[1]
    renege = np.broadcast_to(np.asarray(renege, dtype=dtype), w.shape)
    profile = np.broadcast_to(np.asarray(profile, dtype=dtype), w.shape)
    if np.any(renege < 0) or np.any(renege > 1) or np.any(profile < 0):
        raise ValueError("renege rates must lie in [0, 1] and treatment profile weights must be >= 0")
    if np.any(starts < 0) or np.any(capacity < 0):
        raise ValueError("clock starts and capacity must not be negative")
    theta = _thresholds(renege, profile)
    order = np.argsort(theta, axis=-1)
    theta_sorted = np.take_along_axis(theta, order, axis=-1).astype(dtype)
    aging = bins.aging_fraction(step_weeks).astype(dtype)
    weights = bins.measure_weights().astype(dtype)
    fence = np.asarray(ring_fence, dtype=dtype)
    if np.any(fence < 0) or np.any(fence > 1):
        raise ValueError("ring_fence must be a share between 0 and 1")
    record = np.asarray(record_steps, dtype=np.intp)
    if record.size and (record.min() < 1 or record.max() > n_steps or np.any(np.diff(record) <= 0)):
        raise ValueError("record_steps must be increasing step counts between 1 and the number of steps")
    months = record.size
    measures = np.empty((rows, months, weights.shape[1]), dtype=dtype)
    flows = np.zeros((4, rows, months), dtype=np.float64)
    acc = np.zeros((4, rows), dtype=np.float64)
    starts = np.asarray(starts, dtype=dtype)
    capacity = np.asarray(capacity, dtype=dtype)
    m = 0
    for t in range(n_steps):
        w, treated, reneged, unused = step(
            w, starts[:, t], capacity[:, t], renege, profile, aging, fence, order=order, theta_sorted=theta_sorted
        )
        acc[0] += starts[:, t]
        acc[1] += treated.sum(axis=-1)
        acc[2] += reneged.sum(axis=-1)
        acc[3] += unused
        if m < months and t + 1 == record[m]:
            measures[:, m, :] = w @ weights
            flows[:, :, m] = acc
            acc[:] = 0.0
            m += 1
    return Projection(measures, flows[0], flows[1], flows[2], flows[3], w)
