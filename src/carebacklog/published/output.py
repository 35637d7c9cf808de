"""Writing a measures frame as a table, CSV or JSON (the CLI's ``--format``)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

__all__ = ["FORMATS", "frame_records", "render_frame"]

FORMATS = ("table", "csv", "json")
#: Counts that are whole numbers are written as integers in CSV and JSON.
_COUNT_COLUMNS = ("total", "known_start", "within_18", "over_52", "over_65", "over_78", "over_104")


def _integral_counts(frame: pl.DataFrame) -> pl.DataFrame:
    casts = []
    for name in _COUNT_COLUMNS:
        if name in frame.columns and frame[name].dtype == pl.Float64:
            values = frame[name].drop_nulls()
            if values.len() == 0 or (values == values.round(0)).all():
                casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO strings, whole counts as integers."""
    frame = _integral_counts(frame).with_columns(
        pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t == pl.Date
    )
    return frame.to_dicts()


def render_frame(frame: pl.DataFrame, fmt: str, title: str | None = None) -> str:
    """The frame as text in ``fmt`` (table: a Rich table with 2 decimals; csv; json: a list of objects)."""
    if fmt == "json":
        return json.dumps(frame_records(frame), indent=2)
    if fmt == "csv":
        return _integral_counts(frame).write_csv()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for name in frame.columns:
        table.add_column(name, justify="right" if frame[name].dtype.is_numeric() else "left")
    for row in _integral_counts(frame).iter_rows():
        table.add_row(*("" if v is None else f"{v:,.2f}" if isinstance(v, float) else
                        f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    console = Console(width=max(120, 24 * len(frame.columns)), record=True, force_terminal=False)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
