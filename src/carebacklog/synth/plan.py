"""Plan every pathway of a synthetic trust: its clock start, how (and whether) its clock stopped, its DTA.

The plan is built constructively from the published month so that the clock engine, run at the census
date, gives back the published counts:

* an open pathway in weekly band *b* gets a clock start whose days waited at the census fall in *b*'s
  window (docs/rules-rtt.md §Weeks waited), so Part_2 is reproduced cell by cell (commissioner x treatment function x
  band); a Part_2A subset of each cell gets a decision to admit;
* each Part_1A / Part_1B completion gets a clock stop in the census month and a start whose wait at the
  stop falls in its band;
* Part_3 (clock starts in the month) is then reconciled per commissioner x treatment function: starts
  that could fall either side of the month start are moved before it when there are too many, and the
  shortfall, when there are too few, is made up of periods that started in the month and were nullified
  (first-appointment DNA) or transferred out within it; neither counts in Part_1 or Part_2.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from carebacklog.synth.assumptions import (
    RESIDUAL_TRANSFER_SHARE,
    TAIL_MAX_DAYS,
    TAIL_MEAN_DAYS,
    TRANSFER_IN_SHARE,
    TRANSFER_MIN_DAYS,
    TRANSFER_OUT_SHARE,
)
from carebacklog.synth.calendar import ACTIVITY, REFERRAL, band_window, sample_dates
from carebacklog.synth.targets import MonthTargets

__all__ = ["ADMITTED", "NON_ADMITTED", "NULLIFIED", "OPEN", "TRANSFERRED", "PathwayPlan", "plan_pathways"]

OPEN, ADMITTED, NON_ADMITTED, NULLIFIED, TRANSFERRED = 0, 1, 2, 3, 4


@dataclass
class PathwayPlan:
    """One row per pathway (arrays of equal length). Dates are int day numbers; ``stop`` is -1 when open.

    ``referral_date`` is the date of the clock-starting event at this provider: the clock start itself,
    except for transfers in, whose clock start is carried in ``original_start_date``.
    """

    kind: np.ndarray
    cc_idx: np.ndarray
    tf_idx: np.ndarray
    band: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    has_dta: np.ndarray
    referral_date: np.ndarray
    transfer_in: np.ndarray
    wait_lo: np.ndarray
    wait_hi: np.ndarray

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def take(self, idx: np.ndarray) -> PathwayPlan:
        return PathwayPlan(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @staticmethod
    def concat(plans: list[PathwayPlan]) -> PathwayPlan:
        return PathwayPlan(
            **{f.name: np.concatenate([getattr(p, f.name) for p in plans]) for f in fields(PathwayPlan)}
        )


def _repeat(cells: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = cells["n"].to_numpy()
    return (
        np.repeat(cells["cc_idx"].to_numpy(), n),
        np.repeat(cells["tf_idx"].to_numpy(), n),
        np.repeat(cells["band"].to_numpy(), n),
    )


def choose_in_groups(
    group: np.ndarray, k: np.ndarray, eligible: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Boolean mask choosing ``k[g]`` eligible rows at random within each group ``g`` (fewer if short)."""
    chosen = np.zeros(group.shape[0], dtype=bool)
    idx = np.flatnonzero(eligible)
    if idx.size == 0:
        return chosen
    # Random order within each group: sort on group + a uniform fraction (exact for groups below 2**40).
    order = idx[np.argsort(group[idx] + rng.random(idx.size), kind="stable")]
    g = group[order]
    first = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
    chosen[order[rank < k[g]]] = True
    return chosen


