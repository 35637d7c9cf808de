"""Server-rendered pages: login with CSRF, security headers, PTL filters and CSV, pathway audit, no JS needed."""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from .conftest import PASSWORDS, WebApp


def _login(web: WebApp, role: str):  # type: ignore[no-untyped-def]
    client = web.client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None
    response = client.post(
        "/login",
        data={"username": role, "password": PASSWORDS[role], "csrf_token": token.group(1), "next": "/ptl"},
    )
    return client, response


def test_login_form_logs_in_and_redirects(sqlite_web: WebApp) -> None:
    client, response = _login(sqlite_web, "ptl")
    assert response.status_code == 303 and response.headers["location"] == "/ptl"
    cookie = response.headers["set-cookie"]
    assert "cb_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/ptl").status_code == 200


def test_login_form_needs_its_csrf_token(sqlite_web: WebApp) -> None:
    client = sqlite_web.client()
    client.get("/login")
    response = client.post(
        "/login", data={"username": "ptl", "password": PASSWORDS["ptl"], "csrf_token": "forged"}
    )
    assert response.status_code == 403 and "cb_session" not in response.headers.get("set-cookie", "")


def test_login_refuses_wrong_passwords_and_offsite_redirects(sqlite_web: WebApp) -> None:
    client = sqlite_web.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    bad = client.post("/login", data={"username": "ptl", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401 and "is not right" in bad.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', bad.text).group(1)  # type: ignore[union-attr]
    ok = client.post(
        "/login",
        data={
            "username": "ptl",
            "password": PASSWORDS["ptl"],
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"


def test_logout_needs_the_session_csrf_token(sqlite_web: WebApp) -> None:
    client, _ = _login(sqlite_web, "viewer")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    page = client.get("/")
    token = re.search(
        r'action="/logout">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page.text
    )
    assert token is not None
    assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 303
    assert client.get("/").status_code == 303  # back to the login page


def test_security_headers_on_every_answer(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    for url in ("/", "/ptl", "/login", "/api/v1/overview", "/static/app.css"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        if not url.startswith("/static/"):
            assert headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("admin")
    for url in (
        "/",
        "/ptl",
        "/login",
        "/admin/users",
        "/admin/audit",
        f"/pathways/{sqlite_web.trust.ptl['pathway_id'][0]}",
    ):
        html = client.get(url).text
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="' in tag for tag in scripts), (url, scripts)
        assert " style=" not in html, url


def test_ptl_page_filters_sorts_and_pages_without_javascript(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    ptl = sqlite_web.trust.ptl
    tf = ptl["treatment_function"].mode()[0]
    html = client.get(
        "/ptl", params={"treatment_function": tf, "weeks_min": "", "sort": "weeks_waited", "order": "desc"}
    ).text
    expected = ptl.filter(pl.col("treatment_function") == tf)
    assert f"{expected.height:,} match the filters" in html
    ids = re.findall(r'href="/pathways/([^"?]+)["?]', html)
    assert len(ids) == min(50, expected.height)
    assert ids[0] == expected.sort(["days_waited", "booking_rank"], descending=[True, True])["pathway_id"][0]
    assert 'aria-sort="descending"' in html
    bad = client.get("/ptl", params={"weeks_min": "lots"})
    assert bad.status_code == 422 and "weeks_min" in bad.text


def test_ptl_csv_export_has_every_filtered_row_and_is_audited(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    response = client.get("/ptl.csv", params={"has_dta": "true"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = sqlite_web.trust.ptl.filter(pl.col("has_dta"))
    assert len(rows) == expected.height
    assert [int(r["booking_rank"]) for r in rows] == sorted(expected["booking_rank"].to_list())
    audit = sqlite_web.client("admin").get("/api/v1/audit", params={"username": "ptl"}).json()
    assert any(e["action"] == "export_ptl" for e in audit["items"])


def test_pathway_page_shows_the_timeline_and_is_audited(sqlite_web: WebApp) -> None:
    pathway = sqlite_web.trust.ptl["pathway_id"][3]
    html = sqlite_web.client("ptl").get(f"/pathways/{pathway}").text
    assert f"<h1>{pathway}</h1>" in html and 'id="timeline"' in html and "starts period 1" in html
    audit = sqlite_web.client("admin").get("/api/v1/audit", params={"object_id": pathway}).json()
    assert audit["items"][0]["action"] == "view_pathway" and audit["items"][0]["username"] == "ptl"


def test_overview_shows_headline_and_charts(sqlite_web: WebApp) -> None:
    html = sqlite_web.client("viewer").get("/").text
    assert f"{sqlite_web.trust.ptl.height:,}" in html
    for chart in ("weeks", "published", "spc", "specialty"):
        assert f'data-chart="{chart}"' in html
    assert html.count("<svg") >= 4
    assert 'href="/ptl"' not in html  # viewers are not offered the patient-level list


def test_admin_pages_add_users_with_csrf(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("admin")
    page = client.get("/admin/users").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"username": "clinician1", "full_name": "Dr C", "role": "ptl", "password": "long enough pass"}
    assert client.post("/admin/users", data={**form, "csrf_token": "forged"}).status_code == 403
    added = client.post("/admin/users", data={**form, "csrf_token": token})
    assert added.status_code == 303
    assert "clinician1" in client.get("/admin/users").text
    assert "create_user" in client.get("/admin/audit").text


def test_navigation_offers_each_role_every_page_it_may_open(sqlite_web: WebApp) -> None:
    pages = {"viewer": ["/", "/equity", "/forecast", "/national", "/community", "/urgent-care"]}
    pages["ptl"] = ["/", "/ptl", "/changes", "/equity", "/forecast", "/national", "/community", "/urgent-care"]
    pages["admin"] = [*pages["ptl"], "/admin/users"]
    for role, expected in pages.items():
        client = sqlite_web.client(role)
        html = client.get("/").text
        nav = re.findall(
            r'class="nhsuk-header__navigation-link"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="nhsuk-header__navigation-link"',
            html,
        )
        links = [a or b for a, b in nav]
        assert links == expected, role
        for href in links:  # every page the navigation offers is there
            assert client.get(href).status_code == 200, href
