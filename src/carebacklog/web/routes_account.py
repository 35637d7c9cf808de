"""A signed-in user's own account: who they are, and changing their own password.

Changing the password ends every session of the user (a stolen session cookie stops working) and starts
a new one for this browser, so the person changing it stays signed in. Audited as ``change_password``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carebacklog.store import password_problem, record_audit, start_session, update_user, verify_password
from carebacklog.web.deps import CurrentAuth, Db, Now, State
from carebacklog.web.render import render
from carebacklog.web.routes_auth import set_session_cookie
from carebacklog.web.security import check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _form(
    request: Request, state: State, auth: CurrentAuth, *, errors: dict[str, str] | None = None, done: bool = False
) -> Response:
    errors = errors or {}
    return render(
        request, state, "account.html", auth, title="Your account", errors=errors, done=done,
        status_code=400 if errors else 200,
    )  # fmt: skip


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, state: State, auth: CurrentAuth, done: str = "") -> Response:
    return _form(request, state, auth, done=done == "password")


@router.post("/account/password")
def change_password(
    request: Request,
    state: State,
    db: Db,
    now: Now,
    auth: CurrentAuth,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    confirm_password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(auth.session.csrf_token, csrf_token)
    errors: dict[str, str] = {}
    if not verify_password(auth.user.password_hash, current_password):
        errors["current_password"] = "Enter your current password"
    problem = password_problem(new_password, auth.user.username)
    if problem:
        errors["new_password"] = problem[0].upper() + problem[1:]
    elif new_password == current_password:
        errors["new_password"] = "The new password must be different from the current one"
    if not errors and confirm_password != new_password:
        errors["confirm_password"] = "The passwords do not match"
    if errors:
        return _form(request, state, auth, errors=errors)
    update_user(db, auth.user, password=new_password)  # ends every session of this user
    lifetime = dt.timedelta(hours=state.settings.session_hours)
    token, _ = start_session(db, auth.user, now=now, lifetime=lifetime)
    record_audit(
        db, user=auth.user, action="change_password", object_type="user", object_id=auth.user.username, now=now
    )
    response = RedirectResponse("/account?done=password", status_code=303)
    set_session_cookie(response, state, token)
    return response

