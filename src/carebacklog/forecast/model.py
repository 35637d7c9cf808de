"""The stock-flow model: a waiting list by time waited, aged, fed and emptied each step.

State: ``stock`` of shape (rows, bins), one row per list (and per Monte Carlo run). One step of
``step_weeks`` weeks does, for every row at once:

1. **Age**: each bin passes the share ``step / width`` of its patients to the next bin (all of them when
   the bin is one step wide, a plain shift); the top bin keeps its patients.
2. **Clock starts** join bin 0. Inflow I = aged stock + starts.
3. **Reneges** (validation removals, treated elsewhere, died, unreported stops: docs/rules-rtt.md §Waiting-list dynamics) leave at a
   per-bin rate r: R = r·I.
4. **Treatments** (clock stops) share the step's capacity C by a profile c over the bins: T_b =
   min(A_b, λ·c_b·I_b) where A = I - R is what is left to treat and λ is set so ΣT = min(C, ΣA) (water
   filling, solved exactly in one pass per step), with λ at most ``LAMBDA_MAX``. A share
   ``ring_fence`` of C, and any capacity the profile cannot use below ``LAMBDA_MAX``, is spent from the
   top bin down (treat in turn, longest waiters first).
5. W = I - R - T.

**Surplus**: a bin is never treated beyond what it holds; capacity beyond the whole list is *unused*
(returned in ``Projection.unused``), not pushed into other bins or reported as treatments. So stocks
never go negative and starts - treated - reneged = change in list size holds exactly at every step
(up to floating-point rounding).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from carebacklog.forecast.bins import Bins

__all__ = ["MEASURES", "Projection", "allocate_treatments", "project", "step"]

# Column order of Projection.measures (weights from Bins.measure_weights).
MEASURES = ("total", "within_18", "over_52", "over_65", "over_78", "over_104")

_BIG = 1e30  # stands in for an unbounded water level λ
# Most the profile may scale every bin's treatment rate above its calibrated level (λ = 1 at the
# calibration's own capacity). Capacity beyond that is spent treating in turn, longest waiters
# first, as a service with spare capacity would; without the cap, a nearly cleared list keeps
# treating new referrals first and leaves a residue of long waiters (the % within 18 weeks then
# dips as capacity grows, which no planner would do).
LAMBDA_MAX = 2.0
# Capacity left over below this share of the step's capacity is float rounding, not a reason to treat in turn.
_ROUNDING = 1e-5

Array = NDArray[np.floating]


def _thresholds(renege: Array, profile: Array) -> Array:
    """λ at which bin b is fully treated: (1 - r_b) / c_b (independent of the stock); ∞ where c_b = 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        theta = np.where(profile > 0, (1.0 - renege) / np.where(profile > 0, profile, 1.0), np.inf)
    return theta


@dataclass(frozen=True)
class _Thresholds:
    """Each column's bins in order of their saturation threshold θ_b (fixed for a projection).

    ``order`` (B, N) bin indices in θ order, ``theta_sorted`` (B, N) the sorted θ, ``theta_min`` (N,)
    the smallest θ: while the water level λ stays at or below it no bin saturates, and the
    allocation is simply T = λ·c·I (the fast path of :func:`_water_fill`).
    """

    order: NDArray[np.intp]
    theta_sorted: Array
    theta_min: Array

    def gather(self, cols: NDArray[np.intp] | None = None) -> NDArray[np.intp]:
        """Flat gather indices (for arrays of the selected columns only) in θ order."""
        order = self.order if cols is None else self.order[:, cols]
        n = order.shape[1]
        flat: NDArray[np.intp] = order * n + np.arange(n)[None, :]
        return flat


def _sort_thresholds(renege: Array, profile: Array) -> _Thresholds:
    """Each column's bins (B, N) in cap-threshold order, with the sorted θ."""
    theta = _thresholds(renege, profile)
    order = np.argsort(theta, axis=0)
    # bins that never saturate (θ = ∞: no propensity, or one so small that 1/c overflows) sort last
    theta_sorted = np.take_along_axis(theta, order, axis=0)
    return _Thresholds(order, theta_sorted, theta_sorted[0].copy())


