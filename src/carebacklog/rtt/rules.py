"""The clock rules: what each event does to its pathway's RTT clock.

This is the one place the clock semantics (rules 1-8 of docs/rtt.md, from NHS England's RTT rules suite
PRN01045 v5.0, Feb 2025) are written down. :func:`classify_events` orders a pathway's events and gives
each one an *effect* code; :func:`carebacklog.rtt.build_periods`, :func:`carebacklog.rtt.explain` and
:func:`carebacklog.rtt.data_quality` all read those codes, so the rules exist once.

The pass is vectorised: a pathway's clock is a two-state machine (open / closed). A start candidate
leaves it open whatever it was; an end candidate leaves it closed; any other event leaves it as it was.
So the state after an event is the kind of the latest start-or-end candidate at or before it, which is
a forward fill over the frame sorted by pathway and date, with no per-pathway Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from carebacklog.rtt.ordering import clock_order
from carebacklog.rtt.schema import (
    ACTIVITY_PRECEDENCE,
    NULLIFY_STATUS,
    START_STATUSES,
    STOP_STATUSES,
    TRANSFER_STATUS,
    conform_events,
)

__all__ = [
    "EFFECTS",
    "ISSUE_EFFECTS",
    "STOP_EFFECTS",
    "Effect",
    "classify_events",
    "clock_states",
]


@dataclass(frozen=True)
class Effect:
    """What an event did to the clock: a code, the rule applied (docs/rtt.md numbering) and a plain-English verb."""

    code: int
    name: str
    rule: int
    meaning: str


# The effect codes. ``rule`` is the clock rule of docs/rtt.md ("The rules as implemented", from the
# RTT rules suite).
START_REFERRAL: Final = Effect(0, "start", 1, "referral starts period {period}")
START_STATUS: Final = Effect(1, "start", 2, "status {status} starts period {period}")
START_ON_OPEN: Final = Effect(
    2, "start_on_open_period", 1, "start ignored: period {period} is already open (data issue)"
)
START_STATUS_ON_OPEN: Final = Effect(
    13, "start_on_open_period", 2, "status {status} ignored: period {period} is already open (data issue)"
)
STOP_ADMITTED: Final = Effect(
    3, "stop_admitted", 3, "status {status} on admission stops period {period} (admitted, Part_1A)"
)
STOP_NON_ADMITTED: Final = Effect(
    4, "stop_non_admitted", 3, "status {status} stops period {period} (non-admitted, Part_1B)"
)
NULLIFY: Final = Effect(5, "nullify", 4, "status 33 DNA of first activity nullifies period {period}")
TRANSFER: Final = Effect(
    6, "transfer", 6, "transfer to another provider ends period {period} here without a completion"
)
STOP_WITHOUT_START: Final = Effect(
    7, "stop_without_start", 3, "status {status} ignored: no period is open (data issue)"
)
DTA: Final = Effect(8, "decision_to_admit", 5, "decision to admit flags period {period} as DTA (Part_2A)")
RUNNING: Final = Effect(9, "no_effect", 7, "no change: period {period} keeps running")
AFTER_STOP: Final = Effect(10, "after_stop", 7, "no change: no period is open")
BEFORE_START: Final = Effect(
    11, "before_any_start", 1, "no change: activity before any clock start (data issue)"
)
IGNORED_STOP: Final = Effect(
    12,
    "stop_status_ignored",
    7,
    "no change: a {activity} never stops a clock, status {status} ignored (data issue); "
    "period {period} keeps running",
)

EFFECTS: Final[dict[int, Effect]] = {
    e.code: e
    for e in (
        START_REFERRAL,
        START_STATUS,
        START_ON_OPEN,
        START_STATUS_ON_OPEN,
        STOP_ADMITTED,
        STOP_NON_ADMITTED,
        NULLIFY,
        TRANSFER,
        STOP_WITHOUT_START,
        DTA,
        RUNNING,
        AFTER_STOP,
        BEFORE_START,
        IGNORED_STOP,
    )
}
#: Effects that end a period, with the period outcome each gives.
STOP_EFFECTS: Final[dict[int, str]] = {
    STOP_ADMITTED.code: "admitted",
    STOP_NON_ADMITTED.code: "non_admitted",
    NULLIFY.code: "nullified",
    TRANSFER.code: "transferred",
}
#: Effects that are data-quality issues, with the issue name reported by ``data_quality``.
ISSUE_EFFECTS: Final[dict[int, str]] = {
    START_ON_OPEN.code: "start_on_open_period",
    START_STATUS_ON_OPEN.code: "start_on_open_period",
    STOP_WITHOUT_START.code: "stop_without_start",
    BEFORE_START.code: "activity_before_clock_start",
    IGNORED_STOP.code: "stop_status_on_cancellation_or_dna",
}

# A DNA other than the first (status 33) does not stop the clock, unless the patient is discharged
# back to the referrer under a published local access policy (recorded as 34) or has died (36):
# NHS England's RTT rules suite PRN01045 v5.0, "did not attends".
_DNA_STOP_STATUSES: Final[tuple[int, ...]] = (34, 36)

_STOP = tuple(sorted(STOP_STATUSES))
_START = tuple(sorted(START_STATUSES))


_A = ACTIVITY_PRECEDENCE  # activity -> small integer code used in the vectorised pass


def clock_states(
    events: pl.DataFrame, census_date: date | None = None, carry: Sequence[pl.Expr] = ()
) -> pl.DataFrame:
    """The clock pass on a narrow frame: one row per event on or before the census, in clock order.

    Columns: ``_row`` (the event's row in ``events``), ``_pw_hash``, ``_act`` (activity precedence
    code), ``event_date``, ``rtt_status``, ``original_start_date``, ``effect``, ``period``,
    ``in_period``, ``period_key`` and ``clock_start_date`` (see :func:`classify_events`). The order
    is :func:`carebacklog.rtt.ordering.clock_order`'s: by pathway, then date, activity precedence
    (:data:`ACTIVITY_PRECEDENCE`), status and event_id, independent of the input row order.
    ``carry`` adds caller expressions evaluated on ``events`` (see ``clock_order``).
    """
    return _run_clock(clock_order(conform_events(events), census_date, carry))


def _run_clock(frame: pl.DataFrame) -> pl.DataFrame:
    """Rules 1-7 on sorted events: the two-state machine as forward fills and cumulative sums.

    Same-day order depends on the clock: on a day that begins with a period open, the events that
    end it come before those that start the next one (treatment today, a new condition referred
    today: the new clock starts after the old one stops). On a day that begins closed, starts come
    first (see and treat). The clock order sorts starts first; the few days it gets wrong are found
    after one pass and only then re-ordered and run again.
    """
    states = _clock_pass(frame)
    reordered = _stops_before_same_day_starts(states)
    if reordered is not None:
        states = _clock_pass(reordered)
    return states.drop("_new_pw", "_kind", "_open_before")


def _stops_before_same_day_starts(states: pl.DataFrame) -> pl.DataFrame | None:
    """``states`` re-ordered so a day opening with a period open ends it before starting another.

    None when no day needs it (the usual case: one cheap check on the whole frame).
    """
    start_on_open = pl.col("effect").is_in([START_ON_OPEN.code, START_STATUS_ON_OPEN.code])
    if not states.select(start_on_open.any()).item():
        return None
    day = [pl.col("_new_pw").cast(pl.UInt32).cum_sum().alias("_pw_index"), "event_date"]
    states = states.with_columns(_pos=pl.int_range(pl.len(), dtype=pl.Int64))
    flagged = (
        pl.col("_open_before").first().over(day)
        & start_on_open.any().over(day)
        & (pl.col("_kind") == -1).fill_null(False).any().over(day)
    )
    states = states.with_columns(
        _day_first=pl.col("_pos").first().over(day),
        _end_first=pl.when(flagged & (pl.col("_kind") == -1).fill_null(False)).then(0).otherwise(1),
    )
    if not states.select((pl.col("_end_first") == 0).any()).item():
        return None
    return states.sort("_day_first", "_end_first", "_pos").drop("_pos", "_day_first", "_end_first")


def _clock_pass(frame: pl.DataFrame) -> pl.DataFrame:
    """One pass of the two-state machine over ``frame`` in its current order."""
    frame = frame.with_columns(_kind=_candidate_kind())
    # State after each event: the latest candidate's kind in this pathway (closed before any).
    frame = frame.with_columns(
        _state_after=pl.when(pl.col("_new_pw") & pl.col("_kind").is_null())
        .then(pl.lit(-1, pl.Int8))
        .otherwise(pl.col("_kind"))
        .forward_fill()
    )
    frame = frame.with_columns(
        _open_before=pl.when(pl.col("_new_pw"))
        .then(pl.lit(False))
        .otherwise(pl.col("_state_after").shift(1) == 1)
    )
    frame = frame.with_columns(_start=(pl.col("_kind") == 1).fill_null(False) & ~pl.col("_open_before"))
    frame = frame.with_columns(_cum=pl.col("_start").cast(pl.Int32).cum_sum())
    base = pl.when(pl.col("_new_pw")).then(pl.col("_cum") - pl.col("_start").cast(pl.Int32)).forward_fill()
    frame = frame.with_columns(period=(pl.col("_cum") - base).cast(pl.Int32))
    in_period = pl.col("_start") | pl.col("_open_before")
    frame = frame.with_columns(
        in_period=in_period,
        period_key=pl.when(in_period).then(pl.col("_cum")).otherwise(None),
        effect=_effect(),
        # Rule 1: a transfer in keeps its original start date; one after the event date is a data
        # error (reported by data_quality) and the event date is used instead.
        clock_start_date=pl.when(pl.col("_start")).then(
            pl.when(pl.col("original_start_date") <= pl.col("event_date"))
            .then(pl.col("original_start_date"))
            .otherwise(pl.col("event_date"))
        ),
    )
    return frame.drop("_state_after", "_start", "_cum")


def classify_events(events: pl.DataFrame, census_date: date | None = None) -> pl.DataFrame:
    """Order events and give each the effect it has on its pathway's clock.

    Returns the events (only those on or before ``census_date`` when given) in clock order (see
    :func:`clock_states`), with ``effect`` (Int8 code, see :data:`EFFECTS`), ``period`` (Int32: the
    period the event belongs to, 0 before the pathway's first clock start), ``in_period`` (bool: the
    event happened while that period was open, including the event that started or ended it),
    ``period_key`` (Int32, unique per period across the frame, null outside a period) and
    ``clock_start_date`` (Date, on the rows that start a period).
    """
    events = conform_events(events)
    states = clock_states(events, census_date)
    rows = states.get_column("_row")
    added = states.select("effect", "period", "in_period", "period_key", "clock_start_date")
    return pl.concat([events[rows], added], how="horizontal")


def _candidate_kind() -> pl.Expr:
    """+1 for a start candidate, -1 for an end candidate, null otherwise (rules 1-4, 6, 7)."""
    act = pl.col("_act")
    status = pl.col("rtt_status")
    is_cancel = act == _A["cancellation"]
    is_dna = act == _A["dna"]
    # Rule 7: a cancellation never stops a clock; a later DNA only when discharged (34) or died (36).
    ends = (
        (status == NULLIFY_STATUS) & ~is_cancel
        | status.is_in(_STOP) & ~is_cancel & (~is_dna | status.is_in(_DNA_STOP_STATUSES))
        | (status == TRANSFER_STATUS) & ~is_cancel
        | (act == _A["transfer_out"])
    )
    starts = (act == _A["referral"]) | status.is_in(_START)
    return (
        pl.when(ends.fill_null(False))
        .then(pl.lit(-1, pl.Int8))
        .when(starts.fill_null(False))
        .then(pl.lit(1, pl.Int8))
        .otherwise(pl.lit(None, pl.Int8))
    )


def _effect() -> pl.Expr:
    act = pl.col("_act")
    status = pl.col("rtt_status")
    kind = pl.col("_kind")
    opened = pl.col("_open_before")
    started = pl.col("_start")
    stop_status = status.is_in(_STOP).fill_null(False) | (status == NULLIFY_STATUS).fill_null(False)
    ignored_stop = act.is_in([_A["cancellation"], _A["dna"]]) & stop_status & kind.is_null()
    transfer = (act == _A["transfer_out"]) | (status == TRANSFER_STATUS).fill_null(False)

    def code(effect: Effect) -> pl.Expr:
        return pl.lit(effect.code, pl.Int8)

    return (
        pl.when(started & (act == _A["referral"]))
        .then(code(START_REFERRAL))
        .when(started)
        .then(code(START_STATUS))
        .when((kind == 1) & opened & (act == _A["referral"]))
        .then(code(START_ON_OPEN))
        .when((kind == 1) & opened)
        .then(code(START_STATUS_ON_OPEN))
        .when((kind == -1) & ~opened)
        .then(code(STOP_WITHOUT_START))
        .when((kind == -1) & transfer)
        .then(code(TRANSFER))
        .when((kind == -1) & (status == NULLIFY_STATUS).fill_null(False))
        .then(code(NULLIFY))
        .when((kind == -1) & (act == _A["admission"]) & (status == 30).fill_null(False))
        .then(code(STOP_ADMITTED))
        .when(kind == -1)
        .then(code(STOP_NON_ADMITTED))
        .when(opened & ignored_stop)
        .then(code(IGNORED_STOP))
        .when(opened & (act == _A["decision_to_admit"]))
        .then(code(DTA))
        .when(opened)
        .then(code(RUNNING))
        .when(pl.col("period") == 0)
        .then(code(BEFORE_START))
        .otherwise(code(AFTER_STOP))
    )
