"""What is booked: outpatient appointments and to-come-in (TCI) dates for admission, and the PTL's view of them.

The input contract's optional **bookings** table (CSV or Parquet) holds one row per booking made:

==================  ========  ==============================================================================
column              required  meaning
==================  ========  ==============================================================================
``pathway_id``      yes       the pathway booked
``booking_type``    yes       ``outpatient`` (an appointment) or ``admission`` (a TCI date)
``booked_for``      yes       the date of the appointment or admission
``booked_on``       yes       the date the booking was made
``status``          no        ``booked`` (default), ``cancelled_by_hospital``, ``cancelled_by_patient``
``booking_id``      no        the PAS's own identifier (repeats are rejected as duplicates)
==================  ========  ==============================================================================

A rebooking is a new row with a later ``booked_on``; the cancelled booking stays, marked. At a census date
the booking that counts for a pathway is the one made most recently on or before the census (the later
``booked_for`` breaks a tie): the pathway is **booked** when that booking is not cancelled and its date is
on or after the census. :func:`with_bookings` adds to a PTL ``booked``, ``booked_date``, ``booking_type``,
``next_breach_date`` (the first 18/52/65/78/104-week breach date after the census), ``booked_after_breach``
(booked for a date after that breach: the "booked to breach" list) and ``hospital_cancellations`` (how many
of the pathway's bookings the hospital cancelled, on or before the census).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from carebacklog.rtt.bands import BREACH_WEEKS

__all__ = [
    "BOOKED_COLUMNS",
    "BOOKING_SCHEMA",
    "BOOKING_STATUSES",
    "BOOKING_TYPES",
    "bookings_at",
    "next_breach",
    "read_bookings",
    "with_bookings",
]

BOOKING_TYPES: Final = ("outpatient", "admission")
BOOKING_STATUSES: Final = ("booked", "cancelled_by_hospital", "cancelled_by_patient")
BOOKING_SCHEMA: Final[dict[str, pl.DataType]] = {
    "booking_id": pl.String(),
    "pathway_id": pl.String(),
    "booking_type": pl.String(),
    "booked_for": pl.Date(),
    "booked_on": pl.Date(),
    "status": pl.String(),
}
REQUIRED_BOOKING_COLUMNS: Final = ("pathway_id", "booking_type", "booked_for", "booked_on")
#: The columns :func:`with_bookings` adds to a PTL.
BOOKED_COLUMNS: Final[dict[str, pl.DataType]] = {
    "booked": pl.Boolean(),
    "booked_date": pl.Date(),
    "booking_type": pl.String(),
    "next_breach_date": pl.Date(),
    "booked_after_breach": pl.Boolean(),
    "hospital_cancellations": pl.Int64(),
}


def read_bookings(path: Path | str | Sequence[Path | str], quarantine: Path | str | None = None):  # type: ignore[no-untyped-def]
    """Read the bookings table: the same contract as ``read_events`` (a ``ReadResult``; rejected rows named
    by file, row, column and reason, and written to ``quarantine``)."""
    from carebacklog.rtt.reader import _Check, _read_many, _require_rows, _write_quarantine

    checks = [
        *(_Check(c, pl.col(c).is_null(), "required value is missing") for c in REQUIRED_BOOKING_COLUMNS),
        _Check("booking_type", ~pl.col("booking_type").is_in(BOOKING_TYPES), "booking_type must be outpatient or admission"),
        _Check(
            "status",
            pl.col("status").is_not_null() & ~pl.col("status").is_in(BOOKING_STATUSES),
            "status must be booked, cancelled_by_hospital or cancelled_by_patient",
        ),
    ]
    result = _read_many(path, BOOKING_SCHEMA, REQUIRED_BOOKING_COLUMNS, checks, "booking_id")
    _write_quarantine(result.rejected, quarantine)
    _require_rows(result, path)
    return result


def bookings_at(bookings: pl.DataFrame, census_date: dt.date) -> pl.DataFrame:
    """One row per pathway with a booking made by the census: ``booked``, ``booked_date``,
    ``booking_type`` and ``hospital_cancellations`` (see the module docstring)."""
    made = bookings.filter(pl.col("booked_on") <= census_date).with_columns(
        pl.col("status").fill_null("booked")
    )
    cancellations = made.group_by("pathway_id").agg(
        (pl.col("status") == "cancelled_by_hospital").sum().cast(pl.Int64).alias("hospital_cancellations")
    )
    latest = made.sort("pathway_id", "booked_on", "booked_for").unique("pathway_id", keep="last")
    live = (pl.col("status") == "booked") & (pl.col("booked_for") >= census_date)
    latest = latest.select(
        "pathway_id",
        live.alias("booked"),
        pl.when(live).then(pl.col("booked_for")).alias("booked_date"),
        pl.when(live).then(pl.col("booking_type")).alias("booking_type"),
    )
    return latest.join(cancellations, on="pathway_id", how="left")


def next_breach(census_date: dt.date) -> list[pl.Expr]:
    """``next_breach_weeks`` and ``next_breach_date``: the first of the PTL's breach thresholds
    (``rtt.bands.BREACH_WEEKS``: 18, 52, 65, 78, 104) whose date is after the census (null when over 104)."""
    weeks: pl.Expr = pl.lit(None, pl.Int64)
    when: pl.Expr = pl.lit(None, pl.Date)
    for threshold in reversed(BREACH_WEEKS):
        column = pl.col(f"breach_{threshold}_date")
        later = column > pl.lit(census_date)
        weeks = pl.when(later).then(pl.lit(threshold, pl.Int64)).otherwise(weeks)
        when = pl.when(later).then(column).otherwise(when)
    return [weeks.alias("next_breach_weeks"), when.alias("next_breach_date")]


def with_bookings(ptl: pl.DataFrame, bookings: pl.DataFrame | None, census_date: dt.date) -> pl.DataFrame:
    """``ptl`` with :data:`BOOKED_COLUMNS` (every pathway unbooked when ``bookings`` is None)."""
    out = ptl.with_columns(next_breach(census_date)[1])
    if bookings is None or bookings.height == 0:
        state = bookings_at(pl.DataFrame(schema=BOOKING_SCHEMA), census_date)
    else:
        state = bookings_at(bookings.select(list(BOOKING_SCHEMA)), census_date)
    out = out.drop([c for c in ("booked", "booked_date", "booking_type", "hospital_cancellations") if c in out.columns])
    out = out.join(state, on="pathway_id", how="left", maintain_order="left")
    return out.with_columns(
        pl.col("booked").fill_null(False),
        pl.col("hospital_cancellations").fill_null(0),
        (pl.col("booked_date") > pl.col("next_breach_date")).fill_null(False).alias("booked_after_breach"),
    )
