"""Weeks waited and breach dates: defined once, used by the PTL and everything built on it.

Weeks-waited band (docs/rules-rtt.md §Weeks waited; NHS England's monthly RTT return bands "Gt 00 To 01 Weeks" ...
"Gt 104 Weeks"): days = census date - clock start; band 0 for days 0-7, else ceil(days / 7) - 1,
capped at 104. So day 7 is band 0, day 8 band 1, day 126 band 17 (the last day within 18 weeks),
day 127 band 18, day 729 band 104 ("over 104 weeks").

Breach date for N weeks: the first date on which the pathway is *over* N weeks, i.e. in band N:
clock start + 7 N + 1 days. ``breach_18_date`` = start + 127 days (start + 126 is still within 18
weeks); ``breach_52_date`` = start + 365 days, the first day counted in "over 52 weeks".
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = [
    "BREACH_WEEKS",
    "MAX_BAND",
    "breach_date",
    "weeks_waited",
    "weeks_waited_band",
]

#: Top band of the monthly RTT return: "Gt 104 Weeks" (NHS England RTT Full CSV, since April 2021).
MAX_BAND: Final[int] = 104
#: Waits the PTL gives breach dates for: the 18-week standard (NHS Constitution) and the 52/65/78/104
#: week long-wait milestones of the 2022 elective recovery plan (docs/rules-rtt.md §Targets).
BREACH_WEEKS: Final[tuple[int, ...]] = (18, 52, 65, 78, 104)


def weeks_waited_band(days: pl.Expr) -> pl.Expr:
    """Band 0-104 from days waited (rule 8); null days give null, negative days give band 0."""
    d = days.cast(pl.Int64)
    band = pl.when(d <= 7).then(0).otherwise((d + 6) // 7 - 1)
    return band.clip(0, MAX_BAND).cast(pl.Int16)


def weeks_waited(days: int) -> int:
    """Band 0-104 for one number of days (the scalar form of :func:`weeks_waited_band`)."""
    if days <= 7:
        return 0
    return min(-(-days // 7) - 1, MAX_BAND)


def breach_date(clock_start: pl.Expr, weeks: int) -> pl.Expr:
    """First date on which a clock started on ``clock_start`` is over ``weeks`` weeks (start + 7w + 1)."""
    return clock_start + pl.duration(days=7 * weeks + 1)


def max_days_within(weeks: int) -> int:
    """The most days waited that are still within ``weeks`` weeks (band below ``weeks``): 7 x ``weeks``.

    By the band rule above, day 7w is in band w - 1 and day 7w + 1 (the breach date) in band w. So a wait
    is within 18 weeks at 126 days or fewer, and over 52 weeks at more than 364 days.
    """
    return 7 * weeks
