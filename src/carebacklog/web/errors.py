"""Error answers: RFC 9457 ``application/problem+json`` for the API, NHS.UK error pages for people."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from carebacklog.web.deps import Forbidden, NotAuthenticated
from carebacklog.web.security import CsrfError

__all__ = ["install_error_handlers", "is_api", "problem"]

_TITLES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    422: "The request is not valid",
    429: "Too many attempts",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    status: int, detail: str, *, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _signed_in(request: Request) -> Any:
    """The signed-in user's :class:`~carebacklog.web.deps.Auth` (None when not signed in), so an error page
    keeps the navigation a user came from."""
    from carebacklog.store import find_session
    from carebacklog.web.deps import SESSION_COOKIE, Auth

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state = request.app.state.carebacklog
    with state.sessions() as db:
        found = find_session(db, token, now=state.clock())
    return None if found is None else Auth(user=found[1], session=found[0], token=token)


async def _page(request: Request, status: int, detail: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    from carebacklog.web.render import render

    state = request.app.state.carebacklog
    auth = await run_in_threadpool(_signed_in, request)
    return await run_in_threadpool(
        render, request, state, "error.html", auth, status_code=status, status=status,
        title=_TITLES.get(status, "Something went wrong"), detail=detail,
    )  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "location": [str(p) for p in e.get("loc", ())],
                "message": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        if is_api(request):
            return problem(422, "Some parameters are not valid; see errors.", errors=errors)
        text = "; ".join(f"{'.'.join(e['location'][1:]) or 'request'}: {e['message']}" for e in errors)
        return await _page(request, 422, text)

    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(request):
            return problem(401, "Log in first (POST /api/v1/session).")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        detail = f"This needs the '{exc.needed}' role or above."
        return problem(403, detail) if is_api(request) else await _page(request, 403, detail)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        detail = (
            "The form had expired or did not come from this site. Go back, reload the page and try again."
        )
        return problem(403, detail) if is_api(request) else await _page(request, 403, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail) if exc.detail else _TITLES.get(exc.status_code, "Error")
        response: Response = (
            problem(exc.status_code, detail) if is_api(request) else await _page(request, exc.status_code, detail)
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
