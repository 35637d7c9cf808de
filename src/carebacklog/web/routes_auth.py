"""Logging in and out: the login page and the JSON session endpoints, rate-limited and audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from carebacklog.store import (
    User,
    count_recent_failures,
    delete_session,
    get_user_by_username,
    record_audit,
    record_failed_login,
    start_session,
    verify_password,
)
from carebacklog.web.deps import SESSION_COOKIE, CurrentAuth, Db, Now, OptionalAuth, State
from carebacklog.web.errors import problem
from carebacklog.web.render import render
from carebacklog.web.security import LOGIN_CSRF_COOKIE, check_csrf, login_csrf_pair, login_csrf_valid

__all__ = ["LoginRequest", "SessionPublic", "router", "set_session_cookie"]

router = APIRouter()


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class SessionPublic(BaseModel):
    """The logged-in user, and the token to send as ``X-CSRF-Token`` on API writes."""

    username: str
    full_name: str
    role: str
    csrf_token: str
    expires_at: dt.datetime


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect to another host after login.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _attempt(db: Db, state: State, now: dt.datetime, username: str, password: str, client: str) -> User | str:
    """The user, or why the login was refused (one message for wrong name or password)."""
    window = dt.timedelta(minutes=state.settings.login_window_minutes)
    failures = count_recent_failures(db, username=username, client=client, since=now - window)
    if failures >= state.settings.login_max_failures:
        return "rate"
    user = get_user_by_username(db, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        record_failed_login(db, username=username, client=client, now=now)
        record_audit(
            db, user=None, action="login_failed", object_type="user", object_id=username[:80], now=now
        )
        return "bad"
    record_audit(db, user=user, action="login", object_type="user", object_id=user.username, now=now)
    return user


def set_session_cookie(response: Response, state: State, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(state.settings.session_hours * 3600),
        httponly=True,
        secure=state.settings.secure_cookies,
        samesite="lax",
        path="/",
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, state: State, auth: OptionalAuth, next: str = "/") -> Response:
    if auth is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, state, next=_safe_next(next))


def _login_form(
    request: Request, state: State, *, next: str, error: str = "", username: str = "", status: int = 200
) -> Response:
    form_value, cookie_value = login_csrf_pair(state.settings.secret_key)
    response = render(
        request,
        state,
        "login.html",
        None,
        title="Log in",
        csrf_form=form_value,
        next=next,
        error=error,
        username=username,
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        cookie_value,
        max_age=3600,
        httponly=True,
        secure=state.settings.secure_cookies,
        samesite="strict",
        path="/login",
    )
    return response


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request,
    state: State,
    db: Db,
    now: Now,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = _safe_next(next)
    if not login_csrf_valid(state.settings.secret_key, request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_form(request, state, next=target, error="The form had expired. Try again.", status=403)
    if not username or not password:
        return _login_form(
            request,
            state,
            next=target,
            error="Enter your username and password",
            username=username,
            status=400,
        )
    result = _attempt(db, state, now, username, password, _client(request))
    if result == "rate":
        return _login_form(
            request,
            state,
            next=target,
            username=username,
            status=429,
            error="Too many failed attempts. Wait 15 minutes and try again.",
        )
    if isinstance(result, str):
        return _login_form(
            request,
            state,
            next=target,
            username=username,
            status=401,
            error="The username or password is not right",
        )
    token, _ = start_session(db, result, now=now, lifetime=dt.timedelta(hours=state.settings.session_hours))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, state, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(auth: CurrentAuth, db: Db, now: Now, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(auth.session.csrf_token, csrf_token)
    delete_session(db, auth.token)
    record_audit(
        db, user=auth.user, action="logout", object_type="user", object_id=auth.user.username, now=now
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post(
    "/api/v1/session",
    response_model=SessionPublic,
    tags=["session"],
    responses={401: {"description": "Wrong username or password"}, 429: {"description": "Too many failures"}},
)
def api_login(
    body: LoginRequest, request: Request, response: Response, state: State, db: Db, now: Now
) -> Response | SessionPublic:
    """Log in; sets the session cookie. JSON only, so a cross-site form cannot log anyone in."""
    result = _attempt(db, state, now, body.username, body.password, _client(request))
    if result == "rate":
        db.commit()
        return problem(429, "Too many failed attempts; wait and try again.")
    if isinstance(result, str):
        db.commit()
        return problem(401, "The username or password is not right.")
    token, web_session = start_session(
        db, result, now=now, lifetime=dt.timedelta(hours=state.settings.session_hours)
    )
    set_session_cookie(response, state, token)
    return SessionPublic(
        username=result.username,
        full_name=result.full_name,
        role=result.role,
        csrf_token=web_session.csrf_token,
        expires_at=web_session.expires_at,
    )


@router.get("/api/v1/session", response_model=SessionPublic, tags=["session"])
def api_session(auth: CurrentAuth) -> SessionPublic:
    """Who is logged in."""
    return SessionPublic(
        username=auth.user.username,
        full_name=auth.user.full_name,
        role=auth.user.role,
        csrf_token=auth.session.csrf_token,
        expires_at=auth.session.expires_at,
    )


@router.delete("/api/v1/session", status_code=204, tags=["session"])
def api_logout(
    auth: CurrentAuth, db: Db, now: Now, x_csrf_token: Annotated[str | None, Header()] = None
) -> Response:
    """Log out (needs the ``X-CSRF-Token`` header)."""
    check_csrf(auth.session.csrf_token, x_csrf_token)
    delete_session(db, auth.token)
    record_audit(
        db, user=auth.user, action="logout", object_type="user", object_id=auth.user.username, now=now
    )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
