"""The "changes since" page and the overview across snapshots, over a trust loaded twice (a week apart)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import polars as pl
import pytest

from carebacklog.store import TrustData, list_audit, load_trust, make_engine, make_sessionmaker
from carebacklog.store.testing import fresh_database
from carebacklog.synth import advance_extract
from carebacklog.web.demo import trust_from_events

from .conftest import NOW, ROOT, WebApp, build_web_app


@pytest.fixture(scope="module")
def later(trust: TrustData):  # type: ignore[no-untyped-def]
    return advance_extract(trust.events, trust.patients, trust.census_date, days=7, seed=2)


@pytest.fixture(scope="module")
def two_snapshots(
    tmp_path_factory: pytest.TempPathFactory, trust: TrustData, later
) -> Iterator[WebApp]:  # type: ignore[no-untyped-def]
    for url in fresh_database("sqlite", tmp_path_factory.mktemp("web"), repo_root=ROOT):
        built = build_web_app(url, trust)
        week_on = trust_from_events(
            later.events, later.patients, provider=(trust.provider_code, trust.provider_name),
            census_date=later.census_date, source="a week on",
        )  # fmt: skip
        engine = make_engine(url)
        load_trust(engine, week_on, now=NOW)
        engine.dispose()
        yield dataclasses.replace(built, trust=week_on)
        built.app.state.carebacklog.engine.dispose()


def test_the_changes_page_counts_each_kind_and_lists_them(two_snapshots: WebApp, later) -> None:  # type: ignore[no-untyped-def]
    client = two_snapshots.client("ptl")
    page = client.get("/changes")
    assert page.status_code == 200
    html = page.text
    assert "30 November 2024" in html and "7 December 2024" in html
    assert f'data-kind="joined">{later.referred:,}<' in html
    assert f'data-kind="stopped">{later.stopped:,}<' in html
    assert f'data-kind="removed">{later.removed:,}<' in html
    only = client.get("/changes", params={"kind": "stopped"})
    assert only.status_code == 200 and "Clock stopped" in only.text
    assert "treated" in only.text or "discharged" in only.text  # the outcome in words, not a code


def test_the_changes_download_is_every_row_of_the_kind_with_names(two_snapshots: WebApp, later) -> None:  # type: ignore[no-untyped-def]
    client = two_snapshots.client("ptl")
    response = client.get("/changes.csv", params={"kind": "joined"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = pl.read_csv(io.BytesIO(response.content), infer_schema_length=0)
    assert table.height == later.referred and set(table["kind"]) == {"joined"}
    assert table["treatment_function_name"].null_count() < table.height


def test_changes_views_are_audited_and_refused_to_viewers(two_snapshots: WebApp) -> None:
    assert two_snapshots.client("viewer").get("/changes").status_code == 403
    assert two_snapshots.client("ptl").get("/changes", params={"horizon": 8}).status_code == 200
    engine = make_engine(two_snapshots.url)
    with make_sessionmaker(engine)() as db:
        _, entries = list_audit(db, object_type="changes")
    engine.dispose()
    assert entries and entries[0].username == "ptl" and '"horizon": 8' in (entries[0].detail or "")


@pytest.mark.parametrize("params", [{"horizon": "-1"}, {"horizon": "999"}, {"kind": "vanished"}, {"page": "0"}])
def test_bad_queries_are_refused_not_crashed(two_snapshots: WebApp, params: dict[str, str]) -> None:
    assert two_snapshots.client("ptl").get("/changes", params=params).status_code in (400, 422)


def test_the_overview_follows_the_snapshots(two_snapshots: WebApp) -> None:
    html = two_snapshots.client("viewer").get("/").text
    assert "Since the first snapshot" in html and 'data-chart="snapshots"' in html
    assert "holds 2 snapshots" in html
    assert 'href="/changes"' not in html.split("Since the first snapshot")[1].split("</p>")[0]  # viewers: no link


def test_with_one_snapshot_the_page_says_what_to_do(sqlite_web: WebApp) -> None:
    page = sqlite_web.client("ptl").get("/changes")
    assert page.status_code == 200 and "to compare with" in page.text and "carebacklog load" in page.text
    empty = sqlite_web.client("ptl").get("/changes.csv")
    assert empty.status_code == 200 and empty.text.strip().startswith("kind,pathway_id")
    assert len(empty.text.strip().splitlines()) == 1  # the columns, no rows
