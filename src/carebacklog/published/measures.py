"""Headline RTT measures from the tidy table, for any grouping (always by period).

Definitions (NHS England, "Referral to Treatment (RTT) waiting times statistics" and its Notes sheets):

* ``total``: all pathways, including those with an unknown clock start;
* ``known_start``: pathways with a known clock start (the denominator of the percentage and percentiles);
* ``within_18``: the first 18 weekly bands (0–18 weeks; 126 days is within 18 weeks);
  ``pct_within_18`` = within_18 / known_start × 100 (the 18-week standard: NHS Constitution, 92%);
* ``over_52``/``over_65``/``over_78``/``over_104``: more than 52/65/78/104 weeks (bands ≥ 52 …; the
  thresholds of the elective recovery plan, 2022); null where the file's open top band is lower than the
  threshold (e.g. over 65 weeks in a file whose top band is "52 plus");
* ``median_weeks``, ``p92_weeks``, ``p95_weeks``: NHS England's interpolated percentiles
  (:func:`carebacklog.published.percentile.band_percentile`), with the rule of each period's publication
  (:func:`carebacklog.published.percentile.rule_for_period`: the median at 0.5·N from October 2015, at
  (N + 1)/2 before). The headline percentile is the 92nd for
  incomplete pathways and the 95th for completed ones; both are given for every banded part (the 2014/15
  workbooks publish the 95th for incomplete pathways too);
* part ``new`` (Part_3): ``total`` = new clock starts in the month; the band measures are null (Part_3
  publishes no bands).

Counts (``total``, ``known_start``, ``within_18``, ``over_…``) are Int64; percentages and weeks Float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from carebacklog.published.percentile import (
    CURRENT_RULE,
    CURRENT_RULE_FROM,
    MEDIAN,
    PERCENTILE_RULES,
    RULE_2014_15,
    band_percentile,
)

__all__ = [
    "COUNT_COLUMNS",
    "GROUPINGS",
    "MEASURE_COLUMNS",
    "PART_OF",
    "PUBLISHED_MIN_PATHWAYS",
    "headline_measures",
    "resolve_grouping",
]

#: ``part=`` names → RTT Part Type (NHS England, RTT monthly data collection: parts 1A, 1B, 2, 2A, 3).
PART_OF = {
    "incomplete": "Part_2",
    "admitted": "Part_1A",
    "nonadmitted": "Part_1B",
    "dta": "Part_2A",
    "new": "Part_3",
}

#: Grouping words → (tidy column, output column).
GROUPINGS = {
    "national": None,
    "provider": ("provider_code", "provider_code"),
    "treatment_function": ("treatment_function", "treatment_function"),
    "commissioner": ("commissioner_code", "commissioner_code"),
    "parent": ("provider_parent_code", "parent_code"),
    "provider_parent": ("provider_parent_code", "parent_code"),
    "commissioner_parent": ("commissioner_parent_code", "commissioner_parent_code"),
}

MEASURE_COLUMNS = (
    "total", "known_start", "within_18", "pct_within_18", "over_52", "over_65", "over_78", "over_104",
    "median_weeks", "p92_weeks", "p95_weeks",
)
#: The measures that count pathways: Int64 (the others are percentages and weeks, Float64).
COUNT_COLUMNS = ("total", "known_start", "within_18", "over_52", "over_65", "over_78", "over_104")

#: The 18-week standard (NHS Constitution; RTT rules suite PRN01045 §1.1): bands 0–17 are within it.
WITHIN_WEEKS = 18
#: NHS England leaves median and percentiles blank below this many pathways: "Median and 95th Percentile
#: waiting times are not calculated for organisations (and treatment functions) with less than 50
#: pathways in the month" (note 2 of the RTT workbooks' Notes sheet).
PUBLISHED_MIN_PATHWAYS = 50
#: Long-wait thresholds of the Delivery plan for tackling the COVID-19 backlog of elective care (2022).
LONG_WAIT_WEEKS = (52, 65, 78, 104)


def resolve_grouping(by: str | Sequence[str] | None) -> list[tuple[str, str]]:
    """Grouping words or tidy column names → [(tidy column, output column)], in order, without repeats."""
    if by is None:
        return []
    words = [w.strip() for w in by.split(",")] if isinstance(by, str) else [str(w).strip() for w in by]
    resolved: list[tuple[str, str]] = []
    tidy_columns = {"provider_parent_code", "provider_code", "commissioner_parent_code",
                    "commissioner_code", "treatment_function"}
    for word in words:
        if not word or word == "national" or word == "period":
            continue
        if word in GROUPINGS:
            pair = GROUPINGS[word]
            assert pair is not None
        elif word in tidy_columns:
            pair = (word, word)
        else:
            raise ValueError(
                f"unknown grouping {word!r}; use national, provider, treatment_function, commissioner, "
                f"parent, commissioner_parent or a tidy column name"
            )
        if pair not in resolved:
            resolved.append(pair)
    return resolved


def headline_measures(
    tidy: pl.DataFrame,
    part: str = "incomplete",
    by: str | Sequence[str] | None = None,
    *,
    min_pathways_for_percentiles: int = 0,
    percentile_rule: str | None = None,
) -> pl.DataFrame:
    """Headline measures of one RTT part for each ``period`` × grouping (see the module docstring).

    ``part``: incomplete | admitted | nonadmitted | dta | new (or the Part Type itself, e.g. ``Part_2``).
    ``by``: ``None``/``"national"``, a comma-separated string or a list of grouping words (provider,
    treatment_function, commissioner, parent, commissioner_parent) or tidy column names. Output columns:
    ``period``, the grouping's output columns (``parent`` → ``parent_code``), then :data:`MEASURE_COLUMNS`;
    sorted by period then keys. Vectorised: one matrix of groups × weekly bands, no loop over groups.

    ``min_pathways_for_percentiles``: leave ``median_weeks``/``p92_weeks``/``p95_weeks`` null for groups
    with fewer known-start pathways, as NHS England's publications do with
    :data:`PUBLISHED_MIN_PATHWAYS` (50). Default 0: always computed.

    ``percentile_rule``: ``None`` (default) uses the rule of each period's publication
    (:func:`~carebacklog.published.percentile.rule_for_period`); ``"current"`` or ``"2014/15"`` forces one.
    """
    if percentile_rule is not None and percentile_rule not in PERCENTILE_RULES:
        raise ValueError(f"unknown percentile rule {percentile_rule!r}; use {' or '.join(PERCENTILE_RULES)}")
    part_type = PART_OF.get(part, part)
    if part_type not in PART_OF.values():
        raise ValueError(f"unknown part {part!r}; use one of {', '.join(PART_OF)}")
    grouping = resolve_grouping(by)
    keys = ["period", *(src for src, _ in grouping)]
    rows = tidy.filter(pl.col("part") == part_type)
    if "top_band" not in rows.columns:
        rows = rows.with_columns(pl.lit(104, pl.Int16).alias("top_band"))

    groups = (
        rows.group_by(keys)
        .agg(
            pl.col("count").sum().alias("total"),
            pl.col("count").filter(pl.col("weeks_band").is_not_null()).sum().alias("known_start"),
            pl.col("top_band").min().alias("top_band"),
        )
        .sort(keys, nulls_last=True)
        .with_row_index("_group")
    )
    n_groups = groups.height
    banded = rows.filter(pl.col("weeks_band").is_not_null())
    width = int(banded["weeks_band"].max() or 0) + 1 if banded.height else 1  # type: ignore[arg-type]
    cells = (
        banded.group_by([*keys, "weeks_band"]).agg(pl.col("count").sum())
        .join(groups.select(*keys, "_group"), on=keys, how="left", nulls_equal=True)
    )
    flat = cells["_group"].to_numpy().astype(np.int64) * width + cells["weeks_band"].to_numpy()
    matrix = np.bincount(flat, weights=cells["count"].to_numpy(), minlength=n_groups * width)
    matrix = matrix.reshape(n_groups, width)
    cumulative = np.cumsum(matrix, axis=1)
    known = cumulative[:, -1] if n_groups else np.zeros(0)

    def over(weeks: int) -> np.ndarray:
        # Pathways waiting more than `weeks` weeks: bands `weeks` and above.
        return known - cumulative[:, weeks - 1] if width > weeks - 1 else np.zeros(n_groups)

    within = cumulative[:, min(WITHIN_WEEKS, width) - 1] if n_groups else np.zeros(0)
    top_band = groups["top_band"].fill_null(0).to_numpy()
    columns: dict[str, np.ndarray] = {"within_18": within}
    for weeks in LONG_WAIT_WEEKS:
        columns[f"over_{weeks}"] = np.where(top_band >= weeks, over(weeks), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["pct_within_18"] = np.where(known > 0, within / known * 100.0, np.nan)
    enough = known >= min_pathways_for_percentiles
    if percentile_rule is None:
        legacy = (groups["period"] < CURRENT_RULE_FROM).fill_null(False).to_numpy()
        rules: str | list[str] = np.where(legacy, RULE_2014_15, CURRENT_RULE).tolist()
    else:
        rules = percentile_rule
    for name, q in (("median_weeks", MEDIAN), ("p92_weeks", 0.92), ("p95_weeks", 0.95)):
        values = np.asarray(band_percentile(matrix, q, rule=rules)) if n_groups else np.zeros(0)
        columns[name] = np.where(enough, values, np.nan)

    banded_part = part_type != "Part_3"
    measures = [
        pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)
        if banded_part else pl.Series(name, [None] * n_groups, dtype=pl.Float64)
        for name, values in columns.items()
    ]
    out = groups.with_columns(*measures)
    if not banded_part:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("known_start"))
    # Counts are whole numbers of pathways: round away float noise of the sums, then Int64.
    out = out.with_columns(pl.col(COUNT_COLUMNS).round(0).cast(pl.Int64))
    renames = {src: dst for src, dst in grouping}
    return out.select(*keys, *MEASURE_COLUMNS).rename(renames)
