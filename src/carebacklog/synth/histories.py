"""Turn planned pathways into dated activity histories (events), vectorised over pathways.

Each pathway is a row of a fixed set of slots, in time order:

* **prefix** (before the current clock start and before the census month): an earlier period nullified by
  a first-appointment DNA (referral 10, DNA 33) or an earlier period that ended in active monitoring
  (referral 10, outpatient 20, outpatient 31/32, AM review 91) from which the patient returned (status 11);
* **start**: the referral (10; 12 for a consultant referral for a separate condition; with
  ``original_start_date`` for a transfer in) or the return from active monitoring (outpatient 11);
* **middle** (strictly between the start and the stop, or up to the census when open): first and
  follow-up outpatient attendances, a later DNA, a cancellation, the decision to admit (with its FSSA
  priority), a pre-operative assessment, priority reviews and administrative validation contacts, all
  status 20 (no clock effect);
* **stop**: admission 30 (Part_1A); outpatient 30, 31, 32 or other 34, 35, 36 (Part_1B); DNA 33
  (nullified); transfer out 21; none when open;
* **after**: a follow-up (status 90) after treatment, when it falls by the census.

Every event of a pathway has its own date, strictly increasing, so the engine's order of events on one
day never matters.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from carebacklog.rtt.schema import ACTIVITIES
from carebacklog.synth import assumptions as A
from carebacklog.synth.calendar import back_to_weekday, weekday_of
from carebacklog.synth.plan import ADMITTED, NON_ADMITTED, NULLIFIED, OPEN, TRANSFERRED, PathwayPlan

__all__ = ["ACTIVITIES", "EventArrays", "build_histories"]

# Activity codes index the input contract's activities, in the contract's order.
REF, OUT, ADM, DTA, DNA, CAN, TXO, OTH = range(8)
_BIG = np.int32(2**31 - 1)


@dataclass
class EventArrays:
    """Flat event columns: ``pathway`` indexes the plan (prior pathways follow the plan's rows)."""

    pathway: np.ndarray
    date: np.ndarray
    activity: np.ndarray
    status: np.ndarray
    priority: np.ndarray  # index into PRIORITY_CODES, -1 none
    original_start: np.ndarray  # day number, -1 none
    prior_of: np.ndarray  # for each prior pathway (index len(plan) + i), the plan row it belongs to

    def select(self, rows: np.ndarray | slice) -> EventArrays:
        return EventArrays(
            self.pathway[rows],
            self.date[rows],
            self.activity[rows],
            self.status[rows],
            self.priority[rows],
            self.original_start[rows],
            np.zeros(0, np.int64),
        )

    @staticmethod
    def concat(parts: list[EventArrays], prior_of: np.ndarray) -> EventArrays:
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        return EventArrays(
            cat("pathway"),
            cat("date"),
            cat("activity"),
            cat("status"),
            cat("priority"),
            cat("original_start"),
            prior_of,
        )


def _exp(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    return np.minimum(rng.exponential(mean, n), 20_000).astype(np.int32)


def _middle(
    plan: PathwayPlan, limit: np.ndarray, surgical: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Middle events: (dates, present, activity, priority) matrices, sorted by date per row."""
    n = len(plan)
    ref = plan.referral_date.astype(np.int32)
    start = plan.start.astype(np.int32)
    lim = limit.astype(np.int32)
    kind = plan.kind
    eligible = kind != NULLIFIED  # a nullified period's first activity is its DNA
    op1 = ref + 1 + _exp(rng, A.FIRST_ATTENDANCE_MEAN_DAYS, n)
    op2 = op1 + 7 + _exp(rng, 42.0, n)
    op3 = op2 + 7 + _exp(rng, 56.0, n)
    has2 = rng.random(n) < A.FOLLOW_UP_SHARE
    has3 = has2 & (rng.random(n) < A.SECOND_FOLLOW_UP_SHARE)
    last_op = np.where(has3, op3, np.where(has2, op2, op1))
    dta = np.minimum(last_op + 1 + _exp(rng, 14.0, n), lim - 1)
    later_dna = op1 + 1 + _exp(rng, 35.0, n)
    cancel = ref + 1 + (rng.random(n) * np.maximum(lim - ref - 1, 1)).astype(np.int32)
    pre_op = dta + 7 + _exp(rng, 21.0, n)
    review1 = dta + A.PRIORITY_REVIEW_DAYS + rng.integers(0, 14, n, dtype=np.int32)
    review2 = review1 + A.PRIORITY_REVIEW_DAYS + rng.integers(0, 14, n, dtype=np.int32)
    weeks = np.asarray(A.VALIDATION_WEEKS, dtype=np.int32)
    # Validation contacts in the week after each milestone, on a working day: offset (k - weekday) mod 7
    # for k uniform in Monday..Friday.
    wd = weekday_of(start).astype(np.int8)
    offset = (rng.integers(0, 5, (n, weeks.size), dtype=np.int8) - wd[:, None]) % 7
    valid = start.astype(np.int32)[:, None] + 7 * weeks[None, :] + offset

    cols = [dta, op1, op2, pre_op, review1, op3, later_dna, cancel, review2]
    acts = [DTA, OUT, OUT, OTH, OTH, OUT, DNA, CAN, OTH]
    wanted = [
        plan.has_dta,
        eligible,
        eligible & has2,
        plan.has_dta & (rng.random(n) < A.PRE_OPERATIVE_ASSESSMENT_SHARE),
        plan.has_dta & (rng.random(n) < A.PRIORITY_REVIEW_SHARE),
        eligible & has3,
        eligible & (rng.random(n) < A.LATER_DNA_SHARE),
        eligible & (rng.random(n) < A.CANCELLATION_SHARE),
        plan.has_dta & (rng.random(n) < A.PRIORITY_REVIEW_SHARE),
    ]
    vwant = eligible[:, None] & (rng.random((n, weeks.size)) < A.VALIDATION_RECORDED_SHARE)
    dates = np.column_stack([back_to_weekday(np.column_stack(cols).astype(np.int32)), valid])
    want = np.column_stack([*wanted, vwant])
    act = np.asarray(acts + [OTH] * weeks.size, dtype=np.int8)
    # Keep events that fall before the limit (the DTA is clamped in), then the most important ones the
    # available days allow: order of importance is the column order above.
    present = want & (dates < lim[:, None]) & (dates > ref[:, None])
    present[:, 0] = plan.has_dta
    capacity = np.maximum(lim - ref - 1, 0)
    tight = np.flatnonzero(present.sum(axis=1) > capacity)
    present[tight] &= np.cumsum(present[tight], axis=1) <= capacity[tight, None]

    # FSSA priority at the decision to admit; reviews re-grade a code held for over twice its target.
    u = np.asarray(rng.random(n))
    p_dta = np.where(
        surgical,
        np.searchsorted(np.cumsum(A.weights(A.PRIORITY_MIX_SURGICAL)), u, side="right"),
        np.searchsorted(np.cumsum(A.weights(A.PRIORITY_MIX_MEDICAL)), u, side="right"),
    ).clip(0, 6)
    target = np.asarray(A.PRIORITY_TARGET_DAYS)
    regrade = np.asarray([3, 3, 3, 4, 4, 5, 6])
    # An urgent code (P1a/P1b/P2) is treated within its time frame: a patient who then waits more than
    # twice that after the decision to admit (to the clock stop, or still waiting at the census) was not
    # graded urgent at the decision. Grade them P3, or P4 if they wait over twice P3's time frame too.
    # Without this the PTL shows P1a patients waiting months, which no waiting-list manager would believe.
    waits_after = lim - dta
    urgent_too_long = (p_dta <= 2) & (waits_after > 2 * target[np.minimum(p_dta, 6)])
    p_dta = np.where(urgent_too_long, np.where(waits_after > 2 * target[3], 4, 3), p_dta)
    p_r1 = np.where(review1 - dta > 2 * target[p_dta], regrade[p_dta], p_dta)
    p_r2 = np.where(review2 - dta > 2 * target[p_r1], regrade[p_r1], p_r1)
    prio = np.full(dates.shape, -1, dtype=np.int8)
    prio[:, 0], prio[:, 4], prio[:, 8] = p_dta, p_r1, p_r2  # DTA, first and second review columns

    # Sort each row by date (absent last), carrying the column (importance order, which breaks ties) and
    # the priority in the low bits of one int64 key; then make dates strictly increasing in (ref, limit).
    d = np.where(present, np.minimum(np.maximum(dates, (ref + 1)[:, None]), (lim - 1)[:, None]), _BIG)
    column = np.arange(d.shape[1], dtype=np.int64)  # 4 bits: at most 16 middle columns
    assert d.shape[1] <= 16
    key = (d.astype(np.int64) << 12) | (column << 4)[None, :] | (prio.astype(np.int64) + 1)
    key.sort(axis=1)
    d = (key >> 12).astype(np.int32)
    present = d != _BIG
    act_m = act[(key >> 4) & 0xFF]
    prio = ((key & 0xF) - 1).astype(np.int8)
    j = np.arange(d.shape[1], dtype=np.int32)
    k = present.sum(axis=1)
    d = np.maximum.accumulate(np.where(present, d - j, np.int32(-(2**30))), axis=1) + j
    d = np.minimum(d, (lim - k).astype(np.int32)[:, None] + j)
    return np.where(present, d, 0).astype(np.int32), present, act_m, prio, np.full(dates.shape, 20, np.int16)


#: Pathways per block: the slot matrices of one block stay small enough for the CPU caches.
BLOCK = 200_000


def build_histories(
    plan: PathwayPlan, surgical: np.ndarray, month_start: int, census: int, rng: np.random.Generator
) -> EventArrays:
    """Events for every planned pathway plus the earlier pathways behind consultant referrals (status 12).

    Events come pathway by pathway in plan order, then those of the earlier pathways (indexed from
    ``len(plan)``), each pathway's events in date order. Built in blocks of :data:`BLOCK` pathways.
    """
    n = len(plan)
    mains: list[EventArrays] = []
    priors: list[EventArrays] = []
    prior_of: list[np.ndarray] = []
    n_prior = 0
    starts = list(range(0, max(n, 1), BLOCK))
    # Each block draws from its own child generator, so blocks can run on threads (NumPy releases the GIL
    # in its array loops) and the result does not depend on which thread ran which block.
    children = rng.spawn(len(starts))

    def one(i: int) -> EventArrays:
        lo, hi = starts[i], min(starts[i] + BLOCK, n)
        return _build_block(plan.take(np.arange(lo, hi)), surgical, month_start, census, children[i])

    workers = min(len(starts), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            blocks = list(pool.map(one, range(len(starts))))
    else:
        blocks = [one(i) for i in range(len(starts))]
    for lo, block in zip(starts, blocks, strict=True):
        hi = min(lo + BLOCK, n)
        # A block lists its own pathways' events first, then those of its earlier pathways: two slices.
        k = int(np.searchsorted(block.pathway, hi - lo))
        main = block.select(slice(0, k))
        main.pathway = main.pathway + lo
        prior = block.select(slice(k, None))
        prior.pathway = prior.pathway - (hi - lo) + n + n_prior
        mains.append(main)
        priors.append(prior)
        prior_of.append(block.prior_of + lo)
        n_prior += block.prior_of.size
    return EventArrays.concat([*mains, *priors], np.concatenate(prior_of))


def _build_block(
    plan: PathwayPlan, surgical: np.ndarray, month_start: int, census: int, rng: np.random.Generator
) -> EventArrays:
    n = len(plan)
    kind = plan.kind
    ref = plan.referral_date.astype(np.int32)
    completed = kind != OPEN
    limit = np.where(completed, plan.stop, census + 1).astype(np.int32)
    anchor = np.minimum(ref, month_start) - 1

    # Prefix: an earlier nullified period, or an earlier period ended in active monitoring (status 11 return).
    u = rng.random(n)
    prefix_ok = (
        (kind != NULLIFIED) & ~((kind == TRANSFERRED) & (plan.start >= month_start)) & ~plan.transfer_in
    )
    pre_null = prefix_ok & (u < A.PRIOR_NULLIFIED_SHARE)
    pre_am = prefix_ok & ~pre_null & (u < A.PRIOR_NULLIFIED_SHARE + A.PRIOR_ACTIVE_MONITORING_SHARE)
    consult = prefix_ok & ~pre_null & ~pre_am & (rng.random(n) < A.CONSULTANT_REFERRAL_SHARE)

    # Built backwards from the anchor; moving a weekend back to Friday (at most 2 days) keeps the order.
    null_dna = back_to_weekday(anchor - rng.integers(0, 60, n))
    null_ref = back_to_weekday(null_dna - 14 - _exp(rng, 28.0, n))
    am_stop = back_to_weekday(anchor - rng.integers(30, 300, n))
    am_review = back_to_weekday(am_stop + 84)
    am_op = back_to_weekday(am_stop - 7 - _exp(rng, 30.0, n))
    am_ref = back_to_weekday(am_op - 7 - _exp(rng, 40.0, n))
    am_status = np.where(rng.random(n) < 0.8, 32, 31)
    pre_dates = (null_ref, null_dna, am_ref, am_op, am_stop, am_review)
    pre_present = (pre_null, pre_null, pre_am, pre_am, pre_am, pre_am & (am_review <= anchor))

    # Start of the current period.
    start_act = np.where(pre_am, OUT, REF).astype(np.int8)
    start_status = np.where(pre_am, 11, np.where(consult, 12, 10)).astype(np.int16)
    original = np.where(plan.transfer_in, plan.start, -1).astype(np.int32)

    surg = surgical[plan.tf_idx]
    mid_d, mid_p, mid_a, mid_prio, mid_s = _middle(plan, limit, surg, rng)

    # Stop of the current period.
    stop_act = np.full(n, OTH, np.int8)
    stop_status = np.zeros(n, np.int16)
    stop_act[kind == ADMITTED], stop_status[kind == ADMITTED] = ADM, 30
    na = np.flatnonzero(kind == NON_ADMITTED)
    codes = np.asarray([c for c, _ in A.NON_ADMITTED_STOP_MIX])
    probs = np.cumsum([p for _, p in A.NON_ADMITTED_STOP_MIX])
    na_status = codes[(rng.random(na.size)[:, None] > probs / probs[-1]).sum(axis=1)]
    stop_status[na] = na_status
    stop_act[na] = np.where(na_status <= 32, OUT, OTH)
    stop_act[kind == NULLIFIED], stop_status[kind == NULLIFIED] = DNA, 33
    stop_act[kind == TRANSFERRED], stop_status[kind == TRANSFERRED] = TXO, 21

    # After: a follow-up after treatment (status 90), if it falls by the census.
    follow = back_to_weekday(plan.stop.astype(np.int32) + 14 + _exp(rng, 21.0, n))
    treated = (kind == ADMITTED) | ((kind == NON_ADMITTED) & (stop_status == 30))
    after_present = treated & (follow <= census) & (rng.random(n) < 0.6)

    # Slot matrices filled column by column in their final dtypes (column_stack would promote the dates to
    # int64 and copy every piece once more): prefix 0-5, start 6, middle 7..7+m-1, stop 7+m, after 8+m.
    m = mid_d.shape[1]
    width = 9 + m
    dates = np.empty((n, width), np.int32)
    present = np.empty((n, width), bool)
    act = np.empty((n, width), np.int8)
    status = np.empty((n, width), np.int16)
    prio = np.full((n, width), -1, np.int8)
    for j in range(6):
        dates[:, j] = pre_dates[j]
        present[:, j] = pre_present[j]
    act[:, :6] = np.asarray([REF, DNA, REF, OUT, OUT, OUT], np.int8)
    status[:, :6] = np.asarray([10, 33, 10, 20, 0, 91], np.int16)
    status[:, 4] = am_status
    dates[:, 6], present[:, 6], act[:, 6], status[:, 6] = ref, True, start_act, start_status
    dates[:, 7 : 7 + m], present[:, 7 : 7 + m], act[:, 7 : 7 + m] = mid_d, mid_p, mid_a
    status[:, 7 : 7 + m], prio[:, 7 : 7 + m] = mid_s, mid_prio
    dates[:, 7 + m], present[:, 7 + m], act[:, 7 + m], status[:, 7 + m] = (
        plan.stop,
        completed,
        stop_act,
        stop_status,
    )
    dates[:, 8 + m] = np.where(after_present, follow, 0)
    present[:, 8 + m], act[:, 8 + m], status[:, 8 + m] = after_present, OUT, 90
    orig = np.full((n, width), -1, np.int32)
    orig[:, 6] = original
    mask = present.ravel()
    pathway = np.repeat(np.arange(n, dtype=np.int64), present.sum(axis=1))

    # Earlier pathways of the same patients behind consultant referrals: referral, outpatient, treatment in
    # outpatients (30), and the follow-up (90) at which the separate referral was made.
    c = np.flatnonzero(consult)
    p_stop = back_to_weekday(anchor[c] - rng.integers(0, 200, c.size))
    p_op = back_to_weekday(p_stop - 7 - _exp(rng, 30.0, c.size))
    p_ref = back_to_weekday(p_op - 7 - _exp(rng, 40.0, c.size))
    p_follow = np.minimum(ref[c], census)
    p_dates = np.column_stack([p_ref, p_op, p_stop, p_follow])
    p_pw = np.repeat(n + np.arange(c.size, dtype=np.int64), 4)
    return EventArrays(
        pathway=np.concatenate([pathway, p_pw]),
        date=np.concatenate([dates.ravel()[mask], p_dates.ravel()]).astype(np.int32),
        activity=np.concatenate(
            [act.ravel()[mask], np.tile(np.asarray([REF, OUT, OUT, OUT], np.int8), c.size)]
        ),
        status=np.concatenate(
            [status.ravel()[mask], np.tile(np.asarray([10, 20, 30, 90], np.int16), c.size)]
        ),
        priority=np.concatenate([prio.ravel()[mask], np.full(4 * c.size, -1, np.int8)]),
        original_start=np.concatenate([orig.ravel()[mask], np.full(4 * c.size, -1, np.int32)]),
        prior_of=c,
    )
