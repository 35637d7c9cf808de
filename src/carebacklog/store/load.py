"""Loading a trust (events, patients, periods, PTL snapshot) into the database, in one transaction.

A provider keeps one snapshot per census date. Loading a census date it already has replaces that snapshot;
a new census date adds one, and the history is kept:

* the snapshots' PTL and periods stay, so the headline measures can be followed across census dates and
  the pathways that joined, stopped or moved between two snapshots can be listed;
* the raw events and patients stay only for the provider's newest census date (they are the PAS's extract,
  a snapshot's largest tables, and only the newest is shown pathway by pathway);
* with ``keep`` given, only that many census dates are kept per provider (the oldest go first).

Everything happens inside one transaction, so a crash or error mid-import leaves the previous state
intact. The patient-level tables go in as compressed Arrow chunks (:mod:`carebacklog.store.parts`), a
few dozen rows however large the trust, so a 500,000-pathway load writes in about a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import DBAPIError

from carebacklog.store.models import Load, SnapshotPart
from carebacklog.store.parts import encode_part, missing_required, shape

__all__ = ["LoadError", "Provenance", "TrustData", "load_trust"]


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


def _delete_loads(conn: Connection, ids: list[int]) -> None:
    if not ids:
        return
    conn.execute(delete(SnapshotPart).where(SnapshotPart.load_id.in_(ids)))
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
        conn.execute(
            delete(SnapshotPart).where(
                SnapshotPart.load_id.in_(older), SnapshotPart.part.in_(["events", "patients"])
            )
        )


def load_trust(engine: Engine, data: TrustData, *, now: dt.datetime, keep: int | None = None) -> int:
    """Store ``data`` as ``data.provider_code``'s snapshot at ``data.census_date`` in one transaction.

    A snapshot of the same provider and census date is replaced; others stay (see the module docstring).
    ``keep`` (at least 1) bounds how many census dates the provider keeps. Returns the new load id.
    """
    if keep is not None and keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    origin = data.provenance
    frames = {
        "patients": data.patients, "events": data.events, "periods": data.periods, "ptl": data.ptl,
    }  # fmt: skip
    shaped = {part: shape(part, frame) for part, frame in frames.items()}
    for part, frame in shaped.items():
        column = missing_required(part, frame)
        if column is not None:  # names the column, never the row (patient identifiers reach logs)
            raise LoadError(f"loading {data.provider_code} failed in table {part}: {column} is empty in some rows")
    rows = [row for part, frame in shaped.items() for row in encode_part(part, frame)]
    weeks = pl.col("weeks_waited")
    counts = data.ptl.select(
        n_within_18=(weeks < 18).sum(), n_over_52=(weeks >= 52).sum(), n_over_65=(weeks >= 65).sum(),
        n_over_78=(weeks >= 78).sum(), n_over_104=(weeks >= 104).sum(), n_with_dta=pl.col("has_dta").sum(),
    ).row(0, named=True)  # fmt: skip
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
                "n_open": data.ptl.height,
                "file_name": origin.file_name[:255] if origin else None,
                "file_sha256": origin.file_sha256 if origin else None,
                "patients_sha256": origin.patients_sha256 if origin else None,
                "rows_read": origin.rows_read if origin else None,
                "rows_accepted": origin.rows_accepted if origin else None,
                "rows_rejected": origin.rows_rejected if origin else None,
                "loaded_by": origin.loaded_by[:80] if origin else None,
                **{name: int(value or 0) for name, value in counts.items()},
            },
        ).scalar_one()
        try:
            conn.execute(insert(SnapshotPart.__table__), [{**row, "load_id": load_id} for row in rows])  # type: ignore[arg-type]
        except DBAPIError as exc:  # the driver's error (a full disk, a lost server, a refused row)
            # SQLAlchemy's text quotes the statement's parameters: say only what kind of error it was.
            orig = exc.orig
            state = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or ""
            raise LoadError(
                f"loading {data.provider_code} failed in table snapshot_parts: "
                f"{type(orig).__name__}{f' ({state})' if state else ''}"
            ) from exc
        _keep_history(conn, data.provider_code, keep)
    return int(load_id)
