"""What changed between two PTL snapshots, on hand-made pathways through the RTT engine."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carebacklog.rtt.pipeline import ptl_from_events
from carebacklog.rtt.schema import EVENT_SCHEMA
from carebacklog.trust import changes_between, summarise_changes

D0 = dt.date(2025, 3, 2)  # the first census (a Sunday)
D1 = D0 + dt.timedelta(days=7)


def _events(rows: list[tuple[str, dt.date, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "event_id": f"{p}-{k}", "pathway_id": p, "patient_id": f"pt-{p}", "provider_code": "RXX",
                "treatment_function": "110", "commissioner_code": "00L", "event_date": d, "activity": a,
                "rtt_status": s, "priority": None, "original_start_date": None,
            }
            for k, (p, d, a, s) in enumerate(rows)
        ],
        schema=EVENT_SCHEMA,
    )  # fmt: skip


def _weeks_ago(weeks: int, days: int = 0) -> dt.date:
    return D0 - dt.timedelta(weeks=weeks, days=days)


BEFORE = [
    ("stays", _weeks_ago(10), "referral", 10),  # 10 weeks, stays under 18
    ("crosses", _weeks_ago(17, 3), "referral", 10),  # 17 weeks 3 days: 18 weeks inside the next week
    ("treated", _weeks_ago(30), "referral", 10),  # exactly 30 weeks: the band ">29 to 30", 29
    ("dropped", _weeks_ago(40), "referral", 10),
    ("nearly52", _weeks_ago(49), "referral", 10),  # reaches 52 weeks three weeks after the later census
]
LATER = [
    *[row for row in BEFORE if row[0] != "dropped"],
    ("treated", D0 + dt.timedelta(days=3), "outpatient", 30),
    ("new", D0 + dt.timedelta(days=2), "referral", 10),
]


@pytest.fixture(scope="module")
def found() -> pl.DataFrame:
    _, before = ptl_from_events(_events(BEFORE), D0)
    periods, after = ptl_from_events(_events(LATER), D1)
    return changes_between(before, after, periods, after_census=D1, horizon_weeks=4)


def _kind(found: pl.DataFrame, kind: str) -> list[str]:
    return sorted(found.filter(pl.col("kind") == kind)["pathway_id"].to_list())


def test_new_stopped_and_removed_pathways_are_told_apart(found: pl.DataFrame) -> None:
    assert _kind(found, "joined") == ["new"]
    assert _kind(found, "stopped") == ["treated"]
    assert _kind(found, "removed") == ["dropped"]  # left with no recorded stop: a validator's question
    treated = found.filter(pl.col("kind") == "stopped").row(0, named=True)
    assert treated["outcome"] == "non_admitted" and treated["clock_stop"] == D0 + dt.timedelta(days=3)
    assert treated["weeks_before"] == 29 and treated["band_before"] == "18-51"


def test_a_pathway_crossing_18_weeks_moved_band_and_the_others_did_not(found: pl.DataFrame) -> None:
    assert _kind(found, "moved_band") == ["crosses"]
    row = found.filter(pl.col("kind") == "moved_band").row(0, named=True)
    assert (row["band_before"], row["band_after"], row["weeks_before"], row["weeks_after"]) == (
        "under 18", "18-51", 17, 18,
    )  # fmt: skip


def test_will_breach_lists_the_soonest_threshold_inside_the_horizon(found: pl.DataFrame) -> None:
    due = found.filter(pl.col("kind") == "will_breach")
    assert due["pathway_id"].to_list() == ["nearly52"]
    row = due.row(0, named=True)
    # the breach date is the first day over 52 weeks: 52 weeks and a day after the clock start
    assert row["breach_weeks"] == 52 and row["breach_date"] == _weeks_ago(49) + dt.timedelta(weeks=52, days=1)
    assert D1 < row["breach_date"] <= D1 + dt.timedelta(weeks=4)


def test_a_shorter_horizon_lists_fewer_about_to_breach() -> None:
    _, before = ptl_from_events(_events(BEFORE), D0)
    periods, after = ptl_from_events(_events(LATER), D1)
    none_due = changes_between(before, after, periods, after_census=D1, horizon_weeks=1)
    assert none_due.filter(pl.col("kind") == "will_breach").height == 0
    with pytest.raises(ValueError, match="0 or more"):
        changes_between(before, after, periods, after_census=D1, horizon_weeks=-1)


def test_the_summary_counts_each_kind_and_the_net_change(found: pl.DataFrame) -> None:
    summary = summarise_changes(found, waiting_before=5, waiting_after=4)
    assert summary.counts == {"joined": 1, "stopped": 1, "removed": 1, "moved_band": 1, "will_breach": 1}
    assert summary.net == -1
    assert "removed 1" in summary.line() and "(-1)" in summary.line()
