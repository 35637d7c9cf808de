"""Round-trip check: run the clock engine on a synthetic trust and compare with the published month.

Tolerances (issue 3): each treatment function's incomplete pathways by weekly band within +-2% or +-3
pathways, whichever is larger; the month's new clock starts (Part_3), admitted and non-admitted completions
(Part_1A / Part_1B) and the DTA share of the waiting list (Part_2A / Part_2) within +-5%. The engine's counts
are those of our own monthly return (:func:`carebacklog.published.returns.return_counts`), so the check
uses the same treatment-function grouping NHS England reports with.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = [
    "BAND_ABS_TOLERANCE",
    "BAND_REL_TOLERANCE",
    "TOTAL_REL_TOLERANCE",
    "calibration_report",
    "data_issues",
]

BAND_REL_TOLERANCE = 0.02
BAND_ABS_TOLERANCE = 3.0
TOTAL_REL_TOLERANCE = 0.05


def data_issues(events: pl.DataFrame, census_date: dt.date) -> pl.DataFrame:
    """The engine's data-quality table (:func:`carebacklog.rtt.data_quality`): empty for a clean trust."""
    from carebacklog.rtt import data_quality

    return data_quality(events, census_date)


def calibration_report(
    events: pl.DataFrame,
    extract: pl.DataFrame,
    provider_code: str,
    census_date: dt.date,
    *,
    scale: float = 1.0,
) -> pl.DataFrame:
    """One row per check: ``measure, treatment_function, weeks_band, published, synthetic, tolerance, ok``.

    ``published`` is the extract's figure times ``scale``. Measures: ``Part_2`` (per treatment function and
    band), ``Part_3``, ``Part_1A``, ``Part_1B`` (provider totals) and ``Part_2A share``.
    """
    from carebacklog.published.returns import return_counts
    from carebacklog.rtt import build_periods

    periods = build_periods(events, census_date)
    provider_rows = extract.filter(pl.col("provider_code") == provider_code)
    top = 104
    if "top_band" in provider_rows.columns and provider_rows["top_band"].drop_nulls().len():
        top = int(provider_rows["top_band"].drop_nulls().min())  # type: ignore[arg-type]
    ours = (
        return_counts(periods, census_date)
        .filter(pl.col("provider_code") == provider_code)
        # An older extract's open-ended top band (52 plus) holds every longer wait.
        .with_columns(
            pl.when(pl.col("weeks_band") > top)
            .then(pl.lit(top, pl.Int16))
            .otherwise(pl.col("weeks_band"))
            .cast(pl.Int16)
            .alias("weeks_band")
        )
        .group_by("part", "treatment_function", "weeks_band")
        .agg(pl.col("count").sum().cast(pl.Float64).alias("synthetic"))
    )
    theirs = (
        extract.filter(pl.col("provider_code") == provider_code)
        .group_by("part", "treatment_function", "weeks_band")
        .agg((pl.col("count").sum() * scale).alias("published"))
    )
    bands = (
        theirs.filter(pl.col("part") == "Part_2")
        .join(
            ours.filter(pl.col("part") == "Part_2"),
            on=["part", "treatment_function", "weeks_band"],
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("published").fill_null(0.0), pl.col("synthetic").fill_null(0.0))
        .with_columns(
            tolerance=pl.max_horizontal(pl.col("published") * BAND_REL_TOLERANCE, pl.lit(BAND_ABS_TOLERANCE))
        )
        .select(
            pl.lit("Part_2").alias("measure"),
            "treatment_function",
            "weeks_band",
            "published",
            "synthetic",
            "tolerance",
        )
    )

    def total(frame: pl.DataFrame, part: str, column: str) -> float:
        return float(frame.filter(pl.col("part") == part)[column].sum())

    rows: list[tuple[str, float, float, float]] = []
    for part in ("Part_3", "Part_1A", "Part_1B"):
        pub = total(theirs, part, "published")
        rows.append((part, pub, total(ours, part, "synthetic"), TOTAL_REL_TOLERANCE * pub))
    pub_share = total(theirs, "Part_2A", "published") / max(total(theirs, "Part_2", "published"), 1.0)
    syn_share = total(ours, "Part_2A", "synthetic") / max(total(ours, "Part_2", "synthetic"), 1.0)
    rows.append(("Part_2A share", pub_share, syn_share, TOTAL_REL_TOLERANCE * pub_share))
    totals = pl.DataFrame(
        {
            "measure": [r[0] for r in rows],
            "treatment_function": pl.Series([None] * len(rows), dtype=pl.String),
            "weeks_band": pl.Series([None] * len(rows), dtype=pl.Int16),
            "published": [r[1] for r in rows],
            "synthetic": [r[2] for r in rows],
            "tolerance": [r[3] for r in rows],
        }
    )
    report = pl.concat(
        [bands.with_columns(pl.col("weeks_band").cast(pl.Int16)), totals], how="vertical_relaxed"
    )
    return report.with_columns(
        ok=(pl.col("synthetic") - pl.col("published")).abs() <= pl.col("tolerance")
    ).sort("measure", "treatment_function", "weeks_band", nulls_last=True)
