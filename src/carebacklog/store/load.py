"""Loading a trust (events, patients, periods, PTL snapshot) into the database, in one transaction.

A provider keeps one snapshot per census date. Loading a census date it already has replaces that snapshot;
a new census date adds one, and the history is kept:

* the snapshots' PTL and periods stay, so the headline measures can be followed across census dates and
  the pathways that joined, stopped or moved between two snapshots can be listed;
* the raw events and patients stay only for the provider's newest census date (they are the PAS's extract,
  a snapshot's largest tables, and only the newest is shown pathway by pathway);
* with ``keep`` given, only that many census dates are kept per provider (the oldest go first).

Everything happens inside one transaction, so a crash or error mid-import leaves the previous state
intact. Rows go in with the driver's bulk paths (``executemany`` on SQLite, ``COPY`` on PostgreSQL) rather
than one ORM object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, Table, delete, insert, select

from carebacklog.store.columns import polars_dtype
from carebacklog.store.models import Event, Load, Patient, Period, PtlEntry

__all__ = ["LoadError", "Provenance", "TrustData", "bulk_insert", "load_trust", "table_frame"]


class LoadError(RuntimeError):
    """A trust could not be loaded; the database keeps its previous state."""


@dataclass(frozen=True)
class Provenance:
    """Where a snapshot came from: the extract's file name and SHA-256, its rows, who loaded it."""

    file_name: str
    file_sha256: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    loaded_by: str
    patients_sha256: str | None = None


@dataclass(frozen=True)
class TrustData:
    """A trust's frames as the RTT engine and synthetic-trust generator give them.

    ``events`` and ``patients`` follow the input contract (docs/architecture.md, "Events and patients"),
    ``periods`` is ``rtt.build_periods``'s output and ``ptl`` is ``rtt.ptl_snapshot``'s (with patients, so
    it carries the equity columns).
    Extra columns are ignored; missing optional columns are stored as null.
    """

    provider_code: str
    provider_name: str
    census_date: dt.date
    events: pl.DataFrame
    patients: pl.DataFrame
    periods: pl.DataFrame
    ptl: pl.DataFrame
    source: str = "import"
    provenance: Provenance | None = None


def table_frame(table: Table, frame: pl.DataFrame, **constants: Any) -> pl.DataFrame:
    """``frame`` reduced to ``table``'s columns in table order, typed, with ``constants`` filled in.

    Columns the table has but the frame lacks are null (the database refuses them if they are required).
    """
    exprs = []
    for column in table.columns:
        if column.autoincrement is True and column.primary_key:
            continue
        dtype = polars_dtype(column)
        if column.name in constants:
            exprs.append(pl.lit(constants[column.name], dtype=dtype).alias(column.name))
        elif column.name in frame.columns:
            exprs.append(pl.col(column.name).cast(dtype, strict=False).alias(column.name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(column.name))
    return frame.select(exprs)


def _sqlite_rows(frame: pl.DataFrame) -> Iterable[tuple[Any, ...]]:
    # SQLAlchemy keeps dates on SQLite as ISO text and booleans as 0/1: write them the same way.
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            exprs.append(pl.col(name).cast(pl.Int8))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs).iter_rows()


def bulk_insert(conn: Connection, table: Table, frame: pl.DataFrame, *, batch: int = 50_000) -> int:
    """Insert the rows of ``frame`` (already shaped by :func:`table_frame`) into ``table``; returns the count."""
    if frame.height == 0:
        return 0
    columns: Sequence[str] = frame.columns
    dialect = conn.dialect.name
    if dialect == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        names = ", ".join(f'"{c}"' for c in columns)
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in frame.iter_rows():
                copy.write_row(row)
    elif dialect == "sqlite":
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        rows = list(_sqlite_rows(frame))
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])
        cursor.close()
    else:
        conn.execute(insert(table), frame.to_dicts())
    return frame.height


