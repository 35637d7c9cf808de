"""carebacklog.store: the database edge (SQLite, the embedded default, or PostgreSQL via ``DATABASE_URL``).

Other packages, the web app included, use only the names below; the sub-modules are this package's own.

Public API:

- Engines and transactions: :func:`make_engine` (the engine factory), :func:`make_sessionmaker`,
  :func:`session_scope` (commit on success, roll back on error), :func:`migrate` (Alembic migrations
  shipped in the package), :func:`default_sqlite_url`.
- Loading a trust: :class:`TrustData` and :func:`load_trust` (replaces a provider's load in one
  transaction); :class:`LoadError` when it fails (the database keeps its previous state).
- Reading a load back (``select()`` statements, typed Polars frames): :func:`current_load` (the newest
  load), :func:`list_loads`, :func:`ptl_frame`, :func:`periods_frame`, :func:`patient_frame`,
  :func:`pathway_periods`, :func:`pathway_events`.
- Accounts, sessions and the audit log (each takes the caller's session and never commits):
  :data:`ROLES`, :data:`ROLE_RANK`, :func:`hash_password`, :func:`verify_password`,
  :func:`create_user`, :func:`get_user`, :func:`get_user_by_username`, :func:`list_users`,
  :func:`update_user`, :func:`start_session`, :func:`find_session`, :func:`delete_session`,
  :func:`token_hash`, :func:`record_failed_login`, :func:`count_recent_failures`, :func:`record_audit`,
  :func:`list_audit`.
- Rows the accounts functions and :func:`current_load` return: :class:`Load`, :class:`User`,
  :class:`WebSession`, :class:`AuditEntry`.
"""

from __future__ import annotations

from carebacklog.store.accounts import (
    ROLE_RANK,
    ROLES,
    count_recent_failures,
    create_user,
    delete_session,
    find_session,
    get_user,
    get_user_by_username,
    hash_password,
    list_audit,
    list_users,
    record_audit,
    record_failed_login,
    start_session,
    token_hash,
    update_user,
    verify_password,
)
from carebacklog.store.db import default_sqlite_url, make_engine, make_sessionmaker, migrate, session_scope
from carebacklog.store.load import LoadError, TrustData, load_trust
from carebacklog.store.models import AuditEntry, Load, User, WebSession
from carebacklog.store.read import (
    current_load,
    list_loads,
    pathway_events,
    pathway_periods,
    patient_frame,
    periods_frame,
    ptl_frame,
)

__all__ = [
    "ROLES",
    "ROLE_RANK",
    "AuditEntry",
    "Load",
    "LoadError",
    "TrustData",
    "User",
    "WebSession",
    "count_recent_failures",
    "create_user",
    "current_load",
    "default_sqlite_url",
    "delete_session",
    "find_session",
    "get_user",
    "get_user_by_username",
    "hash_password",
    "list_audit",
    "list_loads",
    "list_users",
    "load_trust",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "periods_frame",
    "ptl_frame",
    "record_audit",
    "record_failed_login",
    "session_scope",
    "start_session",
    "token_hash",
    "update_user",
    "verify_password",
]
