"""Weeks-waited band, breach dates, priority due dates, booking order, summary and equity columns."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carebacklog.rtt import (
    build_periods,
    ptl_snapshot,
    ptl_summary,
    read_patients,
    weeks_waited,
    weeks_waited_band,
)

from .conftest import GOLDEN


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, 0),
        (1, 0),
        (7, 0),
        (8, 1),
        (14, 1),
        (15, 2),
        (126, 17),
        (127, 18),
        (364, 51),
        (365, 52),
        (728, 103),
        (729, 104),
        (5000, 104),
    ],
)
def test_weeks_waited_band_rule_8(days: int, band: int) -> None:
    assert weeks_waited(days) == band
    frame = pl.DataFrame({"days": [days]}).select(weeks_waited_band(pl.col("days")))
    assert frame.item() == band


def test_breach_dates_are_the_first_day_over_the_threshold(golden_events: pl.DataFrame, census: date) -> None:
    ptl = ptl_snapshot(build_periods(golden_events, census), census)
    row = ptl.filter(pl.col("pathway_id") == "G16").row(0, named=True)  # 127 days at census
    assert row["breach_18_date"] == census and row["weeks_waited"] == 18
    row = ptl.filter(pl.col("pathway_id") == "G15").row(0, named=True)  # 126 days: still within 18 weeks
    assert row["breach_18_date"] == date(2025, 4, 1) and row["weeks_waited"] == 17
    for weeks in (18, 52, 65, 78, 104):
        days = (ptl.get_column(f"breach_{weeks}_date") - ptl.get_column("clock_start")).dt.total_days()
        assert (days == 7 * weeks + 1).all()
        over = ptl.get_column(f"breach_{weeks}_date") <= census
        assert (over == (ptl.get_column("weeks_waited") >= weeks)).all()


def test_booking_order_is_priority_then_longest_wait(golden_events: pl.DataFrame, census: date) -> None:
    ptl = ptl_snapshot(build_periods(golden_events, census), census)
    assert ptl.get_column("booking_rank").to_list() == list(range(1, ptl.height + 1))
    order = ptl.get_column("priority").to_list()
    assert order[:3] == ["P1a", "P1b", "P3"] and order[-1] == "P5"
    unprioritised = ptl.filter(pl.col("priority").is_null())
    assert unprioritised.get_column("clock_start").is_sorted()


def test_summary_counts(golden_events: pl.DataFrame, census: date) -> None:
    summary = ptl_summary(ptl_snapshot(build_periods(golden_events, census), census))
    assert summary.count == 24
    assert summary.within_18_weeks == 11  # bands 0-17
    assert summary.pct_within_18_weeks == pytest.approx(100 * 11 / 24)
    assert summary.over_52_weeks == 4  # G40 (365 days), G18, G17, G19
    assert summary.over_104_weeks == 2
    assert summary.with_dta == 2
    empty = ptl_summary(ptl_snapshot(build_periods(golden_events.head(0)), census))
    assert empty.count == 0 and empty.pct_within_18_weeks is None


def test_equity_columns_from_patients(golden_events: pl.DataFrame, census: date) -> None:
    patients = read_patients(GOLDEN / "patients.csv").events
    ptl = ptl_snapshot(build_periods(golden_events, census), census, patients)
    assert ptl.height == 24  # nobody dropped for missing patient data
    rows = {r["patient_id"]: r for r in ptl.iter_rows(named=True)}
    g13 = rows["PA13"]
    assert (g13["age"], g13["age_band"], g13["sex"]) == (74, "70-79", "Female")
    assert (g13["ethnic_category"], g13["ethnic_group"]) == ("A", "White")
    assert (g13["imd_decile"], g13["imd_quintile"]) == (2, 1)
    g14 = rows["PA14"]  # birthday falls the day after the census: still 17
    assert (g14["age"], g14["age_band"], g14["sex"]) == (17, "0-17", "Male")
    assert (g14["ethnic_group"], g14["imd_quintile"]) == ("Asian or Asian British", 5)
    g15 = rows["PA15"]  # everything unknown, kept with explicit unknown values
    assert (g15["age"], g15["age_band"], g15["sex"]) == (None, "Unknown", "Unknown")
    assert (g15["ethnic_category"], g15["ethnic_group"]) == ("Z", "Not stated / unknown")
    g16 = rows["PA16"]  # not in the patients file at all
    assert (g16["age_band"], g16["sex"], g16["ethnic_category"]) == ("Unknown", "Unknown", "Unknown")
    assert g16["imd_quintile"] is None
    assert rows["PA17"]["ethnic_group"] == "Black or Black British"
    assert rows["PA18"]["ethnic_group"] == "Mixed"
    assert rows["PA19"]["ethnic_group"] == "Other ethnic group"


def test_booking_order_does_not_depend_on_the_order_of_the_periods(
    golden_events: pl.DataFrame, census: date
) -> None:
    periods = build_periods(golden_events, census)
    shuffled = periods.sample(fraction=1.0, shuffle=True, seed=3)
    assert not shuffled.equals(periods)
    assert ptl_snapshot(shuffled, census).equals(ptl_snapshot(periods, census))


def test_equity_columns_from_a_patients_table_read_as_plain_text(
    golden_events: pl.DataFrame, census: date
) -> None:
    text = pl.read_csv(GOLDEN / "patients.csv", infer_schema=False)
    ptl = ptl_snapshot(build_periods(golden_events, census), census, text)
    row = ptl.filter(pl.col("patient_id") == "PA13").row(0, named=True)
    assert (row["age"], row["imd_quintile"], row["ethnic_group"]) == (74, 1, "White")
