"""CLI for the web app: ``carebacklog demo`` and ``carebacklog serve``."""

from __future__ import annotations

from pathlib import Path

import typer

from carebacklog.clikit import fail

__all__ = ["demo", "register", "serve"]


def _run(app: object, host: str, port: int, workers: int = 1) -> None:
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # uvicorn's access log prints full URLs, which can hold pathway identifiers: our own request log
    # (carebacklog.web) records the route template instead.
    if workers > 1:  # each worker process builds its own app from the environment
        uvicorn.run(
            "carebacklog.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
            access_log=False, log_level="info",
        )  # fmt: skip
        return
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")  # type: ignore[arg-type]


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    database: Path = typer.Option(Path("var/demo.db"), help="SQLite file for the demo (replaced)."),
    seed: int = typer.Option(20241130, help="Random seed of the synthetic trust."),
    scale: float = typer.Option(1.0, min=0.001, help="Multiply the trust's size (1 = as published)."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build and load, then exit."),
) -> None:
    """Build the demo trust (synthetic Dorset County Hospital, RBD), load it and serve the app."""
    import datetime as dt

    from rich.console import Console

    from carebacklog.store import load_trust, make_engine, make_sessionmaker, migrate, session_scope
    from carebacklog.store.db import default_sqlite_url
    from carebacklog.web.app import create_app
    from carebacklog.web.demo import DEMO_PROVIDER, build_demo_trust, ensure_demo_users
    from carebacklog.web.settings import Settings

    console = Console()
    url = default_sqlite_url(database)
    with console.status("Building the demo trust (synthetic events → RTT engine → PTL)…"):
        trust = build_demo_trust(seed=seed, scale=scale)
    console.print(
        f"Demo trust {DEMO_PROVIDER[1]} ({DEMO_PROVIDER[0]}): {trust.events.height:,} events, "
        f"{trust.periods.height:,} RTT periods, {trust.ptl.height:,} waiting at {trust.census_date}."
    )
    engine = make_engine(url)
    migrate(engine)
    now = dt.datetime.now(dt.UTC)
    with console.status(f"Loading into {database}…"):
        load_trust(engine, trust, now=now)
    with session_scope(make_sessionmaker(engine)) as db:
        passwords = ensure_demo_users(db, now=now)
    engine.dispose()
    console.print("\n[bold]Demo logins[/bold]:")
    for username, password in passwords.items():
        console.print(f"  {username:<7} {password}")
    if no_serve:
        return
    console.print(f"\nServing on [link]http://{host}:{port}[/link] (Ctrl+C to stop)\n")
    _run(create_app(Settings(database_url=url, demo=True)), host, port)

def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    database: str | None = typer.Option(
        None, help="SQLAlchemy URL (default: DATABASE_URL or ./var/carebacklog.db)."
    ),
    workers: int = typer.Option(
        1, min=1, max=16, help="Worker processes (each keeps its own PTL cache)."
    ),
) -> None:
    """Serve the web app over an existing database (needs CAREBACKLOG_SECRET_KEY)."""
    import os

    from pydantic import ValidationError

    from carebacklog.web.app import create_app
    from carebacklog.web.settings import Settings

    if database:
        os.environ["CAREBACKLOG_DATABASE_URL"] = database  # worker processes read it too
    try:
        settings = Settings(database_url=database) if database else Settings()
    except ValidationError as exc:
        fail(str(exc.errors()[0]["msg"]))
    if workers == 1:
        _run(create_app(settings), host, port)
        return
    from carebacklog.store import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)  # once, before the workers start
    engine.dispose()
    _run(None, host, port, workers)


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``serve`` to the root command."""
    app.command("demo")(demo)
    app.command("serve")(serve)
