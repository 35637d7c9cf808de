"""Measures frames as the CLI writes them: whole-number counts as integers, then :mod:`carebacklog.clikit`.

The table, CSV, JSON and Parquet writers (and the one rule for floats) are :func:`carebacklog.clikit.emit`;
this module only makes counts that are whole numbers integers, so ``total`` reads ``49`` and not ``49.0``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["FORMATS", "frame_records", "integral_counts", "render_frame"]

FORMATS = ("table", "csv", "json")
#: Counts that are whole numbers are written as integers in every format.
_COUNT_COLUMNS = ("total", "known_start", "within_18", "over_52", "over_65", "over_78", "over_104")


def integral_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its count columns as ``Int64`` when every value is a whole number."""
    casts = []
    for name in _COUNT_COLUMNS:
        if name in frame.columns and frame[name].dtype.is_float():
            values = frame[name].drop_nulls()
            if values.len() == 0 or (values == values.round(0)).all():
                casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO strings, whole counts as integers, ``null`` for NaN."""
    from carebacklog.clikit import json_records

    return json_records(integral_counts(frame))


def render_frame(frame: pl.DataFrame, fmt: str, title: str | None = None) -> str:
    """The frame as text in ``fmt`` (``table``, ``csv`` or ``json``), with the CLI's number rule."""
    import json

    from carebacklog.clikit import table_text

    counts = integral_counts(frame)
    if fmt == "json":
        return json.dumps(frame_records(frame), indent=2)
    if fmt == "csv":
        return counts.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).write_csv()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return table_text(counts, title)
