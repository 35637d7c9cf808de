"""Loading a trust's own extract: files → RTT engine → one snapshot per provider and census date.

The daily job of a waiting-list team (``carebacklog load``). The files are read and validated through the
one PTL path (``rtt.read_inputs``: rejected rows counted, reported, quarantined), each provider code in the
events becomes its own snapshot (a trust with several sites loads them all from one file), and every
snapshot records its provenance: file name and SHA-256, rows read, accepted and rejected, census date,
who loaded it and when. The same files at the same census date are not loaded twice.

:func:`snapshots_from_events` is the computation (frames in, :class:`~carebacklog.store.TrustData` out);
:func:`load_extract` adds the files and the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from carebacklog.store import Provenance, TrustData

__all__ = ["LoadOutcome", "file_sha256", "load_extract", "provider_names", "snapshots_from_events"]

Reporter = Callable[[str], None]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def provider_names() -> dict[str, str]:
    """ODS code → trust name as people write it, from the bundled list of NHS trusts (NHS England's ODS
    ``etr`` file, whose names are in capitals)."""
    from importlib import resources

    from carebacklog.orgnames import org_name

    path = resources.files("carebacklog") / "data" / "nhs_trusts_etr_with_latlon.csv"
    with resources.as_file(path) as file:
        frame = pl.read_csv(file, columns=["org_code", "org_name"], infer_schema_length=0)
    return {code: org_name(name) for code, name in zip(frame["org_code"], frame["org_name"], strict=True)}


def snapshots_from_events(
    events: pl.DataFrame,
    patients: pl.DataFrame | None,
    census_date: dt.date,
    *,
    source: str,
    provenance: Provenance | None = None,
    names: dict[str, str] | None = None,
    bookings: pl.DataFrame | None = None,
) -> list[TrustData]:
    """One snapshot per provider code in ``events`` (sorted by code): its periods and PTL at the census.

    ``patients`` (optional) is split by the patients each provider's events name; ``bookings`` (optional)
    say what is booked (``rtt.bookings``). Provider names come from
    ``names`` (default :func:`provider_names`); an unknown code is its own name.
    """
    from carebacklog.rtt.pipeline import ptl_from_events
    from carebacklog.rtt.schema import PATIENT_SCHEMA

    lookup = provider_names() if names is None else names
    people = patients if patients is not None else pl.DataFrame(schema=PATIENT_SCHEMA)
    out = []
    codes = sorted(events.get_column("provider_code").drop_nulls().unique().to_list())
    for code in codes:
        mine = events.filter(pl.col("provider_code") == code) if len(codes) > 1 else events
        theirs = people
        if len(codes) > 1 and people.height:
            theirs = people.join(mine.select("patient_id").unique(), on="patient_id", how="semi")
        periods, ptl = ptl_from_events(mine, census_date, theirs if patients is not None else None, bookings)
        out.append(
            TrustData(
                provider_code=code,
                provider_name=lookup.get(code, code),
                census_date=census_date,
                events=mine,
                patients=theirs,
                periods=periods,
                ptl=ptl,
                source=source,
                provenance=provenance,
            )
        )
    return out


@dataclass(frozen=True)
class LoadOutcome:
    """What happened to one provider's snapshot: ``loaded`` (new census date), ``replaced`` (the census date
    was loaded before from other files) or ``unchanged`` (these very files were loaded before)."""

    provider_code: str
    provider_name: str
    census_date: dt.date
    load_id: int
    status: str
    waiting: int
    events: int
    periods: int


def load_extract(
    engine: Engine,
    events: Path,
    *,
    census_date: dt.date,
    patients: Path | None = None,
    bookings: Path | None = None,
    quarantine: Path | None = None,
    loaded_by: str,
    now: dt.datetime,
    keep: int | None = None,
    report: Reporter | None = None,
) -> list[LoadOutcome]:
    """Read, validate and load ``events`` (and ``patients``) as snapshots at ``census_date``.

    Each provider's snapshot is stored in its own transaction (:func:`carebacklog.store.load_trust`): a
    failure leaves that provider's previous snapshots in place. ``keep`` bounds the census dates kept per
    provider. Every snapshot written is recorded in the audit log as ``loaded_by``.
    """
    from carebacklog.rtt.pipeline import read_inputs
    from carebacklog.store import (
        find_snapshot,
        list_loads,
        load_trust,
        make_sessionmaker,
        record_audit,
        session_scope,
    )

    say = report or (lambda _line: None)
    sha = file_sha256(events)
    patients_sha = file_sha256(patients) if patients is not None else None
    if bookings is not None:  # the files beside the events, as one fingerprint: patients, then bookings
        patients_sha = hashlib.sha256(f"{patients_sha or ''}+{file_sha256(bookings)}".encode()).hexdigest()
    read = read_inputs(events, patients, quarantine, bookings=bookings, report=say)
    provenance = Provenance(
        file_name=events.name,
        file_sha256=sha,
        patients_sha256=patients_sha,
        rows_read=read.events.rows_read,
        rows_accepted=read.events.accepted,
        rows_rejected=read.events.rejected.height,
        loaded_by=loaded_by,
    )
    accepted = read.events.events
    factory = make_sessionmaker(engine)
    with factory() as db:
        codes = accepted.get_column("provider_code").drop_nulls().unique().to_list()
        seen = {code: find_snapshot(db, code, census_date, sha, patients_sha) for code in codes}
        known = {(load.provider_code, load.census_date) for load in list_loads(db)}
    outcomes: list[LoadOutcome] = []
    fresh = accepted.filter(~pl.col("provider_code").is_in([c for c, load in seen.items() if load]))
    for code, load in sorted(seen.items()):
        if load is not None:
            outcomes.append(
                LoadOutcome(code, load.provider_name, census_date, load.id, "unchanged", load.n_open,
                            load.n_events, load.n_periods)
            )  # fmt: skip
    if fresh.height:
        say(f"running the RTT clock rules at {census_date.isoformat()}…")
        people = read.patients.events if read.patients is not None else None
        booked = read.bookings.events if read.bookings is not None else None
        source = f"carebacklog load {events.name}"
        made = snapshots_from_events(fresh, people, census_date, source=source, provenance=provenance, bookings=booked)
        for data in made:
            status = "replaced" if (data.provider_code, census_date) in known else "loaded"
            say(f"storing {data.provider_code} ({data.ptl.height:,} waiting)…")
            load_id = load_trust(engine, data, now=now, keep=keep)
            with session_scope(factory) as db:
                record_audit(
                    db,
                    user=None,
                    actor=loaded_by,
                    action="load",
                    object_type="snapshot",
                    object_id=str(load_id),
                    detail={
                        "provider_code": data.provider_code,
                        "census_date": census_date.isoformat(),
                        "file_name": events.name,
                        "file_sha256": sha,
                        "rows_read": provenance.rows_read,
                        "rows_rejected": provenance.rows_rejected,
                        "status": status,
                    },
                    now=now,
                )
            outcomes.append(
                LoadOutcome(data.provider_code, data.provider_name, census_date, load_id, status,
                            data.ptl.height, data.events.height, data.periods.height)
            )  # fmt: skip
    return sorted(outcomes, key=lambda o: o.provider_code)

