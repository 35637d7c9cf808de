"""Measures of community and mental-health waiting lists: % within each standard, long waits, percentiles.

Two inputs, one vocabulary:

* :func:`wait_measures` on the patient-level waits of :func:`carebacklog.community.clock.build_waits`:
  for the open list at a census (``basis='open'``: days waited so far) or for the clocks that stopped in a
  period (``basis='completed'``: the basis of NHS Talking Therapies' and the EIP and eating-disorder
  standards). The two bases answer different questions and are labelled, never mixed.
* :func:`chs_measures` on the published CHS table (:func:`carebacklog.community.chs.read_chs`), whose
  bands are coarse (0–1, >1–2, >2–4, >4–12, >12–18, >18–52, >52(–104), >104 weeks).

Percentiles from coarse bands (:func:`coarse_band_percentile`) extend NHS England's RTT method
(:func:`carebacklog.published.band_percentile`: patients spread evenly across their band, the percentile
interpolated inside the band that holds it) to bands of any width: in the band from ``a`` to ``b`` weeks
holding ``c`` patients, with ``C`` patients below it, the percentile at position ``p`` is
``a + (p − C) / c · (b − a)``. An open top band is given one week's width, as the RTT method treats
"104 plus". With one-week bands this *is* the RTT method (tested). A percentile that falls in a wide band
is only as good as the assumption of an even spread within it: read the 92nd percentile of a list whose
long tail sits in ">18–52 weeks" as an estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from carebacklog.community.types import WaitType, wait_type
from carebacklog.published.percentile import percentile_position

__all__ = [
    "CHS_LEVELS",
    "chs_measures",
    "coarse_band_percentile",
    "wait_measures",
]

#: ``level=`` words of :func:`chs_measures` → organisation type in the table (None: the detail).
CHS_LEVELS: Final[dict[str, str | None]] = {"national": None, "region": "Region", "icb": "ICB",
                                            "provider": "Provider"}
_GROUP_WORDS: Final = ("age_group", "service_line")


def coarse_band_percentile(
    counts: npt.ArrayLike, edges: Sequence[float], q: float, *, open_top: bool = True
) -> npt.NDArray[np.float64] | float:
    """The ``q`` percentile (weeks) of counts in bands with lower ``edges`` (uniform spread in a band).

    ``counts``: one distribution (1-D) or one row per group (2-D), a column per band. ``edges``: each
    band's lower edge, ascending; the next band's edge is its upper edge, and the last band is open
    (one week wide for the interpolation) when ``open_top``, else it ends at ``edges[-1] + 1``. Positions
    follow NHS England: ``(N + 1) / 2`` for the median, ``q · N`` otherwise. Rows with no patients: NaN.
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be between 0 and 1 (exclusive), got {q}")
    lower = np.asarray(edges, dtype=np.float64)
    if lower.ndim != 1 or (np.diff(lower) <= 0).any():
        raise ValueError("edges must be ascending lower band edges")
    upper = np.append(lower[1:], lower[-1] + 1.0)
    counts = np.asarray(counts, dtype=np.float64)
    single = counts.ndim == 1
    matrix = counts[np.newaxis, :] if single else counts
    if matrix.shape[1] != lower.size:
        raise ValueError(f"{matrix.shape[1]} band counts but {lower.size} edges")
    matrix = np.where(np.isnan(matrix), 0.0, matrix)
    cumulative = np.cumsum(matrix, axis=1)
    total = cumulative[:, -1]
    position = percentile_position(total, q)
    band = np.minimum((cumulative < position[:, np.newaxis]).sum(axis=1), lower.size - 1)
    rows = np.arange(matrix.shape[0])
    in_band = matrix[rows, band]
    below = cumulative[rows, band] - in_band
    with np.errstate(divide="ignore", invalid="ignore"):
        value = lower[band] + (position - below) / in_band * (upper[band] - lower[band])
    value = np.where(total > 0, value, np.nan)
    return float(value[0]) if single else np.asarray(value, dtype=np.float64)


