"""A trust's own waiting list at past month ends, from its RTT periods.

The incomplete-pathways count of NHS England's monthly RTT return is the periods open at the month end: the
clock started on or before that day and not stopped by it (a clock stopped on the day is no longer
waiting); nullified periods never count (NHS England, "Recording and reporting referral to treatment (RTT)
waiting times for consultant-led elective care", rules on nullification). Waits are counted in days from
the clock start, and "within 18 weeks" and "over 52 weeks" follow the weeks-waited band
(:func:`carebacklog.rtt.bands.max_days_within`).

An extract of today's waiters and this month's stops cannot say what the list was a year ago: pathways
that stopped before the extract's window are missing, so :func:`covered_trend` keeps only the months the
extract covers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carebacklog.rtt.bands import max_days_within

__all__ = ["TREND_SCHEMA", "covered_trend", "month_ends", "monthly_trend"]

#: Columns of :func:`monthly_trend`.
TREND_SCHEMA: dict[str, pl.DataType] = {
    "month_end": pl.Date(),
    "list_size": pl.Int64(),
    "within_18": pl.Int64(),
    "pct_within_18": pl.Float64(),
    "over_52": pl.Int64(),
}


def month_ends(census_date: dt.date, months: int) -> list[dt.date]:
    """The last days of the ``months - 1`` months before the census month, then the census date itself."""
    ends = []
    d = census_date.replace(day=1) - dt.timedelta(days=1)
    for _ in range(months - 1):
        ends.append(d)
        d = d.replace(day=1) - dt.timedelta(days=1)
    return [*sorted(ends), census_date]


def monthly_trend(periods: pl.DataFrame, census_date: dt.date, months: int = 13) -> pl.DataFrame:
    """List size, within 18 weeks (count and %) and over 52 weeks at each of ``months`` month ends.

    ``periods`` is :func:`carebacklog.rtt.build_periods`'s frame (``clock_start``, ``clock_stop``,
    ``outcome``). The last row is the census date itself.
    """
    within_18 = max_days_within(18)
    over_52 = max_days_within(52)
    live = periods.filter(pl.col("outcome") != "nullified").select("clock_start", "clock_stop")
    start = live["clock_start"].to_numpy().astype("datetime64[D]")
    stop = live["clock_stop"].to_numpy()
    stop = np.where(np.isnat(stop), np.datetime64("9999-12-31"), stop).astype("datetime64[D]")
    rows = []
    for end in month_ends(census_date, months):
        day = np.datetime64(end, "D")
        open_ = (start <= day) & (stop > day)
        waited = (day - start[open_]).astype(np.int64)
        n = int(open_.sum())
        within = int((waited <= within_18).sum())
        rows.append((end, n, within, 100.0 * within / n if n else None, int((waited > over_52).sum())))
    return pl.DataFrame(rows, schema=TREND_SCHEMA, orient="row")


def covered_trend(trend: pl.DataFrame, periods: pl.DataFrame, census_date: dt.date) -> pl.DataFrame:
    """The month ends of ``trend`` the extract covers: from the first month whose clock stops reach a quarter
    of the census month's (before that, stopped pathways are missing and the list would look too short)."""
    stops = (
        periods.filter(pl.col("clock_stop").is_not_null() & (pl.col("clock_stop") <= census_date))
        .group_by(pl.col("clock_stop").dt.month_end().alias("month_end"))
        .len()
    )
    census_month = census_date.replace(day=1)
    current = int(stops.filter(pl.col("month_end") >= census_month)["len"].sum())
    if current == 0:
        return trend.head(0)
    covered = stops.filter(pl.col("len") >= 0.25 * current)["month_end"].min()
    if covered is None:
        return trend.head(0)
    return trend.filter(pl.col("month_end") >= covered)