def _cumsum0(x: Array, reverse: bool = False, exclusive: bool = False) -> Array:
    """Cumulative sum over bins (axis 0) as B vector additions: NumPy's own cumsum along axis 0
    walks each column separately and is ~100× slower for (15–105, N) arrays. ``exclusive``: the sum
    of the rows strictly before (or, reversed, after) each row."""
    out = np.empty_like(x)
    rows = list(range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0]))
    first = rows[0]
    if exclusive:
        out[first] = 0.0
        for prev, i in itertools.pairwise(rows):
            np.add(out[prev], x[prev], out=out[i])
    else:
        out[first] = x[first]
        for prev, i in itertools.pairwise(rows):
            np.add(out[prev], x[i], out=out[i])
    return out


def allocate_treatments(
    available: Array, weights: Array, capacity: Array, order: NDArray[np.intp], theta_sorted: Array
) -> Array:
    """Water-filling: T_b = min(available_b, λ·weights_b) with ΣT = min(capacity, Σavailable).

    Arrays are bins-first, (B, N): bins on axis 0, so the cumulative sums run over 15–105 contiguous
    rows of N values (fast) rather than along a short inner axis. ``order`` holds flat indices that
    gather each column's bins in order of their cap threshold θ_b = available_b / weights_b and
    ``theta_sorted`` the sorted thresholds.
    The total treated at λ = θ_k is g_k = Σ_{j<k} available_j + θ_k · Σ_{j≥k} weights_j (sorted
    order); λ lies in the first segment where g reaches the capacity.
    """
    a_s = np.take(available.ravel(), order)
    w_s = np.take(weights.ravel(), order)
    a_before = _cumsum0(a_s, exclusive=True)
    w_from = _cumsum0(w_s, reverse=True)
    with np.errstate(invalid="ignore", over="ignore"):
        # at a bin that never saturates (θ = ∞) any capacity is reached while weight remains; with no
        # weight left, only the available total of the saturated bins before it is
        reach = np.where(
            np.isfinite(theta_sorted), a_before + theta_sorted * w_from, np.where(w_from > 0, np.inf, a_before)
        )
    # λ lies in the segment of the first bin whose reach (the total treated at λ = θ_k) meets the capacity
    hit = reach >= capacity[None, :]
    n = hit.shape[1]
    any_hit = hit.any(axis=0)
    k = hit.argmax(axis=0) * n + np.arange(n)
    a_k = np.take(a_before.ravel(), k)
    w_k = np.take(w_from.ravel(), k)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # w_k = 0: every weighted bin saturates before the capacity is reached, so treat them all
        lam = np.where(w_k > 0, (capacity - a_k) / np.where(w_k > 0, w_k, 1.0), _BIG)
    lam = np.minimum(np.where(any_hit, np.maximum(lam, 0.0), _BIG), LAMBDA_MAX).astype(available.dtype)
    treated: Array = np.minimum(available, lam[None, :] * weights)
    return treated


def _longest_first(available: Array, capacity: Array) -> Array:
    """Spend ``capacity`` (N,) on the longest waiters first (top bin down), bins-first (B, N)."""
    above = _cumsum0(available, reverse=True, exclusive=True)
    return np.clip(capacity[None, :] - above, 0.0, available)


def _water_fill(
    available: Array, weights: Array, capacity: Array, thresholds: _Thresholds
) -> tuple[Array, Array]:
    """:func:`allocate_treatments` for every column, and the totals treated (N,).

    Fast path: λ₀ = min(C / Σw, LAMBDA_MAX) is the answer wherever it does not exceed the column's
    smallest saturation threshold (then no bin is capped and T = λ₀·w exactly). Only the other columns
    (a bin would be emptied; about one in ten in a national sweep) go through the sorted
    water-filling. ``weights`` is overwritten.
    """
    wsum = weights.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lam = np.minimum(capacity / wsum, LAMBDA_MAX).astype(weights.dtype)
    # NaN (0/0) goes the exact way too. Each column takes its own path whatever the others do, so a
    # list's projection does not depend on which lists share its batch.
    hard = np.flatnonzero(~(lam <= thresholds.theta_min))
    exact = None
    if hard.size:
        exact = allocate_treatments(
            available[:, hard], weights[:, hard], capacity[hard], thresholds.gather(hard),
            thresholds.theta_sorted[:, hard],
        )
    treated = np.multiply(weights, lam[None, :], out=weights)
    totals: Array = lam * wsum
    if exact is not None:
        treated[:, hard] = exact
        totals[hard] = exact.sum(axis=0)
    return treated, totals


