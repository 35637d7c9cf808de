"""Loading a trust: counts in = counts out, reloads replace, a failed load leaves the previous state."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from carebacklog.store import (
    LoadError,
    TrustData,
    current_load,
    list_loads,
    load_trust,
    make_sessionmaker,
    pathway_events,
    pathway_periods,
    patient_frame,
    periods_frame,
    ptl_frame,
)
from carebacklog.store.columns import frame_schema
from carebacklog.store.models import Event, Patient, Period, PtlEntry


def _count(engine: Engine, model: type, load_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(model).where(model.load_id == load_id)).scalar_one()
        )


def test_load_keeps_every_row(engine: Engine, small_trust: TrustData, now: dt.datetime) -> None:
    load_id = load_trust(engine, small_trust, now=now)
    assert _count(engine, Event, load_id) == small_trust.events.height
    assert _count(engine, Patient, load_id) == small_trust.patients.height
    assert _count(engine, Period, load_id) == small_trust.periods.height
    assert _count(engine, PtlEntry, load_id) == small_trust.ptl.height
    with make_sessionmaker(engine)() as db:
        load = current_load(db)
        assert load is not None and load.id == load_id
        assert load.provider_code == "RBD" and load.census_date == dt.date(2024, 11, 30)
        assert load.n_open == small_trust.ptl.height


def test_ptl_reads_back_as_written(engine: Engine, small_trust: TrustData, now: dt.datetime) -> None:
    load_id = load_trust(engine, small_trust, now=now)
    back = ptl_frame(engine, load_id)
    assert back.height == small_trust.ptl.height
    assert back.schema["clock_start"] == pl.Date and back.schema["has_dta"] == pl.Boolean
    columns = [
        "pathway_id",
        "period",
        "clock_start",
        "weeks_waited",
        "has_dta",
        "priority",
        "booking_rank",
        "imd_quintile",
    ]
    expected = small_trust.ptl.select(columns).with_columns(
        pl.col("period").cast(pl.Int64), pl.col("weeks_waited").cast(pl.Int64), pl.col("booking_rank").cast(pl.Int64),
        pl.col("imd_quintile").cast(pl.Int64),
    ).sort("booking_rank")  # fmt: skip
    assert back.select(columns).equals(expected)


def test_periods_and_patients_read_back_as_written(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    load_id = load_trust(engine, small_trust, now=now)
    periods = periods_frame(engine, load_id)
    assert periods.schema == frame_schema(Period.__table__)  # type: ignore[arg-type]
    columns = ["pathway_id", "period", "clock_start", "clock_stop", "outcome", "stop_status", "has_dta"]
    key = ["pathway_id", "period"]
    expected = small_trust.periods.select(columns).with_columns(
        pl.col("period").cast(pl.Int64), pl.col("stop_status").cast(pl.Int64)
    )
    assert periods.select(columns).sort(key).equals(expected.sort(key))
    patients = patient_frame(engine, load_id)
    assert patients.schema == frame_schema(Patient.__table__)  # type: ignore[arg-type]
    assert sorted(patients["patient_id"].to_list()) == sorted(small_trust.patients["patient_id"].to_list())
    assert patients["birth_date"].null_count() < patients.height  # dates come back as dates, not nulls
    assert periods_frame(engine, load_id + 1000).height == 0


def test_one_pathway_reads_back_in_date_order(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    load_id = load_trust(engine, small_trust, now=now)
    pathway = small_trust.ptl["pathway_id"][0]
    events = pathway_events(engine, load_id, pathway)
    assert events.height == small_trust.events.filter(pl.col("pathway_id") == pathway).height
    assert events["event_date"].is_sorted()
    periods = pathway_periods(engine, load_id, pathway)
    assert periods["period"].to_list() == sorted(periods["period"].to_list())
    assert "open" in periods["outcome"].to_list()


def test_reload_replaces_the_provider(engine: Engine, small_trust: TrustData, now: dt.datetime) -> None:
    first = load_trust(engine, small_trust, now=now)
    smaller = dataclasses.replace(small_trust, ptl=small_trust.ptl.head(10), source="second")
    second = load_trust(engine, smaller, now=now + dt.timedelta(hours=1))
    assert second != first
    assert _count(engine, PtlEntry, first) == 0 and _count(engine, Event, first) == 0
    assert _count(engine, PtlEntry, second) == 10
    with make_sessionmaker(engine)() as db:
        assert [load.id for load in list_loads(db) if load.provider_code == "RBD"] == [second]


def test_a_failed_load_leaves_the_previous_state(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    good = load_trust(engine, small_trust, now=now)
    # A PTL row without a clock start violates NOT NULL half-way through the import (after the events).
    broken_ptl = small_trust.ptl.with_columns(
        pl.when(pl.col("booking_rank") == small_trust.ptl.height)
        .then(None)
        .otherwise(pl.col("clock_start"))
        .alias("clock_start")
    )
    with pytest.raises(LoadError, match="ptl_entries") as failure:
        load_trust(engine, dataclasses.replace(small_trust, ptl=broken_ptl), now=now + dt.timedelta(hours=1))
    # The error names the table, never the offending row's patient data (it reaches logs).
    broken = small_trust.ptl.filter(pl.col("booking_rank") == small_trust.ptl.height).row(0, named=True)
    assert broken["pathway_id"] not in str(failure.value)
    assert broken["patient_id"] not in str(failure.value)
    with make_sessionmaker(engine)() as db:
        load = current_load(db, "RBD")
        assert load is not None and load.id == good
    assert _count(engine, PtlEntry, good) == small_trust.ptl.height
    assert _count(engine, Event, good) == small_trust.events.height
