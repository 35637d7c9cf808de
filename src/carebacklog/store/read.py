"""Reading a load back: the current load, the PTL as a Polars frame, one pathway's periods and events."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, Table, select
from sqlalchemy.orm import Session

from carebacklog.store.load import _polars_dtype
from carebacklog.store.models import Event, Load, Patient, Period, PtlEntry

__all__ = [
    "current_load",
    "list_loads",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "ptl_frame",
    "table_to_frame",
]


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


def table_to_frame(
    engine: Engine, table: Table, load_id: int, *, pathway_id: str | None = None, chunk: int = 50_000
) -> pl.DataFrame:
    """The rows of ``table`` for ``load_id`` (and one pathway) as a typed Polars frame.

    Reads with the driver's own cursor in chunks (no per-row SQLAlchemy objects, and the GIL is let go
    between chunks so a server keeps answering while a 500,000-row PTL loads); SQLite's ISO date text and
    0/1 booleans are typed by Polars.
    """
    schema = {c.name: _polars_dtype(c) for c in table.columns}
    names = ", ".join(f'"{n}"' for n in schema)
    sql = f'SELECT {names} FROM "{table.name}" WHERE "load_id" = :load_id'
    params: dict[str, object] = {"load_id": load_id}
    if pathway_id is not None:
        sql += ' AND "pathway_id" = :pathway_id'
        params["pathway_id"] = pathway_id
    frames = []
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # psycopg's named style is %(name)s
            sql = sql.replace(":load_id", "%(load_id)s").replace(":pathway_id", "%(pathway_id)s")
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk):
                raw = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
                frames.append(_typed(raw, schema))
        finally:
            cursor.close()
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames, how="vertical")


def ptl_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """The whole PTL snapshot of a load, in booking order."""
    frame = table_to_frame(engine, PtlEntry.__table__, load_id)  # type: ignore[arg-type]
    return frame.sort("booking_rank")


def pathway_periods(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's RTT periods, in order."""
    table: Table = Period.__table__  # type: ignore[assignment]
    return table_to_frame(engine, table, load_id, pathway_id=pathway_id).sort("period")


def pathway_events(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's events in date order (the engine's input contract columns)."""
    table: Table = Event.__table__  # type: ignore[assignment]
    return table_to_frame(engine, table, load_id, pathway_id=pathway_id).sort("event_date", "id")


def patient_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """Every patient of a load."""
    return table_to_frame(engine, Patient.__table__, load_id)  # type: ignore[arg-type]