class _Work:
    """Preallocated (B, N) buffers for the steps of one projection: the step writes into these
    rather than allocating a dozen fresh arrays each time (in a Dask worker, whose malloc returns
    freed memory to the system at once, every fresh array costs page faults)."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype[np.floating] | type) -> None:
        self.inflow: Array = np.empty(shape, dtype=dtype)
        self.available: Array = np.empty(shape, dtype=dtype)
        self.weights: Array = np.empty(shape, dtype=dtype)
        self.moving: Array = np.empty(shape, dtype=dtype)


def _step_bins_first(
    stock: Array,
    starts: Array,
    capacity: Array,
    keep: Array,
    profile: Array,
    aging: Array,
    fence: Array | None,
    thresholds: _Thresholds,
    work: _Work,
    skip: Array | None = None,
    exposed: float = 1.0,
    plain_shift: bool = False,
) -> tuple[Array, Array, Array, Array, Array]:
    """One step, bins-first (B, N), in ``work``'s buffers. ``keep`` = 1 - renege rate; ``fence`` None:
    nothing ring-fenced; ``plain_shift``: every closed bin one step wide (ageing is a shift).

    Returns new stock (``work.available``), treated by bin (``work.weights``), reneged by bin
    (``work.inflow``), unused capacity and the totals treated; ``stock`` itself is only read.
    """
    inflow, moving = work.inflow, work.moving
    if plain_shift:  # bins one step wide: a plain shift, the top bin keeping its own
        inflow[1:] = stock[:-1]
        inflow[-1] += stock[-1]
        np.multiply(starts, exposed, out=inflow[0])
    else:
        np.multiply(stock, aging[:, None], out=moving)
        np.subtract(stock, moving, out=inflow)
        inflow[1:] += moving[:-1]
        inflow[0] += starts * exposed
    available = np.multiply(inflow, keep, out=work.available)
    weights = np.multiply(profile, inflow, out=work.weights)
    reneged = np.subtract(inflow, available, out=inflow)  # inflow is not needed after this
    spend = capacity if fence is None else capacity - fence * capacity
    treated, treated_total = _water_fill(available, weights, spend, thresholds)
    left = np.subtract(available, treated, out=available)
    # the ring-fence, plus whatever the profile could not spend below LAMBDA_MAX, treats in turn —
    # computed only for the columns (lists × runs) where there is capacity left beyond rounding
    in_turn = capacity - treated_total
    cols = np.flatnonzero(in_turn > _ROUNDING * (capacity + 1.0))
    if cols.size == left.shape[1]:
        extra = _longest_first(left, in_turn)
        treated += extra
        left -= extra
        treated_total += extra.sum(axis=0)
    elif cols.size:
        extra = _longest_first(left[:, cols], in_turn[cols])
        treated[:, cols] += extra
        left[:, cols] -= extra
        treated_total[cols] += extra.sum(axis=0)
    new_stock = np.maximum(left, 0.0, out=left)
    if exposed != 1.0:  # the rest of the step's starts arrive after this step's stops and reneges
        new_stock[0] += starts * (1.0 - exposed)
    if skip is not None:  # reporting lag: a share of each bin is recorded one bin older
        moved = np.multiply(skip, new_stock, out=moving)
        new_stock -= moved
        new_stock[1:] += moved[:-1]
        new_stock[-1] += moved[-1]
    unused = np.maximum(capacity - treated_total, 0.0)
    return new_stock, treated, reneged, unused, treated_total


def step(
    stock: Array,
    starts: Array,
    capacity: Array,
    renege: Array,
    profile: Array,
    aging: Array,
    ring_fence: Array | float = 0.0,
) -> tuple[Array, Array, Array, Array]:
    """One step for every row: returns (new stock, treated by bin, reneged by bin, unused capacity).

    ``stock`` (rows, bins); ``starts`` and ``capacity`` (rows,) per step; ``renege`` and ``profile``
    (rows, bins) or (bins,); ``aging`` (bins,) from ``Bins.aging_fraction``; ``ring_fence`` the share
    of capacity kept for the longest waiters, scalar or (rows,).
    """
    stock_t = np.ascontiguousarray(np.asarray(stock, dtype=np.float64).T)
    renege_t = np.ascontiguousarray(np.broadcast_to(renege, stock.shape).T)
    profile_t = np.ascontiguousarray(np.broadcast_to(profile, stock.shape).T)
    thresholds = _sort_thresholds(renege_t, profile_t)
    rows = stock_t.shape[1]
    fence = np.broadcast_to(np.asarray(ring_fence, dtype=np.float64), (rows,))
    aging = np.asarray(aging, dtype=np.float64)
    new, treated, reneged, unused, _ = _step_bins_first(
        stock_t, np.broadcast_to(starts, (rows,)).astype(np.float64), np.broadcast_to(capacity, (rows,)).astype(np.float64),
        1.0 - renege_t, profile_t, aging, fence if np.any(fence) else None, thresholds,
        _Work(stock_t.shape, np.float64), plain_shift=bool(np.all(aging[:-1] == 1.0)),
    )
    return new.T, treated.T, reneged.T, unused


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
    skip: Array | None = None,
    starts_exposed: float = 1.0,
) -> Projection:
    """Run the model for ``starts.shape[1]`` steps and record measures after each of ``record_steps``.

    ``stock`` (rows, bins) at the start; ``starts``/``capacity`` (rows, steps) per step; ``renege`` /
    ``profile`` (rows, bins) or (bins,); ``record_steps`` 1-based step counts (e.g. month ends).
    The computation runs in ``stock``'s dtype (float32 halves memory and time in sweeps).
    """
    dtype = stock.dtype if np.issubdtype(stock.dtype, np.floating) else np.float64
    rows = stock.shape[0]
    w = np.array(np.asarray(stock, dtype=dtype).T, order="C")  # bins-first (B, N), our own copy
    n_steps = starts.shape[1]
    renege_t = np.ascontiguousarray(np.broadcast_to(np.asarray(renege, dtype=dtype), stock.shape).T)
    profile_t = np.ascontiguousarray(np.broadcast_to(np.asarray(profile, dtype=dtype), stock.shape).T)
    if np.any(renege_t < 0) or np.any(renege_t > 1) or np.any(profile_t < 0):
        raise ValueError("renege rates must lie in [0, 1] and treatment profile weights must be >= 0")
    if np.any(starts < 0) or np.any(capacity < 0):
        raise ValueError("clock starts and capacity must not be negative")
    thresholds = _sort_thresholds(renege_t, profile_t)
    keep = 1.0 - renege_t
    skip_t = None
    if skip is not None and np.any(skip):
        skip_t = np.ascontiguousarray(np.broadcast_to(np.asarray(skip, dtype=dtype), stock.shape).T)
        if np.any(skip_t < 0) or np.any(skip_t > 1):
            raise ValueError("skip shares must lie in [0, 1]")
    aging = bins.aging_fraction(step_weeks).astype(dtype)
    weights = bins.measure_weights().astype(dtype)
    fence = np.broadcast_to(np.asarray(ring_fence, dtype=dtype), (rows,))
    if np.any(fence < 0) or np.any(fence > 1):
        raise ValueError("ring_fence must be a share between 0 and 1")
    fence_or_none = fence if np.any(fence) else None
    record = np.asarray(record_steps, dtype=np.intp)
    if record.size and (record.min() < 1 or record.max() > n_steps or np.any(np.diff(record) <= 0)):
        raise ValueError("record_steps must be increasing step counts between 1 and the number of steps")
    months = record.size
    measures = np.empty((months, weights.shape[1], rows), dtype=dtype)
    weights_t = np.ascontiguousarray(weights.T)
    flows = np.zeros((4, rows, months), dtype=np.float64)
    acc = np.zeros((4, rows), dtype=np.float64)
    starts_t = np.ascontiguousarray(np.asarray(starts, dtype=dtype).T)  # (steps, N)
    capacity_t = np.ascontiguousarray(np.asarray(capacity, dtype=dtype).T)
    work = _Work(w.shape, dtype)
    plain_shift = bool(np.all(aging[:-1] == 1.0))
    m = 0
    for t in range(n_steps):
        new, _treated, reneged, unused, treated_total = _step_bins_first(
            w, starts_t[t], capacity_t[t], keep, profile_t, aging, fence_or_none, thresholds, work, skip_t,
            starts_exposed, plain_shift,
        )
        w, work.available = new, w  # double buffering: the old stock's buffer takes the next step's
        acc[0] += starts_t[t]
        acc[1] += treated_total
        acc[2] += reneged.sum(axis=0)
        acc[3] += unused
        if m < months and t + 1 == record[m]:
            np.einsum("kb,bn->kn", weights_t, w, out=measures[m])  # no BLAS: faster for 6 × B × N
            flows[:, :, m] = acc
            acc[:] = 0.0
            m += 1
    return Projection(measures.transpose(2, 0, 1), flows[0], flows[1], flows[2], flows[3], w.T)
