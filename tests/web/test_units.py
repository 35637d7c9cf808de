"""Pure pieces: PTL filtering and paging on a five-row table; SVG charts are well-formed XML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import polars as pl
import pytest
from pydantic import ValidationError

from carebacklog.web import charts
from carebacklog.web.ptl_view import PtlCache, PtlQuery, query_ptl, select_ptl

CENSUS = dt.date(2024, 11, 30)


def _ptl() -> pl.DataFrame:
    days = [10, 200, 130, 400, 126]
    start = [CENSUS - dt.timedelta(days=d) for d in days]
    return pl.DataFrame(
        {
            "pathway_id": ["A", "B", "C", "D", "E"],
            "period": [1, 1, 1, 2, 1],
            "treatment_function": ["110", "110", "120", "110", "130"],
            "priority": ["P2", None, "P3", None, "P4"],
            "clock_start": start,
            "days_waited": days,
            "weeks_waited": [1, 28, 18, 56, 17],
            "has_dta": [True, False, True, False, False],
            "breach_18_date": [s + dt.timedelta(days=127) for s in start],
            "booking_rank": [1, 4, 2, 5, 3],
            "imd_quintile": [1, 5, None, 1, 2],
            "ethnic_group": ["White"] * 5,
            "age_band": ["50-59"] * 5,
            "sex": ["Female"] * 5,
        }
    ).sort("booking_rank")


def test_filters_select_the_right_rows() -> None:
    frame = _ptl()
    assert query_ptl(frame, PtlQuery(), CENSUS).total == 5
    assert query_ptl(frame, PtlQuery(treatment_function="110"), CENSUS).rows["pathway_id"].to_list() == [
        "A",
        "B",
        "D",
    ]
    assert query_ptl(frame, PtlQuery(priority="none"), CENSUS).rows["pathway_id"].to_list() == ["B", "D"]
    assert query_ptl(frame, PtlQuery(weeks_min=18, weeks_max=52), CENSUS).rows["pathway_id"].to_list() == [
        "C",
        "B",
    ]
    # 126 days is within 18 weeks: E breaches tomorrow, so within 1 week; C already breached.
    assert query_ptl(frame, PtlQuery(breach_within_weeks=1), CENSUS).rows["pathway_id"].to_list() == ["E"]
    assert query_ptl(frame, PtlQuery(has_dta=True), CENSUS).total == 2
    assert query_ptl(frame, PtlQuery(imd_quintile=1), CENSUS).rows["pathway_id"].to_list() == ["A", "D"]


def test_sort_order_and_pages() -> None:
    frame = _ptl()
    by_wait = frame.sort(["days_waited", "booking_rank"])
    page = query_ptl(by_wait, PtlQuery(sort="weeks_waited", order="desc", page=1, page_size=2), CENSUS)
    assert page.rows["pathway_id"].to_list() == ["D", "B"] and page.pages == 3
    last = query_ptl(by_wait, PtlQuery(sort="weeks_waited", order="desc", page=3, page_size=2), CENSUS)
    assert last.rows["pathway_id"].to_list() == ["A"]
    beyond = query_ptl(by_wait, PtlQuery(page=9, page_size=2), CENSUS)
    assert beyond.rows.height == 0 and beyond.total == 5
    assert select_ptl(by_wait, PtlQuery(order="desc"), CENSUS)["pathway_id"].to_list() == [
        "D",
        "B",
        "C",
        "E",
        "A",
    ]


def test_cache_sorts_once_per_order() -> None:
    calls = []

    def loader(load_id: int) -> pl.DataFrame:
        calls.append(load_id)
        return _ptl()

    cache = PtlCache(loader)
    assert cache.frame(1, "weeks_waited")["pathway_id"].to_list() == ["A", "E", "C", "B", "D"]
    assert cache.frame(1, "weeks_waited") is cache.frame(1, "weeks_waited")
    cache.frame(2)
    cache.frame(3)
    assert calls == [1, 2, 3]


def test_queries_are_validated() -> None:
    for bad in ({"priority": "urgent"}, {"weeks_min": -1}, {"page_size": 1000}, {"sort": "name"}, {"x": 1}):
        with pytest.raises(ValidationError):
            PtlQuery.model_validate(bad)
    assert PtlQuery(breach_within_weeks=2).filters() == {"breach_within_weeks": 2, "breach_target": 18}
    assert PtlQuery.model_validate({"breach_target": "52"}).breach_target == 52  # from a query string
    with pytest.raises(ValidationError):
        PtlQuery.model_validate({"breach_target": "20"})


def test_charts_are_valid_svg_with_titles() -> None:
    bar = charts.bar_chart(["a", "b"], [3, 5], title="Bars & things", desc="Two bars")
    line = charts.line_chart(
        ["Jan", "Feb", "Mar"],
        [charts.Line("x", [1.0, None, 3.0]), charts.Line("limit", [4, 4, 4], dashed=True)],
        bands=[charts.Band("range", [0.5, 1, 2], [1.5, 3, 4])],
        title="Lines",
        desc="Two lines",
    )
    for svg in (bar, line):
        root = ET.fromstring(str(svg))
        ns = "{http://www.w3.org/2000/svg}"
        assert root.tag == f"{ns}svg" and root.get("role") == "img"
        assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None
    assert "Bars &amp; things" in str(bar)
    assert (
        len(ET.fromstring(str(bar)).findall(".//{http://www.w3.org/2000/svg}rect")) == 3
    )  # background + 2 bars
