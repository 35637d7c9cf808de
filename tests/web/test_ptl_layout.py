"""The PTL page a waiting-list team works from: default columns, the column chooser, back to the PTL."""

from __future__ import annotations

import re

from .conftest import WebApp


def _headers(html: str) -> list[str]:
    head = html.split('id="ptl-table"', 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", h).replace(" (sort)", "").strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def test_the_default_columns_are_the_ones_a_team_works_from(sqlite_web: WebApp) -> None:
    html = sqlite_web.client("ptl").get("/ptl").text
    assert _headers(html) == [
        "Booking order", "Pathway", "Patient", "Treatment function", "Priority", "Weeks waited", "Clock start",
        "DTA", "Booked", "Next breach",
    ]  # fmt: skip
    assert "orthopaedic service" in html or " service<" in html  # names in sentence case, not codes
    assert " weeks, " in html  # next breach: "18 weeks, 3 Mar 2025"


def test_the_column_chooser_adds_columns_and_the_filters_keep_them(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    html = client.get("/ptl", params=[("cols", "imd_quintile"), ("cols", "commissioner_code"), ("cols", "nope")]).text
    assert _headers(html)[-2:] == ["Commissioner", "IMD quintile"]  # in the chooser's order; unknown ignored
    assert 'id="col-imd_quintile" name="cols" type="checkbox" value="imd_quintile" checked' in html
    filters = html.split('id="column-chooser"')[0]
    assert '<input type="hidden" name="cols" value="imd_quintile">' in filters  # applying filters keeps them
    sorted_link = re.search(r'href="(\?[^"]*sort=weeks_waited[^"]*)"', html)
    assert sorted_link and "cols=imd_quintile" in sorted_link.group(1)  # so do sort links


def test_back_to_the_ptl_keeps_filters_sort_page_and_columns(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    html = client.get("/ptl", params={"sort": "weeks_waited", "order": "desc", "cols": "sex", "page": 2}).text
    link = re.search(r'href="(/pathways/[^"]+\?back=[^"]+)"', html)
    assert link
    pathway = client.get(link.group(1).replace("&amp;", "&")).text
    back = re.search(r'class="nhsuk-back-link"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="nhsuk-back-link', pathway)
    target = (back.group(1) or back.group(2)).replace("&amp;", "&") if back else ""
    assert target.startswith("/ptl?") and "sort=weeks_waited" in target and "page=2" in target and "cols=sex" in target


def test_back_never_leaves_the_ptl(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    pathway = sqlite_web.trust.ptl["pathway_id"][0]
    for evil in ("https://evil.example/", "//evil.example/ptl", "/admin/users", "/ptl?x=1//evil"):
        html = client.get(f"/pathways/{pathway}", params={"back": evil}).text
        assert "evil.example" not in html and 'href="/admin/users" class="nhsuk-back-link' not in html
        assert 'href="/ptl"' in html


def test_the_booked_filters_answer_the_ptl_meetings_questions(sqlite_web: WebApp) -> None:
    """"Who is unbooked and breaches in the next 4 weeks?" and "who is booked after their breach date?"."""
    import datetime as dt

    import polars as pl

    ptl, census = sqlite_web.trust.ptl, sqlite_web.trust.census_date
    client = sqlite_web.client("ptl")
    soon = census + dt.timedelta(weeks=4)
    unbooked_due = ptl.filter(
        ~pl.col("booked") & (pl.col("breach_18_date") > census) & (pl.col("breach_18_date") <= soon)
    )
    page = client.get("/ptl", params={"booking": "unbooked", "breach_within_weeks": 4, "breach_target": 18})
    assert f"{unbooked_due.height:,} match the filters" in page.text and unbooked_due.height > 0
    late = ptl.filter(pl.col("booked") & (pl.col("booked_date") > pl.col("next_breach_date")))
    page = client.get("/ptl", params={"booking": "after_breach", "page_size": 500})
    assert f"{late.height:,} match the filters" in page.text and late.height > 0
    assert page.text.count("After breach</strong>") == late.height
    booked = client.get("/ptl", params={"booking": "booked"}).text
    assert f"{int(ptl['booked'].sum()):,} match the filters" in booked
    assert client.get("/ptl", params={"booking": "sometimes"}).status_code == 422


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_saved_view_comes_back_for_its_owner_only(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    html = client.get("/ptl", params={"booking": "unbooked", "sort": "weeks_waited", "order": "desc", "cols": "sex"}).text
    query = re.search(r'name="query" value="([^"]*)"', html)
    assert query
    saved = client.post(
        "/ptl/views", data={"name": "  Unbooked   longest ", "query": query.group(1).replace("&amp;", "&"),
                            "csrf_token": _token(html)},
    )  # fmt: skip
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    page = client.get("/ptl").text
    link = re.search(r'<a class="nhsuk-link cb-target" href="(/ptl\?[^"]+)">Unbooked longest</a>', page)
    assert link, "the view is listed with its name tidied"
    opened = client.get(link.group(1).replace("&amp;", "&")).text
    assert 'value="unbooked" selected' in opened and _headers(opened)[-1] == "Sex"
    admin = sqlite_web.client("admin")
    assert "Unbooked longest" not in admin.get("/ptl").text  # views are personal
    view_id = re.search(r'action="/ptl/views/(\d+)/delete"', page)
    assert view_id
    admin_page = admin.get("/ptl").text
    admin.post(f"/ptl/views/{view_id.group(1)}/delete", data={"csrf_token": _token(admin_page)})
    assert "Unbooked longest" in client.get("/ptl").text  # another user cannot delete it
    client.post(f"/ptl/views/{view_id.group(1)}/delete", data={"csrf_token": _token(page)})
    assert "Unbooked longest" not in client.get("/ptl").text


def test_a_view_without_a_name_is_refused_on_the_form(sqlite_web: WebApp) -> None:
    client = sqlite_web.client("ptl")
    html = client.get("/ptl").text
    refused = client.post("/ptl/views", data={"name": " ", "query": "booking=booked", "csrf_token": _token(html)})
    assert refused.status_code == 303 and "view_error=name" in refused.headers["location"]
    page = client.get(refused.headers["location"]).text
    assert "Enter a name for this view" in page and 'value="booked" selected' in page  # filters kept
    assert client.post("/ptl/views", data={"name": "x", "query": ""}).status_code == 403  # no CSRF token


def test_several_treatment_functions_and_priorities_at_once(sqlite_web: WebApp) -> None:
    import polars as pl

    ptl = sqlite_web.trust.ptl
    two = ptl["treatment_function"].value_counts(sort=True)["treatment_function"].head(2).to_list()
    expected = ptl.filter(pl.col("treatment_function").is_in(two) & (pl.col("priority").is_in(["P2"]) | pl.col("priority").is_null()))
    client = sqlite_web.client("ptl")
    params = [("treatment_function", two[0]), ("treatment_function", two[1]), ("priority", "P2"), ("priority", "none")]
    html = client.get("/ptl", params=params).text
    assert f"{expected.height:,} match the filters" in html
    for code in two:
        assert f'id="tf-{code}" name="treatment_function" type="checkbox" value="{code}" checked' in html
    api = client.get("/api/v1/ptl", params=[*params, ("page_size", 500)]).json()
    assert api["total"] == expected.height
