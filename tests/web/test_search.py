"""Finding a patient by NHS number, patient id or pathway id; who the patient is on the pathway page."""

from __future__ import annotations

import polars as pl

from carebacklog.store import list_audit, make_engine, make_sessionmaker

from .conftest import WebApp


def _first_waiting(web: WebApp) -> dict[str, object]:
    ptl = web.trust.ptl.sort("booking_rank")
    row = ptl.row(0, named=True)
    person = web.trust.patients.filter(pl.col("patient_id") == row["patient_id"]).row(0, named=True)
    return {**row, **person}


def test_search_by_nhs_number_as_printed_finds_the_patients_pathways(sqlite_web: WebApp) -> None:
    who = _first_waiting(sqlite_web)
    number = str(who["nhs_number"])
    printed = f"{number[:3]} {number[3:6]} {number[6:]}"
    page = sqlite_web.client("ptl").get("/search", params={"q": printed})
    assert page.status_code == 200
    assert f'href="/pathways/{who["pathway_id"]}"' in page.text
    assert str(who["family_name"]).upper() in page.text and printed in page.text
    expected = sqlite_web.trust.ptl.filter(pl.col("patient_id") == who["patient_id"]).height
    assert f"{expected} pathway" in page.text


def test_search_by_patient_or_pathway_id_and_a_miss_is_said_on_the_form(sqlite_web: WebApp) -> None:
    who = _first_waiting(sqlite_web)
    client = sqlite_web.client("ptl")
    assert f'href="/pathways/{who["pathway_id"]}"' in client.get("/search", params={"q": who["patient_id"]}).text
    assert f'href="/pathways/{who["pathway_id"]}"' in client.get("/search", params={"q": who["pathway_id"]}).text
    miss = client.get("/search", params={"q": "nobody-at-all"})
    assert miss.status_code == 200 and "There is a problem" in miss.text and 'value="nobody-at-all"' in miss.text


def test_every_search_is_audited_with_what_was_asked(sqlite_web: WebApp) -> None:
    sqlite_web.client("ptl").get("/search", params={"q": "audit-me"})
    engine = make_engine(sqlite_web.url)
    with make_sessionmaker(engine)() as db:
        _, entries = list_audit(db, object_type="patient_search")
    engine.dispose()
    assert entries[0].username == "ptl" and '"query": "audit-me"' in (entries[0].detail or "")
    assert '"pathways": 0' in (entries[0].detail or "")


def test_the_header_offers_search_to_the_ptl_role_only(sqlite_web: WebApp) -> None:
    assert 'action="/search"' in sqlite_web.client("ptl").get("/").text
    assert 'action="/search"' not in sqlite_web.client("viewer").get("/").text
    assert sqlite_web.client("viewer").get("/search", params={"q": "x"}).status_code == 403


def test_the_pathway_page_says_who_the_patient_is(sqlite_web: WebApp) -> None:
    who = _first_waiting(sqlite_web)
    html = sqlite_web.client("ptl").get(f"/pathways/{who['pathway_id']}").text
    assert f"{str(who['family_name']).upper()}, {who['given_name']}" in html
    number = str(who["nhs_number"])
    assert f"NHS {number[:3]} {number[3:6]} {number[6:]}" in html
