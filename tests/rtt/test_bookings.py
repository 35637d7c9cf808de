"""What is booked at a census: the latest booking made counts, cancellations and rebookings, after breach."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.rtt.bookings import BOOKING_SCHEMA, bookings_at, read_bookings, with_bookings

CENSUS = dt.date(2025, 3, 31)


def _bookings(rows: list[tuple[str, str, dt.date, dt.date, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"booking_id": f"b{i}", "pathway_id": p, "booking_type": t, "booked_for": f, "booked_on": o, "status": s}
         for i, (p, t, f, o, s) in enumerate(rows)],
        schema=BOOKING_SCHEMA,
    )  # fmt: skip


def _d(days: int) -> dt.date:
    return CENSUS + dt.timedelta(days=days)


def test_the_booking_made_last_counts_and_cancellations_are_counted() -> None:
    table = _bookings([
        ("rebooked", "outpatient", _d(5), _d(-30), "cancelled_by_hospital"),
        ("rebooked", "outpatient", _d(20), _d(-10), "booked"),
        ("patient_cancelled", "admission", _d(9), _d(-20), "booked"),
        ("patient_cancelled", "admission", _d(9), _d(-2), "cancelled_by_patient"),
        ("in_the_past", "outpatient", _d(-3), _d(-40), None),  # happened (or not) before the census
        ("made_later", "admission", _d(40), _d(3), "booked"),  # made after the census: not yet known
        ("today", "admission", _d(0), _d(-7), "booked"),
    ])  # fmt: skip
    state = {r["pathway_id"]: r for r in bookings_at(table, CENSUS).to_dicts()}
    assert state["rebooked"]["booked"] and state["rebooked"]["booked_date"] == _d(20)
    assert state["rebooked"]["hospital_cancellations"] == 1
    assert not state["patient_cancelled"]["booked"] and state["patient_cancelled"]["booked_date"] is None
    assert not state["in_the_past"]["booked"]
    assert "made_later" not in state
    assert state["today"]["booked"] and state["today"]["booking_type"] == "admission"


def test_booked_after_breach_compares_with_the_next_breach_date() -> None:
    ptl = pl.DataFrame({
        "pathway_id": ["early", "late", "none"],
        **{f"breach_{w}_date": [_d(10 + w), _d(10 + w), _d(10 + w)] for w in (18, 52, 65, 78, 104)},
    })  # fmt: skip
    table = _bookings([("early", "outpatient", _d(20), _d(-1), "booked"), ("late", "admission", _d(40), _d(-1), "booked")])
    out = with_bookings(ptl, table, CENSUS).sort("pathway_id")
    assert out["next_breach_date"].to_list() == [_d(28)] * 3
    assert out["booked_after_breach"].to_list() == [False, True, False]
    assert out["booked"].to_list() == [True, True, False]


def test_bad_booking_rows_are_quarantined_with_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bookings.csv"
    path.write_text(
        "booking_id,pathway_id,booking_type,booked_for,booked_on,status\n"
        "b1,P1,outpatient,2025-04-10,2025-03-01,booked\n"
        "b2,P2,surgery,2025-04-10,2025-03-01,booked\n"
        "b3,P3,admission,not a date,2025-03-01,booked\n"
        "b4,P4,admission,2025-04-10,2025-03-01,maybe\n"
    )
    result = read_bookings(path, tmp_path / "rejected.csv")
    assert result.accepted == 1 and result.rejected.height == 3
    assert sorted(result.rejected["column"].to_list()) == ["booked_for", "booking_type", "status"]
    assert pl.read_csv(tmp_path / "rejected.csv").height == 3


def test_rtt_ptl_with_bookings_says_how_many_are_booked_and_late(tmp_path: Path) -> None:
    from carebacklog.synth import demo_trust

    trust = demo_trust(4, scale=0.03, bookings=True)
    trust.events.write_csv(tmp_path / "events.csv")
    trust.bookings.write_csv(tmp_path / "bookings.csv")
    out = tmp_path / "ptl.csv"
    result = CliRunner().invoke(
        app, ["rtt", "ptl", str(tmp_path / "events.csv"), "--bookings", str(tmp_path / "bookings.csv"),
              "--census-date", "2024-11-30", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ptl = pl.read_csv(out, try_parse_dates=True)
    assert {"booked", "booked_date", "booked_after_breach"} <= set(ptl.columns)
    assert 0 < ptl["booked"].sum() < ptl.height
    assert f"Booked {ptl['booked'].sum()}" in result.stderr


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_bookings_are_for_open_pathways_and_include_rebookings(seed: int) -> None:
    from carebacklog.synth import demo_trust

    trust = demo_trust(seed, scale=0.03, bookings=True)
    b = trust.bookings
    assert b.height > 0 and set(b["status"]) <= {"booked", "cancelled_by_hospital", "cancelled_by_patient"}
    assert (b["booked_on"] <= dt.date(2024, 11, 30)).all()
    assert b.filter(pl.col("status") == "cancelled_by_hospital").height > 0
    assert b["booking_id"].n_unique() == b.height


def test_the_wlmds_tci_date_comes_from_the_admission_bookings(tmp_path: Path) -> None:
    from carebacklog.synth import demo_trust

    trust = demo_trust(6, scale=0.03, bookings=True)
    trust.events.write_csv(tmp_path / "events.csv")
    trust.bookings.write_csv(tmp_path / "bookings.csv")
    result = CliRunner().invoke(
        app, ["rtt", "wlmds", str(tmp_path / "events.csv"), "--bookings", str(tmp_path / "bookings.csv"),
              "--week-ending", "2024-11-24", "--out", str(tmp_path / "wlmds")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    opened = next((tmp_path / "wlmds").glob("*OpenPathways*"))
    rows = pl.read_csv(opened, infer_schema_length=0)
    week_end = dt.date(2024, 11, 24)
    tci = bookings_at(trust.bookings, week_end).filter(pl.col("booked") & (pl.col("booking_type") == "admission"))
    filled = rows.filter(pl.col("TCI_Date").is_not_null())
    assert filled.height == tci.join(rows.select(pl.col("PATIENT_PATHWAY_IDENTIFIER").alias("pathway_id")), on="pathway_id").height > 0
    assert (filled["TCI_Date"].str.to_date() >= week_end).all()
