"""The event and patient readers: validation naming file, row and column; quarantine; counts; dedupe."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carebacklog.rtt import InputFileError, read_events, read_patients

HEADER = "event_id,pathway_id,patient_id,provider_code,treatment_function,commissioner_code,event_date,activity,rtt_status,priority,original_start_date"
GOOD = "e1,A,p1,RBD,110,QVV,2024-01-03,referral,10,P3,"


def _write(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("e2,A,p1,RBD,110,QVV,2024-02-30,outpatient,20,,", "event_date", "not a valid ISO date"),
        ("e2,A,p1,RBD,110,QVV,2024-02-01,telephone,20,,", "activity", "unknown activity"),
        ("e2,A,p1,RBD,110,QVV,2024-02-01,outpatient,3O,,", "rtt_status", "not a known RTT status code"),
        ("e2,A,p1,RBD,110,QVV,2024-02-01,outpatient,15,,", "rtt_status", "not a known RTT status code"),
        ("e2,A,p1,RBD,110,QVV,2024-02-01,outpatient,20,P7,", "priority", "unknown priority"),
        ("e2,A,p1,RBD,,QVV,2024-02-01,outpatient,20,,", "treatment_function", "required value is missing"),
        (
            "e2,A,p1,RBD,110,QVV,2024-02-01,referral,10,,01/02/2024",
            "original_start_date",
            "not a valid ISO date",
        ),
    ],
)
def test_bad_value_is_rejected_naming_file_row_and_column(
    tmp_path: Path, line: str, column: str, reason: str
) -> None:
    path = _write(tmp_path, GOOD, line)
    result = read_events(path)
    assert result.accepted == 1 and result.rows_read == 2
    assert result.rejected.height == 1
    bad = result.rejected.row(0, named=True)
    assert bad["source_file"] == str(path)
    assert bad["row"] == 2
    assert bad["column"] == column
    assert reason in bad["reason"]
    assert bad["event_id"] == "e2"  # the row's values are kept for the quarantine


def test_several_bad_columns_are_all_named(tmp_path: Path) -> None:
    result = read_events(_write(tmp_path, GOOD, "e2,A,p1,RBD,110,QVV,2024-13-01,walk-in,77,,"))
    assert result.rejected.get_column("column").to_list() == ["event_date; activity; rtt_status"]


def test_missing_required_column_raises_naming_file_and_column(tmp_path: Path) -> None:
    header = HEADER.replace("activity,", "")
    path = _write(tmp_path, "e1,A,p1,RBD,110,QVV,2024-01-03,10,P3,", header=header)
    with pytest.raises(InputFileError) as err:
        read_events(path)
    assert err.value.column == "activity"
    assert str(path) in str(err.value) and "activity" in str(err.value)


def test_missing_file_and_wrong_type_raise(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_events(tmp_path / "nope.csv")
    other = tmp_path / "events.xlsx"
    other.write_text("x")
    with pytest.raises(InputFileError, match="unsupported file type"):
        read_events(other)


def test_quarantine_file_holds_rejected_rows_with_reasons(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD,
        "e2,A,p1,RBD,110,QVV,2024-02-30,outpatient,20,,",
        "e3,A,p1,RBD,110,QVV,2024-03-01,outpatient,20,,",
        "e4,A,p1,RBD,110,QVV,2024-03-02,phone,20,,",
    )
    quarantine = tmp_path / "out" / "rejected.csv"
    result = read_events(path, quarantine=quarantine)
    assert result.accepted + result.rejected.height == result.rows_read == 4
    saved = pl.read_csv(quarantine, infer_schema=False)
    assert saved.get_column("row").to_list() == ["2", "4"]
    assert saved.get_column("column").to_list() == ["event_date", "activity"]
    assert saved.get_column("event_date").to_list() == ["2024-02-30", "2024-03-02"]


def test_reloading_the_same_events_does_not_duplicate_them(tmp_path: Path) -> None:
    first = _write(tmp_path, GOOD, "e2,A,p1,RBD,110,QVV,2024-02-01,outpatient,20,,", name="a.csv")
    second = _write(
        tmp_path,
        GOOD,
        "e2,A,p1,RBD,110,QVV,2024-02-01,outpatient,20,,",
        "e3,A,p1,RBD,110,QVV,2024-03-01,admission,30,,",
        name="b.csv",
    )
    result = read_events([first, second])
    assert result.events.get_column("event_id").to_list() == ["e1", "e2", "e3"]
    assert result.rows_read == 5 and result.rejected.height == 2
    assert set(result.rejected.get_column("reason")) == {
        f"duplicate event_id (first read at {first} row 1)",
        f"duplicate event_id (first read at {first} row 2)",
    }


def test_rows_without_event_id_dedupe_on_the_whole_row(tmp_path: Path) -> None:
    row = ",A,p1,RBD,110,QVV,2024-02-01,outpatient,20,,"
    other = ",A,p1,RBD,110,QVV,2024-02-08,outpatient,20,,"
    result = read_events(_write(tmp_path, row, row, other))
    assert result.accepted == 2
    assert result.rejected.get_column("reason").to_list() == [
        f"duplicate row (first read at {tmp_path / 'events.csv'} row 1)"
    ]


def test_types_extra_columns_and_parquet(tmp_path: Path) -> None:
    header = HEADER + ",clinic_code"
    csv = _write(
        tmp_path, GOOD + ",CLN1", "e2,A,p1,RBD,110,,2024-02-01,outpatient,,,2023-12-01,", header=header
    )
    events = read_events(csv).events
    assert events.schema["event_date"] == pl.Date
    assert events.schema["rtt_status"] == pl.Int16
    assert events.schema["original_start_date"] == pl.Date
    assert events.columns[-1] == "clinic_code"
    assert events.get_column("commissioner_code").to_list() == ["QVV", None]  # blank means missing
    parquet = tmp_path / "events.parquet"
    events.write_parquet(parquet)
    again = read_events(parquet).events
    assert again.equals(events)


def test_patients_reader(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(
        "patient_id,birth_date,sex,ethnic_category,imd_decile,lsoa\n"
        "p1,1950-06-01,2,A,1,E01000001\n"
        "p2,1990-02-28,1,,11,\n"
        "p1,1950-06-01,2,A,1,E01000001\n"
        "p3,,,Z,,\n"
    )
    result = read_patients(path)
    assert result.events.get_column("patient_id").to_list() == ["p1", "p3"]
    assert result.events.schema["birth_date"] == pl.Date
    assert result.events.get_column("birth_date").to_list() == [date(1950, 6, 1), None]
    reasons = dict(zip(result.rejected["row"], result.rejected["column"], strict=True))
    assert reasons == {2: "imd_decile", 3: "patient_id"}


def test_parquet_with_float_status_and_datetime_dates(tmp_path: Path) -> None:
    from datetime import datetime

    frame = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "pathway_id": ["A", "A", "A"],
            "patient_id": ["p1", "p1", "p1"],
            "provider_code": ["RBD"] * 3,
            "treatment_function": ["110"] * 3,
            "event_date": [datetime(2024, 1, 3), datetime(2024, 2, 1, 9, 30), datetime(2024, 3, 1)],
            "activity": ["referral", "outpatient", "admission"],
            "rtt_status": [10.0, None, 30.5],
        }
    )
    path = tmp_path / "events.parquet"
    frame.write_parquet(path)
    result = read_events(path)
    assert result.events.get_column("rtt_status").to_list() == [10, None]
    assert result.events.get_column("event_date").to_list() == [date(2024, 1, 3), date(2024, 2, 1)]
    assert result.rejected.get_column("column").to_list() == ["rtt_status"]


def test_mixed_rows_with_and_without_event_id_keep_reading_order(tmp_path: Path) -> None:
    no_id = ",A,p1,RBD,110,QVV,2024-02-01,outpatient,20,,"
    result = read_events(
        _write(tmp_path, GOOD, no_id, GOOD, no_id, "e2,A,p1,RBD,110,QVV,2024-03-01,admission,30,,")
    )
    assert result.events.get_column("event_id").to_list() == ["e1", None, "e2"]
    assert result.events.get_column("activity").to_list() == ["referral", "outpatient", "admission"]
    assert result.rejected.get_column("row").to_list() == [3, 4]
    assert result.rejected.get_column("column").to_list() == ["event_id", "(whole row)"]
    assert [r.split(" (")[0] for r in result.rejected.get_column("reason")] == [
        "duplicate event_id",
        "duplicate row",
    ]
