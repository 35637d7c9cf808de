"""Monthly series for SPC: from a plain ``period,value`` CSV or from NHS England's published extracts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

__all__ = ["DEFAULT_POLARITY", "default_polarity", "measure_series", "read_series_csv"]

# Which way is better for each headline measure (MDC "polarity"): more within 18 weeks is better; fewer
# and shorter waits are better; the volume of clock starts is neither.
DEFAULT_POLARITY: dict[str, str] = {
    "pct_within_18": "up",
    "within_18": "up",
    "total": "down",
    "known_start": "down",
    "over_52": "down",
    "over_65": "down",
    "over_78": "down",
    "over_104": "down",
    "median_weeks": "down",
    "p92_weeks": "down",
    "p95_weeks": "down",
}


#: Counts that are clock stops in the completed parts: more treated patients is better there.
_COMPLETED_VOLUMES: frozenset[str] = frozenset({"total", "known_start", "within_18"})


def default_polarity(measure: str, part: str = "incomplete") -> str:
    """Which way is better for ``measure`` of an RTT ``part`` (``--part`` words of ``rtt measures``).

    The waiting list (incomplete, dta): fewer and shorter waits. Completed pathways (admitted,
    nonadmitted): more clock stops, shorter waits. New clock starts (new): demand, neither.
    """
    if part == "new":
        return "neutral"
    if part in ("admitted", "nonadmitted") and measure in _COMPLETED_VOLUMES:
        return "up"
    return DEFAULT_POLARITY.get(measure, "neutral")


def read_series_csv(path: str | Path) -> pl.DataFrame | None:
    """A ``period,value`` CSV as a frame ``period (str), value (Float64)``; ``None`` if the file is not one.

    Rows are kept in file order; a value that is not a number is an error naming file, row and column.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return None
    header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    if {"period", "value"} - {c.strip().lower() for c in header}:
        return None
    frame = pl.read_csv(path, infer_schema_length=0)
    frame = frame.rename({c: c.strip().lower() for c in frame.columns}).select("period", "value")
    values = frame["value"].str.strip_chars().cast(pl.Float64, strict=False)
    bad = frame.with_row_index("row", offset=1).filter(values.is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(f"{path}: row {row['row']}, column 'value': {row['value']!r} is not a number")
    return frame.with_columns(value=values)


def measure_series(
    paths: Sequence[str | Path],
    measure: str,
    *,
    provider: str | None = None,
    part: str = "incomplete",
) -> pl.DataFrame:
    """One headline measure per month from published RTT extracts (``read_rtt`` + ``headline_measures``).

    Returns ``period (Date), value (Float64)`` sorted by period; national unless ``provider`` is given.
    """
    from carebacklog.published import headline_measures, read_rtt

    tidy = read_rtt([str(p) for p in paths])
    if provider is not None:
        tidy = tidy.filter(pl.col("provider_code") == provider)
        if tidy.is_empty():
            raise ValueError(f"provider {provider} is not in {', '.join(str(p) for p in paths)}")
    by = ["period"] if provider is None else ["period", "provider_code"]
    measures = headline_measures(tidy, part=part, by=by)
    if measure not in measures.columns:
        known = ", ".join(c for c in measures.columns if c not in by)
        raise ValueError(f"unknown measure {measure!r}; choose one of: {known}")
    return measures.select("period", pl.col(measure).cast(pl.Float64).alias("value")).sort("period")
