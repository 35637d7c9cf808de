"""What changed on the PTL between two snapshots of a provider: the PTL meeting's "since last week" list.

Pure computation over frames the store gives back (two PTL snapshots and the later snapshot's periods).
Pathways are matched on (``pathway_id``, ``period``): a clock that stopped and restarted on the same
pathway shows as one ``stopped`` and one ``joined``.

Kinds, in the order they are listed:

* ``joined``: on the later PTL only (a new referral, a new clock start after a stop, or a pathway that
  came back onto the list);
* ``stopped``: on the earlier PTL only, and the later snapshot's periods record its clock stop (the
  ``outcome`` column says how: first definitive treatment, a decision not to treat, and so on);
* ``removed``: on the earlier PTL only with no recorded stop (taken off by validation, transferred or
  missing from the later extract): the ones a validator looks at first;
* ``moved_band``: on both, in a different headline band (under 18, 18–51, 52–64, 65–77, 78–103 and 104+
  completed weeks, the thresholds NHS England reports);
* ``will_breach``: on the later PTL, with a breach date of 18, 52, 65 or 78 weeks after its census date
  and within the horizon (one row per pathway: the soonest threshold).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

__all__ = [
    "BANDS",
    "BREACH_THRESHOLDS",
    "CHANGE_KINDS",
    "CHANGE_SCHEMA",
    "ChangeSummary",
    "changes_between",
    "summarise_changes",
]

CHANGE_KINDS = ("joined", "stopped", "removed", "moved_band", "will_breach")
#: Headline bands: (label, lowest completed weeks in the band).
BANDS = (("under 18", 0), ("18-51", 18), ("52-64", 52), ("65-77", 65), ("78-103", 78), ("104+", 104))
BREACH_THRESHOLDS = (18, 52, 65, 78)

CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "pathway_id": pl.String(),
    "period": pl.Int64(),
    "patient_id": pl.String(),
    "treatment_function": pl.String(),
    "weeks_before": pl.Int64(),
    "weeks_after": pl.Int64(),
    "band_before": pl.String(),
    "band_after": pl.String(),
    "outcome": pl.String(),
    "clock_stop": pl.Date(),
    "breach_weeks": pl.Int64(),
    "breach_date": pl.Date(),
    "booking_rank": pl.Int64(),
}
_KEY = ["pathway_id", "period"]


def _band(weeks: pl.Expr) -> pl.Expr:
    expr = pl.lit(BANDS[0][0])
    for label, low in BANDS[1:]:
        expr = pl.when(weeks >= low).then(pl.lit(label)).otherwise(expr)
    return expr


def _shape(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    exprs = [pl.lit(kind).alias("kind")]
    for name, dtype in list(CHANGE_SCHEMA.items())[1:]:
        exprs.append(pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name))
    return frame.select(exprs)


def changes_between(
    before: pl.DataFrame,
    after: pl.DataFrame,
    after_periods: pl.DataFrame,
    *,
    after_census: dt.date,
    horizon_weeks: int = 4,
) -> pl.DataFrame:
    """The changes from PTL ``before`` to PTL ``after`` (see the module docstring), :data:`CHANGE_SCHEMA`.

    ``before`` and ``after`` carry ``rtt.ptl_snapshot``'s columns (as ``store.ptl_frame`` reads them back);
    ``after_periods`` is the later snapshot's periods (``pathway_id``, ``period``, ``clock_stop``,
    ``outcome``). ``horizon_weeks`` (0 or more) bounds the ``will_breach`` look-ahead.
    """
    if horizon_weeks < 0:
        raise ValueError(f"horizon_weeks must be 0 or more, not {horizon_weeks}")
    key_types = {"pathway_id": pl.String, "period": pl.Int64}
    old = before.with_columns(pl.col(k).cast(t) for k, t in key_types.items())
    new = after.with_columns(pl.col(k).cast(t) for k, t in key_types.items())
    periods = after_periods.select(*_KEY, "clock_stop", "outcome").with_columns(
        pl.col(k).cast(t) for k, t in key_types.items()
    )
    columns = ["pathway_id", "period", "patient_id", "treatment_function", "weeks_waited", "booking_rank"]

    joined = new.join(old.select(_KEY), on=_KEY, how="anti").select(columns)
    joined = joined.with_columns(
        weeks_after=pl.col("weeks_waited"), band_after=_band(pl.col("weeks_waited"))
    )

    left = old.join(new.select(_KEY), on=_KEY, how="anti").select(columns)
    left = left.with_columns(weeks_before=pl.col("weeks_waited"), band_before=_band(pl.col("weeks_waited")))
    left = left.drop("booking_rank").join(periods, on=_KEY, how="left")
    has_stop = pl.col("clock_stop").is_not_null()
    stopped = left.filter(has_stop)
    removed = left.filter(~has_stop).with_columns(pl.lit(None, pl.String).alias("outcome"))

    both = old.select(*_KEY, pl.col("weeks_waited").alias("weeks_before")).join(
        new.select(columns), on=_KEY, how="inner"
    )
    both = both.with_columns(
        weeks_after=pl.col("weeks_waited"),
        band_before=_band(pl.col("weeks_before")),
        band_after=_band(pl.col("weeks_waited")),
    )
    moved = both.filter(pl.col("band_before") != pl.col("band_after"))

    end = after_census + dt.timedelta(weeks=horizon_weeks)
    soonest: pl.Expr = pl.lit(None, pl.Int64)
    for weeks in reversed(BREACH_THRESHOLDS):
        column = pl.col(f"breach_{weeks}_date")
        due = (column > pl.lit(after_census)) & (column <= pl.lit(end))
        soonest = pl.when(due).then(pl.lit(weeks, pl.Int64)).otherwise(soonest)
    breaching = new.with_columns(breach_weeks=soonest).filter(pl.col("breach_weeks").is_not_null())
    breaching = breaching.with_columns(
        breach_date=pl.coalesce(
            pl.when(pl.col("breach_weeks") == w).then(pl.col(f"breach_{w}_date")) for w in BREACH_THRESHOLDS
        ),
        weeks_after=pl.col("weeks_waited"),
        band_after=_band(pl.col("weeks_waited")),
    )

    parts = [
        _shape(joined.sort("booking_rank"), "joined"),
        _shape(stopped.sort("clock_stop", "pathway_id"), "stopped"),
        _shape(removed.sort("weeks_before", "pathway_id", descending=[True, False]), "removed"),
        _shape(moved.sort("booking_rank"), "moved_band"),
        _shape(breaching.sort("breach_date", "booking_rank"), "will_breach"),
    ]
    return pl.concat(parts, how="vertical")


@dataclass(frozen=True)
class ChangeSummary:
    """How many pathways of each kind, and the net change in the list size."""

    counts: dict[str, int]
    waiting_before: int
    waiting_after: int

    @property
    def net(self) -> int:
        return self.waiting_after - self.waiting_before

    def line(self) -> str:
        parts = ", ".join(f"{kind.replace('_', ' ')} {self.counts.get(kind, 0):,}" for kind in CHANGE_KINDS)
        return f"{parts}; waiting {self.waiting_before:,} → {self.waiting_after:,} ({self.net:+,})"


def summarise_changes(changes: pl.DataFrame, waiting_before: int, waiting_after: int) -> ChangeSummary:
    """Counts by kind of a :func:`changes_between` frame."""
    counts = dict(changes.group_by("kind").len().iter_rows()) if changes.height else {}
    return ChangeSummary({k: int(counts.get(k, 0)) for k in CHANGE_KINDS}, waiting_before, waiting_after)
