"""From files to a PTL in one place: read and validate events (and patients), run the clock rules, snapshot.

Every caller that turns files into RTT periods or a PTL (``rtt ptl``, ``simulate``, ``equity breakdown``,
``rtt return``, ``rtt wlmds``, ``synth check``) goes through :func:`read_inputs`, so rejected rows are
handled one way everywhere:

* counted (``rows_read == accepted + rejected`` for each file) and reported, one line per file:
  ``read N rows from FILE: A accepted, R rejected (see QUARANTINE)``;
* written to the quarantine CSV when one is given (patients to ``<quarantine stem>_patients.csv``), written
  atomically, and refused when it is one of the inputs;
* never dropped silently, and a file whose every row is rejected is a failure
  (:class:`NoRowsAcceptedError`, exit code 2), not an empty PTL.

The clock rules and the snapshot follow NHS England's "Recording and reporting referral to treatment
(RTT) waiting times for consultant-led elective care" rules suite (see :mod:`carebacklog.rtt.periods` and
:mod:`carebacklog.rtt.ptl`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from carebacklog.errors import BadInputError
from carebacklog.rtt.reader import ReadResult, read_events, read_patients

__all__ = [
    "InputsRead",
    "NoRowsAcceptedError",
    "bookings_quarantine",
    "patients_quarantine",
    "periods_from_files",
    "ptl_from_events",
    "ptl_from_files",
    "read_inputs",
    "read_patients_file",
]

Reporter = Callable[[str], None]
#: Rejected rows named (file, row, reason) after the summary line.
_SHOWN = 5


class NoRowsAcceptedError(BadInputError):
    """Every row of an input file was rejected: nothing to build a PTL from (exit code 2)."""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class InputsRead:
    """What was read: the events (and patients) with their rejected rows, and where those were written."""

    events: ReadResult
    patients: ReadResult | None = None
    quarantine: Path | None = None
    patients_quarantine: Path | None = None
    bookings: ReadResult | None = None

    @property
    def rows_read(self) -> int:
        return self.events.rows_read + (self.patients.rows_read if self.patients else 0)

    @property
    def accepted(self) -> int:
        return self.events.accepted + (self.patients.accepted if self.patients else 0)

    @property
    def rejected(self) -> int:
        return self.events.rejected.height + (self.patients.rejected.height if self.patients else 0)


def patients_quarantine(quarantine: Path | str | None) -> Path | None:
    """Where rejected patient rows go, beside the events quarantine: ``<stem>_patients.csv``."""
    if quarantine is None:
        return None
    q = Path(quarantine)
    return q.with_name(f"{q.stem}_patients{q.suffix or '.csv'}")


def _summary(path: Path | str, result: ReadResult, quarantine: Path | None) -> str:
    rejected = result.rejected.height
    line = f"read {result.rows_read} rows from {path}: {result.accepted} accepted, {rejected} rejected"
    if rejected:
        line += f" (see {quarantine})" if quarantine is not None else " (give --quarantine FILE to keep them)"
    return line


def _write_quarantine(rejected: pl.DataFrame, quarantine: Path) -> None:
    from carebacklog.files import write_frame

    text = rejected.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    write_frame(text, quarantine, "csv")


def _read_one(
    reader: Callable[[Path], ReadResult], path: Path, quarantine: Path | None, what: str, report: Reporter
) -> ReadResult:
    result = reader(path)
    if quarantine is not None:
        kept_rows = result.cleared if result.cleared is not None else None
        rows = result.rejected if kept_rows is None or kept_rows.height == 0 else pl.concat(
            [result.rejected, kept_rows], how="diagonal_relaxed"
        )
        _write_quarantine(rows, quarantine)
    report(_summary(path, result, quarantine))
    for row in result.rejected.head(_SHOWN).select("source_file", "row", "column", "reason").iter_rows():
        report(f"  {row[0]} row {row[1]}: {row[3]}")  # never the row's values: they hold patient ids
    if result.rejected.height > _SHOWN:
        report(f"  … and {result.rejected.height - _SHOWN} more")
    cleared = result.cleared
    if cleared is not None and cleared.height:
        report(f"  {cleared.height} value(s) not stored in rows that were kept:")
        for kept in cleared.head(_SHOWN).iter_rows(named=True):
            report(f"  {kept['source_file']} row {kept['row']}, column {kept['column']}: {kept['reason']}")
        if cleared.height > _SHOWN:
            report(f"  … and {cleared.height - _SHOWN} more")
    if result.rows_read and result.accepted == 0:
        where = f"; see {quarantine}" if quarantine is not None else "; use --quarantine FILE to see why"
        raise NoRowsAcceptedError(f"{path}: all {result.rows_read} {what} rows were rejected{where}")
    return result


def bookings_quarantine(quarantine: Path | str | None) -> Path | None:
    """Where rejected booking rows go, beside the events quarantine: ``<stem>_bookings.csv``."""
    if quarantine is None:
        return None
    q = Path(quarantine)
    return q.with_name(f"{q.stem}_bookings{q.suffix or '.csv'}")


def read_inputs(
    events: Path | str,
    patients: Path | str | None = None,
    quarantine: Path | str | None = None,
    *,
    bookings: Path | str | None = None,
    report: Reporter = _stderr,
) -> InputsRead:
    """Read and validate events (and patients), write rejected rows to ``quarantine``, report each file.

    Raises :class:`~carebacklog.files.PathCollisionError` when a quarantine file is one of the inputs
    (before reading anything), :class:`~carebacklog.rtt.reader.InputFileError` when a file cannot be read
    and :class:`NoRowsAcceptedError` when every row of a file is rejected.
    """
    from carebacklog.files import check_paths

    events_path = Path(events)
    patients_path = None if patients is None else Path(patients)
    q_events = None if quarantine is None else Path(quarantine)
    q_patients = patients_quarantine(q_events) if patients_path is not None else None
    bookings_path = None if bookings is None else Path(bookings)
    q_bookings = bookings_quarantine(q_events) if bookings_path is not None else None
    check_paths(
        [("events", events_path), ("--patients", patients_path), ("--bookings", bookings_path)],
        [("--quarantine", q_events), ("the patients quarantine", q_patients),
         ("the bookings quarantine", q_bookings)],
    )  # fmt: skip
    read = _read_one(read_events, events_path, q_events, "event", report)
    people = None
    if patients_path is not None:
        people = _read_one(read_patients, patients_path, q_patients, "patient", report)
    booked = None
    if bookings_path is not None:
        from carebacklog.rtt.bookings import read_bookings

        booked = _read_one(read_bookings, bookings_path, q_bookings, "booking", report)
    return InputsRead(read, people, q_events, q_patients, booked)


def read_patients_file(
    patients: Path | str, quarantine: Path | str | None = None, *, report: Reporter = _stderr
) -> ReadResult:
    """A patients file alone (e.g. to add equity columns to a saved PTL), with the same rules as
    :func:`read_inputs`: rejected rows counted, reported, written to ``quarantine``; all rejected fails."""
    from carebacklog.files import check_paths

    path = Path(patients)
    q = None if quarantine is None else Path(quarantine)
    check_paths([("--patients", path)], [("--quarantine", q)])
    return _read_one(read_patients, path, q, "patient", report)


def ptl_from_events(
    events: pl.DataFrame,
    census_date: date,
    patients: pl.DataFrame | None = None,
    bookings: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(periods, ptl)`` from validated events: :func:`build_periods` then :func:`ptl_snapshot`; with
    ``bookings``, the PTL also says what is booked (``rtt.bookings.with_bookings``)."""
    from carebacklog.rtt.periods import build_periods
    from carebacklog.rtt.ptl import ptl_snapshot

    periods = build_periods(events, census_date)
    ptl = ptl_snapshot(periods, census_date, patients)
    if bookings is not None:
        from carebacklog.rtt.bookings import with_bookings

        ptl = with_bookings(ptl, bookings, census_date)
    return periods, ptl


