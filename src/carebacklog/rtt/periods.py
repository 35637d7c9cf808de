"""RTT periods: one row per clock start, with how (and whether) the clock stopped.

Built from the effect codes of :func:`carebacklog.rtt.rules.classify_events`; the columns are the
contract in docs/architecture.md ("RTT periods"), plus ``priority_date``, the date the current
priority was first recorded (the date its FSSA time frame runs from).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import pairwise
from typing import Final

import polars as pl

from carebacklog.rtt.ordering import clock_order
from carebacklog.rtt.rules import DTA, START_STATUS, STOP_EFFECTS, _run_clock
from carebacklog.rtt.schema import ACTIVITY_PRECEDENCE, PRIORITIES, conform_events

#: Clock-order activity code of a decision to admit (``_act`` in the clock-ordered frame).
_DTA_ACT: Final[int] = ACTIVITY_PRECEDENCE["decision_to_admit"]

__all__ = ["PERIOD_COLUMNS", "PERIOD_SCHEMA", "build_periods"]

PERIOD_SCHEMA: Final[dict[str, pl.DataType]] = {
    "pathway_id": pl.String(),
    "period": pl.Int32(),
    "patient_id": pl.String(),
    "provider_code": pl.String(),
    "commissioner_code": pl.String(),
    "treatment_function": pl.String(),
    "clock_start": pl.Date(),
    "clock_stop": pl.Date(),
    "outcome": pl.String(),
    "stop_status": pl.Int16(),
    "has_dta": pl.Boolean(),
    "dta_date": pl.Date(),
    "priority": pl.String(),
    "last_activity_date": pl.Date(),
    "priority_date": pl.Date(),
}
PERIOD_COLUMNS: Final[tuple[str, ...]] = tuple(PERIOD_SCHEMA)

_STOP_CODES: Final = list(STOP_EFFECTS)
_CARRIED_TEXT: Final = ("patient_id", "provider_code", "commissioner_code", "treatment_function", "priority")
_PRIORITY_CODES: Final = {p: i for i, p in enumerate(PRIORITIES)}
#: Below this many events the periods are built in one piece; above it the clock-ordered events are
#: cut at pathway boundaries into one chunk per Polars thread, built concurrently (the forward fills
#: and cumulative sums each run on one thread, so this is what uses the second core). A module
#: variable so the tests can force chunking on small frames.
PARALLEL_MIN_EVENTS: int = 1_000_000
#: Number of chunks when chunking (None: one per Polars thread). Set by tests only.
PARALLEL_CHUNKS: int | None = None


def _holder(value: pl.Expr, first: pl.Expr) -> pl.Expr:
    """Row index of the latest non-null ``value`` so far within the period (or of the period's first row).

    The rows are sorted with each period contiguous and ``first`` marking its first row, so this is a
    forward fill that never crosses a period boundary; gathering ``value`` at the index gives the latest
    non-null value so far (null when the period has none yet). Indices are UInt32 (up to 4.29
    billion events per call, far beyond England's ~40 million a year), half the memory of Int64.
    """
    return pl.when(value.is_not_null() | first).then(pl.int_range(pl.len(), dtype=pl.UInt32)).forward_fill()


def build_periods(events: pl.DataFrame, census_date: date | None = None) -> pl.DataFrame:
    """RTT periods from pathway events (rules 1-7 of docs/rtt.md; only events on or before the census).

    ``patient_id``, ``provider_code``, ``commissioner_code`` and ``treatment_function`` are the latest
    values recorded while the period was open; ``priority`` is the latest priority recorded on or before
    the census and ``priority_date`` the date that priority was first recorded in its latest run (a
    re-recorded same priority does not move it); ``last_activity_date`` the date of the period's latest
    event; ``dta_date`` the latest decision to admit. Rows are ordered by pathway_id, then period.

    Vectorised: the events of a period are contiguous in clock order and its ending event (if any) is
    the last of them, so every column is a running value read off the period's last row. Text columns
    are only gathered for those last rows.
    """
    events = conform_events(events)
    # A carried column with no missing value needs no "latest non-null" fill: its latest value in a
    # period is the period's last event's (null counts are known without a pass over the data).
    gappy = tuple(c for c in _CARRIED_TEXT if events.get_column(c).null_count())
    carry = [
        pl.col("priority")
        .replace_strict(_PRIORITY_CODES, default=None, return_dtype=pl.Int8)
        .alias("_priority"),
        *[pl.col(c).is_not_null().alias(f"_has_{c}") for c in gappy],
    ]
    ordered = clock_order(events, census_date, carry)
    chunks = _chunks(ordered)
    del ordered
    if len(chunks) == 1:
        ends = _build(chunks[0])
    else:
        with ThreadPoolExecutor(len(chunks)) as pool:
            ends = pl.concat(list(pool.map(_build, chunks)))
    # In input-row order of each period's last event: when the input is grouped by pathway (an
    # extract usually is), the text gathers below read the events nearly sequentially and the
    # result often needs no text sort at all.
    ends = ends.sort("_row")
    text = [pl.col("pathway_id").gather(ends.get_column("_row"))]
    text += [
        pl.col(c).gather(ends.get_column(f"_at_{c}" if c in gappy else "_row")) for c in _CARRIED_TEXT
    ]
    periods = pl.concat([ends, events.select(text)], how="horizontal")
    stopped = pl.col("effect").is_in(_STOP_CODES)
    periods = periods.select(
        *[pl.col(c) for c in ("pathway_id", "period", *_CARRIED_TEXT)],
        clock_start=pl.col("clock_start_date"),
        clock_stop=pl.when(stopped).then(pl.col("event_date")),
        stop_status=pl.when(stopped).then(pl.col("rtt_status")),
        outcome=pl.when(stopped)
        .then(pl.col("effect").replace_strict(STOP_EFFECTS, default=None, return_dtype=pl.String))
        .otherwise(pl.lit("open")),
        has_dta=pl.col("dta_date").is_not_null(),
        dta_date=pl.col("dta_date"),
        last_activity_date=pl.col("event_date"),
        priority_date=pl.col("priority_date"),
    ).select([pl.col(c).cast(t) for c, t in PERIOD_SCHEMA.items()])
    pathway, period = pl.col("pathway_id"), pl.col("period")
    in_order = (pathway > pathway.shift(1)) | ((pathway == pathway.shift(1)) & (period > period.shift(1)))
    if periods.select((in_order.fill_null(True) & pathway.is_not_null()).all()).item():
        return periods
    return periods.sort("pathway_id", "period")


def _chunks(ordered: pl.DataFrame) -> list[pl.DataFrame]:
    """Zero-copy slices of the clock-ordered frame, cut only where a pathway starts."""
    threads = PARALLEL_CHUNKS or pl.thread_pool_size()
    count = min(threads, ordered.height // PARALLEL_MIN_EVENTS) if PARALLEL_MIN_EVENTS > 0 else 1
    if count < 2:
        return [ordered]
    starts = ordered.get_column("_new_pw").arg_true()
    cuts = sorted(
        {0, ordered.height}
        | {
            int(starts[min(int(starts.search_sorted(ordered.height * i // count)), starts.len() - 1)])
            for i in range(1, count)
        }
    )
    return [ordered.slice(a, b - a) for a, b in pairwise(cuts) if b > a]


def _build(ordered: pl.DataFrame) -> pl.DataFrame:
    """One row per period of a clock-ordered frame (or a slice of it holding whole pathways).

    Numeric only: ``_row`` is the input row of the period's last event and ``_at_<column>`` the input
    row holding each carried text column's latest value (only for the columns carried with a
    ``_has_<column>`` flag, i.e. those with missing values; the others take ``_row``'s).
    """
    states = _run_clock(ordered).filter(pl.col("in_period"))
    key = pl.col("period_key")
    rows = states.get_column("_row")
    inside = states.with_columns(
        _first=(key != key.shift(1)).fill_null(True),
        _last=(key != key.shift(-1)).fill_null(True),
        # Rule 5, also when the decision to admit is the activity that starts the period (status 11:
        # active monitoring ends with a decision to treat; 12: a new condition).
        dta_date=pl.when(
            (pl.col("effect") == DTA.code)
            | ((pl.col("effect") == START_STATUS.code) & (pl.col("_act") == _DTA_ACT))
        ).then(pl.col("event_date")),
    )
    first = pl.col("_first")
    code = pl.col("_priority")
    previous = code.gather(_holder(code, first)).shift(1)
    changed = code.is_not_null() & (first | previous.is_null() | (code != previous)).fill_null(True)
    inside = inside.with_columns(priority_date=pl.when(changed).then(pl.col("event_date")))
    dates = ("clock_start_date", "dta_date", "priority_date")
    # One running column at a time, each cut to the periods' last rows at once: keeps memory flat.
    last = inside.get_column("_last")
    carried_dates = []
    for c in dates:
        index = inside.select(_holder(pl.col(c), first)).to_series().filter(last)
        carried_dates.append(inside.get_column(c).gather(index))
    carried_text = []
    for c in _CARRIED_TEXT:
        if f"_has_{c}" not in inside.columns:
            continue
        index = inside.select(_holder(pl.when(pl.col(f"_has_{c}")).then(1), first)).to_series().filter(last)
        carried_text.append(rows.gather(index).alias(f"_at_{c}"))
    ends = inside.filter(pl.col("_last")).select("_row", "period", "effect", "rtt_status", "event_date")
    return pl.concat([ends, pl.DataFrame([*carried_dates, *carried_text])], how="horizontal")
