"""Patient-level input for community and mental-health services, and the clock engine per wait type.

Input (:data:`EVENT_SCHEMA`): one row per event of a referral: ``referral_id``, ``patient_id``
(optional), ``provider_code``, ``icb_code`` (optional), ``service_line``, ``age_group`` (``adult`` |
``cyp``), ``priority`` (optional, e.g. ``urgent``/``routine``), ``event`` and ``event_date``. Events
(:data:`EVENTS`): ``referral`` (received), ``contact`` (an attended care contact: the first and second
of them on or after the referral are the ``first_contact`` and ``second_contact`` milestones, as the
MHSDS measures count attended contacts), ``treatment_start`` (first treatment: ``first_treatment``) and
``discharge`` (the referral ends).

:func:`build_waits` gives one row per referral for a :class:`~carebacklog.community.types.WaitType`:
its clock starts at the type's start milestone and stops at its stop milestone; a discharge before the
stop ends the wait without a stop (``status = 'ended'``: the person left the list unseen, as "ended
before treatment" in NHS Talking Therapies). At a census date only events on or before it count, and the
wait of an open clock is census − start. Vectorised Polars: one group-by over the events, no loop over
referrals.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import polars as pl

from carebacklog.community.errors import CommunityFileError, place
from carebacklog.community.types import WaitType, wait_type

__all__ = [
    "AGE_GROUP_VALUES",
    "EVENTS",
    "EVENT_SCHEMA",
    "WAIT_SCHEMA",
    "build_waits",
    "completed_waits",
    "conform_community_events",
    "milestones",
    "open_waits",
    "read_community_events",
]

EVENTS: Final[tuple[str, ...]] = ("referral", "contact", "treatment_start", "discharge")
AGE_GROUP_VALUES: Final[tuple[str, ...]] = ("adult", "cyp")
EVENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "referral_id": pl.String(),
    "patient_id": pl.String(),
    "provider_code": pl.String(),
    "icb_code": pl.String(),
    "service_line": pl.String(),
    "age_group": pl.String(),
    "priority": pl.String(),
    "event": pl.String(),
    "event_date": pl.Date(),
}
_REQUIRED: Final = ("referral_id", "provider_code", "service_line", "age_group", "event", "event_date")
_ATTRIBUTES: Final = ("patient_id", "provider_code", "icb_code", "service_line", "age_group", "priority")

WAIT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "referral_id": pl.String(),
    **{c: pl.String() for c in _ATTRIBUTES},
    "wait_type": pl.String(),
    "clock_start": pl.Date(),
    "clock_stop": pl.Date(),
    "ended": pl.Date(),  # discharged before the clock stopped
    "status": pl.String(),  # open | stopped | ended
    "days_waited": pl.Int32(),  # to the stop, to the end, or (open) to the census
}


def conform_community_events(frame: pl.DataFrame, source: str = "<events>", first_row: int = 1) -> pl.DataFrame:
    """Check and type an events frame; raises :class:`CommunityFileError` naming source, row and column.

    ``first_row``: the row number of the frame's first row in its file (2 for a CSV with a header).
    Optional columns that are absent are added as nulls.
    """
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise CommunityFileError(f"{source}: missing column(s) {missing}")
    for column in EVENT_SCHEMA:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    indexed = frame.with_row_index("_row", offset=first_row)
    text = [pl.col(c).cast(pl.String).str.strip_chars().alias(c) for c in EVENT_SCHEMA if c != "event_date"]
    date = pl.col("event_date")
    if frame.schema["event_date"] in (pl.Date, pl.Datetime):
        parsed = date.cast(pl.Date)
    else:
        parsed = date.cast(pl.String).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    typed = indexed.select("_row", *text, parsed.alias("event_date"),
                           _date_given=date.is_not_null())
    checks = [
        (pl.col("referral_id").is_null() | (pl.col("referral_id") == ""), "referral_id", "blank"),
        (pl.col("provider_code").is_null() | (pl.col("provider_code") == ""), "provider_code", "blank"),
        (pl.col("service_line").is_null() | (pl.col("service_line") == ""), "service_line", "blank"),
        (~pl.col("age_group").is_in(AGE_GROUP_VALUES).fill_null(False), "age_group",
         f"must be one of {', '.join(AGE_GROUP_VALUES)}"),
        (~pl.col("event").is_in(EVENTS).fill_null(False), "event", f"must be one of {', '.join(EVENTS)}"),
        (pl.col("event_date").is_null() & pl.col("_date_given"), "event_date", "not a date YYYY-MM-DD"),
        (~pl.col("_date_given"), "event_date", "blank"),
    ]
    for bad, column, why in checks:
        rows = typed.filter(bad)
        if rows.height:
            raise CommunityFileError(f"{place(source, None, int(rows['_row'][0]), column)}: {why}")
    return typed.select(list(EVENT_SCHEMA)).cast(EVENT_SCHEMA)  # type: ignore[arg-type]


def read_community_events(path: str | Path) -> pl.DataFrame:
    """Read events from CSV or Parquet and check them (:func:`conform_community_events`)."""
    path = Path(path)
    if not path.exists():
        raise CommunityFileError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return conform_community_events(pl.read_parquet(path), str(path), first_row=1)
        if path.suffix.lower() == ".csv":
            return conform_community_events(pl.read_csv(path, infer_schema=False), str(path), first_row=2)
    except pl.exceptions.PolarsError as exc:
        raise CommunityFileError(f"{path}: cannot read ({type(exc).__name__})") from exc
    raise CommunityFileError(f"{path}: expected a .csv or .parquet file")


def milestones(events: pl.DataFrame, census_date: dt.date | None = None) -> pl.DataFrame:
    """One row per referral: its attributes (latest recorded) and milestone dates.

    ``referral`` (earliest referral event), ``first_contact``/``second_contact`` (the first and second
    attended contacts on or after the referral; with no referral event, on or after the first event),
    ``first_treatment`` (earliest treatment start on or after the referral) and ``discharge``
    (earliest discharge on or after the referral). Only events on or before ``census_date`` count.
    """
    events = conform_community_events(events) if events.schema != EVENT_SCHEMA else events
    if census_date is not None:
        events = events.filter(pl.col("event_date") <= census_date)
    date, event = pl.col("event_date"), pl.col("event")
    anchored = events.with_columns(
        _anchor=pl.coalesce(date.filter(event == "referral").min(), date.min()).over("referral_id")
    )
    after = date >= pl.col("_anchor")
    contacts = date.filter((event == "contact") & after).sort()
    return (
        anchored.sort("referral_id", "event_date")
        .group_by("referral_id", maintain_order=True)
        .agg(
            *[pl.col(c).drop_nulls().last().alias(c) for c in _ATTRIBUTES],
            referral=date.filter(event == "referral").min(),
            first_contact=contacts.first(),
            second_contact=contacts.slice(1, 1).first(),
            first_treatment=date.filter((event == "treatment_start") & after).min(),
            discharge=date.filter((event == "discharge") & after).min(),
        )
    )


def build_waits(events: pl.DataFrame, kind: str | WaitType, census_date: dt.date | None = None) -> pl.DataFrame:
    """One row per referral whose clock (of wait type ``kind``) has started (:data:`WAIT_SCHEMA`).

    ``status``: ``stopped`` (reached the stop milestone, ``clock_stop``), ``ended`` (discharged first,
    ``ended``), or ``open``. ``days_waited``: stop − start, end − start, or census − start (open; null
    without a census). A stop or a discharge before the start is ignored.
    """
    wt = wait_type(kind)
    m = milestones(events, census_date)
    start, stop, discharge = pl.col(wt.clock_start), pl.col(wt.clock_stop), pl.col("discharge")
    stop_valid = pl.when(stop >= start).then(stop)
    ended = pl.when((discharge >= start) & (stop_valid.is_null() | (discharge < stop_valid))).then(discharge)
    census = pl.lit(census_date, pl.Date) if census_date is not None else pl.lit(None, pl.Date)
    return (
        m.filter(start.is_not_null())
        .with_columns(clock_start=start, clock_stop=pl.when(ended.is_null()).then(stop_valid), ended=ended)
        .with_columns(
            status=pl.when(pl.col("clock_stop").is_not_null()).then(pl.lit("stopped"))
            .when(pl.col("ended").is_not_null()).then(pl.lit("ended"))
            .otherwise(pl.lit("open")),
            wait_type=pl.lit(wt.id),
        )
        .with_columns(
            days_waited=(pl.coalesce("clock_stop", "ended", census) - pl.col("clock_start")).dt.total_days()
        )
        .select(list(WAIT_SCHEMA))
        .cast(WAIT_SCHEMA)  # type: ignore[arg-type]
    )


def open_waits(waits: pl.DataFrame) -> pl.DataFrame:
    """The waiting list at the census: clocks still running."""
    return waits.filter(pl.col("status") == "open")


def completed_waits(waits: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Clocks that stopped between ``start`` and ``end`` (inclusive): the basis of a standard."""
    return waits.filter((pl.col("status") == "stopped") & pl.col("clock_stop").is_between(start, end))
