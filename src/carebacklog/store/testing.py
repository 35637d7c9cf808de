"""Throwaway databases for the test suites of the store and the web app (SQLite and PostgreSQL).

PostgreSQL comes from ``CAREBACKLOG_TEST_POSTGRES_URL`` (``./run test`` sets it) or, when unset, from the
repository's ``scripts/postgres.sh start``. Each caller gets its own database, named after the
pytest-xdist worker and a random suffix, so parallel workers never share one; it is dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

__all__ = ["PostgresUnavailable", "fresh_database", "postgres_server_url"]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started."""


def postgres_server_url(repo_root: Path | None = None) -> str:
    """The SQLAlchemy URL of the test PostgreSQL server, starting it with scripts/postgres.sh if needed."""
    url = os.environ.get("CAREBACKLOG_TEST_POSTGRES_URL")
    if url:
        return url
    root = repo_root or Path.cwd()
    script = root / "scripts" / "postgres.sh"
    try:
        result = subprocess.run(
            [str(script), "start"], capture_output=True, text=True, check=True, timeout=300
        )
    except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"could not start PostgreSQL with {script}: {exc}") from exc
    url = result.stdout.strip().splitlines()[-1]
    os.environ["CAREBACKLOG_TEST_POSTGRES_URL"] = url
    return url


def fresh_database(kind: str, tmp_dir: Path, *, repo_root: Path | None = None) -> Iterator[str]:
    """Yield the URL of a new, empty database of ``kind`` ('sqlite' or 'postgresql'); remove it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_dir / 'test.db'}"
        return
    if kind != "postgresql":
        raise ValueError(kind)
    server = make_url(postgres_server_url(repo_root))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"cb_{worker}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
