"""Every route is either public, open to viewers (aggregates only) or refused to anonymous and viewer users.

Routes are enumerated from the app itself, so a new route is covered the moment it is added: unless it is
listed below as public or aggregate-only, the test demands that anonymous users and viewers are refused.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from .conftest import WebApp

#: Reachable without logging in.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/v1/session"), ("GET", "/api/openapi.json")}
#: Aggregates (no patient-level data) and the user's own session: viewers may use these.
AGGREGATE = {
    ("GET", "/"),
    ("GET", "/api/v1/overview"),
    ("GET", "/national"),
    ("GET", "/api/v1/national/providers/{provider_code}"),
    ("GET", "/equity"),
    ("GET", "/api/v1/equity"),
    ("GET", "/forecast"),
    ("GET", "/api/v1/forecast"),
    ("GET", "/community"),
    ("GET", "/community.csv"),
    ("GET", "/community.xlsx"),
    ("GET", "/api/v1/community/chs"),
    ("GET", "/api/v1/community/talking-therapies"),
    ("GET", "/urgent-care"),
    ("GET", "/urgent-care/scenarios"),
    ("GET", "/urgent-care/scenarios.csv"),
    ("GET", "/urgent-care/scenarios.xlsx"),
    ("GET", "/api/v1/flow/summary"),
    ("GET", "/api/v1/flow/{measure}"),
    ("GET", "/api/v1/session"),
    ("GET", "/account"),
    ("POST", "/account/password"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/logout"),
}
#: Only administrators (users and the audit log).
ADMIN_ONLY = re.compile(r"^(/admin/|/api/v1/(users|audit))")


def _flatten(routes: list) -> list[tuple[set[str], str]]:  # type: ignore[type-arg]
    """(methods, path) of every endpoint, through FastAPI's included-router wrappers."""
    out: list[tuple[set[str], str]] = []
    for route in routes:
        if isinstance(route, Mount):
            continue  # /static: the NHS.UK assets, no data
        if hasattr(route, "effective_candidates"):  # an included router
            out += _flatten(route.effective_candidates())
        elif hasattr(route, "original_route"):  # a route inside an included router, with its full path
            out.append((set(route.original_route.methods or ()), route.path))
        else:
            assert isinstance(route, APIRoute | Route), route
            out.append((set(route.methods or ()), route.path))
    return out


def _routes(web: WebApp) -> list[tuple[str, str]]:
    found = [(m, path) for methods, path in _flatten(web.app.routes) for m in sorted(methods) if m != "HEAD"]
    assert len(found) == len(set(found)) and len(found) > 15
    return found


def _url(web: WebApp, path: str) -> str:
    sample = {
        "pathway_id": web.trust.ptl["pathway_id"][0],
        "user_id": "1",
        "provider_code": "RBD",
        "measure": "ae",
        "view_id": "1",
    }
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: sample[m.group(1)], path)


def _call(client, method: str, url: str):  # type: ignore[no-untyped-def]
    body = {"json": {}} if url.startswith("/api/") and method in {"POST", "PATCH", "PUT"} else {}
    return client.request(method, url, **body)


@pytest.fixture(scope="module")
def patient_level(sqlite_web: WebApp) -> list[tuple[str, str]]:
    routes = _routes(sqlite_web)
    assert ("GET", "/ptl") in routes and ("GET", "/api/v1/pathways/{pathway_id}") in routes
    return [r for r in routes if r not in PUBLIC and r not in AGGREGATE]


def test_every_non_public_route_refuses_anonymous_users(sqlite_web: WebApp) -> None:
    client = sqlite_web.client()
    for method, path in _routes(sqlite_web):
        if (method, path) in PUBLIC:
            continue
        response = _call(client, method, _url(sqlite_web, path))
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next=")


def test_patient_level_routes_refuse_viewers(
    sqlite_web: WebApp, patient_level: list[tuple[str, str]]
) -> None:
    client = sqlite_web.client("viewer")
    for method, path in patient_level:
        response = _call(client, method, _url(sqlite_web, path))
        assert response.status_code == 403, (method, path, response.status_code)
        assert sqlite_web.trust.ptl["pathway_id"][0] not in response.text


def test_admin_routes_refuse_ptl_users(sqlite_web: WebApp, patient_level: list[tuple[str, str]]) -> None:
    client = sqlite_web.client("ptl")
    admin_routes = [(m, p) for m, p in patient_level if ADMIN_ONLY.match(p)]
    assert admin_routes
    for method, path in admin_routes:
        assert _call(client, method, _url(sqlite_web, path)).status_code == 403, (method, path)


def test_ptl_users_can_open_patient_level_pages(
    sqlite_web: WebApp, patient_level: list[tuple[str, str]]
) -> None:
    client = sqlite_web.client("ptl")
    readable = [(m, p) for m, p in patient_level if m == "GET" and not ADMIN_ONLY.match(p)]
    assert len(readable) >= 5
    for _, path in readable:
        assert client.get(_url(sqlite_web, path)).status_code == 200, path


def test_viewers_can_open_aggregate_pages(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    for method, path in _routes(sqlite_web):
        if (method, path) in AGGREGATE and method == "GET":
            response = client.get(_url(sqlite_web, path))
            assert response.status_code == 200, path
            assert sqlite_web.trust.ptl["pathway_id"][0] not in response.text
