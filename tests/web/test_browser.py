"""In Debian's Chromium through Playwright: log in, use the PTL, open a pathway, check every chart renders
and that axe-core finds no serious or critical accessibility violations. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carebacklog.store import TrustData
from carebacklog.web.app import WEB_DIR

from .browsing import ARGS, AXE_TAGS, CHROMIUM, SHOTS, serving
from .conftest import PASSWORDS, WebApp, build_web_app

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trust: TrustData) -> Iterator[tuple[str, WebApp]]:
    """The app served by uvicorn on a free loopback port, in a background thread."""
    web = build_web_app(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'b.db'}", trust)
    with serving(web) as base:
        yield base, web


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./run test installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _page(browser: Any, base: str, role: str | None) -> Any:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if role is not None:
        page.goto("/login")
        page.fill("#username", role)
        page.fill("#password", PASSWORDS[role])
        with page.expect_navigation(url=base + "/"):
            page.locator("form[action='/login'] button[type=submit]").click()
    return page


def _axe(page: Any, name: str) -> None:
    """Run axe-core (vendored from npm, served by the app) and fail on serious or critical violations."""
    assert (WEB_DIR / "static" / "vendor" / "axe" / "axe.min.js").exists(), (
        "run ./run setup to vendor axe-core"
    )
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target)}))""",
        AXE_TAGS,
    )
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _charts_render(page: Any, minimum: int) -> None:
    charts = page.locator("figure svg[role=img]")
    assert charts.count() >= minimum
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        assert charts.nth(i).locator("rect, polyline, circle").count() > 1


def test_login_page_is_accessible(server: tuple[str, WebApp], browser: Any) -> None:
    page = _page(browser, server[0], None)
    page.goto("/ptl")
    assert "/login" in page.url
    _axe(page, "login")
    _shot(page, "login")
    page.context.close()


def test_overview_charts_render(server: tuple[str, WebApp], browser: Any) -> None:
    page = _page(browser, server[0], "viewer")
    assert page.locator("h1").inner_text() == "Waiting list overview"
    expected = f"{server[1].trust.ptl.height:,}"
    assert page.locator("[data-measure='Waiting list']").inner_text() == expected
    _charts_render(page, 3)
    assert page.locator("a.nhsuk-header__navigation-link:text-is('PTL')").count() == 0  # viewers do not see the PTL link
    _axe(page, "overview")
    _shot(page, "overview")
    page.context.close()


def test_ptl_filter_sort_and_open_a_pathway(server: tuple[str, WebApp], browser: Any) -> None:
    base, web = server
    page = _page(browser, base, "ptl")
    with page.expect_navigation(url="**/ptl"):
        page.click("header a.nhsuk-header__navigation-link:text-is('PTL')")
    assert page.locator("h1").inner_text() == "Patient tracking list"
    _axe(page, "ptl")
    tf = web.trust.ptl["treatment_function"].mode()[0]
    page.check(f"#tf-{tf}")
    page.select_option("#has_dta", "true")
    with page.expect_navigation(url="**treatment_function=*"):
        page.click("button:has-text('Apply filters')")
    page.wait_for_selector("#ptl-table tbody tr")
    rows = page.locator("#ptl-table tbody tr")
    assert rows.count() > 0
    from carebacklog.web.overview import specialty_names

    name = specialty_names().get(tf, tf)  # the name, not the code
    assert all(name in rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count()))
    with page.expect_navigation(url="**sort=weeks_waited*"):
        page.click("a[data-sort='weeks_waited']")
    weeks = [int(t) for t in page.locator("#ptl-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert weeks == sorted(weeks) and page.locator("th[aria-sort='ascending']").count() == 1
    with page.expect_navigation(url="**order=desc*"):
        page.click("a[data-sort='weeks_waited']")  # again: longest wait first
    weeks = [int(t) for t in page.locator("#ptl-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert weeks == sorted(weeks, reverse=True)
    _shot(page, "ptl_filtered_sorted")
    first = page.locator("#ptl-table tbody tr td:nth-child(2) a").first
    pathway = first.inner_text()
    with page.expect_navigation(url=re.compile(rf"/pathways/{pathway}\?back=")):
        first.click()
    assert page.locator("h1").inner_text() == pathway
    assert page.locator("#timeline li").count() >= 1
    assert "starts period" in page.locator("#timeline").inner_text()
    _axe(page, "pathway")
    _shot(page, "pathway")
    with page.expect_navigation(url=re.compile(r"/ptl\?.*order=desc")):
        page.click("a.nhsuk-back-link")  # back to the same filtered, sorted list
    assert page.locator(f"#tf-{tf}").is_checked()
    page.context.close()


@pytest.mark.parametrize("path, charts", [("/equity", 4), ("/national", 1)])
def test_aggregate_pages_render_their_charts(
    server: tuple[str, WebApp], browser: Any, path: str, charts: int
) -> None:
    page = _page(browser, server[0], "viewer")
    assert page.goto(path).status == 200
    _charts_render(page, charts)
    _axe(page, path.strip("/"))
    _shot(page, path.strip("/"))
    page.context.close()


def test_admin_pages_are_accessible(server: tuple[str, WebApp], browser: Any) -> None:
    page = _page(browser, server[0], "admin")
    page.goto("/admin/users")
    _axe(page, "admin_users")
    _shot(page, "admin_users")
    page.goto("/admin/audit")
    assert "login" in page.locator("table").inner_text()
    _axe(page, "admin_audit")
    page.context.close()


def test_forecast_scenario_runs_and_charts_render(server: tuple[str, WebApp], browser: Any) -> None:
    base, _ = server
    page = _page(browser, base, "viewer")
    with page.expect_navigation(url="**/forecast"):
        page.click("header a:has-text('Forecast')")
    page.fill("#referral_growth", "6")
    page.fill("#capacity_change", "-10")
    with page.expect_navigation(url="**referral_growth=6*"):
        page.click("button:has-text('Run scenario')")
    assert page.locator("#referral_growth").input_value() == "6.0"
    assert "extra clock stops a week" in page.locator("#plan").inner_text()
    _charts_render(page, 3)
    assert page.locator("figure[data-chart='forecast-total'] polygon").count() == 1  # the 10th-90th range
    _axe(page, "forecast")
    _shot(page, "forecast")
    page.context.close()
