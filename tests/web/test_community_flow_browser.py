"""The community and urgent-care pages (and the console of every viewer page) in Debian's Chromium at desktop (1366 px) and phone (390 px) widths:
no console errors, no sideways page scroll, charts drawn, axe finds nothing serious. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carebacklog.store import TrustData

from .browsing import ARGS, CHROMIUM, judge_page, serving, sign_in
from .conftest import build_web_app

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PAGES = {
    "community": "/community?provider=",
    "community-provider": "/community?provider=RYV",
    "urgent-care": "/urgent-care?provider=RBD",
    "bed-scenarios": "/urgent-care/scenarios?provider=RBD&quarter=2025-03-31&discharge_days=2&extra_beds=10",
}


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory, trust: TrustData) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./run test installs Debian's chromium")
    web = build_web_app(f"sqlite:///{tmp_path_factory.mktemp('cfbrowser') / 'b.db'}", trust)
    with serving(web) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield sign_in(browser, base, "viewer")
        browser.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well_at_this_width(signed_in: Any, name: str, width: int) -> None:
    judge_page(signed_in, PAGES[name], name, width)


@pytest.mark.parametrize("path", ["/", "/equity", "/forecast", "/national"])
def test_the_other_viewer_pages_log_no_console_errors(signed_in: Any, path: str) -> None:
    """Every page once logged four errors (the NHS.UK stylesheet's webfont from another host, blocked by
    the CSP); the vendored stylesheet now loads nothing from elsewhere."""
    page = signed_in
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.remove_listener("console", on_console)
    assert errors == [], f"{path}: {errors}"
