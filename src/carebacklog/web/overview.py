"""The overview's figures: pure functions of a load's PTL snapshot.

Headline measures follow NHS England's definitions for incomplete pathways: within 18 weeks is band < 18,
over N weeks is band >= N (``rtt.ptl_summary``); the median and 92nd percentile use NHS England's
interpolation within weekly bands (``published.band_percentile``). The trust's own month-end trend is
``carebacklog.rtt.trend``'s. The published monthly series (:func:`published_trend`) gives the trust's list
size as NHS England published it, month by month, for the SPC chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import polars as pl

__all__ = [
    "Headline",
    "by_specialty",
    "headline",
    "published_trend",
    "specialty_names",
    "weeks_histogram",
]

#: Bundled monthly series (NHS England RTT data, May 2024 - May 2025, by trust name; see data/README.md).
MONTHLY_SERIES = "rtt_monthly_series_2024_25.parquet"


@dataclass(frozen=True)
class Headline:
    count: int
    within_18_weeks: int
    pct_within_18_weeks: float | None
    over_52_weeks: int
    over_65_weeks: int
    over_78_weeks: int
    over_104_weeks: int
    with_dta: int
    median_weeks: float | None
    p92_weeks: float | None


@cache
def specialty_names() -> dict[str, str]:
    """Treatment function code (``110``) → name in sentence case, from the bundled NHS England code list."""
    path = resources.files("carebacklog") / "data" / "rtt_treatment_function_codes.csv"
    with resources.as_file(path) as file:
        frame = pl.read_csv(file, infer_schema_length=0)
    codes = frame["Treatment Function Code"].str.replace("^C_", "")
    names = [_sentence_case(n) for n in frame["Treatment Function Name"].to_list()]
    return dict(zip(codes.to_list(), names, strict=True))


def _sentence_case(name: str) -> str:
    """"Trauma and Orthopaedic Service" → "Trauma and orthopaedic service" (NHS.UK style: sentence case);
    words in capitals (acronyms such as ENT) are kept."""
    words = name.split()
    out = [w if (w.isupper() and len(w) > 1) or i == 0 else w.lower() for i, w in enumerate(words)]
    return " ".join(out)


def weeks_histogram(ptl: pl.DataFrame) -> np.ndarray:
    """Counts of pathways in weeks-waited bands 0..104."""
    counts = np.zeros(105, dtype=np.float64)
    if ptl.height:
        grouped = ptl.group_by("weeks_waited").len()
        counts[grouped["weeks_waited"].to_numpy().astype(int)] = grouped["len"].to_numpy()
    return counts


def _percentile(counts: np.ndarray, q: float) -> float | None:
    from carebacklog.published import band_percentile

    if counts.sum() == 0:
        return None
    return float(band_percentile(counts, q))


def headline(ptl: pl.DataFrame) -> Headline:
    from carebacklog.rtt import ptl_summary

    summary = ptl_summary(ptl)
    counts = weeks_histogram(ptl)
    return Headline(
        **summary.as_dict(),  # type: ignore[arg-type]
        median_weeks=_percentile(counts, 0.5),
        p92_weeks=_percentile(counts, 0.92),
    )


def by_specialty(ptl: pl.DataFrame) -> pl.DataFrame:
    """One row per treatment function, largest list first, with the headline counts and the median."""
    names = specialty_names()
    band = pl.col("weeks_waited")
    table = (
        ptl.group_by("treatment_function")
        .agg(
            total=pl.len(),
            within_18=(band < 18).sum(),
            over_52=(band >= 52).sum(),
            over_65=(band >= 65).sum(),
            with_dta=pl.col("has_dta").sum(),
        )
        .with_columns(
            pct_within_18=100.0 * pl.col("within_18") / pl.col("total"),
            name=pl.col("treatment_function").replace_strict(names, default=None, return_dtype=pl.String),
        )
        .with_columns(
            pl.coalesce("name", pl.lit("Treatment function ") + pl.col("treatment_function")).alias("name")
        )
        .sort(["total", "treatment_function"], descending=[True, False])
    )
    medians = {
        tf: _percentile(weeks_histogram(group), 0.5)
        for (tf,), group in ptl.select("treatment_function", "weeks_waited").group_by("treatment_function")
    }
    return table.with_columns(
        median_weeks=pl.col("treatment_function").replace_strict(
            medians, default=None, return_dtype=pl.Float64
        )
    )


def published_trend(provider_code: str, provider_name: str) -> pl.DataFrame:
    """The trust's published incomplete pathways by month (``month``, ``list_size``); empty when absent."""
    from carebacklog.trust import provider_names

    names = {provider_name.upper(), provider_names().get(provider_code, "").upper()} - {""}
    path = resources.files("carebacklog") / "data" / MONTHLY_SERIES
    with resources.as_file(path) as file:
        series = (
            pl.scan_parquet(file)
            .filter(
                pl.col("trust").str.to_uppercase().is_in(list(names))
                & (pl.col("type") == "Incomplete")
                & (pl.col("specialty") == "Total")
            )
            .group_by("period")
            .agg(pl.col("value").sum().round(0).alias("list_size"))  # monthly bins are fractional
            .sort("period")
            .rename({"period": "month"})
            .collect()
        )
    return series
