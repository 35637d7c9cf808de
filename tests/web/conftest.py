"""Web fixtures: a small demo trust loaded into SQLite and PostgreSQL, users of each role, logged-in clients.

Each test module gets its own database (pytest-xdist safe) and app; the clock is fixed, so sessions and
the login rate limit are deterministic.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from carebacklog.store import (
    TrustData,
    create_user,
    load_trust,
    make_engine,
    make_sessionmaker,
    migrate,
    session_scope,
)
from carebacklog.store.testing import PostgresUnavailable, fresh_database
from carebacklog.web.app import create_app
from carebacklog.web.settings import Settings

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2024, 12, 2, 9, 30, tzinfo=dt.UTC)
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
PASSWORDS = {"admin": "admin password 1", "ptl": "ptl password 123", "viewer": "viewer password 1"}


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class WebApp:
    app: FastAPI
    url: str
    trust: TrustData
    clock: Clock

    def client(self, role: str | None = None) -> TestClient:
        """A client, logged in through the JSON API as the demo user of ``role`` (None: anonymous)."""
        client = TestClient(self.app, follow_redirects=False)
        if role is not None:
            response = client.post("/api/v1/session", json={"username": role, "password": PASSWORDS[role]})
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client


@pytest.fixture(scope="session")
def trust() -> TrustData:
    from carebacklog.web.demo import build_demo_trust

    return build_demo_trust(seed=11, scale=0.05)


def build_web_app(url: str, trust: TrustData, clock: Clock | None = None) -> WebApp:
    engine = make_engine(url)
    migrate(engine)
    load_trust(engine, trust, now=NOW)
    with session_scope(make_sessionmaker(engine)) as db:
        for role, password in PASSWORDS.items():
            create_user(db, username=role, password=password, role=role, full_name=f"Test {role}", now=NOW)
    engine.dispose()
    clock = clock or Clock()
    app = create_app(Settings(database_url=url, secret_key=SECRET), clock=clock)
    return WebApp(app=app, url=url, trust=trust, clock=clock)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def web(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, trust: TrustData
) -> Iterator[WebApp]:
    """The app over a fresh database of each kind, with the small trust and one user per role."""
    try:
        for url in fresh_database(request.param, tmp_path_factory.mktemp("web"), repo_root=ROOT):
            built = build_web_app(url, trust)
            yield built
            built.app.state.carebacklog.engine.dispose()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def sqlite_web(tmp_path_factory: pytest.TempPathFactory, trust: TrustData) -> Iterator[WebApp]:
    """The app over SQLite only (page and security tests that do not depend on the database)."""
    for url in fresh_database("sqlite", tmp_path_factory.mktemp("web"), repo_root=ROOT):
        built = build_web_app(url, trust)
        yield built
        built.app.state.carebacklog.engine.dispose()


@pytest.fixture()
def as_role(web: WebApp) -> Callable[[str | None], TestClient]:
    return web.client
