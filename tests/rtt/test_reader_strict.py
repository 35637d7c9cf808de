"""Strict readers: one bad row is quarantined, not the file; conflicts; datetimes; whole-file errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carebacklog.errors import BadInputError
from carebacklog.rtt import InputFileError, data_quality, read_events, read_patients

HEADER = (
    "event_id,pathway_id,patient_id,provider_code,treatment_function,commissioner_code,event_date,"
    "activity,rtt_status,priority,original_start_date"
)


def _row(i: int, *, patient: str = "PT0001", day: str = "2024-01-03", pathway: str = "A") -> str:
    return f"e{i},{pathway},{patient},RBD,110,QVV,{day},outpatient,20,,"


def _write(tmp_path: Path, lines: list[str], name: str = "events.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (_row(5, patient="SECRET42") + ",surplus", "12 fields where the header has 11"),
        ("e5,A,SECRET42,RBD,110,QVV,2024-01-03,outpatient,20", "9 fields where the header has 11"),
        ('e5,A,"SECRET42,RBD,110,QVV,2024-01-03,outpatient,20,,', "unbalanced or misplaced quote"),
        ('e5,A,SE"CRET42,RBD,110,QVV,2024-01-03,outpatient,20,,', "unbalanced or misplaced quote"),
        ("e5,A,SECRET42\u00e9,RBD,110,QVV,2024-01-03,outpatient,20,,", "not UTF-8 text"),
    ],
)
def test_one_malformed_row_is_quarantined_not_the_file(tmp_path: Path, bad: str, reason: str) -> None:
    lines = [_row(i) for i in range(1, 10)]
    lines[4] = bad  # file row 5
    path = _write(tmp_path, lines, encoding="latin-1" if "\u00e9" in bad else "utf-8")
    quarantine = tmp_path / "rejected.csv"
    result = read_events(path, quarantine=quarantine)
    assert (result.rows_read, result.accepted) == (9, 8)
    rejected = result.rejected.row(0, named=True)
    assert (rejected["source_file"], rejected["row"]) == (str(path), 5)
    assert reason in rejected["reason"]
    assert "SECRET42" not in rejected["reason"]
    assert rejected["patient_id"] is None  # a malformed row's fields cannot be trusted: none are kept
    assert result.source is not None
    assert result.source.get_column("row").to_list() == [1, 2, 3, 4, 6, 7, 8, 9]
    assert pl.read_csv(quarantine, infer_schema=False).get_column("row").to_list() == ["5"]


def test_quoted_commas_and_doubled_quotes_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(1), 'e2,"A,1",PT0001,RBD,110,QVV,2024-01-04,outpatient,20,"P3",'])
    result = read_events(path)
    assert result.rejected.height == 0
    assert result.events.get_column("pathway_id").to_list() == ["A", "A,1"]


def test_empty_lines_are_skipped_and_rows_stay_file_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(1), "", _row(2, day="2024-02-30"), _row(3)])
    result = read_events(path)
    assert result.rows_read == 3 and result.accepted == 2
    assert result.rejected.get_column("row").to_list() == [3]  # line 4 of the file


def test_conflicting_event_ids_are_all_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(1), _row(2), _row(3), _row(2, day="2024-01-09"), _row(3)])
    result = read_events(path)
    assert result.events.get_column("event_id").to_list() == ["e1", "e3"]
    reasons = dict(zip(result.rejected["row"], result.rejected["reason"], strict=True))
    assert reasons[2].startswith("conflicting event_id: read with different values at")
    assert reasons[4] == reasons[2] and f"{path} row 2" in reasons[2] and f"{path} row 4" in reasons[2]
    assert reasons[5] == f"duplicate event_id (first read at {path} row 3)"
    assert set(result.rejected.get_column("column")) == {"event_id"}


def test_conflict_across_files(tmp_path: Path) -> None:
    first = _write(tmp_path, [_row(1), _row(2)], name="a.csv")
    second = _write(tmp_path, [_row(2, day="2024-03-01"), _row(3)], name="b.csv")
    result = read_events([first, second])
    assert result.events.get_column("event_id").to_list() == ["e1", "e3"]
    assert result.rejected.select("source_file", "row").rows() == [(str(first), 2), (str(second), 1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-31", date(2024, 10, 31)),
        ("2024-10-31T10:00", date(2024, 10, 31)),
        ("2024-10-31 10:00:59", date(2024, 10, 31)),
        ("2024-10-31T10:00:00.123", date(2024, 10, 31)),
        ("2024-10-31T25:00", None),
        ("2024-10-31T10:00Z", None),
        ("2024-10-31T10:00+01:00", None),
        ("2024-10-31x", None),
        ("2024-1-31", None),
        ("31/10/2024", None),
    ],
)
def test_datetime_text_keeps_the_date_or_is_refused(tmp_path: Path, text: str, expected: date | None) -> None:
    result = read_events(_write(tmp_path, [_row(1), _row(2, day=text)]))
    if expected is None:
        assert result.rejected.get_column("column").to_list() == ["event_date"]
        assert result.rejected.get_column("event_date").to_list() == [text]  # quarantine keeps it
    else:
        assert result.rejected.height == 0
        assert result.events.get_column("event_date").to_list()[1] == expected


def test_every_row_rejected_is_an_error_and_the_quarantine_is_written(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(1, day="2024-02-30"), _row(2, day="someday")])
    quarantine = tmp_path / "rejected.csv"
    with pytest.raises(InputFileError) as err:
        read_events(path, quarantine=quarantine)
    assert isinstance(err.value, BadInputError) and err.value.exit_code == 2
    message = str(err.value)
    assert str(path) in message and "all 2 rows rejected" in message and "event_date" in message
    assert "someday" not in message and "header row" not in message
    assert pl.read_csv(quarantine).height == 2


def test_header_only_and_empty_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no data rows"):
        read_events(_write(tmp_path, []))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_events(empty)


def test_repeated_header_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + ",activity\n" + _row(1) + ",x\n")
    with pytest.raises(InputFileError) as err:
        read_events(path)
    assert err.value.column == "activity"


def _parquet_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "pathway_id": ["A", "A", "B"],
            "patient_id": ["PT1", "PT1", "PT2"],
            "provider_code": ["RBD"] * 3,
            "treatment_function": ["110"] * 3,
            "event_date": [date(2024, 1, 3), date(2024, 2, 1), date(2024, 1, 5)],
            "activity": ["referral", "outpatient", "referral"],
            "rtt_status": [10, 20, 10],
        },
        schema_overrides={"rtt_status": pl.Int16},
    )


def test_parquet_column_of_the_wrong_type_gets_one_message(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    _parquet_frame().with_columns(event_date=pl.Series([20240103, 20240201, 20240105])).write_parquet(path)
    with pytest.raises(InputFileError) as err:
        read_events(path)
    assert err.value.column == "event_date"
    assert "Int64" in str(err.value) and "expected dates" in str(err.value)


def test_parquet_text_columns_cast_cleanly_with_row_rejections(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    frame = _parquet_frame().with_columns(
        event_date=pl.Series(["2024-01-03", "2024-02-01T09:30", "not a date"]),
        rtt_status=pl.Series(["10", "20", "10"]),
        treatment_function=pl.Series([110, 110, 110]),
    )
    frame.write_parquet(path)
    result = read_events(path)
    assert result.events.schema["event_date"] == pl.Date
    assert result.events.schema["rtt_status"] == pl.Int16
    assert result.events.get_column("treatment_function").to_list() == ["110", "110"]
    assert result.rejected.select("row", "column").rows() == [(3, "event_date")]


def test_parquet_in_the_contract_types_is_used_as_read(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    frame = _parquet_frame().with_columns(pl.col("activity").cast(pl.Categorical))
    frame.write_parquet(path)
    result = read_events(path)
    assert result.rejected.height == 0
    assert result.events.schema["activity"] == pl.Categorical  # kept, not turned into text
    assert result.events.select(frame.columns).equals(frame)


def test_quality_rows_are_file_rows_after_rejections(tmp_path: Path) -> None:
    lines = [
        "e1,A,PT1,RBD,110,QVV,2024-01-03,referral,10,,",
        "e2,A,PT1,RBD,110,QVV,2024-02-30,outpatient,20,,",  # rejected
        "e3,A,PT1,RBD,110,QVV,2024-02-01,outpatient,20,,,",  # malformed
        "e4,B,PT2,RBD,110,QVV,2024-01-03,admission,30,,",  # stop without start
    ]
    path = _write(tmp_path, lines)
    result = read_events(path)
    issues = data_quality(result.events, date(2024, 3, 31), source=result.source)
    assert issues.select("source_file", "row", "event_id", "issue").rows() == [
        (str(path), 4, "e4", "stop_without_start")
    ]
    plain = data_quality(result.events, date(2024, 3, 31))
    assert plain.get_column("row").to_list() == [2] and plain.get_column("source_file").to_list() == [None]


def test_pathway_with_two_patients_is_a_quality_issue(tmp_path: Path) -> None:
    lines = [
        "e1,A,PT1,RBD,110,QVV,2024-01-03,referral,10,,",
        "e2,A,PT9,RBD,110,QVV,2024-02-01,outpatient,20,,",
        "e3,B,PT2,RBD,110,QVV,2024-01-03,referral,10,,",
        "e4,A,PT1,RBD,110,QVV,2024-02-02,outpatient,20,,",
    ]
    result = read_events(_write(tmp_path, lines))
    issues = data_quality(result.events, source=result.source)
    several = issues.filter(pl.col("issue") == "pathway_with_several_patients")
    assert several.select("row", "event_id", "rule").rows() == [(2, "e2", "input contract")]
    assert "2 patients" in several.get_column("detail").item()
    assert "PT9" not in several.get_column("detail").item()


def test_patients_conflict_and_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(
        "patient_id,birth_date,sex,ethnic_category,imd_decile,lsoa\n"
        "p1,1950-06-01,2,A,1,E01000001\n"
        "p2,1990-02-28,1,,3,\n"
        "p1,1950-06-01,2,A,1,E01000001\n"
        "p2,1991-02-28,1,,3,\n"
        "p3,,,Z,,\n"
    )
    result = read_patients(path)
    assert result.events.get_column("patient_id").to_list() == ["p1", "p3"]
    reasons = [r.split(":")[0].split(" (")[0] for r in result.rejected.get_column("reason")]
    assert reasons == ["conflicting patient_id", "duplicate patient_id", "conflicting patient_id"]
