"""The Polars type of each schema column, so frames written to and read from the database agree.

Loading (:mod:`carebacklog.store.load`) casts a frame to these types before inserting it; reading
(:mod:`carebacklog.store.read`) gives back frames of the same types.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, SmallInteger, Table

__all__ = ["frame_schema", "polars_dtype"]


def polars_dtype(column: Column[object]) -> pl.DataType:
    """The Polars type a column's values have in a frame (dates as ``Date``, times in UTC, ints ``Int64``)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return pl.Boolean()
    if isinstance(kind, DateTime):
        return pl.Datetime("us", "UTC")
    if isinstance(kind, Date):
        return pl.Date()
    if isinstance(kind, SmallInteger | Integer):
        return pl.Int64()
    return pl.String()


def frame_schema(table: Table) -> dict[str, pl.DataType]:
    """Column name → Polars type, in the table's column order."""
    return {column.name: polars_dtype(column) for column in table.columns}
