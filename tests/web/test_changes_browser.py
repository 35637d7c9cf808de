"""The changes view, the overview across snapshots, finding a patient and the account page in Debian's
Chromium, at 1366 px and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browsing import ARGS, CHROMIUM, judge_page, serving, sign_in
from .conftest import WebApp
from .test_changes import later, two_snapshots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PAGES = {
    "changes": "/changes",
    "changes-stopped": "/changes?kind=stopped",
    "changes-breach": "/changes?kind=will_breach&horizon=8",
    "overview-snapshots": "/",
    "search-miss": "/search?q=nobody-at-all",
    "account": "/account",
    "ptl": "/ptl",
    "ptl-columns": "/ptl?cols=days_waited&cols=breach_52_date&cols=imd_quintile&cols=ethnic_group",
    "ptl-filtered": "/ptl?treatment_function=110&sort=weeks_waited&order=desc",
}


@pytest.fixture(scope="module")
def ptl_page(two_snapshots: WebApp) -> Iterator[Any]:  # noqa: F811
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./run test installs Debian's chromium")
    with serving(two_snapshots) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield sign_in(browser, base, "ptl")
        browser.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well_at_this_width(ptl_page: Any, name: str, width: int) -> None:
    judge_page(ptl_page, PAGES[name], name, width)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_forecast_form_shows_errors_and_the_targets_in_words(ptl_page: Any, width: int) -> None:
    judge_page(ptl_page, "/forecast?referral_growth=lots&final_month=2029", "forecast-errors", width, status=400)
    assert ptl_page.locator(".nhsuk-error-summary").count() == 1
    judge_page(ptl_page, "/forecast", "forecast", width)
    assert "92% within 18 weeks by March 2029" in ptl_page.locator("#targets").inner_text()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_not_found_page_keeps_the_navigation(ptl_page: Any, width: int) -> None:
    judge_page(ptl_page, "/no-such-page", "not-found", width, status=404)
    assert ptl_page.locator("header a.nhsuk-header__navigation-link:text-is('PTL')").count() == 1


def test_a_kind_card_opens_its_list_and_the_download_is_offered(ptl_page: Any) -> None:
    page = ptl_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/changes")
    page.click("a.nhsuk-card__link:has-text('Clock stopped')")
    assert "kind=stopped" in page.url
    rows = page.locator("#changes-table tbody tr")
    assert rows.count() > 0 and "Clock stopped" in rows.first.inner_text()
    with page.expect_download() as download:
        page.click("a[href^='/changes.csv']")
    assert download.value.suggested_filename.startswith("changes_RBD_")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_search_hit_and_the_patients_pathway_read_well(ptl_page: Any, two_snapshots: WebApp, width: int) -> None:  # noqa: F811
    row = two_snapshots.trust.ptl.sort("booking_rank").row(0, named=True)
    judge_page(ptl_page, f"/search?q={row['patient_id']}", "search-hit", width)
    judge_page(ptl_page, f"/pathways/{row['pathway_id']}", "pathway-identity", width)


def test_the_header_search_finds_a_patient(ptl_page: Any, two_snapshots: WebApp) -> None:  # noqa: F811
    import polars as pl

    row = two_snapshots.trust.ptl.sort("booking_rank").row(0, named=True)
    number = two_snapshots.trust.patients.filter(pl.col("patient_id") == row["patient_id"])["nhs_number"][0]
    page = ptl_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/")
    page.fill("#search-field", number)
    with page.expect_navigation():
        page.press("#search-field", "Enter")
    assert page.locator(f"#search-results a[href='/pathways/{row['pathway_id']}']").count() == 1


def test_every_ptl_column_is_visible_at_1366_px(ptl_page: Any) -> None:
    """The table fits the screen: its last column ends inside the viewport, nothing scrolls sideways."""
    page = ptl_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/ptl")
    table = page.locator("#ptl-table").bounding_box()
    assert table is not None and table["x"] >= 0 and table["x"] + table["width"] <= 1366
    last = page.locator("#ptl-table thead th").last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= 1366
    assert page.locator("#ptl-table thead th").count() == 10
