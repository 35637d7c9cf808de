"""The community and urgent-care pages and their API: published figures a viewer can read, beside the
elective list, with the same numbers the library and the CLI give."""

from __future__ import annotations

import csv
import io
import re

import polars as pl
import pytest

from .conftest import WebApp


@pytest.fixture(scope="module")
def viewer(sqlite_web: WebApp):  # type: ignore[no-untyped-def]
    return sqlite_web.client("viewer")


def test_community_page_shows_englands_published_total(viewer) -> None:  # type: ignore[no-untyped-def]
    page = viewer.get("/community", params={"provider": ""})  # the form's "England" choice
    assert page.status_code == 200
    # July 2025: 1,195,895 waiting (NHS England's national row), adults and children shown in words
    assert "1,195,895" in page.text and "Children and young people" in page.text
    assert "Talking Therapies" in page.text and 'data-chart="community-months"' in page.text
    assert ">cyp<" not in page.text  # names, not codes


def test_community_page_for_one_provider_and_its_csv(viewer) -> None:  # type: ignore[no-untyped-def]
    page = viewer.get("/community", params={"provider": "RYV"})
    assert page.status_code == 200 and "(RYV)" in page.text
    download = viewer.get("/community.csv", params={"provider": "RYV"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 24 and {r["org_code"] for r in rows} == {"RYV"}  # 12 months x adult/CYP
    assert viewer.get("/community", params={"provider": "ZZZ9"}).status_code == 404


def test_community_api_agrees_with_the_library(viewer) -> None:  # type: ignore[no-untyped-def]
    from carebacklog.community import bundled_path, chs_measures

    body = viewer.get("/api/v1/community/chs", params={"by": "age_group"}).json()
    july = [r for r in body["rows"] if r["period"] == "2025-07-31"]
    assert sum(r["total"] for r in july) == 1_195_895
    chs = pl.read_parquet(bundled_path("chs_waiting_lists_2024_25.parquet")).filter(~pl.col("aggregate"))
    expected = chs_measures(chs, by=["age_group"]).filter(pl.col("age_group") == "cyp").sort("period")
    got = sorted((r for r in body["rows"] if r["age_group"] == "cyp"), key=lambda r: r["period"])
    assert [r["over_52"] for r in got] == expected["over_52"].to_list()
    tt = viewer.get("/api/v1/community/talking-therapies").json()["rows"]
    assert tt and all(r["group_type"] == "England" for r in tt)
    assert viewer.get("/api/v1/community/chs", params={"by": "priority"}).status_code == 422


def test_urgent_care_page_names_measures_in_words_with_standards(viewer) -> None:  # type: ignore[no-untyped-def]
    page = viewer.get("/urgent-care", params={"provider": "RBD"})
    assert page.status_code == 200
    assert "Dorset County Hospital NHS Foundation Trust" in page.text  # not in capitals as published
    assert "seen within 4 hours" in page.text and "pct_within_4h" not in page.text
    assert 'data-chart="ae"' in page.text and 'data-chart="beds"' in page.text
    assert viewer.get("/urgent-care", params={"provider": "ZZZ"}).status_code == 404


def test_flow_api_summary_and_measures(viewer) -> None:  # type: ignore[no-untyped-def]
    summary = viewer.get("/api/v1/flow/summary", params={"provider": "RBD"}).json()
    measures = {r["measure"] for r in summary["rows"]}
    assert {"pct_within_4h", "occupancy_general_acute", "pct_6_plus_weeks"} <= measures
    ae = viewer.get("/api/v1/flow/ae", params={"provider": "RBD"}).json()
    assert ae["by"] == "provider" and all(r["org_code"] == "RBD" for r in ae["rows"])
    national = viewer.get("/api/v1/flow/beds").json()["rows"]
    assert national and all("occupancy_general_acute" in r for r in national)
    assert viewer.get("/api/v1/flow/parking").status_code == 404


def test_scenarios_page_reports_beds_freed_by_a_discharge_service(viewer) -> None:  # type: ignore[no-untyped-def]
    page = viewer.get("/urgent-care/scenarios", params={
        "provider": "RBD", "quarter": "2025-03-31", "delayed_share": "0.12", "delayed_days": "5",
        "discharge_days": "2", "extra_beds": "10"})  # fmt: skip
    assert page.status_code == 200, page.text
    assert "As calibrated" in page.text and "Discharge service: delays 2 days shorter" in page.text
    assert "10 extra beds" in page.text
    freed = re.search(r"delays 2 days shorter</th>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([-0-9.]+)</td>", page.text)
    assert freed is not None and float(freed.group(1)) > 0
    table = viewer.get("/urgent-care/scenarios.csv", params={"provider": "RBD", "quarter": "2025-03-31"})
    assert table.status_code == 200 and "beds_freed" in table.text.splitlines()[0]


def test_scenario_inputs_are_bounded(viewer) -> None:  # type: ignore[no-untyped-def]
    assert viewer.get("/urgent-care/scenarios", params={"delayed_share": "3"}).status_code == 422
    assert viewer.get("/urgent-care/scenarios", params={"extra_beds": "-1"}).status_code == 422


def test_anonymous_users_are_sent_to_sign_in(sqlite_web: WebApp) -> None:
    anonymous = sqlite_web.client()
    for path in ("/community", "/urgent-care", "/api/v1/flow/summary", "/api/v1/community/chs"):
        assert anonymous.get(path).status_code in (303, 401), path
