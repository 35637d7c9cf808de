"""Users, login sessions, failed-login records and the audit log.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile).
Session cookies carry a random token; only its SHA-256 is stored, so a copy of the database cannot be used
to log in. Every function takes the caller's session and the current time, and never commits: the caller
owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from carebacklog.store.models import AuditEntry, LoginAttempt, User, WebSession

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "ROLE_RANK",
    "count_recent_failures",
    "create_user",
    "delete_session",
    "find_session",
    "get_user",
    "get_user_by_username",
    "hash_password",
    "list_audit",
    "list_users",
    "password_problem",
    "record_audit",
    "record_failed_login",
    "start_session",
    "token_hash",
    "update_user",
    "verify_password",
]

ROLES = ("viewer", "ptl", "admin")
#: The shortest password accepted (NCSC's guidance favours length over composition rules).
MIN_PASSWORD_LENGTH = 12
# A role may do everything the roles before it may: admin ⊇ ptl ⊇ viewer.
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

_hasher = PasswordHasher()
# A well-formed hash to verify against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("carebacklog-timing-equaliser")


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` cannot be used for ``username`` (None when it can)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 200:
        return "the password must be at most 200 characters"
    if password.strip().lower() == username.strip().lower():
        return "the password must not be the username"
    return None


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (None: an unknown user, still costs one hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    db: Session, *, username: str, password: str, role: str, full_name: str, now: dt.datetime
) -> User:
    """Add a user (the username must be new; the role one of :data:`ROLES`)."""
    if role not in ROLE_RANK:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
        created_at=now,
    )
    db.add(user)
    db.flush()
    return user


def update_user(
    db: Session,
    user: User,
    *,
    role: str | None = None,
    full_name: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change a user's role, name, active flag or password; ending access also ends their sessions."""
    if role is not None:
        if role not in ROLE_RANK:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        user.role = role
    if full_name is not None:
        user.full_name = full_name
    if is_active is not None:
        user.is_active = is_active
    if password is not None:
        user.password_hash = hash_password(password)
    if is_active is False or password is not None or role is not None:
        db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    db.flush()
    return user


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def get_user_by_username(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == username)).first()


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


def token_hash(token: str) -> str:
    """SHA-256 of a session token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    db: Session, user: User, *, now: dt.datetime, lifetime: dt.timedelta
) -> tuple[str, WebSession]:
    """A new session for ``user``: returns the cookie token (shown once) and the stored session."""
    token = secrets.token_urlsafe(32)
    session = WebSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    db.add(session)
    # Housekeeping: expired sessions are never valid; drop them as new ones start.
    db.execute(delete(WebSession).where(WebSession.expires_at < now))
    db.flush()
    return token, session


def find_session(db: Session, token: str, *, now: dt.datetime) -> tuple[WebSession, User] | None:
    """The live session and active user behind a cookie token, or None."""
    row = db.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    expires = web_session.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= now or not user.is_active:
        return None
    return web_session, user


def delete_session(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def record_failed_login(db: Session, *, username: str, client: str, now: dt.datetime) -> None:
    db.add(LoginAttempt(username=username[:80], client=client[:64], attempted_at=now))
    db.flush()


def count_recent_failures(db: Session, *, username: str, client: str, since: dt.datetime) -> int:
    """Failed logins since ``since`` for this username or from this client, whichever is larger."""
    by_user = db.scalar(
        select(func.count()).where(LoginAttempt.username == username[:80], LoginAttempt.attempted_at >= since)
    )
    by_client = db.scalar(
        select(func.count()).where(LoginAttempt.client == client[:64], LoginAttempt.attempted_at >= since)
    )
    return max(int(by_user or 0), int(by_client or 0))


def record_audit(
    db: Session,
    *,
    user: User | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    detail: dict[str, Any] | None = None,
    now: dt.datetime,
    actor: str | None = None,
) -> AuditEntry:
    """Write one audit entry: who (user; or ``actor``, e.g. ``cli:jsmith`` for a command run on the server),
    when (now), what (action on object, with detail)."""
    entry = AuditEntry(
        at=now,
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else (actor or "(anonymous)")[:80],
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
    )
    db.add(entry)  # written at the caller's commit (no flush: the write lock is taken only then)
    return entry


def list_audit(
    db: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    object_type: str | None = None,
    object_id: str | None = None,
    username: str | None = None,
) -> tuple[int, Sequence[AuditEntry]]:
    """Audit entries, newest first, with the total count matching the filters."""
    query = select(AuditEntry)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if username is not None:
        query = query.where(AuditEntry.username == username)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return int(total), rows
