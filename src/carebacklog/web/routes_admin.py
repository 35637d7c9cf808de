"""Administration (admin role): users and the audit log, as pages and as API; every change is audited."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carebacklog.store import (
    ROLES,
    create_user,
    get_user,
    get_user_by_username,
    list_audit,
    list_users,
    record_audit,
    update_user,
)
from carebacklog.web.deps import AppState, Auth, Db, Now, State, require_role
from carebacklog.web.render import render
from carebacklog.web.schemas import AuditPublic, Page, UserCreate, UserPublic, UserUpdate
from carebacklog.web.security import check_csrf

__all__ = ["AuditPagePublic", "router"]

router = APIRouter()
Admin = Annotated[Auth, Depends(require_role("admin"))]


class AuditPagePublic(Page):
    items: list[AuditPublic]


def _create(db: Db, now: Now, auth: Auth, body: UserCreate) -> UserPublic:
    if get_user_by_username(db, body.username) is not None:
        raise HTTPException(409, f"The username {body.username!r} is taken.")
    user = create_user(
        db, username=body.username, password=body.password, role=body.role, full_name=body.full_name, now=now
    )
    record_audit(db, user=auth.user, action="create_user", object_type="user", object_id=user.username,
                 detail={"role": user.role}, now=now)  # fmt: skip
    return UserPublic.model_validate(user)


def _update(db: Db, now: Now, auth: Auth, user_id: int, body: UserUpdate) -> UserPublic:
    user = get_user(db, user_id)
    if user is None:
        raise HTTPException(404, "No such user.")
    if user.id == auth.user.id and (body.role not in (None, "admin") or body.is_active is False):
        raise HTTPException(409, "You cannot remove your own admin access.")
    changes = body.model_dump(exclude_none=True)
    update_user(db, user, **changes)
    shown = {k: ("(changed)" if k == "password" else v) for k, v in changes.items()}
    record_audit(
        db,
        user=auth.user,
        action="update_user",
        object_type="user",
        object_id=user.username,
        detail=shown,
        now=now,
    )
    return UserPublic.model_validate(user)


# ---- pages -------------------------------------------------------------------------------------------


#: The highest page number a list accepts (1,000,000 pages of 100): beyond it the offset would overflow
#: the database's integer (a 500 and a reset connection once), so it is refused with 422 instead.
MAX_PAGE = 1_000_000

#: What the users page may say after a redirect. The query carries only these codes (and a user id
#: looked up here), never text, so a crafted link cannot put words in the page's "There is a problem" box.
USERS_PAGE_ERRORS = {
    "bad_role": "That role is not valid.",
    "no_user": "No such user.",
    "own_admin": "You cannot remove your own admin access.",
    "failed": "That change could not be made.",
}
_ERROR_CODES = {"No such user.": "no_user", "You cannot remove your own admin access.": "own_admin"}
USERS_PAGE_DONE = {"added": "Added {name}", "updated": "Updated {name}"}


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request, state: State, db: Db, auth: Admin,
    error: Annotated[str, Query(max_length=20)] = "", done: Annotated[str, Query(max_length=20)] = "",
    user: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:  # fmt: skip
    named = get_user(db, user) if user is not None else None
    message = USERS_PAGE_DONE[done].format(name=named.username) if done in USERS_PAGE_DONE and named else ""
    return render(
        request, state, "admin_users.html", auth, title="Users", users=list_users(db), roles=ROLES,
        error=USERS_PAGE_ERRORS.get(error, ""), done=message,
    )  # fmt: skip


def _users_page_error(
    request: Request, state: AppState, db: Session, auth: Auth, error: str, status_code: int
) -> Response:
    """The users page again, with the reason a form was refused."""
    return render(
        request, state, "admin_users.html", auth, title="Users", users=list_users(db), roles=ROLES,
        error=error, done="", status_code=status_code,
    )


@router.post("/admin/users", include_in_schema=False)
def users_create(
    request: Request,
    state: State,
    db: Db,
    now: Now,
    auth: Admin,
    username: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "viewer",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(auth.session.csrf_token, csrf_token)
    try:
        body = UserCreate(username=username, full_name=full_name, role=role, password=password)  # type: ignore[arg-type]
        _create(db, now, auth, body)
    except ValidationError as exc:
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _users_page_error(request, state, db, auth, message, 400)
    except HTTPException as exc:
        return _users_page_error(request, state, db, auth, str(exc.detail), exc.status_code)
    created = get_user_by_username(db, username)
    return RedirectResponse(f"/admin/users?{urlencode({'done': 'added', 'user': created.id if created else ''})}",
                            status_code=303)


@router.post("/admin/users/{user_id}", include_in_schema=False)
def users_update(
    user_id: int,
    db: Db,
    now: Now,
    auth: Admin,
    role: Annotated[str, Form()] = "",
    is_active: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(auth.session.csrf_token, csrf_token)
    try:
        body = UserUpdate(role=role or None, is_active={"true": True, "false": False}.get(is_active))  # type: ignore[arg-type]
        user = _update(db, now, auth, user_id, body)
    except (ValidationError, HTTPException) as exc:
        code = _ERROR_CODES.get(str(exc.detail), "failed") if isinstance(exc, HTTPException) else "bad_role"
        return RedirectResponse(f"/admin/users?error={code}", status_code=303)
    return RedirectResponse(f"/admin/users?done=updated&user={user.id}", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, state: State, db: Db, auth: Admin, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> Response:
    total, rows = list_audit(db, limit=100, offset=(page - 1) * 100)
    return render(request, state, "admin_audit.html", auth, title="Audit log", rows=rows, total=total, page=page,
                  pages=max(1, -(-total // 100)))  # fmt: skip


# ---- API ---------------------------------------------------------------------------------------------


@router.get("/api/v1/users", response_model=list[UserPublic], tags=["admin"])
def api_users(db: Db, auth: Admin) -> list[UserPublic]:
    """Every user (never their password hash)."""
    return [UserPublic.model_validate(u) for u in list_users(db)]


@router.post("/api/v1/users", response_model=UserPublic, status_code=201, tags=["admin"])
def api_create_user(
    body: UserCreate, db: Db, now: Now, auth: Admin, x_csrf_token: Annotated[str | None, Header()] = None
) -> UserPublic:
    """Add a user (needs ``X-CSRF-Token``)."""
    check_csrf(auth.session.csrf_token, x_csrf_token)
    try:
        return _create(db, now, auth, body)
    except IntegrityError as exc:
        raise HTTPException(409, "That username is taken.") from exc


@router.patch("/api/v1/users/{user_id}", response_model=UserPublic, tags=["admin"])
def api_update_user(
    user_id: int,
    body: UserUpdate,
    db: Db,
    now: Now,
    auth: Admin,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> UserPublic:
    """Change a user's name, role, password or active flag (needs ``X-CSRF-Token``); ends their sessions."""
    check_csrf(auth.session.csrf_token, x_csrf_token)
    return _update(db, now, auth, user_id, body)


@router.get("/api/v1/audit", response_model=AuditPagePublic, tags=["admin"])
def api_audit(
    db: Db,
    auth: Admin,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    object_type: str | None = None,
    object_id: str | None = None,
    username: str | None = None,
) -> AuditPagePublic:
    """The audit log, newest first."""
    total, rows = list_audit(
        db,
        limit=page_size,
        offset=(page - 1) * page_size,
        object_type=object_type,
        object_id=object_id,
        username=username,
    )
    return AuditPagePublic(
        total=total, page=page, page_size=page_size, pages=max(1, -(-total // page_size)),
        items=[AuditPublic.model_validate(r) for r in rows],
    )  # fmt: skip
