"""NHS Talking Therapies for anxiety and depression: the monthly waiting-time measures.

Source: NHS England (formerly NHS Digital), "NHS Talking Therapies for anxiety and depression, Monthly
Statistics", activity and performance measures, in the long layout the ``nhstt`` package (Bennett
Institute, University of Oxford) publishes them in: ``reporting_period`` (``YYYY-MM``), ``group_type``
(``England`` / ``Provider``), ``org_code2``/``org_name2`` (the provider; ``all`` for England),
``measure_id`` (``M001`` …), ``measure_name``, ``measure_statistic`` (count, percentage, median …),
``value``.

Traps handled:

* **Key on the measure id, not the name.** A measure keeps its id when it is renamed (``M031``
  ``first_treatment`` → ``accessing_services`` from September 2022); :func:`read_talking_therapies` gives
  each id the name of its latest month.
* **Rounded and suppressed values.** NHS England rounds provider-level counts to the nearest 5 and
  suppresses small ones; England figures are unrounded. A suppressed value is kept as a null ``value``
  with ``suppressed`` True, never as 0; ``rounded`` marks values rounded to 5.
* **Cumulative bands.** The number waiting for a first treatment is published as cumulative bands:
  ``M039``–``M043`` wait 0–2, 0–4, 0–6, 0–12 and 0–18 weeks, ``M044`` over 18 weeks, ``M038`` in all.
  :func:`waiting_for_treatment_bands` turns them into disjoint bands (0–2, >2–4, >4–6, >6–12, >12–18, >18)
  and checks that they add up to ``M038`` (exactly for England; within the rounding for providers).

The waiting-time standard (NHS England, 2015/16 onwards; "Achieving Better Access to Mental Health
Services by 2020", Department of Health and NHS England, 2014): **75%** of people referred start
treatment within **6 weeks** and **95%** within **18 weeks** of referral, measured on referrals that
*finished a course of treatment* in the month (two or more treatment sessions): ``M052``/``M076`` and
``M054``/``M076``, published as the percentages ``M053`` and ``M055`` to one decimal place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from carebacklog.community.errors import CommunityFileError, place

__all__ = [
    "HIDDEN_WAIT_MEASURES",
    "STANDARD_MEASURES",
    "TT_SCHEMA",
    "WAITING_BANDS",
    "WAIT_MEASURE_IDS",
    "read_talking_therapies",
    "standards_check",
    "talking_therapies_standards",
    "waiting_for_treatment_bands",
]

TT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "period": pl.Date(),  # the month's last day
    "group_type": pl.String(),  # England | Provider
    "provider_code": pl.String(),  # null for England
    "provider_name": pl.String(),
    "measure_id": pl.String(),
    "measure_name": pl.String(),  # the id's name in its latest month
    "statistic": pl.String(),  # count | percentage | mean | median | max | min
    "value": pl.Float64(),  # null when suppressed
    "suppressed": pl.Boolean(),
    "rounded": pl.Boolean(),  # provider counts: rounded to the nearest 5
}

_REQUIRED: Final = ("reporting_period", "group_type", "org_code2", "org_name2", "measure_id",
                    "measure_name", "measure_statistic", "value")

#: Cumulative "waiting for first treatment" bands: measure id → (weeks_from, weeks_to) of the cumulative
#: band (0 to N weeks), and the open band over 18 weeks.
WAITING_BANDS: Final[dict[str, tuple[int, int | None]]] = {
    "M039": (0, 2), "M040": (0, 4), "M041": (0, 6), "M042": (0, 12), "M043": (0, 18), "M044": (18, None),
}
#: The waiting-time standard's measures (finished-course cohort) and the entering-treatment cohort.
STANDARD_MEASURES: Final[dict[str, str]] = {
    "finished_course": "M076", "finished_within_6": "M052", "published_pct_6": "M053",
    "finished_within_18": "M054", "published_pct_18": "M055",
    "entered_treatment": "M031", "entered_within_6": "M036", "entered_within_18": "M037",
}
#: First to second treatment ("hidden wait"): counts and NHS England's percentages.
HIDDEN_WAIT_MEASURES: Final[dict[str, str]] = {
    "second_treatments": "M184", "within_28_days": "M121", "days_29_to_90": "M122",
    "over_28_days": "M046", "over_90_days": "M047",
    "published_pct_within_28": "M123", "published_pct_over_28": "M124", "published_pct_over_90": "M126",
}
#: Measures the bundled extract keeps (referrals, assessment and treatment waits, endings, hidden waits).
WAIT_MEASURE_IDS: Final[tuple[str, ...]] = tuple(sorted({
    "M001", "M019", "M020", "M021", "M022", "M023", "M024", "M025", "M026", "M027", "M028", "M029", "M030",
    "M031", "M032", "M033", "M034", "M035", "M036", "M037", "M038", "M045", "M049", "M050", "M051",
    "M053", "M055", "M056", "M076", "M123", "M124", "M125", "M153",
    *WAITING_BANDS, *STANDARD_MEASURES.values(), *HIDDEN_WAIT_MEASURES.values(),
}))
_ROUNDING: Final = 5
_TARGET_6, _TARGET_18 = 75.0, 95.0


def read_talking_therapies(path: str | Path, measures: list[str] | None = None) -> pl.DataFrame:
    """Read the monthly measures (Parquet or CSV, long layout) into :data:`TT_SCHEMA`.

    ``measures``: keep only these ids. Raises :class:`CommunityFileError` naming the file, row and column
    of the first bad value (a period that is not ``YYYY-MM``, an id that is not ``M`` + digits, an
    unknown ``group_type``).
    """
    path = Path(path)
    if not path.exists():
        raise CommunityFileError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            raw = pl.read_parquet(path)
        elif path.suffix.lower() == ".csv":
            raw = pl.read_csv(path, infer_schema=False)
        else:
            raise CommunityFileError(f"{path}: expected a .parquet or .csv file")
    except pl.exceptions.PolarsError as exc:
        raise CommunityFileError(f"{path}: cannot read ({type(exc).__name__})") from exc
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise CommunityFileError(f"{path}: not a Talking Therapies measures file; missing column(s) {missing}")
    raw = raw.with_row_index("_row", offset=2 if path.suffix.lower() == ".csv" else 1)
    if measures is not None:
        raw = raw.filter(pl.col("measure_id").is_in(measures))
    value = pl.col("value").cast(pl.Float64, strict=False)
    frame = raw.select(
        "_row",
        period=pl.col("reporting_period").cast(pl.String).str.strptime(pl.Date, "%Y-%m", strict=False),
        _period_text=pl.col("reporting_period").cast(pl.String),
        group_type=pl.col("group_type").cast(pl.String),
        provider_code=pl.col("org_code2").cast(pl.String),
        provider_name=pl.col("org_name2").cast(pl.String),
        measure_id=pl.col("measure_id").cast(pl.String),
        measure_name=pl.col("measure_name").cast(pl.String),
        statistic=pl.col("measure_statistic").cast(pl.String),
        value=value.fill_nan(None),
        _bad_value=pl.col("value").is_not_null() & value.is_null(),
    )
    _first_bad(path, frame, pl.col("period").is_null(), "reporting_period", "not a month YYYY-MM")
    _first_bad(path, frame, ~pl.col("measure_id").str.contains(r"^M\d+$").fill_null(False), "measure_id",
               "not a measure id like 'M038'")
    _first_bad(path, frame, ~pl.col("group_type").is_in(["England", "Provider"]).fill_null(False), "group_type",
               "not 'England' or 'Provider'")
    _first_bad(path, frame, pl.col("_bad_value"), "value", "not a number")
    england = pl.col("group_type") == "England"
    latest_names = (
        frame.sort("period").group_by("measure_id").agg(pl.col("measure_name").last().alias("_latest"))
    )
    return (
        frame.join(latest_names, on="measure_id", how="left")
        .select(
            pl.col("period").dt.month_end(),
            "group_type",
            provider_code=pl.when(~england).then(pl.col("provider_code")),
            provider_name=pl.when(~england).then(pl.col("provider_name")),
            measure_id="measure_id",
            measure_name="_latest",
            statistic="statistic",
            value="value",
            suppressed=pl.col("value").is_null(),
            rounded=~england & (pl.col("statistic") == "count"),
        )
        .cast(TT_SCHEMA)  # type: ignore[arg-type]
        .sort("period", "group_type", "provider_code", "measure_id", nulls_last=False)
    )


def _first_bad(path: Path, frame: pl.DataFrame, bad: pl.Expr, column: str, why: str) -> None:
    rows = frame.filter(bad)
    if rows.height:
        raise CommunityFileError(f"{place(path, None, int(rows['_row'][0]), column)}: {why}")


def _wide(tt: pl.DataFrame, ids: dict[str, str]) -> pl.DataFrame:
    keys = ["period", "group_type", "provider_code"]
    picked = tt.filter(pl.col("measure_id").is_in(list(ids.values())))
    wide = picked.pivot(on="measure_id", index=keys, values="value", aggregate_function="first")
    for name, mid in ids.items():
        if mid not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(mid))
        wide = wide.rename({mid: name})
    return wide.select(*keys, *ids).sort(keys, nulls_last=False)


def talking_therapies_standards(tt: pl.DataFrame) -> pl.DataFrame:
    """The 6- and 18-week standard for each month × England/provider.

    Columns: ``period, group_type, provider_code``, the counts of :data:`STANDARD_MEASURES`, then
    ``pct_within_6``/``pct_within_18`` (finished-course cohort: the standard's basis, computed from the
    counts), ``published_pct_6``/``published_pct_18`` (NHS England's), ``meets_6``/``meets_18``
    (computed ≥ 75% / ≥ 95%), and ``pct_entered_within_6``/``pct_entered_within_18`` (people who entered
    treatment in the month: a second, labelled basis). Null where a count is suppressed.
    """
    wide = _wide(tt, STANDARD_MEASURES)
    finished, entered = pl.col("finished_course"), pl.col("entered_treatment")

    def pct(num: str, den: pl.Expr) -> pl.Expr:
        return pl.when(den > 0).then(pl.col(num) / den * 100.0)

    return wide.with_columns(
        pct_within_6=pct("finished_within_6", finished),
        pct_within_18=pct("finished_within_18", finished),
        pct_entered_within_6=pct("entered_within_6", entered),
        pct_entered_within_18=pct("entered_within_18", entered),
    ).with_columns(
        meets_6=pl.col("pct_within_6") >= _TARGET_6,
        meets_18=pl.col("pct_within_18") >= _TARGET_18,
    )


def standards_check(tt: pl.DataFrame) -> pl.DataFrame:
    """Our percentages against NHS England's, where neither is suppressed.

    England counts are exact, so the computed percentage rounded to one decimal must *equal* the published
    one. Provider counts are rounded to the nearest 5 (each true count within ±2 of the published one), so
    there the check is that the published percentage (a whole number at provider level) lies in the range
    the rounded counts allow, widened by its own rounding.
    Columns: ``period, group_type, provider_code, standard`` (6 | 18), ``computed``, ``published``,
    ``low``, ``high``, ``agrees``.
    """
    s = talking_therapies_standards(tt)
    frames = []
    for weeks in (6, 18):
        num, den = pl.col(f"finished_within_{weeks}"), pl.col("finished_course")
        half = pl.when(pl.col("group_type") == "England").then(0.0).otherwise(float(_ROUNDING // 2))
        low = (num - half).clip(0) / (den + half) * 100.0
        high = pl.min_horizontal(num + half, den + half) / (den - half).clip(1) * 100.0
        frames.append(
            s.filter(pl.col(f"pct_within_{weeks}").is_not_null() & pl.col(f"published_pct_{weeks}").is_not_null())
            .select(
                "period", "group_type", "provider_code",
                standard=pl.lit(weeks, pl.Int16),
                computed=pl.col(f"pct_within_{weeks}"),
                published=pl.col(f"published_pct_{weeks}"),
                low=low.clip(upper_bound=100.0),
                high=high.clip(upper_bound=100.0),
            )
        )
    out = pl.concat(frames)
    exact = pl.col("computed").round(1) == pl.col("published")
    # Provider percentages are published as whole numbers: allow their rounding (±0.5) on top of the
    # range the rounded counts allow.
    within = (pl.col("published") >= pl.col("low") - 0.5) & (pl.col("published") <= pl.col("high") + 0.5)
    return out.with_columns(
        agrees=pl.when(pl.col("group_type") == "England").then(exact).otherwise(within)
    ).sort("period", "group_type", "provider_code", "standard", nulls_last=False)


def waiting_for_treatment_bands(tt: pl.DataFrame) -> pl.DataFrame:
    """People waiting for a first treatment at the month's end, in disjoint weeks bands.

    From the cumulative bands (:data:`WAITING_BANDS`): ``band`` 0-2, >2-4, >4-6, >6-12, >12-18, >18 with
    ``weeks_from``/``weeks_to``, ``count`` (null if any band it is derived from is suppressed), and for each
    month × organisation ``waiting`` (``M038``) and ``adds_up`` (the disjoint bands sum to ``M038``).
    """
    wide = _wide(tt, {**{mid: mid for mid in WAITING_BANDS}, "waiting": "M038"})
    edges = [(0, 2), (2, 4), (4, 6), (6, 12), (12, 18)]
    cumulative = ["M039", "M040", "M041", "M042", "M043"]
    parts = []
    previous: pl.Expr | None = None
    for (lo, hi), mid in zip(edges, cumulative, strict=True):
        count = pl.col(mid) if previous is None else pl.col(mid) - previous
        parts.append(wide.select("period", "group_type", "provider_code", "waiting",
                                 band=pl.lit("0-2" if lo == 0 else f">{lo}-{hi}"),
                                 weeks_from=pl.lit(lo, pl.Int16), weeks_to=pl.lit(hi, pl.Int16),
                                 count=count))
        previous = pl.col(mid)
    parts.append(wide.select("period", "group_type", "provider_code", "waiting", band=pl.lit(">18"),
                             weeks_from=pl.lit(18, pl.Int16), weeks_to=pl.lit(None, pl.Int16),
                             count=pl.col("M044")))
    long = pl.concat(parts)
    sums = long.group_by("period", "group_type", "provider_code").agg(
        pl.col("count").sum().alias("_sum"), pl.col("count").is_null().any().alias("_gap"))
    keys = ["period", "group_type", "provider_code"]
    # The disjoint bands telescope to M043 + M044; at provider level each of those and M038 is rounded to
    # the nearest 5 (±2 each), so up to 6 apart is consistent.
    slack = pl.when(pl.col("group_type") == "England").then(0.0).otherwise(3.0 * (_ROUNDING // 2))
    return (
        long.join(sums, on=keys, how="left", nulls_equal=True)
        .with_columns(adds_up=pl.when(~pl.col("_gap")).then((pl.col("_sum") - pl.col("waiting")).abs() <= slack))
        .drop("_sum", "_gap")
        .sort(*keys, "weeks_from", nulls_last=False)
    )

