"""Data-quality table: every rule broken is reported with the row, nothing crashes."""

from __future__ import annotations

from datetime import date

import polars as pl

from carebacklog.rtt import build_periods, data_quality
from carebacklog.rtt.schema import EVENT_SCHEMA


def test_golden_data_issues(golden_events: pl.DataFrame, census: date) -> None:
    issues = data_quality(golden_events, census)
    got = set(issues.select("pathway_id", "issue").iter_rows())
    assert got == {
        ("G20", "stop_status_on_cancellation_or_dna"),
        ("G27", "start_on_open_period"),
        ("G28", "activity_before_clock_start"),
        ("G28", "stop_without_start"),
        ("G29", "after_census"),
        ("G35", "start_on_open_period"),
        ("G36", "activity_before_clock_start"),
    }
    # The row points at the event in the frame given (1-based).
    for row in issues.iter_rows(named=True):
        assert golden_events.row(row["row"] - 1, named=True)["event_id"] == row["event_id"]
    assert issues.filter(pl.col("pathway_id") == "G27").get_column("rule").to_list() == ["rule 1"]


def test_status_92_before_referral_is_not_an_issue(golden_events: pl.DataFrame, census: date) -> None:
    assert data_quality(golden_events, census).filter(pl.col("pathway_id") == "G24").height == 0


def test_unknown_codes_and_missing_values_are_reported_not_dropped() -> None:
    rows = [
        ("e1", "X1", "p", "RBD", "110", None, date(2024, 1, 1), "referral", 10, "P9", None),
        ("e2", "X1", "p", "RBD", "110", None, date(2024, 2, 1), "telephone", 15, None, None),
        ("e3", None, "p", "RBD", "110", None, date(2024, 2, 1), "outpatient", 20, None, None),
        ("e4", "X2", "p", "RBD", "110", None, date(2024, 2, 1), "referral", 10, None, date(2024, 3, 1)),
    ]
    events = pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")
    issues = data_quality(events)
    got = set(issues.select("event_id", "issue").iter_rows())
    assert {
        ("e1", "unknown_priority"),
        ("e2", "unknown_activity"),
        ("e2", "unknown_status"),
        ("e3", "missing_pathway_id"),
        ("e4", "original_start_after_event"),
    } <= got
    # The engine still runs on the same frame: the unknown activity simply has no effect.
    periods = build_periods(events)
    assert periods.filter(pl.col("pathway_id") == "X1").get_column("outcome").to_list() == ["open"]


def test_clean_events_have_no_issues() -> None:
    rows = [("e1", "X1", "p", "RBD", "110", None, date(2024, 1, 1), "referral", 10, None, None)]
    issues = data_quality(pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row"), date(2024, 2, 1))
    assert issues.height == 0
    assert issues.columns[:3] == ["row", "pathway_id", "event_id"]


def test_status_33_after_an_attended_activity_is_flagged() -> None:
    rows = [
        ("e1", "N1", "p", "RBD", "110", None, date(2024, 1, 1), "referral", 10, None, None),
        ("e2", "N1", "p", "RBD", "110", None, date(2024, 2, 1), "outpatient", 20, None, None),
        ("e3", "N1", "p", "RBD", "110", None, date(2024, 3, 1), "dna", 33, None, None),
        ("e4", "N2", "p", "RBD", "110", None, date(2024, 1, 1), "referral", 10, None, None),
        ("e5", "N2", "p", "RBD", "110", None, date(2024, 2, 1), "dna", 33, None, None),
    ]
    events = pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")
    issues = data_quality(events)
    assert issues.select("event_id", "issue", "rule").rows() == [
        ("e3", "nullified_after_attendance", "rule 4")
    ]
    # The rule is still applied as recorded: both periods are nullified.
    assert build_periods(events).get_column("outcome").to_list() == ["nullified", "nullified"]
