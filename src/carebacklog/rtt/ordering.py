"""Clock order: events grouped by pathway and sorted within it, fast enough for England scale.

The canonical order is by (hash of pathway_id, event date, activity precedence, RTT status, hash of
event_id, hash of the rest of the row). Every key is a function of the row's content, so shuffling the
input rows cannot change the order; rows that still tie are identical and interchangeable. Pathways
come out in hash order (deterministic, meaningless): callers sort their much smaller outputs.

Speed: sorting one 64-bit key costs half as much as sorting several, so the common case packs the top
:data:`PREFIX_BITS` bits of the pathway hash and the date/activity/status order into one integer.
Rows that this key cannot order exactly (two pathways sharing a hash prefix, or two events of a
pathway on the same day with the same activity and status) are found afterwards and only those are
re-sorted on the full keys. A second, independently seeded hash checks the 64-bit pathway hash itself;
should two pathway ids ever share it, the pathway text is sorted on instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from carebacklog.rtt.schema import ACTIVITY_PRECEDENCE

__all__ = ["PREFIX_BITS", "clock_order"]

#: Bits of the pathway hash kept in the packed sort key; the other 24 hold the event order
#: (13 bits of days since the earliest event, 4 of activity precedence, 7 of status).
PREFIX_BITS: int = 40
_STATUS_BITS: Final[int] = 7
_ACT_BITS: Final[int] = 4
#: Status sort position of an event with no status (after 99).
_NO_STATUS_ORDER: Final[int] = 127
#: Seed of the second pathway_id hash that checks the first for collisions (any value other than 0).
_CHECK_SEED: Final[int] = 1_000_003
#: Columns hashed as the last tie-break, after event_id.
_SORT_TAIL: Final[tuple[str, ...]] = (
    "priority",
    "original_start_date",
    "treatment_function",
    "provider_code",
    "commissioner_code",
    "patient_id",
)
_NARROW: Final[tuple[str, ...]] = ("event_date", "rtt_status", "original_start_date")


def _pathway_hash(pathway_id: pl.Expr) -> pl.Expr:
    """64-bit hash grouping a pathway's events (Polars' default seed: stable for a Polars version)."""
    return pathway_id.hash()


def _event_id_hash(events: pl.DataFrame, rows: pl.Series) -> pl.Series:
    if "event_id" not in events.columns:
        return pl.Series("_eid", np.zeros(len(rows), dtype=np.uint64))
    return events.get_column("event_id").gather(rows).hash().alias("_eid")


def _exact_order(frame: pl.DataFrame, events: pl.DataFrame) -> pl.Series:
    """Indices that sort ``frame`` on the full keys: pathway hash, order, event_id hash, row hash."""
    rows = frame.get_column("_row")
    keyed = frame.select("_pw_hash", "_order").with_columns(_event_id_hash(events, rows))
    keys = ["_pw_hash", "_order", "_eid"]
    index = keyed.select(pl.arg_sort_by(keys)).to_series()
    ordered = keyed[index]
    tied = pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in keys])
    if ordered.select(tied.any()).item():
        tail = events.select(pl.struct(list(_SORT_TAIL)).hash()).to_series().gather(rows)
        keyed = keyed.with_columns(tail.alias("_tail"))
        index = keyed.select(pl.arg_sort_by([*keys, "_tail"])).to_series()
    return index


def clock_order(
    events: pl.DataFrame, census_date: date | None = None, carry: Sequence[pl.Expr] = ()
) -> pl.DataFrame:
    """Narrow frame of the events on or before the census, in clock order.

    Columns: ``_row`` (row in ``events``), ``_pw_hash``, ``_act`` (activity precedence code),
    ``event_date``, ``rtt_status``, ``original_start_date``, ``_new_pw`` (first row of a pathway) and
    the ``carry`` expressions (small per-event values a caller needs in clock order: computing them
    before the sort costs one sequential pass instead of a random gather afterwards).
    """
    precedence = ACTIVITY_PRECEDENCE
    act = pl.col("activity").replace_strict(precedence, default=len(precedence), return_dtype=pl.Int8)
    narrow = events.select(
        pl.int_range(pl.len(), dtype=pl.UInt32 if events.height < 1 << 32 else pl.Int64).alias("_row"),
        _pathway_hash(pl.col("pathway_id")).alias("_pw_hash"),
        act.alias("_act"),
        *[pl.col(c) for c in _NARROW],
        *carry,
    )
    if census_date is not None:
        narrow = narrow.filter(pl.col("event_date") <= census_date)
    day = pl.col("event_date").cast(pl.Int64)
    status = pl.col("rtt_status").cast(pl.Int64).fill_null(_NO_STATUS_ORDER)
    act_code = pl.col("_act").cast(pl.Int64)
    order = ((day - day.min()) * (1 << _ACT_BITS) + act_code) * (1 << _STATUS_BITS) + status
    low_bits = 64 - PREFIX_BITS
    span, first_day, low, high = narrow.select(
        (day.max() - day.min()).fill_null(0).alias("span"),
        day.min().alias("first"),
        pl.col("rtt_status").min().alias("low"),
        pl.col("rtt_status").max().alias("high"),
    ).row(0)
    if span < 1 << (low_bits - _ACT_BITS - _STATUS_BITS):
        columns = [*narrow.columns, "_order"]
        narrow = narrow.with_columns(_order=order.fill_null(0).cast(pl.Int32))
        # The order key holds the date, activity code and status exactly when every status fits its
        # 7 bits and no date is missing: those columns are then rebuilt after the sort instead of
        # being carried through it (a third fewer columns to gather).
        rebuild = (
            first_day is not None
            and narrow.get_column("event_date").null_count() == 0
            and (low is None or (low >= 0 and high < _NO_STATUS_ORDER))
        )
        narrow = _packed_sort(narrow, events, low_bits, first_day if rebuild else None).select(columns)
    else:  # events span more than 22 years: sort on the full keys
        narrow = narrow.with_columns(_order=order.fill_null(0))
        narrow = narrow[_exact_order(narrow, events)]
    narrow = _split_pathways(narrow, events)
    return narrow.drop("_order")


def _packed_sort(
    narrow: pl.DataFrame, events: pl.DataFrame, low_bits: int, first_day: int | None = None
) -> pl.DataFrame:
    """One-key sort on (hash prefix, order); then re-sort exactly the runs that key cannot order.

    With ``first_day`` (the earliest event day), ``event_date``, ``_act``, ``rtt_status`` and
    ``_order`` are not sorted along but decoded from the sorted key.
    """
    scale = pl.lit(1 << low_bits, pl.UInt64)
    prefix = pl.col("_pw_hash") // scale
    key = prefix * scale + pl.col("_order").cast(pl.UInt64)
    if first_day is None:
        narrow = narrow.with_columns(_key=key).sort("_key").drop("_key")
    else:
        decoded = ("event_date", "_act", "rtt_status", "_order")
        narrow = narrow.with_columns(_key=key).drop(decoded).sort("_key")
        order = (pl.col("_key") % scale).cast(pl.Int32)
        narrow = narrow.with_columns(_order=order).drop("_key")
        status = pl.col("_order") % (1 << _STATUS_BITS)
        narrow = narrow.with_columns(
            event_date=((pl.col("_order") // (1 << (_ACT_BITS + _STATUS_BITS))) + first_day).cast(pl.Date),
            _act=((pl.col("_order") // (1 << _STATUS_BITS)) % (1 << _ACT_BITS)).cast(pl.Int8),
            rtt_status=pl.when(status != _NO_STATUS_ORDER).then(status).cast(pl.Int16),
        )
    prefixes = narrow.select(prefix.alias("_prefix")).to_series()
    hashes = narrow.get_column("_pw_hash")
    orders = narrow.get_column("_order")
    same_prefix = prefixes == prefixes.shift(1)
    unclear = same_prefix & ((hashes != hashes.shift(1)) | (orders == orders.shift(1)))
    if not unclear.any():
        return narrow
    bad = prefixes.filter(unclear).unique()
    positions = prefixes.is_in(bad.implode()).arg_true()
    subset = narrow[positions]
    # Positions are in key order, so a prefix's rows stay in that prefix's slots once re-sorted.
    permutation = np.arange(narrow.height, dtype=np.int64)
    slots = positions.to_numpy()
    permutation[slots] = slots[_exact_order(subset, events).to_numpy()]
    return narrow[permutation]


def _split_pathways(narrow: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Flag each pathway's first row, checking the pathway hash with a second hash."""
    rows = narrow.get_column("_row")
    check = events.get_column("pathway_id").hash(seed=_CHECK_SEED).gather(rows)
    hashes = narrow.get_column("_pw_hash")
    if ((hashes == hashes.shift(1)) & (check != check.shift(1))).any():
        # Two pathway ids share a 64-bit hash: key pathways by the rank of their text instead.
        rank = events.get_column("pathway_id").gather(rows).rank("dense").cast(pl.UInt64)
        narrow = narrow.with_columns(_pw_hash=rank)
        narrow = narrow[_exact_order(narrow, events)]
    first = (pl.col("_pw_hash") != pl.col("_pw_hash").shift(1)).fill_null(True)
    return narrow.with_columns(_new_pw=first)
