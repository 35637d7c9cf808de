"""The forecast page and API: projections with ranges and the optimiser's recommended capacity."""

from __future__ import annotations

import re

from .conftest import WebApp


def test_forecast_api_gives_ranges_and_a_recommendation(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    body = client.get("/api/v1/forecast", params={"horizon": 12}).json()
    assert len(body["total"]) == 12 and body["total"][0]["month"] == "2024-12"
    for series in ("total", "pct_within_18", "over_52"):
        for point in body[series]:
            assert point["p10"] <= point["median"] + 1e-9 and point["median"] <= point["p90"] + 1e-9
    assert body["recommended_extra_per_week"] is not None and body["recommended_extra_per_week"] >= 0
    assert {t["target"] for t in body["targets"]} == {"pct18>=65@2026-03", "pct18>=92@2029-03"}
    assert all(t["met"] for t in body["targets"])


def test_more_capacity_shortens_waits(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    base = client.get("/api/v1/forecast", params={"horizon": 12}).json()
    more = client.get("/api/v1/forecast", params={"horizon": 12, "extra_per_week": 50}).json()
    assert more["total"][-1]["median"] < base["total"][-1]["median"]
    assert more["pct_within_18"][-1]["median"] > base["pct_within_18"][-1]["median"]
    worse = client.get("/api/v1/forecast", params={"horizon": 12, "referral_growth": 20}).json()
    assert worse["recommended_extra_per_week"] > base["recommended_extra_per_week"]


def test_forecast_rejects_bad_scenarios(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("viewer")
    bad = client.get("/api/v1/forecast", params={"final_month": "2029-13"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    past = client.get("/api/v1/forecast", params={"interim_month": "2020-01"}).json()
    assert past["recommended_extra_per_week"] is None and "after" in past["plan_messages"][0]
    page = client.get("/forecast", params={"horizon": "lots"})
    assert page.status_code == 400 and "Months to project" in page.text and 'value="lots"' in page.text


def test_forecast_page_renders_the_scenario(sqlite_web: WebApp) -> None:
    html = (
        sqlite_web.client("viewer")
        .get("/forecast", params={"referral_growth": "5", "capacity_change": ""})
        .text
    )
    assert 'id="referral_growth"' in html and 'value="5.0"' in html
    for name in ("total", "pct_within_18", "over_52"):
        assert f'data-chart="forecast-{name}"' in html
    assert re.search(r"recommends <strong>[\d,]+ extra clock stops a week", html)


def test_a_bad_scenario_is_shown_on_the_form_with_what_was_typed(sqlite_web: WebApp) -> None:
    page = sqlite_web.client("viewer").get(
        "/forecast", params={"referral_growth": "lots", "final_month": "March 2029", "capacity_change": "-5"}
    )
    assert page.status_code == 400
    html = page.text
    assert "There is a problem" in html and 'href="#referral_growth"' in html and 'href="#final_month"' in html
    assert 'value="lots"' in html and 'value="March 2029"' in html and 'value="-5"' in html  # kept as typed
    assert "enter a month as YYYY-MM" in html
    assert 'data-chart="forecast-total"' not in html  # no projection from a scenario that was refused


def test_targets_read_in_words_and_the_projection_reaches_the_final_target(sqlite_web: WebApp) -> None:
    html = sqlite_web.client("viewer").get("/forecast").text
    assert "92% within 18 weeks by March 2029" in html and "65% within 18 weeks by March 2026" in html
    assert "pct18&gt;=" not in html and "pct18>=" not in html
    assert "2029-03" in html.split("Projection as a table", 1)[1]  # the table runs to the target month
