"""Golden pathways: hand-written events with their expected RTT periods and PTL rows (census 2025-03-31).

Each pathway in golden/events.csv carries a note saying which rule or status code it pins.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.rtt.schema import KNOWN_STATUSES

from .conftest import GOLDEN


def _expected(name: str) -> pl.DataFrame:
    return pl.read_csv(GOLDEN / name, try_parse_dates=True, infer_schema_length=None)


def test_golden_set_covers_every_status_code_and_activity(golden_events: pl.DataFrame) -> None:
    assert golden_events.get_column("pathway_id").n_unique() >= 25
    statuses = set(golden_events.get_column("rtt_status").drop_nulls().to_list())
    assert KNOWN_STATUSES - {92} <= statuses | {92}
    assert {10, 11, 12, 20, 21, 30, 31, 32, 33, 34, 35, 36, 90, 91, 92, 98, 99} <= statuses
    on_admission = golden_events.filter((pl.col("rtt_status") == 30) & (pl.col("activity") == "admission"))
    on_outpatient = golden_events.filter((pl.col("rtt_status") == 30) & (pl.col("activity") == "outpatient"))
    assert on_admission.height and on_outpatient.height
    assert set(golden_events.get_column("activity").unique()) >= {
        "referral",
        "outpatient",
        "admission",
        "decision_to_admit",
        "dna",
        "cancellation",
        "transfer_out",
        "other",
    }


def test_periods_match_golden(golden_events: pl.DataFrame, census: date) -> None:
    expected = _expected("expected_periods.csv")
    got = build_periods(golden_events, census).select(expected.columns)
    assert_frame_equal(got, expected, check_dtypes=False)


def test_ptl_matches_golden(golden_events: pl.DataFrame, census: date) -> None:
    expected = _expected("expected_ptl.csv")
    ptl = ptl_snapshot(build_periods(golden_events, census), census)
    got = ptl.select(expected.columns)
    assert_frame_equal(got, expected, check_dtypes=False)


def test_events_after_the_census_do_not_count(golden_events: pl.DataFrame, census: date) -> None:
    g29 = golden_events.filter(pl.col("pathway_id") == "G29")
    at_census = build_periods(g29, census)
    later = build_periods(g29)
    assert at_census.get_column("outcome").to_list() == ["open"]
    assert later.get_column("outcome").to_list() == ["admitted"]
    assert later.get_column("clock_stop").to_list() == [date(2025, 4, 15)]


def test_pathway_with_no_clock_start_has_no_period(golden_events: pl.DataFrame, census: date) -> None:
    periods = build_periods(golden_events, census)
    assert not periods.filter(pl.col("pathway_id").is_in(["G28", "G36"])).height


def test_period_columns_are_the_contract(golden_events: pl.DataFrame, census: date) -> None:
    periods = build_periods(golden_events, census)
    assert periods.columns[:14] == [
        "pathway_id",
        "period",
        "patient_id",
        "provider_code",
        "commissioner_code",
        "treatment_function",
        "clock_start",
        "clock_stop",
        "outcome",
        "stop_status",
        "has_dta",
        "dta_date",
        "priority",
        "last_activity_date",
    ]
    assert periods.schema["clock_start"] == pl.Date
    assert periods.schema["stop_status"] == pl.Int16
    assert set(periods.get_column("outcome")) <= {
        "open",
        "admitted",
        "non_admitted",
        "nullified",
        "transferred",
    }


def test_frames_without_optional_columns_and_other_int_types_work(
    golden_events: pl.DataFrame, census: date
) -> None:
    slim = golden_events.drop("event_id", "commissioner_code", "note").with_columns(
        pl.col("rtt_status").cast(pl.Int64)
    )
    full = build_periods(golden_events, census).drop("commissioner_code")
    assert build_periods(slim, census).drop("commissioner_code").equals(full)
    with pytest.raises(ValueError, match="activity"):
        build_periods(golden_events.drop("activity"))


def test_categorical_text_columns_give_the_same_periods(golden_events: pl.DataFrame, census: date) -> None:
    codes = ["provider_code", "treatment_function", "commissioner_code", "activity", "priority"]
    categorical = golden_events.with_columns([pl.col(c).cast(pl.Categorical) for c in codes])
    assert build_periods(categorical, census).equals(build_periods(golden_events, census))
