"""Hypothesis: malformed events files never crash the reader, lose a row, or leak a patient id.

Each example writes a CSV of good rows, then damages some of them: random bytes injected (Latin-1,
quotes, commas, NUL, line breaks), fields added or dropped, unbalanced quotes, impossible dates, unknown
codes, repeated rows and conflicting repeats of an ``event_id``. The reader must account for every
row (``accepted + rejected == rows read``, and rows read is the file's non-empty lines after the
header), raise nothing but :class:`InputFileError` (and that only when no row could be used), keep
one row per ``event_id``, and never put a patient id in a message.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebacklog.rtt import InputFileError, read_events

HEADER = (
    b"event_id,pathway_id,patient_id,provider_code,treatment_function,commissioner_code,event_date,"
    b"activity,rtt_status,priority,original_start_date"
)
ACTIVITIES = ["referral", "outpatient", "admission", "decision_to_admit", "dna", "cancellation"]
STATUSES = ["10", "20", "30", "31", "33", "90", ""]

good_row = st.tuples(
    st.integers(0, 40),  # event number (repeats happen)
    st.integers(0, 8),  # pathway
    st.integers(100000, 999999),  # patient id digits
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(ACTIVITIES),
    st.sampled_from(STATUSES),
    st.sampled_from(["", "P2", "P3"]),
)

damage = st.one_of(
    st.tuples(st.just("bytes"), st.binary(min_size=1, max_size=4), st.integers(0, 80)),
    st.tuples(
        st.just("bytes"), st.sampled_from([b"\xe9", b'"', b",", b"\x00", b"\n", b'""']), st.integers(0, 80)
    ),
    st.tuples(st.just("extra"), st.just(b",surplus"), st.just(0)),
    st.tuples(st.just("drop"), st.just(b""), st.integers(1, 10)),
    st.tuples(st.just("quote"), st.just(b'"'), st.integers(0, 80)),
    st.tuples(
        st.just("date"),
        st.sampled_from([b"2024-02-30", b"2024-13-01", b"31/01/2024", b"2024-01-01T99:00"]),
        st.just(0),
    ),
    st.tuples(st.just("code"), st.sampled_from([b"telephone", b"15", b"3O", b"P9"]), st.integers(7, 9)),
    st.tuples(st.just("repeat"), st.just(b""), st.just(0)),
    st.tuples(st.just("conflict"), st.just(b""), st.just(0)),
)


def _line(row: tuple[int, int, int, str, str, str, str]) -> tuple[bytes, str]:
    event, pathway, patient, day, activity, status, priority = row
    pid = f"PID{patient}"
    text = f"e{event},PW{pathway},{pid},RBD,110,QVV,{day},{activity},{status},{priority},"
    return text.encode(), pid


def _damaged(line: bytes, kind: str, data: bytes, at: int) -> list[bytes]:
    fields = line.split(b",")
    if kind in ("bytes", "quote"):
        cut = at % (len(line) + 1)
        return [line[:cut] + data + line[cut:]]
    if kind == "extra":
        return [line + data]
    if kind == "drop":
        del fields[at % len(fields)]
        return [b",".join(fields)]
    if kind == "date":
        fields[6] = data
        return [b",".join(fields)]
    if kind == "code":  # a line already short of fields (after a "drop") loses its last field instead
        fields[min(at, len(fields) - 1)] = data
        return [b",".join(fields)]
    if kind == "repeat":
        return [line, line]
    fields[6] = b"1999-12-31" if fields[6] != b"1999-12-31" else b"2000-01-01"
    return [line, b",".join(fields)]


def _check(
    rows: list[tuple[int, int, int, str, str, str, str]], damages: list[tuple[int, tuple[str, bytes, int]]]
) -> None:
    lines, patients = [], set()
    for row in rows:
        line, pid = _line(row)
        lines.append(line)
        patients.add(pid)
    for index, (kind, data, at) in damages:
        i = index % len(lines)
        lines[i : i + 1] = _damaged(lines[i], kind, data, at)
    content = b"\n".join([HEADER, *lines]) + b"\n"
    expected_rows = sum(1 for part in content.split(b"\n")[1:] if part.strip(b"\r") != b"")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_bytes(content)
        try:
            result = read_events(path, quarantine=Path(tmp) / "rejected.csv")
        except InputFileError as err:
            message = str(err)
            assert not any(pid in message for pid in patients)
            assert "no row could be used" in message or "no data rows" in message
            return
    assert result.accepted + result.rejected.height == result.rows_read == expected_rows
    assert result.accepted > 0
    reasons = " ".join(r or "" for r in result.rejected.get_column("reason").to_list())
    assert not any(pid in reasons for pid in patients)
    ids = result.events.get_column("event_id").drop_nulls()
    assert not ids.is_duplicated().any()
    assert result.source is not None
    file_rows = result.source.get_column("row").to_list() + result.rejected.get_column("row").to_list()
    assert len(set(file_rows)) == len(file_rows)
    assert all(1 <= r <= content.count(b"\n") for r in file_rows)


_damages = st.lists(st.tuples(st.integers(0, 1000), damage), max_size=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(good_row, min_size=1, max_size=15), damages=_damages)
def test_malformed_files_are_accounted_for_row_by_row(
    rows: list[tuple[int, int, int, str, str, str, str]], damages: list[tuple[int, tuple[str, bytes, int]]]
) -> None:
    _check(rows, damages)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(good_row, min_size=1, max_size=60),
    damages=st.lists(st.tuples(st.integers(0, 1000), damage), max_size=30),
)
def test_malformed_files_are_accounted_for_row_by_row_heavy(
    rows: list[tuple[int, int, int, str, str, str, str]], damages: list[tuple[int, tuple[str, bytes, int]]]
) -> None:
    _check(rows, damages)
