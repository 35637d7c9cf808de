"""SQLAlchemy 2 typed schema: a trust's patient-level data, PTL snapshots, users, sessions and the audit log.

A *load* (a snapshot) is one import of a provider's extract (events and patients) at a census date, with
the periods and PTL snapshot the RTT engine derived from it and where it came from (file name and SHA-256,
rows read, accepted and rejected, who loaded it). A provider keeps one snapshot per census date: loading
the same census date again replaces it in one transaction (:mod:`carebacklog.store.load`); older census
dates stay as history (their PTL and periods; the raw events and patients only for the newest). Users,
sessions and the audit log outlive loads.

The schema is created and upgraded only through the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "Base",
    "Load",
    "LoginAttempt",
    "SavedView",
    "SnapshotPart",
    "User",
    "WebSession",
]

# BigInteger primary keys autoincrement on SQLite only as INTEGER; this variant keeps both happy.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Load(Base):
    """One import of a trust's events and patients, with the census date its PTL was taken on."""

    __tablename__ = "loads"
    # Load ids are never reused (SQLite would otherwise reuse the id of a replaced load), so caches keyed
    # by load id can never serve a replaced load's data.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it once)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_code: Mapped[str] = mapped_column(String(10), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    census_date: Mapped[dt.date] = mapped_column(Date)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(200))
    n_events: Mapped[int] = mapped_column(Integer)
    n_patients: Mapped[int] = mapped_column(Integer)
    n_periods: Mapped[int] = mapped_column(Integer)
    n_open: Mapped[int] = mapped_column(Integer)
    # Provenance (migration 0002): null for loads made before it, and for the demo's generated trust.
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    patients_sha256: Mapped[str | None] = mapped_column(String(64))
    rows_read: Mapped[int | None] = mapped_column(Integer)
    rows_accepted: Mapped[int | None] = mapped_column(Integer)
    rows_rejected: Mapped[int | None] = mapped_column(Integer)
    loaded_by: Mapped[str | None] = mapped_column(String(80))
    # Headline counts of the PTL (migration 0003), counted once at load time: the history of a provider's
    # snapshots reads them without opening any PTL. Bands as rtt.ptl_summary counts them.
    n_within_18: Mapped[int | None] = mapped_column(Integer)
    n_over_52: Mapped[int | None] = mapped_column(Integer)
    n_over_65: Mapped[int | None] = mapped_column(Integer)
    n_over_78: Mapped[int | None] = mapped_column(Integer)
    n_over_104: Mapped[int | None] = mapped_column(Integer)
    n_with_dta: Mapped[int | None] = mapped_column(Integer)


class SnapshotPart(Base):
    """One chunk of a snapshot's events, patients, periods or PTL, as a compressed Arrow IPC stream.

    See :mod:`carebacklog.store.parts`: rows sorted by key, cut into chunks that record the first and last
    key they hold, so one pathway's rows come from one chunk and a whole table reads back in one query.
    """

    __tablename__ = "snapshot_parts"

    load_id: Mapped[int] = mapped_column(ForeignKey("loads.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_key: Mapped[str | None] = mapped_column(String(40))
    last_key: Mapped[str | None] = mapped_column(String(40))
    n_rows: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    """A person who can log in. ``role`` is ``viewer`` (aggregates), ``ptl`` (patient level) or ``admin``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SavedView(Base):
    """A PTL view a user saved: a name and the PTL page's query string (filters, sort and columns)."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A server-side login session. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """A failed login, kept to rate-limit password guessing per username and per client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_at", "attempted_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what, when: every patient-level view and every change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(Text)
