"""Reading a load back: the current load, and a load's PTL, periods, patients and one pathway as Polars frames.

Every read is a SQLAlchemy 2 ``select()``; patient-level frames come from the snapshot's Arrow chunks
(:mod:`carebacklog.store.parts`) with exactly the types :data:`~carebacklog.store.parts.PART_SCHEMAS`
gives, whatever the database.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import ColumnElement, Engine, select
from sqlalchemy.orm import Session

from carebacklog.store.models import Load, SnapshotPart
from carebacklog.store.parts import PART_SCHEMAS, decode_chunk

__all__ = [
    "current_load",
    "find_snapshot",
    "list_loads",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "periods_frame",
    "ptl_frame",
    "ptl_with_identity",
    "snapshot_headlines",
]

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
    """A provider's headline PTL measures at each census date (oldest first), as counted at load time.

    Columns: ``load_id``, ``census_date``, ``waiting``, ``within_18``, ``pct_within_18``, ``over_52``,
    ``over_65``, ``over_78``, ``over_104``, ``with_dta``. Bands as ``rtt.ptl_summary`` counts them (within 18
    weeks: the completed-weeks band is under 18; over N: band N or more).
    """
    query = (
        select(
            Load.id, Load.census_date, Load.n_open, Load.n_within_18, Load.n_over_52, Load.n_over_65,
            Load.n_over_78, Load.n_over_104, Load.n_with_dta,
        )
        .where(Load.provider_code == provider_code)
        .order_by(Load.census_date, Load.id)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    names = ["load_id", "census_date", "waiting", "within_18", "over_52", "over_65", "over_78", "over_104"]
    names.append("with_dta")
    schema = {name: (pl.Date if name == "census_date" else pl.Int64) for name in names}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    pct = pl.when(pl.col("waiting") > 0).then(100.0 * pl.col("within_18") / pl.col("waiting"))
    return frame.with_columns(pct.alias("pct_within_18")).select(*names[:4], "pct_within_18", *names[4:])


def _chunks(engine: Engine, load_id: int, part: str, key: str | None = None) -> pl.DataFrame:
    """The rows of one part of a snapshot (all, or only the chunks whose key range holds ``key``), typed as
    :data:`~carebacklog.store.parts.PART_SCHEMAS` says, with ``load_id``."""
    where: tuple[ColumnElement[bool], ...] = (SnapshotPart.load_id == load_id, SnapshotPart.part == part)
    with engine.connect() as conn:
        wanted = None
        if key is not None:
            # Key ranges are compared here, in Python (code-point order, the order Polars sorted them in),
            # never in SQL, where PostgreSQL's collation may order text differently.
            ranges = conn.execute(
                select(SnapshotPart.chunk, SnapshotPart.first_key, SnapshotPart.last_key).where(*where)
            )
            wanted = [c for c, lo, hi in ranges if lo is not None and hi is not None and lo <= key <= hi]
            if not wanted:
                return _empty(part, load_id)
            where = (*where, SnapshotPart.chunk.in_(wanted))
        query = select(SnapshotPart.data).where(*where).order_by(SnapshotPart.chunk)
        frames = [decode_chunk(row[0]) for row in conn.execute(query)]
    frames = [f for f in frames if f.height]
    if not frames:
        return _empty(part, load_id)
    frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    return frame.select(pl.lit(load_id, pl.Int64).alias("load_id"), pl.all())


def _empty(part: str, load_id: int) -> pl.DataFrame:
    return pl.DataFrame(schema={"load_id": pl.Int64(), **PART_SCHEMAS[part]})


def ptl_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """The whole PTL snapshot of a load, in booking order."""
    return _chunks(engine, load_id, "ptl")


def periods_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """Every RTT period of a load (``rtt.build_periods``'s columns), in pathway and period order."""
    return _chunks(engine, load_id, "periods")


def pathway_periods(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's RTT periods, in order."""
    periods = _chunks(engine, load_id, "periods", pathway_id)
    return periods.filter(pl.col("pathway_id") == pathway_id).sort("period")


def pathway_events(engine: Engine, load_id: int, pathway_id: str) -> pl.DataFrame:
    """One pathway's events in date order, then file order (the engine's input contract columns).

    Only the newest snapshot of a provider keeps its events (``store.load``); older ones give none.
    """
    events = _chunks(engine, load_id, "events", pathway_id)
    return events.filter(pl.col("pathway_id") == pathway_id).sort("event_date", "seq")


IDENTITY_COLUMNS = ("nhs_number", "family_name", "given_name")


def ptl_with_identity(engine: Engine, load_id: int) -> pl.DataFrame:
    """The PTL of a load with who each patient is (``nhs_number``, ``family_name``, ``given_name``; null when
    the patients file did not give them, or for snapshots older than the provider's newest)."""
    ptl = ptl_frame(engine, load_id)
    people = patient_frame(engine, load_id).select("patient_id", *IDENTITY_COLUMNS)
    return ptl.join(people, on="patient_id", how="left", maintain_order="left")


def patient_frame(engine: Engine, load_id: int) -> pl.DataFrame:
    """Every patient of a load (the newest snapshot of each provider keeps them)."""
    return _chunks(engine, load_id, "patients")
