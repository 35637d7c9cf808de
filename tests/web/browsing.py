"""What the browser tests share: serving an app on a loopback port, signing in, and judging a page as a
user would at a width (no console errors, no sideways scroll, charts drawn, axe finds nothing serious)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .conftest import PASSWORDS, WebApp

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@contextmanager
def serving(web: WebApp) -> Iterator[str]:
    """``web``'s app served by uvicorn on a free loopback port in a background thread; yields its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(web.app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


def sign_in(browser: Any, base_url: str, role: str) -> Any:
    """A new page signed in as the test user of ``role``."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORDS[role])
    with page.expect_navigation(url=base_url + "/"):
        page.locator("form[action='/login'] button[type=submit]").click()
    return page


def judge_page(page: Any, path: str, name: str, width: int, status: int = 200) -> None:
    """Open ``path`` at ``width`` px and fail on console errors, sideways scroll, undrawn charts or serious
    axe findings; the full-page screenshot goes to test-artifacts/screenshots/<name>-<width>.png.

    ``status`` is the page's own expected status: Chromium logs a non-200 document as a console error,
    which is then expected (any other error still fails)."""
    errors: list[str] = []
    own = f"the server responded with a status of {status}"

    def on_console(message: Any) -> None:
        if message.type == "error" and not (status != 200 and own in message.text):
            errors.append(message.text)

    def on_error(error: Any) -> None:
        errors.append(str(error))

    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response is not None and response.status == status, f"{name}: {response and response.status}"
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
            """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
                 .filter(v => ['serious', 'critical'].includes(v.impact))
                 .map(v => v.id + ': ' + v.help + ' ' + JSON.stringify(v.nodes.slice(0, 3).map(n => n.target)))""",
            AXE_TAGS,
        )
        assert violations == [], f"{name} at {width} px: {violations}"
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
    assert errors == [], f"{name} at {width} px logged console errors: {errors}"
