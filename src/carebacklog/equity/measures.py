"""Headline waiting-list measures of a patient-level PTL by patient characteristics.

The measures are NHS England's incomplete-pathway headline measures (docs/rules-rtt.md §Headline measures) computed per group:
total waiting, number and % within 18 weeks (weeks-waited band 0–17), number over 52 weeks with its
rate (% and per 1,000 waiting), the median and 92nd percentile wait by NHS England's interpolated
weekly-band method (:func:`carebacklog.published.band_percentile`) and, because a PTL has exact waits,
the exact median and 92nd percentile in days. Breakdowns follow the Core20PLUS5 / NHS England
waiting-list inequalities dimensions: IMD quintile (1 = most deprived), ethnic group, age band and sex,
alone or combined with each other or with the treatment function (NHS England's reported grouping).

Unknown categories are shown as ``"Unknown"`` (or the PTL's own unknown label), never dropped, so every
breakdown adds up to the whole waiting list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

__all__ = [
    "BREAKDOWN_DIMENSIONS",
    "EQUITY_MEASURES",
    "UNKNOWN",
    "category_expr",
    "equity_breakdown",
    "normalise_dimensions",
]

UNKNOWN = "Unknown"
#: Dimensions a breakdown can use (PTL columns; ``treatment_function`` is reported in NHS England's grouping).
BREAKDOWN_DIMENSIONS = (
    "imd_quintile",
    "imd_decile",
    "ethnic_group",
    "ethnic_category",
    "age_band",
    "sex",
    "treatment_function",
    "provider_code",
)
#: 18-week standard (NHS Constitution): bands 0-17 are within 18 weeks; 52 weeks: the long-wait ambition.
WITHIN_BANDS = 18
LONG_WAIT_WEEKS = 52
N_BANDS = 105  # bands 0..104 of the monthly return

EQUITY_MEASURES = (
    "total",
    "share_of_list_pct",
    "within_18",
    "pct_within_18",
    "over_52",
    "pct_over_52",
    "over_52_per_1000",
    "median_weeks",
    "p92_weeks",
    "median_days",
    "p92_days",
)


def normalise_dimensions(by: str | Sequence[str]) -> list[str]:
    """``"imd_quintile,sex"`` or a list → validated dimension names, in order, without repeats."""
    words = [w.strip() for w in by.split(",")] if isinstance(by, str) else [str(w).strip() for w in by]
    out: list[str] = []
    for word in words:
        if not word:
            continue
        if word not in BREAKDOWN_DIMENSIONS:
            raise ValueError(f"unknown breakdown {word!r}; choose from {', '.join(BREAKDOWN_DIMENSIONS)}")
        if word not in out:
            out.append(word)
    if not out:
        raise ValueError("give at least one breakdown dimension")
    return out


def category_expr(ptl: pl.DataFrame, name: str) -> pl.Expr:
    """The dimension ``name`` of ``ptl`` as text, ``"Unknown"`` for missing values (TFs in reported groups)."""
    if name not in ptl.columns:
        return pl.lit(UNKNOWN).alias(name)
    if name == "treatment_function":
        from carebacklog.published.tf_grouping import treatment_function_group_expr

        return treatment_function_group_expr(name).alias(name)
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text.is_null() | (text == "")).then(pl.lit(UNKNOWN)).otherwise(text).alias(name)


def equity_breakdown(ptl: pl.DataFrame, by: str | Sequence[str] = "imd_quintile") -> pl.DataFrame:
    """Headline measures of ``ptl`` (a :func:`carebacklog.rtt.ptl_snapshot` frame) per group of ``by``.

    Needs ``weeks_waited`` (band 0-104) and ``days_waited``; dimension columns missing from the PTL count
    as ``"Unknown"``. Columns: the dimensions (text), then :data:`EQUITY_MEASURES`. Sorted by the
    dimensions with ``"Unknown"`` last. Percentages are 0-100; a group's percentiles are NaN only if it is
    empty (it never is).
    """
    from carebacklog.published import band_percentile

    dims = normalise_dimensions(by)
    for column in ("weeks_waited", "days_waited"):
        if column not in ptl.columns:
            raise ValueError(f"the PTL has no {column!r} column (is it a ptl_snapshot frame?)")
    frame = ptl.select(
        *[category_expr(ptl, d) for d in dims], pl.col("weeks_waited").cast(pl.Int16), "days_waited"
    )
    list_size = frame.height
    if list_size == 0:
        schema = {**{d: pl.String for d in dims}, **{m: pl.Float64 for m in EQUITY_MEASURES}}
        return pl.DataFrame(schema=schema)
    band = pl.col("weeks_waited")
    grouped = frame.group_by(dims).agg(
        pl.len().cast(pl.Int64).alias("total"),
        (band < WITHIN_BANDS).sum().cast(pl.Int64).alias("within_18"),
        (band >= LONG_WAIT_WEEKS).sum().cast(pl.Int64).alias("over_52"),
        pl.col("days_waited").median().cast(pl.Float64).alias("median_days"),
        pl.col("days_waited").quantile(0.92, interpolation="linear").cast(pl.Float64).alias("p92_days"),
    )
    grouped = _sort_unknown_last(grouped, dims)

    counts = (
        frame.group_by([*dims, "weeks_waited"])
        .len()
        .join(grouped.select(dims).with_row_index("_g"), on=dims, how="inner", nulls_equal=True)
    )
    matrix = np.zeros((grouped.height, N_BANDS))
    np.add.at(
        matrix,
        (counts["_g"].to_numpy(), counts["weeks_waited"].to_numpy().astype(np.int64)),
        counts["len"].to_numpy(),
    )
    total = pl.col("total").cast(pl.Float64)
    return grouped.with_columns(
        share_of_list_pct=100.0 * total / max(list_size, 1),
        pct_within_18=100.0 * pl.col("within_18") / total,
        pct_over_52=100.0 * pl.col("over_52") / total,
        over_52_per_1000=1000.0 * pl.col("over_52") / total,
        median_weeks=pl.Series(np.atleast_1d(band_percentile(matrix, 0.5)), dtype=pl.Float64),
        p92_weeks=pl.Series(np.atleast_1d(band_percentile(matrix, 0.92)), dtype=pl.Float64),
    ).select(*dims, *EQUITY_MEASURES)


def _sort_unknown_last(frame: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    keys: list[pl.Expr] = []
    for d in dims:
        keys.append(pl.col(d) == UNKNOWN)
        keys.append(pl.col(d))
    return frame.sort(keys)
