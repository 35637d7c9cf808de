"""The trust's own month-end trend (``rtt.trend``): which periods count as waiting at a month end, and the
18- and 52-week limits taken from the weeks-waited band."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.rtt import build_periods, generate_events, ptl_snapshot, ptl_summary, weeks_waited
from carebacklog.rtt.bands import max_days_within
from carebacklog.rtt.trend import covered_trend, month_ends, monthly_trend

CENSUS = dt.date(2024, 11, 30)


def _periods(rows: list[tuple[dt.date, dt.date | None, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "pathway_id": [f"P{i}" for i in range(len(rows))],
            "clock_start": [r[0] for r in rows],
            "clock_stop": [r[1] for r in rows],
            "outcome": [r[2] for r in rows],
        },
        schema={"pathway_id": pl.String, "clock_start": pl.Date, "clock_stop": pl.Date, "outcome": pl.String},
    )


def _ago(days: int, day: dt.date = CENSUS) -> dt.date:
    return day - dt.timedelta(days=days)


@pytest.mark.parametrize("weeks", range(1, 105))
def test_max_days_within_is_the_last_day_before_the_band(weeks: int) -> None:
    days = max_days_within(weeks)
    assert weeks_waited(days) == weeks - 1
    assert weeks_waited(days + 1) == weeks


def test_month_ends_are_the_last_days_of_the_months_before_the_census_then_the_census() -> None:
    ends = month_ends(dt.date(2024, 3, 15), 4)
    assert ends == [dt.date(2023, 12, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 15)]


def test_waits_of_126_days_are_within_18_weeks_and_of_365_over_52() -> None:
    periods = _periods(
        [
            (_ago(126), None, "open"),  # last day within 18 weeks
            (_ago(127), None, "open"),  # first day over
            (_ago(364), None, "open"),  # still not over 52 weeks
            (_ago(365), None, "open"),  # over 52 weeks
        ]
    )
    last = monthly_trend(periods, CENSUS).row(-1, named=True)
    assert last == {
        "month_end": CENSUS,
        "list_size": 4,
        "within_18": 1,
        "pct_within_18": 25.0,
        "over_52": 1,
    }


def test_a_period_waits_from_its_clock_start_until_the_day_before_its_stop() -> None:
    october = dt.date(2024, 10, 31)
    periods = _periods(
        [
            (october, dt.date(2024, 11, 10), "admitted"),  # waiting at 31 October only
            (dt.date(2024, 11, 1), None, "open"),  # starts after October's end
            (_ago(10, october), october, "non_admitted"),  # stopped on the month end: not waiting then
            (_ago(40, october), None, "nullified"),  # nullified periods never count
        ]
    )
    trend = monthly_trend(periods, CENSUS, months=2)
    assert trend["month_end"].to_list() == [october, CENSUS]
    assert trend["list_size"].to_list() == [1, 1]
    assert monthly_trend(periods.head(0), CENSUS, months=1)["pct_within_18"].to_list() == [None]


def test_the_census_row_matches_the_ptl_snapshot_of_the_same_periods() -> None:
    events = generate_events(1500, CENSUS, np.random.default_rng(7), years=2.5)
    periods = build_periods(events, census_date=CENSUS)
    summary = ptl_summary(ptl_snapshot(periods, CENSUS))
    last = monthly_trend(periods, CENSUS).row(-1, named=True)
    assert summary.count > 100 and 0 < summary.over_52_weeks < summary.count  # the check means something
    assert (last["list_size"], last["within_18"], last["over_52"]) == (
        summary.count,
        summary.within_18_weeks,
        summary.over_52_weeks,
    )


def test_covered_trend_keeps_the_months_whose_stops_reach_a_quarter_of_the_census_month() -> None:
    rows: list[tuple[dt.date, dt.date | None, str]] = []
    # Stops by month: September 1, October 4, November 8: the extract covers October onwards.
    for stop, n in ((dt.date(2024, 9, 15), 1), (dt.date(2024, 10, 15), 4), (dt.date(2024, 11, 15), 8)):
        rows += [(_ago(30, stop), stop, "admitted")] * n
    rows.append((_ago(20), None, "open"))
    periods = _periods(rows)
    trend = monthly_trend(periods, CENSUS, months=4)
    covered = covered_trend(trend, periods, CENSUS)
    assert covered["month_end"].to_list() == [dt.date(2024, 10, 31), CENSUS]
    no_stops = periods.filter(pl.col("clock_stop").is_null())
    assert covered_trend(trend, no_stops, CENSUS).height == 0
