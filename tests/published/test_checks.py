"""Monthly-return checks on small returns with known answers, and on NHS England's January 2026 file."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carebacklog.published import CheckResult, check_return, read_rtt
from carebacklog.published.tidy import TIDY_SCHEMA

from .conftest import RBD_NOV_2024

JAN, DEC = dt.date(2026, 1, 31), dt.date(2025, 12, 31)


def ret(rows: list[tuple], period: dt.date = JAN) -> pl.DataFrame:
    """Tidy return rows: (provider, commissioner, part, treatment function, band, count)."""
    return pl.DataFrame(
        [{"period": period, "provider_parent_code": "QE1", "provider_code": p, "commissioner_parent_code": "QE1",
          "commissioner_code": c, "part": part, "treatment_function": tf, "weeks_band": band, "count": n,
          "top_band": 104} for p, c, part, tf, band, n in rows],
        schema=TIDY_SCHEMA,
    )


CLEAN = [
    ("RAA", "01A", "Part_2", "C_110", 0, 40.0),
    ("RAA", "01A", "Part_2", "C_110", 30, 60.0),
    ("RAA", "01A", "Part_2A", "C_110", 30, 20.0),
    ("RAA", "01A", "Part_1A", "C_110", 12, 10.0),
    ("RAA", "01A", "Part_3", "C_110", None, 50.0),
    ("RAA", "01A", "Part_2", "C_999", 0, 40.0),
    ("RAA", "01A", "Part_2", "C_999", 30, 60.0),
    ("RAA", "01A", "Part_2A", "C_999", 30, 20.0),
    ("RAA", "01A", "Part_1A", "C_999", 12, 10.0),
    ("RAA", "01A", "Part_3", "C_999", None, 50.0),
]


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


def test_a_clean_return_passes_every_check() -> None:
    results = by_name(check_return(ret(CLEAN)))
    assert all(r.passed for r in results.values())
    assert results["month_on_month_swing"].skipped and results["identical_to_previous"].skipped
    assert not results["totals_equal_treatment_functions"].skipped


def test_negative_counts_are_named() -> None:
    r = by_name(check_return(ret([*CLEAN, ("RAA", "01B", "Part_1B", "C_120", 3, -2.0)])))["no_negative_counts"]
    assert not r.passed
    assert r.offending.select("provider_code", "commissioner_code", "part", "treatment_function").rows() == [
        ("RAA", "01B", "Part_1B", "C_120")]


def test_totals_must_equal_the_sum_of_treatment_functions() -> None:
    rows = [*CLEAN, ("RAA", "01A", "Part_2", "C_120", 30, 5.0)]  # a detail not in the C_999 row
    r = by_name(check_return(ret(rows)))["totals_equal_treatment_functions"]
    assert r.offending.select("part", "weeks_band", "total", "sum_of_treatment_functions").rows() == [
        ("Part_2", 30, 60.0, 65.0)]
    no_totals = by_name(check_return(ret([x for x in CLEAN if x[3] != "C_999"])))
    assert no_totals["totals_equal_treatment_functions"].skipped


def test_dta_cannot_exceed_the_waiting_list() -> None:
    rows = [*CLEAN, ("RAA", "01A", "Part_2A", "C_120", 2, 3.0), ("RAA", "01A", "Part_2", "C_120", 2, 2.0)]
    r = by_name(check_return(ret(rows)))["dta_within_incomplete"]
    assert r.offending.select("treatment_function", "part_2a", "part_2").rows() == [("C_120", 3.0, 2.0)]


def test_completed_pathways_without_a_waiting_list_are_flagged() -> None:
    r = by_name(check_return(ret([*CLEAN, ("RBB", "01A", "Part_1B", "C_130", 4, 7.0)])))
    offending = r["completed_without_incomplete"].offending
    assert offending.select("provider_code", "treatment_function", "completed", "incomplete").rows() == [
        ("RBB", "C_130", 7.0, 0.0)]


def test_early_waiters_cannot_outnumber_new_clock_starts() -> None:
    rows = [*CLEAN, ("RAA", "01A", "Part_2", "C_110", 2, 30.0)]  # 70 under 4 weeks vs 50 new starts
    r = by_name(check_return(ret(rows)))["early_waiters_within_new_starts"]
    assert r.offending.select("provider_code", "new_clock_starts", "waiting_under_4_weeks").rows() == [
        ("RAA", 50.0, 70.0)]


def test_implausibly_many_new_clock_starts_are_flagged() -> None:
    rows = [*CLEAN, ("RAA", "01A", "Part_3", "C_110", None, 500.0)]  # 550 starts; 40 early waiters
    r = by_name(check_return(ret(rows)))["new_starts_plausible"]
    assert r.offending.select("new_clock_starts", "waiting_under_5_weeks").rows() == [(550.0, 40.0)]


def test_month_on_month_swings_including_52_week_waiters() -> None:
    previous = ret([("RAA", "01A", "Part_2", "C_110", 0, 400.0), ("RAA", "01A", "Part_2", "C_110", 60, 10.0)], DEC)
    current = ret([("RAA", "01A", "Part_2", "C_110", 0, 1000.0), ("RAA", "01A", "Part_2", "C_110", 60, 50.0)])
    r = by_name(check_return(current, previous))["month_on_month_swing"]
    assert r.offending.select("provider_code", "part", "measure", "previous", "current").rows() == [
        ("RAA", "Part_2", "over_52", 10.0, 50.0), ("RAA", "Part_2", "total", 410.0, 1050.0)]
    small = ret([("RAA", "01A", "Part_2", "C_110", 0, 420.0), ("RAA", "01A", "Part_2", "C_110", 60, 12.0)])
    assert by_name(check_return(small, previous))["month_on_month_swing"].passed


def test_a_return_identical_to_last_month_is_flagged_per_provider() -> None:
    previous = ret([*CLEAN, ("RBB", "01A", "Part_2", "C_110", 5, 9.0)], DEC)
    current = ret([*CLEAN, ("RBB", "01A", "Part_2", "C_110", 5, 8.0)])
    r = by_name(check_return(current, previous))["identical_to_previous"]
    assert r.offending["provider_code"].to_list() == ["RAA"]


def test_january_2026_national_file(national_with_totals: pl.DataFrame) -> None:
    # What NHS England's own published January 2026 extract flags (docs/published.md records these):
    # totals and signs are clean; three 1-pathway DTA rows without a matching Part_2 row; plausibility
    # warnings for small/independent providers.
    results = by_name(check_return(national_with_totals))
    assert results["no_negative_counts"].passed
    assert results["totals_equal_treatment_functions"].passed
    assert results["dta_within_incomplete"].offending.select("provider_code", "treatment_function").rows() == [
        ("NT204", "C_502"), ("NT204", "C_120"), ("RX1", "X04")]  # sorted by commissioner (06K, 26A, NONC)
    assert results["completed_without_incomplete"].offending.height == 49
    assert results["early_waiters_within_new_starts"].offending.height == 37
    assert results["new_starts_plausible"].offending.height == 11
    # Compared with itself, every provider's return is identical to "last month's".
    same = by_name(check_return(national_with_totals, national_with_totals))
    assert same["identical_to_previous"].offending.height == national_with_totals["provider_code"].n_unique()
    assert same["month_on_month_swing"].passed


def test_rbd_november_2024_passes() -> None:
    assert all(r.passed for r in check_return(read_rtt(RBD_NOV_2024, include_totals=True)))


def test_a_single_part_workbook_is_checked_without_false_cross_part_alarms() -> None:
    from .conftest import COMMISSIONER_2014_15

    admitted = next(p for p in COMMISSIONER_2014_15 if p.name.startswith("Admitted-Commissioner-Dec14"))
    tidy = read_rtt(admitted, include_totals=True)
    results = by_name(check_return(tidy))
    assert not results["totals_equal_treatment_functions"].skipped
    assert results["totals_equal_treatment_functions"].passed  # every AP999 row adds up
    for name in ("dta_within_incomplete", "completed_without_incomplete", "early_waiters_within_new_starts",
                 "new_starts_plausible"):
        assert results[name].skipped and "no " in results[name].note
    # Break one CCG's AP999 total: the offending row names the file's own total code.
    broken = tidy.with_columns(
        pl.when((pl.col("treatment_function") == "AP999") & (pl.col("weeks_band") == 0)
                & (pl.col("commissioner_code") == "01C"))
        .then(pl.col("count") + 1).otherwise(pl.col("count")).alias("count"))
    offending = by_name(check_return(broken))["totals_equal_treatment_functions"].offending
    assert offending.select("commissioner_code", "treatment_function", "weeks_band").rows() == [("01C", "AP999", 0)]


def test_every_row_of_the_national_file_adds_up() -> None:
    from carebacklog.published import check_extract_rows
    from carebacklog.published.extract import read_extract_wide

    from .conftest import NATIONAL_JAN_2026

    result = check_extract_rows(read_extract_wide(NATIONAL_JAN_2026))
    assert result.name == "row_totals_consistent" and result.passed