def _shrink(counts: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``counts`` summing to ``total`` (<= counts.sum()), largest remainder."""
    s = counts.sum()
    if s <= total:
        return counts.copy()
    x = counts * (total / s)
    out = np.floor(x).astype(np.int64)
    extra = total - out.sum()
    out[np.argsort(-(x - out), kind="stable")[:extra]] += 1
    return out


def _net_shortfall(gap: np.ndarray, n_tf: int) -> np.ndarray:
    """New periods still to create per commissioner x treatment function cell.

    ``gap`` is published minus planned in-month starts per cell. A cell's excess (negative gap) that could
    not be moved out of the month offsets shortfalls first within its treatment function, then across
    the provider, so Part_3 matches per treatment function where it can and in total where it cannot.
    """
    short = np.maximum(gap, 0)
    excess = np.maximum(-gap, 0)
    tf = np.arange(gap.size) % n_tf
    short_tf = np.bincount(tf, short, minlength=n_tf).astype(np.int64)
    excess_tf = np.bincount(tf, excess, minlength=n_tf).astype(np.int64)
    net_tf = np.maximum(short_tf - excess_tf, 0)
    left = int(np.maximum(excess_tf - short_tf, 0).sum())
    net_tf = _shrink(net_tf, max(int(net_tf.sum()) - left, 0))
    out = np.zeros_like(short)
    for t in np.flatnonzero(net_tf):
        cells = np.flatnonzero(tf == t)
        out[cells] = _shrink(short[cells], int(net_tf[t]))
    return out


def _move_before_month(
    plan: PathwayPlan,
    flip: np.ndarray,
    wait_lo: np.ndarray,
    wait_hi: np.ndarray,
    month_start: int,
    census: int,
    rng: np.random.Generator,
) -> None:
    """Re-draw the clock start of the ``flip`` rows before the month start, keeping each row's band."""
    f = np.flatnonzero(flip)
    if f.size == 0:
        return
    is_open = plan.kind[f] == OPEN
    fo, fc = f[is_open], f[~is_open]
    plan.start[fo] = sample_dates(census - wait_hi[fo], np.full(fo.size, month_start - 1), REFERRAL, rng)
    new_stop = sample_dates(
        np.full(fc.size, month_start), np.minimum(census, month_start + wait_hi[fc] - 1), ACTIVITY, rng
    )
    plan.stop[fc] = new_stop
    plan.start[fc] = sample_dates(
        new_stop - wait_hi[fc], np.minimum(new_stop - wait_lo[fc], month_start - 1), REFERRAL, rng
    )
    plan.referral_date[f] = plan.start[f]


def _tail(n: int, rng: np.random.Generator) -> np.ndarray:
    return np.minimum(rng.exponential(TAIL_MEAN_DAYS, n).astype(np.int64), TAIL_MAX_DAYS - 729)


def _cell_key(cc: np.ndarray, tf: np.ndarray, band: np.ndarray, n_tf: int) -> np.ndarray:
    return (cc.astype(np.int64) * n_tf + tf) * 106 + band


def plan_pathways(
    targets: MonthTargets, month_start: int, census: int, rng: np.random.Generator
) -> PathwayPlan:
    """Plan open, completed, nullified and transferred pathways reproducing ``targets``."""
    n_tf = len(targets.treatment_functions)
    n_cells3 = len(targets.commissioners) * n_tf

    # Open pathways (Part_2), a Part_2A subset with a decision to admit.
    cc, tf, band = _repeat(targets.parts["Part_2"])
    lo, hi = band_window(band, _tail(band.size, rng), targets.top_band)
    key = _cell_key(cc, tf, band, n_tf)
    p2a = targets.parts["Part_2A"]
    k_dta = np.zeros(n_cells3 * 106, dtype=np.int64)
    k_dta[_cell_key(p2a["cc_idx"].to_numpy(), p2a["tf_idx"].to_numpy(), p2a["band"].to_numpy(), n_tf)] = p2a[
        "n"
    ].to_numpy()
    has_dta = choose_in_groups(key, k_dta, np.ones(key.size, dtype=bool), rng)
    # A DTA needs a day after the referral: DTA pathways wait at least one day.
    lo_open = np.where(has_dta, np.maximum(lo, 1), lo)
    start = sample_dates(census - hi, census - lo_open, REFERRAL, rng)
    open_ = PathwayPlan(
        kind=np.full(cc.size, OPEN, np.int8),
        cc_idx=cc,
        tf_idx=tf,
        band=band,
        start=start,
        stop=np.full(cc.size, -1, np.int32),
        has_dta=has_dta,
        referral_date=start.copy(),
        transfer_in=np.zeros(cc.size, dtype=bool),
        wait_lo=lo_open,
        wait_hi=hi,
    )

    # Completions in the month (Part_1A admitted, Part_1B non-admitted): waits of at least one day.
    done = []
    for part, kind in (("Part_1A", ADMITTED), ("Part_1B", NON_ADMITTED)):
        c_cc, c_tf, c_band = _repeat(targets.parts[part])
        c_lo, c_hi = band_window(c_band, _tail(c_band.size, rng), targets.top_band)
        c_lo = np.maximum(c_lo, 1)
        stop = sample_dates(np.full(c_cc.size, month_start), np.full(c_cc.size, census), ACTIVITY, rng)
        c_start = sample_dates(stop - c_hi, stop - c_lo, REFERRAL, rng)
        done.append(
            PathwayPlan(
                kind=np.full(c_cc.size, kind, np.int8),
                cc_idx=c_cc,
                tf_idx=c_tf,
                band=c_band,
                start=c_start,
                stop=stop,
                has_dta=np.full(c_cc.size, kind == ADMITTED),
                referral_date=c_start.copy(),
                transfer_in=np.zeros(c_cc.size, dtype=bool),
                wait_lo=c_lo,
                wait_hi=c_hi,
            )
        )
    plan = PathwayPlan.concat([open_, *done])
    all_lo, all_hi = plan.wait_lo, plan.wait_hi

    # Part_3 reconciliation per commissioner x treatment function.
    p3 = targets.parts["Part_3"]
    target3 = np.zeros(n_cells3, dtype=np.int64)
    target3[p3["cc_idx"].to_numpy() * n_tf + p3["tf_idx"].to_numpy()] = p3["n"].to_numpy()
    cell3 = plan.cc_idx.astype(np.int64) * n_tf + plan.tf_idx
    in_month = plan.start >= month_start
    excess = np.bincount(cell3[in_month], minlength=n_cells3) - target3
    flippable = in_month & np.where(plan.kind == OPEN, census - all_hi < month_start, True)
    flip = choose_in_groups(cell3, np.maximum(excess, 0), flippable, rng)
    _move_before_month(plan, flip, all_lo, all_hi, month_start, census, rng)
    # Still too many in total (cells with no room to move): move more, within the treatment function first.
    for group, size in ((plan.tf_idx.astype(np.int64), n_tf), (np.zeros(len(plan), np.int64), 1)):
        in_month = plan.start >= month_start
        over = np.bincount(group[in_month], minlength=size) - np.bincount(
            np.arange(n_cells3) % n_tf if size == n_tf else np.zeros(n_cells3, np.int64),
            target3,
            minlength=size,
        ).astype(np.int64)
        flippable = in_month & np.where(plan.kind == OPEN, census - all_hi < month_start, True)
        _move_before_month(
            plan,
            choose_in_groups(group, np.maximum(over, 0), flippable, rng),
            all_lo,
            all_hi,
            month_start,
            census,
            rng,
        )
    in_month = plan.start >= month_start
    gap = target3 - np.bincount(cell3[in_month], minlength=n_cells3)
    short = _net_shortfall(gap, n_tf)

    # Shortfall: periods started and nullified (first-appointment DNA) or transferred within the month.
    r_cell = np.repeat(np.arange(n_cells3), short)
    r_start = sample_dates(np.full(r_cell.size, month_start), np.full(r_cell.size, census - 1), REFERRAL, rng)
    r_stop = sample_dates(r_start + 1, np.minimum(census, r_start + 42), ACTIVITY, rng)
    r_kind = np.where(rng.random(r_cell.size) < RESIDUAL_TRANSFER_SHARE, TRANSFERRED, NULLIFIED).astype(
        np.int8
    )
    residual = PathwayPlan(
        kind=r_kind,
        cc_idx=r_cell // n_tf,
        tf_idx=r_cell % n_tf,
        band=np.zeros(r_cell.size, np.int64),
        start=r_start,
        stop=r_stop,
        has_dta=np.zeros(r_cell.size, dtype=bool),
        referral_date=r_start.copy(),
        transfer_in=np.zeros(r_cell.size, dtype=bool),
        wait_lo=r_stop - r_start,
        wait_hi=r_stop - r_start,
    )

    # Mutual-aid transfers out of long waiters (clock started before the month: no published count moves).
    n_open = len(open_)
    n_tx = int(rng.binomial(n_open, TRANSFER_OUT_SHARE)) if n_open else 0
    tpl = rng.integers(0, max(n_open, 1), n_tx)
    t_start = sample_dates(
        np.full(n_tx, census - 700), np.full(n_tx, census - TRANSFER_MIN_DAYS - 30), REFERRAL, rng
    )
    t_stop = sample_dates(t_start + TRANSFER_MIN_DAYS, np.full(n_tx, census), ACTIVITY, rng)
    transfers = PathwayPlan(
        kind=np.full(n_tx, TRANSFERRED, np.int8),
        cc_idx=open_.cc_idx[tpl] if n_open else np.zeros(0, np.int64),
        tf_idx=open_.tf_idx[tpl] if n_open else np.zeros(0, np.int64),
        band=np.zeros(n_tx, np.int64),
        start=t_start,
        stop=t_stop,
        has_dta=np.zeros(n_tx, dtype=bool),
        referral_date=t_start.copy(),
        transfer_in=np.zeros(n_tx, dtype=bool),
        wait_lo=t_stop - t_start,
        wait_hi=t_stop - t_start,
    )

    # Transfers in among long-waiting open pathways: referred here later, original clock start carried.
    plan = PathwayPlan.concat([plan, residual, transfers])
    waited = census - plan.start
    tin = (
        (plan.kind == OPEN) & (waited >= TRANSFER_MIN_DAYS + 60) & (rng.random(len(plan)) < TRANSFER_IN_SHARE)
    )
    t = np.flatnonzero(tin)
    plan.referral_date[t] = sample_dates(
        plan.start[t] + TRANSFER_MIN_DAYS, np.minimum(census - 30, month_start - 1), ACTIVITY, rng
    )
    plan.transfer_in[t] = True
    return plan
