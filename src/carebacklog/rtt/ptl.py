"""The PTL (patient tracking list) snapshot at a census date, the booking order and its summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Final

import polars as pl

from carebacklog.rtt.bands import BREACH_WEEKS, breach_date, weeks_waited_band
from carebacklog.rtt.demographics import add_demographics

__all__ = [
    "BOOKING_ORDER",
    "PRIORITY_TIME_FRAMES",
    "PtlSummary",
    "ptl_snapshot",
    "ptl_summary",
]

#: FSSA clinical prioritisation time frames (FSSA clinical guide to surgical prioritisation): P1a
#: within 24 hours, P1b within 72 hours, P2 within 1 month, P3 within 3 months, as Polars offsets.
#: P4 (can wait over 3 months) and P5/P6 (patient chose to defer) have no due date. The due date
#: runs from ``priority_date``, the date the current priority was first recorded.
PRIORITY_TIME_FRAMES: Final[dict[str, str]] = {"P1a": "1d", "P1b": "3d", "P2": "1mo", "P3": "3mo"}

#: Booking order of clinical priorities (NHS England's elective recovery guidance: clinical priority first, then treat in turn):
#: P1a, P1b, P2, P3, P4, then pathways with no priority recorded, then P5/P6 (patient deferred).
BOOKING_ORDER: Final[dict[str, int]] = {"P1a": 0, "P1b": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 6, "P6": 6}
_UNPRIORITISED: Final[int] = 5


def _due_date() -> pl.Expr:
    expr: pl.Expr = pl.lit(None, pl.Date)
    for code, offset in PRIORITY_TIME_FRAMES.items():
        expr = (
            pl.when(pl.col("priority") == code)
            .then(pl.col("priority_date").dt.offset_by(offset))
            .otherwise(expr)
        )
    return expr.alias("priority_due_date")


def ptl_snapshot(
    periods: pl.DataFrame, census_date: date, patients: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Open RTT periods at ``census_date``, with waits, breach dates and the booking order.

    ``periods`` is the output of :func:`carebacklog.rtt.build_periods` built with the same census date.
    Adds ``days_waited`` (census - clock start), ``weeks_waited`` (band 0-104, rule 8),
    ``breach_18_date`` ... ``breach_104_date`` (first day over N weeks), ``priority_due_date`` and
    ``booking_rank`` (1 = book first: clinical priority, then longest wait, then pathway_id and period).
    With ``patients``, adds age, age_band, sex, ethnic_category, ethnic_group, imd_decile, imd_quintile.
    Rows are in booking order.
    """
    # A period that starts after the census cannot be waiting at it (periods built without a census).
    open_ = periods.filter((pl.col("outcome") == "open") & (pl.col("clock_start") <= census_date))
    days = (pl.lit(census_date, pl.Date) - pl.col("clock_start")).dt.total_days().cast(pl.Int32)
    ptl = open_.with_columns(days_waited=days).with_columns(
        weeks_waited=weeks_waited_band(pl.col("days_waited")),
        **{f"breach_{w}_date": breach_date(pl.col("clock_start"), w) for w in BREACH_WEEKS},
        priority_due_date=_due_date(),
        _order=pl.col("priority")
        .replace_strict(BOOKING_ORDER, default=_UNPRIORITISED, return_dtype=pl.Int8)
        .fill_null(_UNPRIORITISED),
    )
    ptl = _booking_order(ptl).drop("_order").with_row_index("booking_rank", offset=1)
    ptl = ptl.with_columns(pl.col("booking_rank").cast(pl.Int64))
    front = [c for c in ptl.columns if c != "booking_rank"]
    ptl = ptl.select([*front, "booking_rank"])
    if patients is not None:
        ptl = add_demographics(ptl, patients, census_date)
    return ptl


def _booking_order(ptl: pl.DataFrame) -> pl.DataFrame:
    """Sort by (priority group, clock_start, pathway_id, period) with one numeric stable sort.

    build_periods already returns periods by pathway_id then period, so a stable sort on a single
    packed integer (priority group, days since 1970) gives the full order without comparing text;
    a frame in any other order is first put in pathway order.
    """
    pathway, period = pl.col("pathway_id"), pl.col("period")
    in_pathway_order = (pathway > pathway.shift(1)) | (
        (pathway == pathway.shift(1)) & (period > period.shift(1))
    )
    if not ptl.select(in_pathway_order.fill_null(True).all()).item():
        ptl = ptl.sort("pathway_id", "period")
    day = pl.col("clock_start").cast(pl.Int64) + (1 << 31)
    key = pl.col("_order").cast(pl.Int64) * (1 << 32) + day
    return ptl.with_columns(_key=key).sort("_key", maintain_order=True).drop("_key")


@dataclass(frozen=True)
class PtlSummary:
    """Headline measures of a PTL (incomplete pathways), as in NHS England's monthly RTT statistics."""

    count: int
    within_18_weeks: int
    pct_within_18_weeks: float | None
    over_52_weeks: int
    over_65_weeks: int
    over_78_weeks: int
    over_104_weeks: int
    with_dta: int

    def as_dict(self) -> dict[str, int | float | None]:
        return asdict(self)


def ptl_summary(ptl: pl.DataFrame) -> PtlSummary:
    """Count, number and % within 18 weeks (band < 18), over 52/65/78/104 weeks (band >= N), with DTA."""
    if ptl.height == 0:
        return PtlSummary(0, 0, None, 0, 0, 0, 0, 0)
    band = pl.col("weeks_waited")
    row = ptl.select(
        count=pl.len(),
        within=(band < 18).sum(),
        o52=(band >= 52).sum(),
        o65=(band >= 65).sum(),
        o78=(band >= 78).sum(),
        o104=(band >= 104).sum(),
        dta=pl.col("has_dta").sum(),
    ).row(0, named=True)
    count = int(row["count"])
    return PtlSummary(
        count=count,
        within_18_weeks=int(row["within"]),
        pct_within_18_weeks=100.0 * row["within"] / count,
        over_52_weeks=int(row["o52"]),
        over_65_weeks=int(row["o65"]),
        over_78_weeks=int(row["o78"]),
        over_104_weeks=int(row["o104"]),
        with_dta=int(row["dta"]),
    )
