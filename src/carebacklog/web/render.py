"""Rendering pages: the shared context (navigation by role, logout form, CSRF)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from carebacklog.web.deps import AppState, Auth

__all__ = ["NAV", "data_as_at", "nav_items", "render"]

#: The header's navigation: (path, text, the least role that may open it), in order.
NAV: tuple[tuple[str, str, str], ...] = (
    ("/", "Overview", "viewer"),
    ("/ptl", "PTL", "ptl"),
    ("/changes", "Changes", "ptl"),
    ("/equity", "Equity", "viewer"),
    ("/forecast", "Forecast", "viewer"),
    ("/national", "National", "viewer"),
    ("/community", "Community", "viewer"),
    ("/urgent-care", "Urgent care", "viewer"),
    ("/admin/users", "Admin", "admin"),
)


def nav_items(auth: Auth | None, path: str) -> list[dict[str, Any]]:
    """Navigation for this user: the pages their role may open."""
    if auth is None:
        return []
    result = []
    for href, text, role in NAV:
        if auth.allows(role):
            current = path == href or (href != "/" and path.startswith(href))
            result.append({"href": href, "text": text, "current": current})
    return result


def _logout_form(auth: Auth) -> Markup:
    return Markup(
        '<form class="nhsuk-header__account-form" method="post" action="/logout">'
        f'<input type="hidden" name="csrf_token" value="{escape(auth.session.csrf_token)}">'
        '<button class="nhsuk-header__account-button">Log out</button></form>'
    )


def data_as_at(state: AppState, load: Any = None) -> str:
    """"Trust data as at 30 November 2024, loaded 2 December 2024 09:30 UTC": the snapshot pages show
    (empty when nothing is loaded). A page that already has its ``load`` passes it: no second query."""
    from carebacklog.store import current_load

    if load is None:
        with state.sessions() as db:
            load = current_load(db, state.settings.provider_code)
    if load is None:
        return ""
    loaded = load.loaded_at
    return (
        f"{load.provider_name} ({load.provider_code}) data as at {load.census_date.day} "
        f"{load.census_date:%B %Y}, loaded {loaded.day} {loaded:%B %Y %H:%M} UTC"
    )


def render(
    request: Request,
    state: AppState,
    template: str,
    auth: Auth | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the layout's context for ``auth`` (navigation, logout form, the "data as
    at" line of signed-in pages)."""
    base = {
        "auth": auth,
        "nav": nav_items(auth, request.url.path),
        "logout_form": _logout_form(auth) if auth else "",
        "csrf_token": auth.session.csrf_token if auth else "",
        "data_as_at": data_as_at(state, context.get("load")) if auth else "",
    }
    base.update(context)
    return state.templates.TemplateResponse(request, template, base, status_code=status_code)
