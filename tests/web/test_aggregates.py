"""Aggregate pages' API: national figures from the bundled extract, equity breakdowns from the PTL."""

from __future__ import annotations

import polars as pl

from .conftest import WebApp


def test_national_figures_match_the_published_extract(sqlite_web: WebApp) -> None:
    from importlib import resources

    from carebacklog.published import headline_measures, read_rtt

    body = sqlite_web.client("viewer").get("/api/v1/national/providers/RBD").json()
    with resources.as_file(resources.files("carebacklog") / "data" / "rtt_full_extract_2026_01.zip") as path:
        tidy = read_rtt([path])
    expected = headline_measures(tidy.filter(pl.col("provider_code") == "RBD")).row(0, named=True)
    assert body["period"] == "2026-01-31"
    assert body["provider"]["total"] == expected["total"]
    assert body["provider"]["pct_within_18"] == expected["pct_within_18"]
    assert "RBD" in {p["provider_code"] for p in body["peers"]}
    assert {p["parent_code"] for p in body["peers"]} == {body["provider"]["parent_code"]}
    assert body["england"]["total"] > 7_000_000  # the national waiting list, January 2026
    missing = sqlite_web.client("viewer").get("/api/v1/national/providers/NOPE")
    assert missing.status_code == 404


def test_equity_breakdowns_add_up_to_the_list(sqlite_web: WebApp) -> None:
    body = sqlite_web.client("viewer").get("/api/v1/equity").json()
    n = sqlite_web.trust.ptl.height
    for dimension in ("imd_quintile", "ethnic_group", "age_band", "sex"):
        assert sum(row["total"] for row in body["breakdowns"][dimension]) == n
    gap = {row["measure"]: row for row in body["deprivation_gap"]}
    assert set(gap) == {"pct_within_18", "pct_over_52"}
    # the demo trust makes the most deprived wait longer (synth's imd_gap_weeks)
    assert gap["pct_within_18"]["difference_pct_points"] < 0
