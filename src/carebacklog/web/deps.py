"""Request dependencies: the app's state, a database session per request, the clock, the logged-in user
and role checks. Handlers receive these through FastAPI's ``Depends``; nothing is global."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from carebacklog.store import ROLE_RANK, User, WebSession, find_session
from carebacklog.web.cache import LoadMemo
from carebacklog.web.ptl_view import PtlCache
from carebacklog.web.settings import Settings

__all__ = [
    "SESSION_COOKIE",
    "AppState",
    "Auth",
    "CurrentAuth",
    "Db",
    "Forbidden",
    "NotAuthenticated",
    "Now",
    "OptionalAuth",
    "State",
    "get_db",
    "get_state",
    "require_role",
]

SESSION_COOKIE = "cb_session"


@dataclass
class AppState:
    """What the app factory builds once and every request shares."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    templates: Jinja2Templates
    ptl_cache: PtlCache
    memo: LoadMemo  # a load's derived figures (overview, equity, national)
    fragments: LoadMemo  # rendered page fragments (e.g. a PTL filter form), many small entries
    clock: Callable[[], dt.datetime]
    # SQLite takes one writer at a time and makes the others sleep and retry (up to 100 ms a try); queueing
    # this process's commits on a lock instead keeps audit writes under 20 concurrent users fast.
    write_lock: threading.Lock | None = None


@dataclass(frozen=True)
class Auth:
    """The logged-in user and their server-side session."""

    user: User
    session: WebSession
    token: str

    def allows(self, role: str) -> bool:
        return ROLE_RANK[self.user.role] >= ROLE_RANK[role]


class NotAuthenticated(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this."""

    def __init__(self, needed: str) -> None:
        super().__init__(needed)
        self.needed = needed


# Dependencies that do no I/O are ``async def``: FastAPI runs them on the event loop instead of handing each
# to the thread pool (a thread hop per dependency costs most on a busy machine).
async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.carebacklog
    return state


State = Annotated[AppState, Depends(get_state)]


def get_db(state: State) -> Iterator[Session]:
    """One session per request, committed when the handler succeeds (audit entries included)."""
    session = state.sessions()
    try:
        yield session
        if state.write_lock is not None and (session.new or session.dirty or session.deleted):
            with state.write_lock:
                session.commit()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a redirect that follows a login (or a page that
# follows an audited view) always sees the committed rows, and nothing is shown unless its audit entry is saved.
Db = Annotated[Session, Depends(get_db, scope="function")]


async def get_now(state: State) -> dt.datetime:
    return state.clock()


Now = Annotated[dt.datetime, Depends(get_now)]


def optional_auth(request: Request, db: Db, now: Now) -> Auth | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = find_session(db, token, now=now)
    if found is None:
        return None
    web_session, user = found
    return Auth(user=user, session=web_session, token=token)


OptionalAuth = Annotated[Auth | None, Depends(optional_auth)]


async def current_auth(auth: OptionalAuth) -> Auth:
    if auth is None:
        raise NotAuthenticated()
    return auth


CurrentAuth = Annotated[Auth, Depends(current_auth)]


def require_role(role: str) -> Callable[[Auth], Awaitable[Auth]]:
    """A dependency that lets in users whose role is ``role`` or above (viewer < ptl < admin)."""
    if role not in ROLE_RANK:
        raise ValueError(role)

    async def check(auth: CurrentAuth) -> Auth:
        if not auth.allows(role):
            raise Forbidden(role)
        return auth

    check.__name__ = f"require_{role}"
    return check
