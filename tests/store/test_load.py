"""Loading a trust: counts in = counts out, reloads replace, a failed load leaves the previous state."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from carebacklog.store import (
    LoadError,
    Provenance,
    TrustData,
    current_load,
    find_snapshot,
    list_loads,
    load_trust,
    make_sessionmaker,
    pathway_events,
    pathway_periods,
    patient_frame,
    periods_frame,
    ptl_frame,
)
from carebacklog.store.models import SnapshotPart
from carebacklog.store.parts import PART_SCHEMAS

# The tables a snapshot keeps, by the part that stores them (carebacklog.store.parts).
Event, Patient, Period, PtlEntry = "events", "patients", "periods", "ptl"


def _count(engine: Engine, part: str, load_id: int) -> int:
    """Rows of one part of a snapshot, as the chunks record them."""
    with engine.connect() as conn:
        total = conn.execute(
            select(func.coalesce(func.sum(SnapshotPart.n_rows), 0)).where(
                SnapshotPart.load_id == load_id, SnapshotPart.part == part
            )
        ).scalar_one()
    return int(total)


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
    assert periods.schema == {"load_id": pl.Int64(), **PART_SCHEMAS["periods"]}
    columns = ["pathway_id", "period", "clock_start", "clock_stop", "outcome", "stop_status", "has_dta"]
    key = ["pathway_id", "period"]
    expected = small_trust.periods.select(columns).with_columns(
        pl.col("period").cast(pl.Int64), pl.col("stop_status").cast(pl.Int64)
    )
    assert periods.select(columns).sort(key).equals(expected.sort(key))
    patients = patient_frame(engine, load_id)
    assert patients.schema == {"load_id": pl.Int64(), **PART_SCHEMAS["patients"]}
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


def test_reloading_a_census_date_replaces_its_snapshot(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    first = load_trust(engine, small_trust, now=now)
    smaller = dataclasses.replace(small_trust, ptl=small_trust.ptl.head(10), source="second")
    second = load_trust(engine, smaller, now=now + dt.timedelta(hours=1))
    assert second != first
    assert _count(engine, PtlEntry, first) == 0 and _count(engine, Event, first) == 0
    assert _count(engine, PtlEntry, second) == 10
    with make_sessionmaker(engine)() as db:
        assert [load.id for load in list_loads(db, "RBD")] == [second]


def test_each_census_date_is_a_snapshot_and_the_history_is_kept(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    week = dt.timedelta(days=7)
    origin = Provenance("rbd.csv", "ab" * 32, 10, 9, 1, "analyst")
    trust = dataclasses.replace(small_trust, provider_code="RDZ", provenance=origin)
    dates = [small_trust.census_date + k * week for k in range(3)]
    ids = [load_trust(engine, dataclasses.replace(trust, census_date=d), now=now) for d in dates]
    with make_sessionmaker(engine)() as db:
        assert [load.census_date for load in list_loads(db, "RDZ")] == dates[::-1]
        newest = current_load(db, "RDZ")
        assert newest is not None and newest.id == ids[-1]
        assert (newest.file_name, newest.rows_rejected, newest.loaded_by) == ("rbd.csv", 1, "analyst")
        assert find_snapshot(db, "RDZ", dates[1], "ab" * 32) is not None
        assert find_snapshot(db, "RDZ", dates[1], "cd" * 32) is None
    # every snapshot keeps its PTL and periods; only the newest keeps the raw events and patients
    assert [_count(engine, PtlEntry, i) for i in ids] == [small_trust.ptl.height] * 3
    assert [_count(engine, Period, i) for i in ids] == [small_trust.periods.height] * 3
    assert [_count(engine, Event, i) for i in ids] == [0, 0, small_trust.events.height]
    assert [_count(engine, Patient, i) for i in ids] == [0, 0, small_trust.patients.height]


def test_keep_bounds_the_history_oldest_first(engine: Engine, small_trust: TrustData, now: dt.datetime) -> None:
    other = dataclasses.replace(small_trust, provider_code="RTH", provider_name="Oxford")
    start = dt.date(2025, 3, 2)
    ids = [
        load_trust(engine, dataclasses.replace(other, census_date=start + dt.timedelta(days=k)), now=now, keep=2)
        for k in range(4)
    ]
    with make_sessionmaker(engine)() as db:
        assert [load.id for load in list_loads(db, "RTH")] == [ids[3], ids[2]]
        assert any(load.provider_code == "RBD" for load in list_loads(db))  # another provider is untouched
    assert _count(engine, PtlEntry, ids[0]) == 0
    with pytest.raises(ValueError, match="at least 1"):
        load_trust(engine, other, now=now, keep=0)


def test_a_failed_load_leaves_the_previous_state(
    engine: Engine, small_trust: TrustData, now: dt.datetime
) -> None:
    good = load_trust(engine, small_trust, now=now)
    # A PTL row without a clock start: refused before anything is written.
    broken_ptl = small_trust.ptl.with_columns(
        pl.when(pl.col("booking_rank") == small_trust.ptl.height)
        .then(None)
        .otherwise(pl.col("clock_start"))
        .alias("clock_start")
    )
    with pytest.raises(LoadError, match="table ptl: clock_start") as failure:
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


def test_a_database_error_mid_load_rolls_everything_back(
    engine: Engine, small_trust: TrustData, now: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same census date loaded again fails while writing its chunks: the old snapshot survives."""
    import carebacklog.store.load as loading

    good = load_trust(engine, small_trust, now=now)
    real = loading.encode_part

    def broken(part: str, frame: pl.DataFrame) -> list[dict[str, object]]:
        rows = real(part, frame)
        if part == "ptl":
            rows[-1] = {**rows[-1], "data": None}  # NOT NULL: the database refuses the last chunk
        return rows

    monkeypatch.setattr(loading, "encode_part", broken)
    with pytest.raises(LoadError, match="snapshot_parts"):
        load_trust(engine, small_trust, now=now + dt.timedelta(hours=1))
    with make_sessionmaker(engine)() as db:
        load = current_load(db, "RBD")
        assert load is not None and load.id == good
    assert _count(engine, PtlEntry, good) == small_trust.ptl.height
    assert ptl_frame(engine, good).height == small_trust.ptl.height
