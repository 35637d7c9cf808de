"""Security headers, CSRF checks and request logging without patient data."""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = [
    "CSP",
    "LOGIN_CSRF_COOKIE",
    "CsrfError",
    "check_csrf",
    "login_csrf_pair",
    "login_csrf_valid",
    "request_log_middleware",
    "security_headers_middleware",
]

log = logging.getLogger("carebacklog.web")

#: No inline scripts or styles, nothing from other origins, no framing (WCAG-friendly server-rendered pages
#: need none of these).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
LOGIN_CSRF_COOKIE = "cb_login_csrf"


class CsrfError(Exception):
    """A form or API write came without the session's CSRF token."""


async def security_headers_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        # Pages and API answers can hold patient data: never keep them in shared or browser caches.
        response.headers["Cache-Control"] = "no-store"
    return response


async def request_log_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Log method, route template (``/pathways/{pathway_id}``, never the id), status and time."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "(unmatched)")
    log.info(
        "%s %s %s %.1fms",
        request.method,
        template,
        response.status_code,
        1000 * (time.perf_counter() - started),
    )
    return response


def check_csrf(expected: str, given: str | None) -> None:
    """Raise :class:`CsrfError` unless ``given`` equals the session's token (constant-time)."""
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfError()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="carebacklog-login-csrf")


def login_csrf_pair(secret_key: str) -> tuple[str, str]:
    """(form value, signed cookie value) for the login form, before any session exists."""
    value = secrets.token_urlsafe(24)
    return value, _serializer(secret_key).dumps(value)


def login_csrf_valid(
    secret_key: str, cookie: str | None, form_value: str | None, *, max_age: int = 3600
) -> bool:
    """Whether the login form's token matches the signed cookie set with it (double submit)."""
    if not cookie or not form_value:
        return False
    try:
        value = _serializer(secret_key).loads(cookie, max_age=max_age)
    except BadSignature:
        return False
    return isinstance(value, str) and hmac.compare_digest(value.encode(), form_value.encode())