def chs_measures(tidy: pl.DataFrame, level: str = "national", by: Sequence[str] = ()) -> pl.DataFrame:
    """Headline measures of the published CHS waiting lists, per period × organisation × ``by``.

    ``level``: national (the detail summed: equals the published national rows), provider, icb or region
    (the workbooks' own ICB and region rows: read with ``include_totals=True``; providers are aggregated to
    their *host* ICB). ``by``: any of ``age_group`` (adult vs CYP) and ``service_line``.

    Columns: ``period``, ``org_code``/``org_name`` (not for national), the ``by`` columns, then ``total``
    (Table 4), ``banded`` (people in a weeks band: may be fewer than ``total``, the workbooks warn),
    ``within_18``, ``over_18``, ``over_52``, ``over_104`` (null for workbooks before December 2024, whose
    top band is "over 52 weeks"), ``pct_within_18``, ``pct_over_52``, ``pct_over_104`` (of ``banded``:
    numerator and denominator from the same rows), ``median_weeks`` and ``p92_weeks``
    (:func:`coarse_band_percentile`).
    """
    if level not in CHS_LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(CHS_LEVELS)}")
    unknown = [b for b in by if b not in _GROUP_WORDS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}; use {', '.join(_GROUP_WORDS)}")
    org_type = CHS_LEVELS[level]
    if org_type is None:
        rows, org_keys = tidy.filter(~pl.col("aggregate")), []
    else:
        rows, org_keys = tidy.filter(pl.col("org_type") == org_type), ["org_code", "org_name"]
        if rows.height == 0 and tidy.height:
            raise ValueError(f"no {org_type} rows: read the workbooks with include_totals=True")
    keys = ["period", *org_keys, *by]
    banded = rows.filter(pl.col("band") != "total")
    lo = pl.col("weeks_from")
    groups = (
        rows.group_by(keys)
        .agg(
            total=pl.col("count").filter(pl.col("band") == "total").sum(),
            banded=pl.col("count").filter(pl.col("band") != "total").sum(),
            within_18=pl.col("count").filter((pl.col("band") != "total") & (pl.col("weeks_to") <= 18)).sum(),
            over_18=pl.col("count").filter(lo >= 18).sum(),
            over_52=pl.col("count").filter(lo >= 52).sum(),
            over_104=pl.col("count").filter(lo >= 104).sum(),
            top_band_from=pl.col("top_band_from").min(),
        )
        .with_columns(over_104=pl.when(pl.col("top_band_from") >= 104).then(pl.col("over_104")))
        .sort(keys, nulls_last=True)
    )
    edges = sorted({int(e) for e in banded["weeks_from"].drop_nulls().unique().to_list()}) or [0]
    index = {e: i for i, e in enumerate(edges)}
    cells = (
        banded.group_by([*keys, "weeks_from"]).agg(pl.col("count").sum())
        .join(groups.select(keys).with_row_index("_g"), on=keys, how="left", nulls_equal=True)
    )
    matrix = np.zeros((groups.height, len(edges)))
    if cells.height:
        column = cells["weeks_from"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
        np.add.at(matrix, (cells["_g"].to_numpy(), column), cells["count"].to_numpy())
    # A month whose top band is "over 52" (before December 2024) has its open band at 52 weeks, not a
    # 52-104 band: interpolate each layout with its own edges.
    median = np.full(groups.height, np.nan)
    p92 = np.full(groups.height, np.nan)
    tops = groups["top_band_from"].fill_null(max(edges)).to_numpy()
    for top in np.unique(tops):
        mine = tops == top
        width = sum(1 for e in edges if e <= top)
        median[mine] = coarse_band_percentile(matrix[mine][:, :width], edges[:width], 0.5)
        p92[mine] = coarse_band_percentile(matrix[mine][:, :width], edges[:width], 0.92)
    pct = lambda num: pl.when(pl.col("banded") > 0).then(pl.col(num) / pl.col("banded") * 100.0)  # noqa: E731
    return groups.with_columns(
        pct_within_18=pct("within_18"),
        pct_over_52=pct("over_52"),
        pct_over_104=pct("over_104"),
        median_weeks=pl.Series(np.atleast_1d(median), dtype=pl.Float64, nan_to_null=True),
        p92_weeks=pl.Series(np.atleast_1d(p92), dtype=pl.Float64, nan_to_null=True),
    ).drop("top_band_from")


def wait_measures(
    waits: pl.DataFrame,
    kind: str | WaitType,
    *,
    basis: str = "open",
    by: Sequence[str] = (),
    period: tuple[dt.date, dt.date] | None = None,
) -> pl.DataFrame:
    """% within each standard, long waits and percentiles from patient-level waits, per ``by`` group.

    ``basis='open'``: the clocks still running (``status == 'open'``; ``days_waited`` is to the census).
    ``basis='completed'``: clocks that stopped within ``period`` (start, end), inclusive.
    ``by``: columns of the waits, e.g. ``provider_code``, ``icb_code``, ``service_line``, ``age_group``.

    Columns: the ``by`` columns, ``basis``, ``total``, for each standard ``within_<days>d`` and
    ``pct_within_<days>d`` (a standard for one priority counts only that priority's waits) and
    ``meets_<days>d`` (null where no target is published), ``over_<w>_weeks`` for each long-wait
    threshold (more than 7·w days), ``median_weeks``, ``p92_weeks`` (exact, from days / 7).
    """
    wt = wait_type(kind)
    if basis == "open":
        rows = waits.filter(pl.col("status") == "open")
    elif basis == "completed":
        rows = waits.filter(pl.col("status") == "stopped")
        if period is not None:
            rows = rows.filter(pl.col("clock_stop").is_between(period[0], period[1]))
    else:
        raise ValueError("basis must be 'open' or 'completed'")
    rows = rows.filter(pl.col("wait_type") == wt.id) if "wait_type" in rows.columns else rows
    if rows["days_waited"].null_count():
        raise ValueError("open waits need a census date: build_waits(..., census_date=...)")
    days = pl.col("days_waited")
    aggs: list[pl.Expr] = [pl.len().alias("total")]
    for s in wt.standards:
        applies = pl.col("priority") == s.priority if s.priority else pl.lit(True)
        aggs.append(days.filter(applies).len().alias(f"_n_{s.days}d"))
        aggs.append((days.filter(applies) <= s.days).sum().alias(f"within_{s.days}d"))
    for w in wt.long_waits_weeks:
        aggs.append((days > 7 * w).sum().alias(f"over_{w}_weeks"))
    aggs += [(days.median() / 7).alias("median_weeks"), (days.quantile(0.92, "linear") / 7).alias("p92_weeks")]
    grouped = rows.group_by(list(by)).agg(aggs) if by else rows.select(aggs)
    extra: list[pl.Expr] = [pl.lit(basis).alias("basis")]
    for s in wt.standards:
        n = pl.col(f"_n_{s.days}d")
        share = pl.when(n > 0).then(pl.col(f"within_{s.days}d") / n * 100.0)
        extra.append(share.alias(f"pct_within_{s.days}d"))
        target = pl.lit(None, pl.Boolean) if s.target_pct is None else share >= s.target_pct
        extra.append(target.alias(f"meets_{s.days}d"))
    out = grouped.with_columns(extra).drop([f"_n_{s.days}d" for s in wt.standards])
    return out.sort(list(by), nulls_last=True) if by else out
