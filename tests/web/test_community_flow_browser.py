"""The community and urgent-care pages (and the console of every viewer page) in Debian's Chromium at desktop (1366 px) and phone (390 px) widths:
no console errors, no sideways page scroll, charts drawn, axe finds nothing serious. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carebacklog.store import TrustData

from .conftest import PASSWORDS, build_web_app

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PAGES = {
    "community": "/community?provider=",
    "community-provider": "/community?provider=RYV",
    "urgent-care": "/urgent-care?provider=RBD",
    "bed-scenarios": "/urgent-care/scenarios?provider=RBD&quarter=2025-03-31&discharge_days=2&extra_beds=10",
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, trust: TrustData) -> Iterator[str]:
    import uvicorn

    web = build_web_app(f"sqlite:///{tmp_path_factory.mktemp('cfbrowser') / 'b.db'}", trust)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(web.app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    uv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def signed_in(base_url: str) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./run test installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "viewer")
        page.fill("#password", PASSWORDS["viewer"])
        with page.expect_navigation(url=base_url + "/"):
            page.locator("form[action='/login'] button[type=submit]").click()
        yield page
        browser.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well_at_this_width(signed_in: Any, name: str, width: int) -> None:
    page = signed_in
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_error(error: Any) -> None:
        errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(PAGES[name])
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    sideways = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"{name} scrolls sideways by {sideways} px at {width} px"
    charts = page.locator("figure svg[role=img]")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 150 and box["height"] > 80
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations
             .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)"""
    )
    assert violations == [], f"{name} at {width} px: {violations}"
    page.remove_listener("console", on_console)
    page.remove_listener("pageerror", on_error)
    assert errors == [], f"{name} at {width} px logged console errors: {errors}"


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
