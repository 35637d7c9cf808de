"""The patient tracking list (PTL) of a community or mental-health waiting-list type.

The open clocks of :func:`carebacklog.community.clock.build_waits` at the census, with the weeks waited
(the CHS band too, for the community type), the date each standard and each long-wait threshold is
breached, and a booking order: people with a priority standard first (``urgent`` before others), then the
longest wait first, as the RTT PTL books by clinical priority, then by length of wait.
"""

from __future__ import annotations

import polars as pl

from carebacklog.community.sitrep import band_of_days
from carebacklog.community.types import WaitType, wait_type

__all__ = ["community_ptl"]


def community_ptl(waits: pl.DataFrame, kind: str | WaitType) -> pl.DataFrame:
    """Open waits with ``weeks_waited`` (days / 7, whole weeks completed), ``chs_band``,
    ``breach_<days>d_date`` for each standard (the first day *over* it: start + days + 1),
    ``breach_<w>_weeks_date`` for each long-wait threshold, and ``booking_rank`` (1 = book first).

    A priority standard's breach date is only set for waits of that priority.
    """
    wt = wait_type(kind)
    rows = waits.filter((pl.col("status") == "open") & (pl.col("wait_type") == wt.id))
    if rows["days_waited"].null_count():
        raise ValueError("open waits need a census date: build_waits(..., census_date=...)")
    start = pl.col("clock_start")
    columns = [
        (pl.col("days_waited") // 7).cast(pl.Int32).alias("weeks_waited"),
        band_of_days(pl.col("days_waited")).alias("chs_band"),
    ]
    for s in wt.standards:
        due = start + pl.duration(days=s.days + 1)
        columns.append((pl.when(pl.col("priority") == s.priority).then(due) if s.priority else due)
                       .alias(f"breach_{s.days}d_date"))
    for w in wt.long_waits_weeks:
        columns.append((start + pl.duration(days=7 * w + 1)).alias(f"breach_{w}_weeks_date"))
    urgent_first = pl.when(pl.col("priority") == "urgent").then(0).otherwise(1)
    return (
        rows.with_columns(columns)
        .sort(urgent_first, pl.col("days_waited"), pl.col("referral_id"), descending=[False, True, False])
        .with_row_index("booking_rank", offset=1)
        .with_columns(pl.col("booking_rank").cast(pl.Int32))
    )