def _delete_loads(conn: Connection, ids: list[int]) -> None:
    if not ids:
        return
    for model in (PtlEntry, Period, Event, Patient):
        conn.execute(delete(model).where(model.load_id.in_(ids)))  # type: ignore[attr-defined]
    conn.execute(delete(Load).where(Load.id.in_(ids)))


def _census_dates(conn: Connection, provider_code: str) -> list[tuple[int, dt.date]]:
    """(load id, census date) of a provider's snapshots, newest census date first."""
    query = (
        select(Load.id, Load.census_date)
        .where(Load.provider_code == provider_code)
        .order_by(Load.census_date.desc(), Load.id.desc())
    )
    return [(int(row[0]), row[1]) for row in conn.execute(query)]


def _keep_history(conn: Connection, provider_code: str, keep: int | None) -> None:
    """Drop snapshots beyond the newest ``keep`` census dates, and raw rows of all but the newest."""
    loads = _census_dates(conn, provider_code)
    if keep is not None:
        _delete_loads(conn, [load_id for load_id, _ in loads[keep:]])
        loads = loads[:keep]
    older = [load_id for load_id, _ in loads[1:]]
    if older:
        conn.execute(delete(Event).where(Event.load_id.in_(older)))
        conn.execute(delete(Patient).where(Patient.load_id.in_(older)))


def load_trust(engine: Engine, data: TrustData, *, now: dt.datetime, keep: int | None = None) -> int:
    """Store ``data`` as ``data.provider_code``'s snapshot at ``data.census_date`` in one transaction.

    A snapshot of the same provider and census date is replaced; others stay (see the module docstring).
    ``keep`` (at least 1) bounds how many census dates the provider keeps. Returns the new load id.
    """
    if keep is not None and keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    n_open = data.ptl.height
    origin = data.provenance
    with engine.begin() as conn:
        same_census = select(Load.id).where(
            Load.provider_code == data.provider_code, Load.census_date == data.census_date
        )
        _delete_loads(conn, [int(row[0]) for row in conn.execute(same_census)])
        load_id = conn.execute(
            insert(Load.__table__).returning(Load.__table__.c.id),  # type: ignore[arg-type]
            {
                "provider_code": data.provider_code,
                "provider_name": data.provider_name,
                "census_date": data.census_date,
                "loaded_at": now,
                "source": data.source[:200],
                "n_events": data.events.height,
                "n_patients": data.patients.height,
                "n_periods": data.periods.height,
                "n_open": n_open,
                "file_name": origin.file_name[:255] if origin else None,
                "file_sha256": origin.file_sha256 if origin else None,
                "patients_sha256": origin.patients_sha256 if origin else None,
                "rows_read": origin.rows_read if origin else None,
                "rows_accepted": origin.rows_accepted if origin else None,
                "rows_rejected": origin.rows_rejected if origin else None,
                "loaded_by": origin.loaded_by[:80] if origin else None,
            },
        ).scalar_one()
        for model, frame in (
            (Patient, data.patients),
            (Event, data.events),
            (Period, data.periods),
            (PtlEntry, data.ptl),
        ):
            table: Table = model.__table__  # type: ignore[assignment]
            try:
                bulk_insert(conn, table, table_frame(table, frame, load_id=load_id))
            except conn.dialect.loaded_dbapi.Error as exc:  # the driver's own error, from its bulk path
                # The driver's text can quote the offending row (PostgreSQL COPY's DETAIL / CONTEXT),
                # i.e. patient identifiers: say only what kind of error it was (no patient data in logs).
                state = getattr(exc, "sqlstate", None) or getattr(exc, "sqlite_errorname", None) or ""
                raise LoadError(
                    f"loading {data.provider_code} failed in table {table.name}: "
                    f"{type(exc).__name__}{f' ({state})' if state else ''}"
                ) from exc
        _keep_history(conn, data.provider_code, keep)
    return int(load_id)
