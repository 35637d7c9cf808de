"""Users, sessions, failed logins and the audit log against a real database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from carebacklog.store import make_sessionmaker, session_scope
from carebacklog.store.accounts import (
    count_recent_failures,
    create_user,
    delete_session,
    find_session,
    get_user_by_username,
    hash_password,
    list_audit,
    record_audit,
    record_failed_login,
    start_session,
    token_hash,
    update_user,
    verify_password,
)
from carebacklog.store.models import WebSession

HOUR = dt.timedelta(hours=1)


def test_passwords_are_argon2_and_verify() -> None:
    digest = hash_password("correct horse battery")
    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "correct horse battery")
    assert not verify_password(digest, "wrong")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_users_and_sessions(engine: Engine, now: dt.datetime) -> None:
    factory = make_sessionmaker(engine)
    with session_scope(factory) as db:
        user = create_user(
            db, username="sessions", password="a long password!", role="ptl", full_name="S", now=now
        )
        token, _ = start_session(db, user, now=now, lifetime=HOUR)
    with session_scope(factory) as db:
        stored = db.scalars(select(WebSession).where(WebSession.token_hash == token_hash(token))).one()
        assert token not in stored.token_hash  # only the hash is stored
        found = find_session(db, token, now=now + dt.timedelta(minutes=30))
        assert found is not None and found[1].username == "sessions"
        assert find_session(db, token, now=now + 2 * HOUR) is None  # expired
        assert find_session(db, "not-a-token", now=now) is None
    with session_scope(factory) as db:
        user = get_user_by_username(db, "sessions")
        assert user is not None
        update_user(db, user, is_active=False)  # ending access ends the sessions
    with session_scope(factory) as db:
        assert find_session(db, token, now=now) is None
        user = get_user_by_username(db, "sessions")
        assert user is not None
        update_user(db, user, is_active=True)
        token2, _ = start_session(db, user, now=now, lifetime=HOUR)
        delete_session(db, token2)
        assert find_session(db, token2, now=now) is None


def test_unknown_roles_are_refused(engine: Engine, now: dt.datetime) -> None:
    with session_scope(make_sessionmaker(engine)) as db, pytest.raises(ValueError, match="role"):
        create_user(
            db, username="x-role", password="a long password!", role="superuser", full_name="X", now=now
        )


def test_failed_logins_are_counted_in_a_window(engine: Engine, now: dt.datetime) -> None:
    with session_scope(make_sessionmaker(engine)) as db:
        for minutes in (0, 1, 2):
            record_failed_login(
                db, username="guess", client="10.0.0.9", now=now + dt.timedelta(minutes=minutes)
            )
        assert count_recent_failures(db, username="guess", client="10.0.0.1", since=now) == 3
        assert count_recent_failures(db, username="other", client="10.0.0.9", since=now) == 3
        assert (
            count_recent_failures(db, username="guess", client="x", since=now + dt.timedelta(minutes=2)) == 1
        )


def test_audit_log_records_who_when_what(engine: Engine, now: dt.datetime) -> None:
    with session_scope(make_sessionmaker(engine)) as db:
        user = create_user(
            db, username="auditor", password="a long password!", role="admin", full_name="A", now=now
        )
        record_audit(db, user=user, action="view_pathway", object_type="pathway", object_id="RBD1", now=now)
        record_audit(
            db, user=None, action="login_failed", object_type="user", object_id="x", detail={"n": 1}, now=now
        )
    with session_scope(make_sessionmaker(engine)) as db:
        total, rows = list_audit(db, object_type="pathway", object_id="RBD1")
        assert total == 1 and rows[0].username == "auditor" and rows[0].action == "view_pathway"
        _, anonymous = list_audit(db, username="(anonymous)")
        assert json.loads(anonymous[0].detail or "{}") == {"n": 1}
