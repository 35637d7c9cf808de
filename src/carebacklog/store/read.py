"""Reading a load back: the current load, and a load's PTL, periods, patients and one pathway as Polars frames.

Every read is a SQLAlchemy 2 ``select()`` of one table's columns for one load; the frame has the types
:mod:`carebacklog.store.columns` gives (the types the load was written with), whatever the database.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import ColumnElement, Engine, Table, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from carebacklog.store.columns import frame_schema
from carebacklog.store.models import Event, Load, Patient, Period, PtlEntry

__all__ = [
    "current_load",
    "find_snapshot",
    "list_loads",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "periods_frame",
    "ptl_frame",
    "snapshot_headlines",
]

#: Rows fetched per round trip: the GIL is let go between chunks, so a server keeps answering while a
#: 500,000-row PTL loads.
CHUNK_ROWS = 50_000


def current_load(session: Session, provider_code: str | None = None) -> Load | None:
    """The snapshot at the newest census date (of ``provider_code`` when given; the latest loaded breaks a
    tie), or None when nothing is loaded."""
    query = select(Load).order_by(Load.census_date.desc(), Load.id.desc()).limit(1)
    if provider_code is not None:
        query = query.where(Load.provider_code == provider_code)
    return session.scalars(query).first()


def list_loads(session: Session, provider_code: str | None = None) -> list[Load]:
    """Every snapshot (of ``provider_code`` when given), newest census date first."""
    query = select(Load).order_by(Load.census_date.desc(), Load.id.desc())
    if provider_code is not None:
        query = query.where(Load.provider_code == provider_code)
    return list(session.scalars(query))


def find_snapshot(
    session: Session,
    provider_code: str,
    census_date: dt.date,
    file_sha256: str,
    patients_sha256: str | None = None,
) -> Load | None:
    """The provider's snapshot at ``census_date`` made from exactly these files (by SHA-256), if any."""
    query = select(Load).where(
        Load.provider_code == provider_code,
        Load.census_date == census_date,
        Load.file_sha256 == file_sha256,
    )
    query = query.where(
        Load.patients_sha256.is_(None) if patients_sha256 is None else Load.patients_sha256 == patients_sha256
    )
    return session.scalars(query.limit(1)).first()


def snapshot_headlines(engine: Engine, provider_code: str) -> pl.DataFrame:
    """A provider's headline PTL measures at each census date (oldest first), counted in the database.

    Columns: ``load_id``, ``census_date``, ``waiting``, ``within_18``, ``pct_within_18``, ``over_52``,
    ``over_65``, ``over_78``, ``over_104``, ``with_dta``. Bands as ``rtt.ptl_summary`` counts them (within 18
    weeks: the completed-weeks band is under 18; over N: band N or more).
    """
    from sqlalchemy import case, func

    weeks = PtlEntry.weeks_waited

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            Load.id.label("load_id"),
            Load.census_date,
            func.count(PtlEntry.pathway_id).label("waiting"),
            count_if(weeks < 18).label("within_18"),
            count_if(weeks >= 52).label("over_52"),
            count_if(weeks >= 65).label("over_65"),
            count_if(weeks >= 78).label("over_78"),
            count_if(weeks >= 104).label("over_104"),
            count_if(PtlEntry.has_dta.is_(True)).label("with_dta"),
        )
        .select_from(Load)
        .outerjoin(PtlEntry, PtlEntry.load_id == Load.id)
        .where(Load.provider_code == provider_code)
        .group_by(Load.id, Load.census_date)
        .order_by(Load.census_date, Load.id)
    )
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    names = ["load_id", "census_date", "waiting", "within_18", "over_52", "over_65", "over_78", "over_104"]
    names.append("with_dta")
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    if frame.height and frame.schema["census_date"] == pl.String:
        frame = frame.with_columns(pl.col("census_date").str.to_date("%Y-%m-%d"))
    frame = frame.with_columns(
        pl.col("census_date").cast(pl.Date), *(pl.col(n).cast(pl.Int64) for n in names if n != "census_date")
    )
    pct = pl.when(pl.col("waiting") > 0).then(100.0 * pl.col("within_18") / pl.col("waiting"))
    return frame.with_columns(pct.alias("pct_within_18")).select(
        *names[:4], "pct_within_18", *names[4:]
    )


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
