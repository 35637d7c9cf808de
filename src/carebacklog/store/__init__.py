"""carebacklog.store: the database edge.

SQLAlchemy 2 schema (``models``), Alembic migrations shipped in the package (``migrate``), transactional
bulk loading of a trust (``load_trust``), reading it back (``ptl_frame``, ``pathway_events``) and the
accounts, sessions and audit log the web app uses (``accounts``).

SQLite is the embedded default; PostgreSQL is used when ``DATABASE_URL`` points at one.
"""

from __future__ import annotations

from carebacklog.store.db import default_sqlite_url, make_engine, make_sessionmaker, migrate, session_scope
from carebacklog.store.load import TrustData, load_trust
from carebacklog.store.read import (
    current_load,
    list_loads,
    pathway_events,
    pathway_periods,
    patient_frame,
    ptl_frame,
)

__all__ = [
    "TrustData",
    "current_load",
    "default_sqlite_url",
    "list_loads",
    "load_trust",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "ptl_frame",
    "session_scope",
]
