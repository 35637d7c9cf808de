"""One path from files to a PTL (``carebacklog.rtt.ptl_from_files``), used by every caller."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carebacklog import rtt
from carebacklog.errors import BadInputError
from carebacklog.files import PathCollisionError
from carebacklog.rtt.pipeline import ptl_from_files, read_inputs

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "rtt" / "golden"
CENSUS = date(2025, 3, 31)


def _with_bad_rows(tmp_path: Path) -> Path:
    events = tmp_path / "events.csv"
    lines = (GOLDEN / "events.csv").read_text().splitlines()
    events.write_text("\n".join([*lines, "X-1,X,PX,RBD,110,QVV,2025-02-30,referral,10,,,bad date"]) + "\n")
    return events


def test_the_ptl_is_the_engine_s_ptl_with_counts_for_each_file(tmp_path: Path) -> None:
    events = _with_bad_rows(tmp_path)
    lines: list[str] = []
    quarantine = tmp_path / "q" / "rejected.csv"
    ptl, read = rtt.ptl_from_files(
        events, GOLDEN / "patients.csv", census_date=CENSUS, quarantine=quarantine, report=lines.append
    )
    direct = rtt.read_events(events)
    people = rtt.read_patients(GOLDEN / "patients.csv").events
    expected = rtt.ptl_snapshot(rtt.build_periods(direct.events, CENSUS), CENSUS, people)
    assert ptl.equals(expected)
    assert (read.events.rows_read, read.events.accepted, read.events.rejected.height) == (94, 93, 1)
    assert read.rows_read == read.accepted + read.rejected
    assert lines[0] == f"read 94 rows from {events}: 93 accepted, 1 rejected (see {quarantine})"
    assert lines[1].endswith("row 94: event_date: not a valid ISO date (YYYY-MM-DD, optionally followed by a time of day)")
    assert any(line.startswith(f"read {read.patients.rows_read} rows from ") for line in lines)  # type: ignore[union-attr]
    assert pl.read_csv(quarantine, infer_schema=False)["event_id"].to_list() == ["X-1"]
    assert (tmp_path / "q" / "rejected_patients.csv").exists()  # patients quarantine beside it


def test_without_a_quarantine_the_rejected_rows_are_still_counted_and_named(tmp_path: Path) -> None:
    lines: list[str] = []
    _, read = ptl_from_files(_with_bad_rows(tmp_path), census_date=CENSUS, report=lines.append)
    assert read.rejected == 1
    assert "1 rejected (give --quarantine FILE to keep them)" in lines[0]


def test_every_row_rejected_is_a_failure_and_a_quarantine_on_an_input_is_refused(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    header = (GOLDEN / "events.csv").read_text().splitlines()[0]
    events.write_text(header + "\nX-1,X,PX,RBD,110,QVV,2025-02-30,referral,10,,,\n")
    with pytest.raises(BadInputError, match="all 1 rows rejected") as caught:
        ptl_from_files(events, census_date=CENSUS, report=lambda _: None)
    assert caught.value.exit_code == 2
    before = events.read_bytes()
    with pytest.raises(PathCollisionError):
        read_inputs(events, quarantine=events, report=lambda _: None)
    assert events.read_bytes() == before


def _calls(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_no_module_assembles_files_into_a_ptl_on_its_own() -> None:
    """Reading events or patients, and taking the PTL snapshot, happen in rtt.pipeline only."""
    own = {ROOT / "src/carebacklog/rtt/pipeline.py", ROOT / "src/carebacklog/rtt/reader.py",
           ROOT / "src/carebacklog/rtt/ptl.py"}  # fmt: skip
    found = [
        call
        for path in sorted((ROOT / "src" / "carebacklog").rglob("*.py"))
        if path not in own
        for call in _calls(path, {"read_events", "read_patients", "ptl_snapshot"})
    ]
    assert found == []
