"""The app factory: ``create_app(settings)`` builds the engine, templates, caches and routes.

Nothing happens at import time; tests and ``carebacklog serve`` each build their own app.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    select_autoescape,
)

from carebacklog.store import current_load, make_engine, make_sessionmaker, migrate, ptl_with_identity
from carebacklog.web import community as community_web
from carebacklog.web import flow as flow_web
from carebacklog.web import (
    routes_account,
    routes_admin,
    routes_api,
    routes_auth,
    routes_changes,
    routes_equity,
    routes_forecast,
    routes_national,
    routes_pages,
    routes_search,
)
from carebacklog.web.cache import LoadMemo
from carebacklog.web.deps import AppState
from carebacklog.web.errors import install_error_handlers
from carebacklog.web.ptl_view import SORT_KEYS, PtlCache
from carebacklog.web.security import request_log_middleware, security_headers_middleware
from carebacklog.web.service import overview_data
from carebacklog.web.settings import Settings

__all__ = ["WEB_DIR", "create_app", "create_app_from_env"]

WEB_DIR = Path(str(resources.files("carebacklog") / "web"))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(str(WEB_DIR / "templates")), PackageLoader("nhsuk_frontend_jinja", "templates")]
        ),
        autoescape=select_autoescape(["html", "jinja", "svg"], default_for_string=True),
        undefined=ChainableUndefined,  # nhsuk-frontend-jinja reads optional nested params
        auto_reload=False,  # templates ship with the package; no stat() per render
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda v: "–" if v is None else f"{v:,.0f}"
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.1f}%"
    env.filters["weeks"] = lambda v: "–" if v is None else f"{v:.1f}"
    return Jinja2Templates(env=env)


def _warm(state: AppState) -> None:
    """Read the current load's PTL into the cache and sort it every way, so the first users wait for nothing."""
    with state.sessions() as db:
        load = current_load(db, state.settings.provider_code)
    if load is None:
        return
    for key in SORT_KEYS:
        state.ptl_cache.frame(load.id, key)
    overview_data(state, load)


def create_app_from_env() -> FastAPI:
    """The app with settings from the environment (for ``uvicorn --factory`` and several workers)."""
    return create_app(Settings())


def create_app(
    settings: Settings, *, clock: Callable[[], dt.datetime] = _utc_now, run_migrations: bool = True
) -> FastAPI:
    """The web app over ``settings.database_url``; migrations run first unless told not to."""
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    templates = _templates()
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        templates=templates,
        ptl_cache=PtlCache(lambda load_id: ptl_with_identity(engine, load_id)),
        memo=LoadMemo(),
        fragments=LoadMemo(keep=2048),
        clock=clock,
        write_lock=threading.Lock() if engine.dialect.name == "sqlite" else None,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.warm_cache:
            # Before the first request is accepted: nobody waits behind a 500,000-row read, and the
            # read (in a worker thread, in chunks) leaves the loop free for the process supervisor.
            await anyio.to_thread.run_sync(_warm, state)
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="carebacklog",
        summary="The backlog control room: a trust's RTT waiting list, PTL, forecasts and equity.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from CDNs; the schema itself is served.
        redoc_url=None,
    )
    app.state.carebacklog = state
    app.middleware("http")(request_log_middleware)
    app.middleware("http")(security_headers_middleware)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(routes_auth.router)
    app.include_router(routes_account.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_changes.router)
    app.include_router(routes_search.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_api.router)
    app.include_router(routes_national.router)
    app.include_router(routes_equity.router)
    app.include_router(routes_forecast.router)
    app.include_router(community_web.router)
    app.include_router(flow_web.router)
    return app
