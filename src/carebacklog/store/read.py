"""Reading a load back: the current load, and a load's PTL, periods, patients and one pathway as Polars frames.

Every read is a SQLAlchemy 2 ``select()`` of one table's columns for one load; the frame has the types
:mod:`carebacklog.store.columns` gives (the types the load was written with), whatever the database.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import ColumnElement, Engine, Table, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from carebacklog.store.columns import frame_schema
from carebacklog.store.models import Event, Load, Patient, Period, PtlEntry

__all__ = [
    "current_load",
    "list_loads",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "periods_frame",
    "ptl_frame",
]

#: Rows fetched per round trip: the GIL is let go between chunks, so a server keeps answering while a
#: 500,000-row PTL loads.
CHUNK_ROWS = 50_000


def current_load(session: Session, provider_code: str | None = None) -> Load | None:
    """The newest load (of ``provider_code`` when given), or None when nothing is loaded."""
    query = select(Load).order_by(Load.id.desc()).limit(1)
    if provider_code is not None:
        query = query.where(Load.provider_code == provider_code)
    return session.scalars(query).first()


def list_loads(session: Session) -> list[Load]:
    """Every load, newest first."""
    return list(session.scalars(select(Load).order_by(Load.id.desc())))


def _typed(raw: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        if dtype == pl.Date and raw.schema[name] == pl.String:
            exprs.append(pl.col(name).str.to_date("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime) and raw.schema[name] == pl.String:
            exprs.append(pl.col(name).str.to_datetime(time_zone="UTC"))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    return raw.select(exprs)


def _table(model: type[object]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _frame(table: Table, engine: Engine, *where: ColumnElement[bool]) -> pl.DataFrame:
    """The rows of ``table`` matching ``where`` as a typed Polars frame.

    The ``select()`` is compiled by SQLAlchemy for the connection's dialect (so in the driver's own
    parameter style) and run on the driver's cursor, in chunks: rows arrive as the driver's tuples, with
    no Python object or conversion per value, and Polars types whole chunks at once (SQLite's ISO date text
    and 0/1 booleans included). Reading 500,000 PTL rows this way takes a few seconds.
    """
    schema = frame_schema(table)
    compiled = select(*(table.c[name] for name in schema)).where(*where).compile(dialect=engine.dialect)
    assert isinstance(compiled, SQLCompiler)
    bound = compiled.construct_params()
    params = tuple(bound[name] for name in compiled.positiontup or ()) if compiled.positional else bound
    frames = []
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(str(compiled), params)
            while rows := cursor.fetchmany(CHUNK_ROWS):
                raw = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
                frames.append(_typed(raw, schema))
        finally:
            cursor.close()
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames, how="vertical")


def ptl_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """The whole PTL snapshot of a load, in booking order."""
    table = _table(PtlEntry)
    return _frame(table, engine, table.c.load_id == load_id).sort("booking_rank")


def periods_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """Every RTT period of a load (``rtt.build_periods``'s columns), in no particular order."""
    table = _table(Period)
    return _frame(table, engine, table.c.load_id == load_id)


def pathway_periods(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's RTT periods, in order."""
    table = _table(Period)
    return _frame(table, engine, table.c.load_id == load_id, table.c.pathway_id == pathway_id).sort("period")


def pathway_events(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's events in date order (the engine's input contract columns)."""
    table = _table(Event)
    where = (table.c.load_id == load_id, table.c.pathway_id == pathway_id)
    return _frame(table, engine, *where).sort("event_date", "id")


def patient_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """Every patient of a load."""
    table = _table(Patient)
    return _frame(table, engine, table.c.load_id == load_id)
