"""Property tests: a small real extract (rows of RBD, November 2024), corrupted at random (columns
dropped or renamed, bad values injected, bytes cut or flipped), is either refused with a
`PublishedFileError` or read with exactly the uncorrupted file's totals; never another exception."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebacklog.published import PublishedFileError, read_rtt

from .conftest import RBD_NOV_2024

_ALL = list(csv.reader(io.StringIO(RBD_NOV_2024.read_text(encoding="utf-8-sig"))))
HEADER = _ALL[0]
ROWS = _ALL[1:][::12]  # 43 rows, every part, C_999 rows included
#: Values no count, code or period may hold; injected anywhere they must be refused or change nothing.
BAD_VALUES = ("-1", "2.5", "abc", "NaN", "inf", "", "-0.5", "1.25e0", "Part_9", "RTT-Smarch-2024")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def totals(tidy: pl.DataFrame) -> dict[str, int]:
    return {part: int(n) for part, n in tidy.group_by("part").agg(pl.col("count").sum()).iter_rows()}


def read_bytes(tmp_path: Path, data: bytes, suffix: str = ".csv") -> dict[str, int] | None:
    """Totals by part of the file's reading, or None when it is refused; any other exception fails."""
    path = tmp_path / f"corrupt{suffix}"
    path.write_bytes(data)
    try:
        return totals(read_rtt(path))
    except PublishedFileError as exc:
        assert str(path) in str(exc)
        return None




@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    result = read_bytes(tmp_path_factory.mktemp("base"), csv_bytes(HEADER, ROWS))
    assert result is not None and set(result) == {"Part_1A", "Part_1B", "Part_2", "Part_2A", "Part_3"}
    return result


def independent_totals(data: bytes) -> dict[str, int]:
    """Oracle for a file of whole lines: the sum of each detail row's Total All by part (plain Polars)."""
    frame = pl.read_csv(data, infer_schema=False)
    details = frame.filter(pl.col("Treatment Function Code") != "C_999")
    return {p: int(n) for p, n in details.group_by("RTT Part Type").agg(
        pl.col("Total All").cast(pl.Int64).sum()).iter_rows() if n}


@SETTINGS
@given(column=st.integers(0, len(HEADER) - 1))
def test_dropping_any_column(tmp_path: Path, baseline: dict[str, int], column: int) -> None:
    header = [h for i, h in enumerate(HEADER) if i != column]
    rows = [[c for i, c in enumerate(r) if i != column] for r in ROWS]
    assert read_bytes(tmp_path, csv_bytes(header, rows)) in (None, baseline)


@SETTINGS
@given(column=st.integers(0, len(HEADER) - 1),
       new_name=st.one_of(st.text(min_size=1, max_size=30),
                          st.sampled_from(["Gt 05 To 06 Weeks", "Gt 106 Weeks SUM 1", "Total", "Period"])))
def test_renaming_any_column(tmp_path: Path, baseline: dict[str, int], column: int, new_name: str) -> None:
    header = list(HEADER)
    header[column] = new_name
    assert read_bytes(tmp_path, csv_bytes(header, ROWS)) in (None, baseline)


@SETTINGS
@given(row=st.integers(0, len(ROWS) - 1), column=st.integers(0, len(HEADER) - 1), value=st.sampled_from(BAD_VALUES))
def test_a_bad_value_in_any_cell(tmp_path: Path, baseline: dict[str, int], row: int, column: int,
                                 value: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[row][column] = value
    assert read_bytes(tmp_path, csv_bytes(HEADER, rows)) in (None, baseline)


@SETTINGS
@given(cut=st.integers(1, len(csv_bytes(HEADER, ROWS)) - 1))
def test_a_csv_cut_anywhere(tmp_path: Path, cut: int) -> None:
    data = csv_bytes(HEADER, ROWS)[:cut]
    result = read_bytes(tmp_path, data)
    if result is not None:  # only a cut just after a line end is a readable (shorter) file
        assert data.endswith(b"\n")
        assert result == independent_totals(data)


def zipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("20241130-RTT-November-2024-RBD.csv", data)
    return buffer.getvalue()


@SETTINGS
@given(data=st.data())
def test_a_zip_cut_or_flipped_anywhere(tmp_path: Path, baseline: dict[str, int], data: st.DataObject) -> None:
    archive = zipped(csv_bytes(HEADER, ROWS))
    if data.draw(st.booleans(), label="cut"):
        corrupt = archive[: data.draw(st.integers(0, len(archive) - 1), label="at")]
    else:
        at = data.draw(st.integers(0, len(archive) - 1), label="at")
        flip = data.draw(st.integers(1, 255), label="xor")
        corrupt = archive[:at] + bytes([archive[at] ^ flip]) + archive[at + 1:]
    assert read_bytes(tmp_path, corrupt, ".zip") in (None, baseline)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_many_corruptions_at_once(tmp_path: Path, baseline: dict[str, int], data: st.DataObject) -> None:
    # Several defects together, and in the zip: still refused or unchanged, never another exception.
    header, rows = list(HEADER), [list(r) for r in ROWS]
    for _ in range(data.draw(st.integers(1, 4), label="defects")):
        kind = data.draw(st.sampled_from(["drop", "rename", "value"]), label="kind")
        column = data.draw(st.integers(0, len(header) - 1), label="column")
        if kind == "drop":
            del header[column]
            for r in rows:
                del r[column]
        elif kind == "rename":
            header[column] = data.draw(st.sampled_from(["x", "Gt 5 To 6 Weeks SUM 1", "Total All ", ""]))
        else:
            rows[data.draw(st.integers(0, len(rows) - 1))][column] = data.draw(st.sampled_from(BAD_VALUES))
    raw = csv_bytes(header, rows)
    as_zip = data.draw(st.booleans(), label="zip")
    assert read_bytes(tmp_path, zipped(raw) if as_zip else raw, ".zip" if as_zip else ".csv") in (None, baseline)
