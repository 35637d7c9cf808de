"""Yardstick for the RTT engine: a plain Polars script that does the core of ``rtt ptl``.

It reads an events Parquet, sorts the events by pathway and date, numbers each pathway's periods by
its clock starts (a referral, or RTT status 11/12: NHS England's RTT rules suite), keeps the periods
with no clock stop (status 30-36, or 21 transfer) and writes those open periods,
with the weeks waited at the census, to Parquet. It does none of the engine's validation, same-day
ordering, rule checks, carried values or booking order: it is what a competent analyst would write
in a few lines, using Polars as well as Polars allows (lazy scan with projection, one sort, window
cum-sum, one group-by, streaming sink), and the speed ``carebacklog rtt ptl`` is measured against
(``benchmarks/bench_rtt.py`` times both in the same run).

    .venv/bin/python benchmarks/yardstick_rtt.py EVENTS.parquet --census-date 2025-03-31 --out OUT.parquet
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import polars as pl

#: RTT period status codes that end a clock (NHS Data Dictionary "Referral to Treatment Period
#: Status": 30-36 stop or nullify the clock, 21 transfers the pathway to another provider).
STOPS = [21, 30, 31, 32, 33, 34, 35, 36]
#: Codes that start a clock without a referral (11 end of active monitoring, 12 new condition).
STARTS = [11, 12]


def open_periods(events: Path, census: date) -> pl.LazyFrame:
    """The open periods at ``census``: one row per pathway period whose last event is not a stop."""
    columns = ["pathway_id", "patient_id", "treatment_function", "event_date", "activity", "rtt_status"]
    lazy = pl.scan_parquet(events).select(columns).filter(pl.col("event_date") <= census)
    start = (pl.col("activity") == "referral") | pl.col("rtt_status").is_in(STARTS)
    numbered = lazy.sort("pathway_id", "event_date").with_columns(
        period=start.cast(pl.Int32).cum_sum().over("pathway_id")
    )
    periods = (
        numbered.filter(pl.col("period") > 0)
        .group_by("pathway_id", "period")
        .agg(
            pl.col("patient_id").last(),
            pl.col("treatment_function").last(),
            clock_start=pl.col("event_date").first(),
            stopped=pl.col("rtt_status").is_in(STOPS).any(),
        )
    )
    days = (pl.lit(census) - pl.col("clock_start")).dt.total_days()
    return (
        periods.filter(~pl.col("stopped"))
        .drop("stopped")
        .with_columns(days_waited=days, weeks_waited=(days // 7).clip(0, 104))
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("events", type=Path)
    parser.add_argument("--census-date", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    open_periods(args.events, args.census_date).sink_parquet(args.out)


if __name__ == "__main__":
    main()
