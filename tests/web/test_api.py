"""The JSON API on SQLite and PostgreSQL: aggregates, PTL paging and filters, pathways, audit, problems."""

from __future__ import annotations

import polars as pl

from carebacklog.rtt import ptl_summary

from .conftest import WebApp


def test_overview_matches_the_engine(web: WebApp) -> None:
    body = web.client("viewer").get("/api/v1/overview").json()
    summary = ptl_summary(web.trust.ptl)
    assert body["headline"]["count"] == summary.count == web.trust.ptl.height
    assert body["headline"]["over_52_weeks"] == summary.over_52_weeks
    assert body["headline"]["pct_within_18_weeks"] == summary.pct_within_18_weeks
    assert sum(body["weeks_waited_counts"]) == summary.count and len(body["weeks_waited_counts"]) == 105
    assert sum(s["total"] for s in body["specialties"]) == summary.count
    assert body["trend"][-1]["month_end"] == "2024-11-30"
    assert body["trend"][-1]["list_size"] == summary.count
    published = {m["month"]: m["list_size"] for m in body["published_trend"]}
    assert len(published) == 13 and published["2024-11-01"] == 21693  # RBD as NHS England published it
    assert body["spc"]["polarity"] == "down"
    assert 0 <= body["headline"]["median_weeks"] <= body["headline"]["p92_weeks"] <= 105


def test_ptl_pages_in_booking_order(web: WebApp) -> None:
    client = web.client("ptl")
    first = client.get("/api/v1/ptl", params={"page_size": 25}).json()
    assert first["total"] == web.trust.ptl.height
    assert [r["booking_rank"] for r in first["items"]] == list(range(1, 26))
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(first["next"].replace("http://testserver", "")).json()
    assert second["items"][0]["booking_rank"] == 26


def test_ptl_filters_agree_with_polars(web: WebApp) -> None:
    client = web.client("ptl")
    ptl = web.trust.ptl
    tf = ptl["treatment_function"].mode()[0]
    expected = ptl.filter(
        (pl.col("treatment_function") == tf) & (pl.col("weeks_waited") >= 18) & pl.col("has_dta")
    )
    body = client.get(
        "/api/v1/ptl", params={"treatment_function": tf, "weeks_min": 18, "has_dta": "true", "page_size": 500}
    ).json()
    assert body["total"] == expected.height
    assert {r["pathway_id"] for r in body["items"]} == set(expected["pathway_id"].head(500))
    census = web.trust.census_date
    soon = ptl.filter(
        (pl.col("breach_18_date") > census)
        & (pl.col("breach_18_date") <= pl.lit(census) + pl.duration(weeks=4))
    )
    assert client.get("/api/v1/ptl", params={"breach_within_weeks": 4}).json()["total"] == soon.height
    soon_52 = ptl.filter(
        (pl.col("breach_52_date") > census)
        & (pl.col("breach_52_date") <= pl.lit(census) + pl.duration(weeks=8))
    )
    within = client.get("/api/v1/ptl", params={"breach_within_weeks": 8, "breach_target": "52"})
    assert within.json()["total"] == soon_52.height
    q1 = client.get("/api/v1/ptl", params={"imd_quintile": 1}).json()
    assert q1["total"] == ptl.filter(pl.col("imd_quintile") == 1).height


def test_ptl_sorts_longest_wait_first(web: WebApp) -> None:
    body = web.client("ptl").get("/api/v1/ptl", params={"sort": "weeks_waited", "order": "desc"}).json()
    days = [r["days_waited"] for r in body["items"]]
    assert days == sorted(days, reverse=True) and days[0] == web.trust.ptl["days_waited"].max()


def test_validation_errors_are_problem_json(web: WebApp) -> None:
    client = web.client("ptl")
    for params in ({"page_size": 0}, {"sort": "surname"}, {"priority": "P9"}, {"unknown": 1}):
        response = client.get("/api/v1/ptl", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 422 and body["errors"][0]["location"][0] == "query"


def test_pathway_view_is_explained_and_audited(web: WebApp) -> None:
    pathway = web.trust.ptl["pathway_id"][0]
    client = web.client("ptl")
    body = client.get(f"/api/v1/pathways/{pathway}").json()
    assert body["pathway_id"] == pathway and body["ptl"]["booking_rank"] == 1
    assert len(body["events"]) == web.trust.events.filter(pl.col("pathway_id") == pathway).height
    assert body["explanation"][0]["effect"] == "start"
    audit = (
        web.client("admin")
        .get("/api/v1/audit", params={"object_type": "pathway", "object_id": pathway})
        .json()
    )
    assert audit["total"] >= 1 and audit["items"][0]["username"] == "ptl"
    assert audit["items"][0]["action"] == "view_pathway"
    missing = client.get("/api/v1/pathways/NOPE")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )


def test_ptl_views_are_audited_without_patient_data(web: WebApp) -> None:
    web.client("ptl").get("/api/v1/ptl", params={"priority": "P2"})
    audit = web.client("admin").get("/api/v1/audit", params={"object_type": "ptl", "username": "ptl"}).json()
    entry = audit["items"][0]
    assert entry["action"] == "view_ptl" and '"priority": ["P2"]' in entry["detail"]
    assert web.trust.ptl["pathway_id"][0] not in entry["detail"]


def test_admin_manages_users_with_csrf(web: WebApp) -> None:
    admin = web.client("admin")
    new = {
        "username": "planner1",
        "full_name": "A Planner",
        "role": "viewer",
        "password": "twelve chars long",
    }
    missing_csrf = web.client("admin")
    missing_csrf.headers.pop("X-CSRF-Token")
    assert missing_csrf.post("/api/v1/users", json=new).status_code == 403
    created = admin.post("/api/v1/users", json=new)
    assert created.status_code == 201 and "password" not in created.text and "hash" not in created.text
    assert admin.post("/api/v1/users", json=new).status_code == 409
    short = admin.post("/api/v1/users", json={**new, "username": "p2", "password": "short"})
    assert short.status_code == 422
    user_id = created.json()["id"]
    changed = admin.patch(f"/api/v1/users/{user_id}", json={"role": "ptl"})
    assert changed.status_code == 200 and changed.json()["role"] == "ptl"
    me = next(u for u in admin.get("/api/v1/users").json() if u["username"] == "admin")
    assert admin.patch(f"/api/v1/users/{me['id']}", json={"role": "viewer"}).status_code == 409
    audit = admin.get("/api/v1/audit", params={"object_id": "planner1"}).json()
    assert [e["action"] for e in audit["items"]] == ["update_user", "create_user"]


def test_logging_out_ends_the_session(web: WebApp) -> None:
    client = web.client("viewer")
    assert client.get("/api/v1/session").json()["role"] == "viewer"
    assert client.delete("/api/v1/session").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/session").status_code == 401


def test_openapi_schema_lists_the_api(web: WebApp) -> None:
    schema = web.client().get("/api/openapi.json").json()
    for path in ("/api/v1/ptl", "/api/v1/pathways/{pathway_id}", "/api/v1/overview", "/api/v1/session"):
        assert path in schema["paths"]
    assert not any(p.startswith("/ptl") for p in schema["paths"])  # pages are not API
