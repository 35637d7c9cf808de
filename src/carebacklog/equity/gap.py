"""The deprivation gap: most (IMD quintile 1) versus least (quintile 5) deprived, with confidence intervals.

Two gaps, each a difference of proportions (quintile 1 − quintile 5) in percentage points:

- ``pct_within_18``: share of the quintile's waiting list within 18 weeks (negative = the most deprived
  wait longer);
- ``pct_over_52``: share waiting over 52 weeks (the 52+ rate; ×10 for per 1,000; positive = the most
  deprived wait longer).

Confidence interval: Newcombe's hybrid score interval for a difference of independent proportions
(R. G. Newcombe, "Interval estimation for the difference between independent proportions: comparison of
eleven methods", Statistics in Medicine 17 (1998) 873-890, method 10), built from the two Wilson score
intervals (E. B. Wilson, JASA 22 (1927) 209-212). It behaves well for small counts and proportions near
0 or 1, where the simple Wald interval fails. The gap is "significant" when the interval excludes 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import polars as pl

__all__ = ["LEAST_DEPRIVED", "MOST_DEPRIVED", "deprivation_gap", "newcombe_interval", "wilson_interval"]

#: IMD quintiles (English Indices of Deprivation 2019: quintile 1 = the 20% most deprived LSOAs, the
#: "Core20" of Core20PLUS5; quintile 5 = the 20% least deprived).
MOST_DEPRIVED = "1"
LEAST_DEPRIVED = "5"


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (as fractions 0-1)."""
    if n <= 0:
        raise ValueError("a proportion needs n > 0")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({n}), got {successes}")
    z = _z(level)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = (z / (1 + z * z / n)) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower = 0.0 if successes == 0 else max(0.0, centre - half)  # exact bounds at the extremes
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return lower, upper


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> tuple[float, float, float]:
    """Difference ``x1/n1 − x2/n2`` and Newcombe's hybrid score interval (method 10), as fractions."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, level)
    l2, u2 = wilson_interval(x2, n2, level)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper


_MEASURES = (("pct_within_18", "within_18"), ("pct_over_52", "over_52"))


def _gap_rows(q1: dict[str, int], q5: dict[str, int], level: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for measure, column in _MEASURES:
        d, lo, hi = newcombe_interval(q1[column], q1["n"], q5[column], q5["n"], level)
        rows.append(
            {
                "measure": measure,
                "most_deprived_n": q1["n"],
                "most_deprived_pct": 100.0 * q1[column] / q1["n"],
                "least_deprived_n": q5["n"],
                "least_deprived_pct": 100.0 * q5[column] / q5["n"],
                "difference_pct_points": 100.0 * d,
                "ci_low": 100.0 * lo,
                "ci_high": 100.0 * hi,
                "level": level,
                "significant": not (lo <= 0.0 <= hi),
            }
        )
    return rows


def deprivation_gap(
    ptl: pl.DataFrame, *, level: float = 0.95, by: str | Sequence[str] | None = None
) -> pl.DataFrame:
    """The gap between the most and least deprived quintiles of a PTL, with ``level`` confidence intervals.

    Rows: ``pct_within_18`` and ``pct_over_52``. Columns: ``measure, most_deprived_n, most_deprived_pct,
    least_deprived_n, least_deprived_pct, difference_pct_points, ci_low, ci_high, level, significant``.
    Needs ``imd_quintile`` and ``weeks_waited``; raises ``ValueError`` when either quintile has nobody.

    With ``by`` (e.g. ``"treatment_function"``; any :func:`equity_breakdown` dimension but
    ``imd_quintile``), one pair of rows per group, the group columns first; groups without anyone in
    quintile 1 or 5 are left out (their measures are in :func:`equity_breakdown`).
    """
    from carebacklog.equity.measures import category_expr, normalise_dimensions

    if "imd_quintile" not in ptl.columns:
        raise ValueError("the PTL has no imd_quintile column: give a patients file with imd_decile")
    dims = [] if by is None else normalise_dimensions(by)
    if "imd_quintile" in dims or "imd_decile" in dims:
        raise ValueError("the deprivation gap cannot be broken down by deprivation itself")
    quintile = pl.col("imd_quintile").cast(pl.String).str.strip_chars()
    band = pl.col("weeks_waited")
    counts = (
        ptl.with_columns(*[category_expr(ptl, d) for d in dims])
        .filter(quintile.is_in([MOST_DEPRIVED, LEAST_DEPRIVED]))
        .group_by(*dims, quintile.alias("q"))
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            (band < 18).sum().cast(pl.Int64).alias("within_18"),
            (band >= 52).sum().cast(pl.Int64).alias("over_52"),
        )
    )
    groups: dict[tuple[object, ...], dict[str, dict[str, int]]] = {}
    for row in counts.iter_rows(named=True):
        key = tuple(row[d] for d in dims)
        groups.setdefault(key, {})[row["q"]] = {c: int(row[c]) for c in ("n", "within_18", "over_52")}
    if not dims:
        by_q = groups.get((), {})
        for q, label in ((MOST_DEPRIVED, "most"), (LEAST_DEPRIVED, "least")):
            if q not in by_q:
                raise ValueError(f"nobody in IMD quintile {q} ({label} deprived): the gap cannot be measured")
        return pl.DataFrame(_gap_rows(by_q[MOST_DEPRIVED], by_q[LEAST_DEPRIVED], level))
    rows = [
        {**dict(zip(dims, key, strict=True)), **gap}
        for key, by_q in sorted(groups.items(), key=lambda item: tuple(str(v) for v in item[0]))
        if MOST_DEPRIVED in by_q and LEAST_DEPRIVED in by_q
        for gap in _gap_rows(by_q[MOST_DEPRIVED], by_q[LEAST_DEPRIVED], level)
    ]
    if not rows:
        raise ValueError(f"no {', '.join(dims)} group has pathways in both IMD quintile 1 and quintile 5")
    return pl.DataFrame(rows)
