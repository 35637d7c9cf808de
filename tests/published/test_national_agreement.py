"""Our measures on NHS England's national January 2026 extract equal the published headline figures."""

from __future__ import annotations

import polars as pl

from carebacklog.published import headline_measures, read_rtt

from .conftest import RBD_NOV_2024


def test_national_incomplete_pathways_match_the_publication(national_tidy: pl.DataFrame) -> None:
    # NHS England, RTT waiting times January 2026: 7,187,677 waiting; 4,412,147 within 18 weeks (61.4%);
    # 137,320 over 52 weeks.
    row = headline_measures(national_tidy, "incomplete", "national").row(0, named=True)
    assert row["total"] == 7_187_677
    assert row["known_start"] == 7_187_677
    assert row["within_18"] == 4_412_147
    assert round(row["pct_within_18"], 1) == 61.4
    assert row["over_52"] == 137_320


def test_roll_up_rows_are_not_added_to_details(national_tidy: pl.DataFrame) -> None:
    assert not national_tidy["treatment_function"].is_in(["C_999"]).any()
    assert national_tidy["period"].unique().to_list() == [__import__("datetime").date(2026, 1, 31)]


def test_provider_totals_sum_to_the_national_total(national_tidy: pl.DataFrame) -> None:
    providers = headline_measures(national_tidy, "incomplete", "provider")
    assert providers["total"].sum() == 7_187_677
    assert providers["provider_code"].n_unique() == providers.height


def test_rbd_november_2024_single_provider() -> None:
    tidy = read_rtt(RBD_NOV_2024)
    assert set(tidy["provider_code"].unique()) == {"RBD"}
    m = headline_measures(tidy, "incomplete", "provider")
    assert m.height == 1
    assert m["total"][0] == tidy.filter(pl.col("part") == "Part_2")["count"].sum()
