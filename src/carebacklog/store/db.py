"""Engines, sessions and migrations: the database edge.

``make_engine(url)`` builds an engine for SQLite (the embedded default) or PostgreSQL (``DATABASE_URL``);
``migrate(engine)`` brings the schema to the newest Alembic revision shipped inside the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DEFAULT_DATABASE",
    "database_url",
    "default_sqlite_url",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "session_scope",
]

#: The SQLite file used when neither ``--database`` nor ``DATABASE_URL`` says otherwise.
DEFAULT_DATABASE = Path("var/carebacklog.db")


def default_sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def database_url(given: str | None = None) -> str:
    """The database to use: ``given`` (a SQLAlchemy URL or a SQLite file path), else ``DATABASE_URL``, else
    ``CAREBACKLOG_DATABASE_URL``, else :data:`DEFAULT_DATABASE` (the web app reads the same order)."""
    import os

    url = given or os.environ.get("DATABASE_URL") or os.environ.get("CAREBACKLOG_DATABASE_URL")
    if not url:
        return default_sqlite_url(DEFAULT_DATABASE)
    if "://" not in url:  # a plain path: a SQLite file
        return default_sqlite_url(Path(url))
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers carry on while a load writes; NORMAL is durable at checkpoints, safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (handlers render after committing)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    store = resources.files("carebacklog") / "store"
    config = Config(str(store / "alembic.ini"))
    config.set_main_option("script_location", str(store / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of ``engine``'s database to ``revision`` (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)
