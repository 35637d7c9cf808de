"""Database fixtures: every store test runs on SQLite and on PostgreSQL, one fresh database per module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from carebacklog.store import TrustData, make_engine, migrate
from carebacklog.store.testing import PostgresUnavailable, fresh_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        yield from fresh_database(request.param, tmp_path_factory.mktemp("db"), repo_root=ROOT)
    except PostgresUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def small_trust() -> TrustData:
    """A small synthetic RBD (5% of the published list) through the RTT engine."""
    from carebacklog.web.demo import build_demo_trust

    return build_demo_trust(seed=7, scale=0.05)


@pytest.fixture()
def now() -> dt.datetime:
    return dt.datetime(2024, 12, 2, 9, 30, tzinfo=dt.UTC)