def _census_or_last(read: ReadResult, census_date: date | None, path: Path | str) -> date:
    if census_date is not None:
        return census_date
    last = read.events.get_column("event_date").max()
    if not isinstance(last, date):
        raise BadInputError(f"{path}: no event dates to take the census date from; give a census date")
    return last


def periods_from_files(
    events: Path | str,
    patients: Path | str | None = None,
    *,
    census_date: date | None,
    quarantine: Path | str | None = None,
    report: Reporter = _stderr,
) -> tuple[pl.DataFrame, InputsRead]:
    """RTT periods at ``census_date`` (default: the last event date) from an events file."""
    from carebacklog.rtt.periods import build_periods

    read = read_inputs(events, patients, quarantine, report=report)
    census = _census_or_last(read.events, census_date, events)
    return build_periods(read.events.events, census), read


def ptl_from_files(
    events: Path | str,
    patients: Path | str | None = None,
    *,
    census_date: date | None,
    quarantine: Path | str | None = None,
    bookings: Path | str | None = None,
    report: Reporter = _stderr,
) -> tuple[pl.DataFrame, InputsRead]:
    """The PTL at ``census_date`` (default: the last event date) from an events file (and patients, and
    bookings).

    Returns the :func:`~carebacklog.rtt.ptl_snapshot` frame (with the equity columns when patients are
    given) and what was read (rows read, accepted and rejected per file). See :func:`read_inputs` for
    the errors.
    """
    read = read_inputs(events, patients, quarantine, bookings=bookings, report=report)
    census = _census_or_last(read.events, census_date, events)
    people = read.patients.events if read.patients is not None else None
    booked = read.bookings.events if read.bookings is not None else None
    _, ptl = ptl_from_events(read.events.events, census, people, booked)
    return ptl, read
