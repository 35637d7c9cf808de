"""carebacklog.store: the database edge (SQLite, the embedded default, or PostgreSQL via ``DATABASE_URL``).

Other packages, the web app included, use only the names below; the sub-modules are this package's own.

Public API:

- Engines and transactions: :func:`database_url` (``--database``, else ``DATABASE_URL``, else
  :data:`DEFAULT_DATABASE`), :func:`make_engine` (the engine factory), :func:`make_sessionmaker`,
  :func:`session_scope` (commit on success, roll back on error), :func:`migrate` (Alembic migrations
  shipped in the package), :func:`default_sqlite_url`.
- Loading a trust: :class:`TrustData` (with its :class:`Provenance`) and :func:`load_trust` (one snapshot
  per provider and census date, in one transaction, history kept or bounded by ``keep``);
  :class:`LoadError` when it fails (the database keeps its previous state).
- Reading a load back (``select()`` statements, typed Polars frames): :func:`current_load` (the newest
  census date), :func:`list_loads` (the snapshots), :func:`find_snapshot` (the same files loaded before), :func:`ptl_frame`, :func:`periods_frame`, :func:`patient_frame`,
  :func:`pathway_periods`, :func:`pathway_events`, :func:`ptl_with_identity` (the PTL with who each patient
  is), :func:`snapshot_headlines` (headline measures at each
  census date, counted in the database).
- Accounts, sessions and the audit log (each takes the caller's session and never commits):
  :data:`ROLES`, :data:`ROLE_RANK`, :data:`MIN_PASSWORD_LENGTH`, :func:`password_problem`, :func:`hash_password`, :func:`verify_password`,
  :func:`create_user`, :func:`get_user`, :func:`get_user_by_username`, :func:`list_users`,
  :func:`update_user`, :func:`start_session`, :func:`find_session`, :func:`delete_session`,
  :func:`token_hash`, :func:`record_failed_login`, :func:`count_recent_failures`, :func:`record_audit`,
  :func:`list_audit`.
- Saved PTL views (each user's own): :func:`save_view`, :func:`list_views`, :func:`delete_view`
  (:class:`SavedView`).
- Rows the accounts functions and :func:`current_load` return: :class:`Load`, :class:`User`,
  :class:`WebSession`, :class:`AuditEntry`.
"""

from __future__ import annotations

from carebacklog.store.accounts import (
    MIN_PASSWORD_LENGTH,
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
    password_problem,
    record_audit,
    record_failed_login,
    start_session,
    token_hash,
    update_user,
    verify_password,
)
from carebacklog.store.db import (
    DEFAULT_DATABASE,
    database_url,
    default_sqlite_url,
    make_engine,
    make_sessionmaker,
    migrate,
    session_scope,
)
from carebacklog.store.load import LoadError, Provenance, TrustData, load_trust
from carebacklog.store.models import AuditEntry, Load, SavedView, User, WebSession
from carebacklog.store.read import (
    current_load,
    find_snapshot,
    list_loads,
    pathway_events,
    pathway_periods,
    patient_frame,
    periods_frame,
    ptl_frame,
    ptl_with_identity,
    snapshot_headlines,
)
from carebacklog.store.views import delete_view, list_views, save_view

__all__ = [
    "DEFAULT_DATABASE",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "ROLE_RANK",
    "AuditEntry",
    "Load",
    "LoadError",
    "Provenance",
    "SavedView",
    "TrustData",
    "User",
    "WebSession",
    "count_recent_failures",
    "create_user",
    "current_load",
    "database_url",
    "default_sqlite_url",
    "delete_session",
    "delete_view",
    "find_session",
    "find_snapshot",
    "get_user",
    "get_user_by_username",
    "hash_password",
    "list_audit",
    "list_loads",
    "list_users",
    "list_views",
    "load_trust",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "password_problem",
    "pathway_events",
    "pathway_periods",
    "patient_frame",
    "periods_frame",
    "ptl_frame",
    "ptl_with_identity",
    "record_audit",
    "record_failed_login",
    "save_view",
    "session_scope",
    "snapshot_headlines",
    "start_session",
    "token_hash",
    "update_user",
    "verify_password",
]
