"""Measures and standards: hand-worked cases, and the national figures the files themselves state."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.flow import FLOW_SCHEMA, read_ae_monthly
from carebacklog.flow.measures import (
    AE_FOUR_HOUR_STANDARD,
    ae_performance,
    bed_occupancy,
    cancelled_operations,
    diagnostic_waits,
    load_trust_icbs,
    peer_rank,
    provider_chart,
    with_icb,
)
from carebacklog.spc import xmr_chart

from .conftest import AE_MONTHLY

MAY = dt.date(2025, 5, 31)
JUNE = dt.date(2025, 6, 30)


def _flow(publication, rows, period=MAY):
    """A tidy flow table from (org_code, region_code, measure, value[, breakdown]) tuples."""
    records = []
    for org, region, measure, value, *rest in rows:
        records.append({
            "publication": publication, "period": period, "frequency": "month", "level": "provider",
            "org_code": org, "org_name": f"Trust {org}", "icb_code": None, "region_code": region,
            "region_name": None, "measure": measure, "breakdown": rest[0] if rest else None,
            "value": float(value), "source": "hand.csv",
        })
    return pl.DataFrame(records, schema=FLOW_SCHEMA)


def test_four_hour_performance_hand_worked():
    # A: 900 type 1 (180 over 4 h) + 100 booked type 1 (20 over) + 1000 other (10 over)
    # B: no type 1; 500 other, 50 over
    flow = _flow("ae", [
        ("RA1", "Y56", "attendances_type1", 900), ("RA1", "Y56", "over_4h_type1", 180),
        ("RA1", "Y56", "booked_attendances_type1", 100), ("RA1", "Y56", "booked_over_4h_type1", 20),
        ("RA1", "Y56", "attendances_other", 1000), ("RA1", "Y56", "over_4h_other", 10),
        ("RA1", "Y56", "emergency_admissions_type1", 250), ("RA1", "Y56", "dta_over_12h", 25),
        ("RA1", "Y56", "dta_4_to_12h", 60),
        ("RB2", "Y58", "attendances_other", 500), ("RB2", "Y58", "over_4h_other", 50),
        ("RB2", "Y58", "dta_over_12h", 0),
    ])
    national = ae_performance(flow).row(0, named=True)
    assert national["attendances"] == 2500 and national["over_4h"] == 260
    assert national["pct_within_4h"] == pytest.approx(100 * 2240 / 2500)  # 89.6
    assert national["pct_within_4h_type1"] == pytest.approx(100 * 800 / 1000)  # booked count too
    assert national["pct_dta_over_12h"] == pytest.approx(10.0)  # 25 per 250 admissions via A&E
    assert national["standard"] == AE_FOUR_HOUR_STANDARD == 78.0 and national["meets_standard"]
    providers = ae_performance(flow, "provider")
    assert providers["org_code"].to_list() == ["RA1", "RB2"]
    assert providers["peer_group"].to_list() == ["type 1", "no type 1"]
    assert providers["pct_within_4h_type1"].to_list()[1] is None  # no type 1 department
    assert providers["pct_within_4h"].to_list()[1] == pytest.approx(90.0)
    regions = ae_performance(flow, "region")
    assert regions["region_code"].to_list() == ["Y56", "Y58"]
    assert regions["attendances"].to_list() == [2000, 500]


def test_four_hour_performance_below_the_standard():
    flow = _flow("ae", [("RA1", "Y56", "attendances_type1", 100), ("RA1", "Y56", "over_4h_type1", 23)])
    row = ae_performance(flow).row(0, named=True)
    assert row["pct_within_4h"] == pytest.approx(77.0) and not row["meets_standard"]
    assert row["dta_over_12h"] is None and row["pct_dta_over_12h"] is None  # not in this file


def test_ae_national_performance_as_published_july_2025():
    """NHS England reported 76.4% within 4 hours (all types) for July 2025: the file's TOTAL row gives
    (2,407,884 − 568,304) / 2,407,884 attendances, booked appointments included."""
    flow = read_ae_monthly(next(p for p in AE_MONTHLY if p.name == "Monthly-AE-July-2025.csv"))
    row = ae_performance(flow).row(0, named=True)
    assert row["attendances"] == 2407884 and row["over_4h"] == 568304
    assert round(row["pct_within_4h"], 1) == 76.4
    assert row["pct_within_4h_type1"] == pytest.approx(100 * (1 - 542160 / 1469050))
    assert row["dta_over_12h"] == 35467 and not row["meets_standard"]


def test_ae_provider_sum_equals_the_total_row_measure_for_every_month():
    for path in AE_MONTHLY:
        flow = read_ae_monthly(path)
        total = dict(flow.filter(pl.col("level") == "england").select("measure", "value").iter_rows())
        att = sum(v for k, v in total.items() if "attendances" in k and "emergency" not in k)
        over = sum(v for k, v in total.items() if "over_4h" in k)
        assert ae_performance(flow)["pct_within_4h"][0] == pytest.approx(100 * (att - over) / att), path.name


def test_bed_occupancy_hand_worked_and_ambition():
    flow = _flow("kh03", [
        ("RA1", "Y56", "beds_available_general_acute", 400), ("RA1", "Y56", "beds_occupied_general_acute", 380),
        ("RB2", "Y56", "beds_available_general_acute", 100), ("RB2", "Y56", "beds_occupied_general_acute", 80),
        ("RC3", "Y58", "beds_available_general_acute", 0), ("RC3", "Y58", "beds_occupied_general_acute", 0),
    ])
    national = bed_occupancy(flow).row(0, named=True)
    assert national["occupancy_general_acute"] == pytest.approx(92.0) and not national["above_ambition"]
    providers = bed_occupancy(flow, "provider")
    assert providers["occupancy_general_acute"].to_list()[:2] == [pytest.approx(95.0), pytest.approx(80.0)]
    assert providers["occupancy_general_acute"][2] is None and providers["peer_group"][2] == "other"
    assert providers["above_ambition"].to_list()[:2] == [True, False]


def test_bed_occupancy_equals_each_kh03_england_row(series):
    computed = bed_occupancy(series).select("period", "occupancy_general_acute")
    published = series.filter(
        pl.col("publication") == "kh03", pl.col("level") == "england", pl.col("measure") == "occupied_share_general_acute"
    ).select("period", (pl.col("value") * 100).alias("published"))
    joined = computed.join(published, on="period")
    assert joined.height == 29
    assert (joined["occupancy_general_acute"] - joined["published"]).abs().max() < 1e-9


def test_diagnostics_hand_worked_by_test_and_standards():
    flow = _flow("dm01", [
        ("RA1", "Y56", "waiting_list_total", 1000), ("RA1", "Y56", "waiting_6_plus_weeks", 8),
        ("RA1", "Y56", "waiting_list_total", 600, "Magnetic Resonance Imaging"),
        ("RA1", "Y56", "waiting_6_plus_weeks", 3, "Magnetic Resonance Imaging"),
        ("RA1", "Y56", "waiting_list_total", 400, "Computed Tomography"),
        ("RA1", "Y56", "waiting_6_plus_weeks", 5, "Computed Tomography"),
        ("NT1", "Y56", "waiting_list_total", 100), ("NT1", "Y56", "waiting_6_plus_weeks", 10),
    ])
    national = diagnostic_waits(flow).row(0, named=True)
    assert national["pct_6_plus_weeks"] == pytest.approx(100 * 18 / 1100)
    assert not national["meets_standard"] and national["meets_interim_standard"]
    by_test = diagnostic_waits(flow, by_test=True)
    assert dict(by_test.select("test", "pct_6_plus_weeks").iter_rows()) == {
        "Computed Tomography": pytest.approx(1.25), "Magnetic Resonance Imaging": pytest.approx(0.5),
    }
    assert by_test["meets_standard"].to_list() == [False, True]
    providers = diagnostic_waits(flow, "provider")
    assert providers["peer_group"].to_list() == ["independent sector or other", "NHS trust"]
    assert providers["meets_standard"].to_list() == [False, True]


def test_diagnostics_match_the_published_percentage_every_month(series):
    computed = diagnostic_waits(series).select("period", "pct_6_plus_weeks")
    published = series.filter(
        pl.col("publication") == "dm01", pl.col("level") == "england", pl.col("measure") == "waiting_6_plus_share"
    ).select("period", (pl.col("value") * 100).alias("published"))
    joined = computed.join(published, on="period")
    assert joined.height == 12
    assert (joined["pct_6_plus_weeks"] - joined["published"]).abs().max() < 1e-9
    # December 2024: the file states 22.77% of 1,563,343 waiting 6 weeks or more
    december = joined.filter(pl.col("period") == dt.date(2024, 12, 31))
    assert round(december["pct_6_plus_weeks"][0], 2) == 22.77


def test_diagnostics_provider_percentage_equals_the_files_column(dm01_dec_2024):
    providers = diagnostic_waits(dm01_dec_2024, "provider").select("org_code", "pct_6_plus_weeks")
    published = dm01_dec_2024.filter(
        pl.col("level") == "provider", pl.col("breakdown").is_null(), pl.col("measure") == "waiting_6_plus_share"
    ).select("org_code", (pl.col("value") * 100).alias("published"))
    joined = providers.join(published, on="org_code")
    assert joined.height > 400
    assert (joined["pct_6_plus_weeks"] - joined["published"]).abs().max() < 1e-9


def test_cancelled_operations_hand_worked_and_national(series):
    flow = _flow("cancelled_ops", [
        ("RA1", "Y56", "last_minute_cancellations", 40), ("RA1", "Y56", "not_treated_within_28_days", 10),
        ("RB2", "Y58", "last_minute_cancellations", 10), ("RB2", "Y58", "not_treated_within_28_days", 0),
    ])
    assert cancelled_operations(flow)["pct_not_treated_within_28_days"][0] == pytest.approx(20.0)
    assert cancelled_operations(flow, "provider")["pct_not_treated_within_28_days"].to_list() == [25.0, 0.0]
    national = cancelled_operations(series)
    q1 = national.filter(pl.col("period") == JUNE).row(0, named=True)
    assert q1["last_minute_cancellations"] == 19278 and q1["not_treated_within_28_days"] == 4305  # incl. IS


def test_peer_rank_ties_quartiles_and_groups():
    table = pl.DataFrame({
        "period": [MAY] * 6,
        "org_code": ["A", "B", "C", "D", "E", "F"],
        "peer_group": ["type 1"] * 5 + ["no type 1"],
        "pct": [90.0, 80.0, 80.0, 70.0, None, 50.0],
    })
    ranked = peer_rank(table, "pct", higher_is_better=True)
    assert ranked["rank"].to_list() == [1, 2, 2, 4, None, 1]
    assert ranked["peers"].to_list() == [4, 4, 4, 4, 4, 1]
    assert ranked["quartile"].to_list() == [1, 2, 2, 4, None, 1]
    assert ranked["percentile"].to_list() == [100.0, pytest.approx(100 * 2 / 3), pytest.approx(100 * 2 / 3), 0.0, None, 100.0]
    lower = peer_rank(table, "pct", higher_is_better=False, peer_group=None)
    assert lower["rank"].to_list() == [5, 3, 3, 2, None, 1]


def test_icb_grouping_from_the_ods_trust_list():
    icbs = load_trust_icbs()
    assert dict(icbs.filter(pl.col("org_code").is_in(["RBD", "R0A"])).select("org_code", "icb_code").iter_rows()) == {
        "RBD": "QVV", "R0A": "QOP",
    }
    flow = _flow("ae", [("RBD", "Y58", "attendances_type1", 100), ("RBD", "Y58", "over_4h_type1", 10),
                        ("R0A", "Y62", "attendances_type1", 300), ("R0A", "Y62", "over_4h_type1", 90)])
    with pytest.raises(ValueError, match="with_icb"):
        ae_performance(flow, "icb")
    by_icb = ae_performance(with_icb(flow, icbs), "icb")
    assert dict(by_icb.select("icb_code", "pct_within_4h").iter_rows()) == {"QOP": 70.0, "QVV": 90.0}
    with pytest.raises(ValueError, match="unknown grouping"):
        ae_performance(flow, "trust")


def test_provider_chart_is_the_xmr_chart_of_the_providers_series(series):
    providers = ae_performance(series.filter(pl.col("period") >= dt.date(2024, 6, 1)), "provider")
    chart = provider_chart(providers, "RBD", "pct_within_4h", polarity="up", target=AE_FOUR_HOUR_STANDARD)
    rbd = providers.filter(pl.col("org_code") == "RBD").sort("period")
    direct = xmr_chart(rbd["pct_within_4h"].to_numpy(), rbd["period"].to_list(), polarity="up", target=78.0)
    assert chart.points.height == 14
    assert chart.mean == pytest.approx(direct.mean) and chart.upper_limit == pytest.approx(direct.upper_limit)
    assert np.allclose(chart.points["value"].to_numpy(), rbd["pct_within_4h"].to_numpy())
    assert chart.summary()["assurance"] == direct.summary()["assurance"]
    with pytest.raises(ValueError, match="fewer than 2"):
        provider_chart(providers, "NOPE", "pct_within_4h", polarity="up")


def test_trust_summary_puts_the_latest_headlines_beside_their_peers_and_chart(series):
    from carebacklog.flow.measures import trust_summary

    summary = trust_summary(series, "RBD")
    assert summary["measure"].to_list() == [
        "pct_within_4h", "pct_within_4h_type1", "pct_dta_over_12h", "occupancy_general_acute",
        "pct_6_plus_weeks", "pct_not_treated_within_28_days",
    ]
    four_hour = summary.row(0, named=True)
    providers = ae_performance(series, "provider")
    latest = providers.filter(pl.col("org_code") == "RBD", pl.col("period") == dt.date(2025, 7, 31)).row(0, named=True)
    assert four_hour["period"] == dt.date(2025, 7, 31) and four_hour["value"] == latest["pct_within_4h"]
    assert four_hour["target"] == 78.0 and four_hour["meets_target"] == latest["meets_standard"]
    ranked = peer_rank(providers.filter(pl.col("period") == dt.date(2025, 7, 31)), "pct_within_4h", higher_is_better=True)
    assert four_hour["rank"] == ranked.filter(pl.col("org_code") == "RBD")["rank"][0]
    # the chart covers June 2024 – July 2025 only, not the 2016–2019 months before the gap
    recent = providers.filter(pl.col("org_code") == "RBD", pl.col("period") >= dt.date(2024, 6, 1))
    chart = provider_chart(recent, "RBD", "pct_within_4h", polarity="up", target=78.0)
    assert four_hour["variation"] == chart.latest_variation and four_hour["assurance"] == chart.assurance
    occupancy = summary.filter(pl.col("measure") == "occupancy_general_acute").row(0, named=True)
    assert occupancy["period"] == dt.date(2025, 6, 30) and occupancy["target"] == 92.0
    assert occupancy["meets_target"] == (occupancy["value"] <= 92.0)
    assert trust_summary(series, "NOPE").is_empty()


def test_with_icb_fills_regions_the_file_lacks(series):
    panel = series.filter(pl.col("publication") == "kh03", pl.col("period") == dt.date(2024, 6, 30))
    assert panel.filter(pl.col("level") == "provider")["region_code"].null_count() > 0  # the panel has none
    filled = with_icb(panel, load_trust_icbs())
    rbd = filled.filter(pl.col("org_code") == "RBD")
    assert rbd["region_code"].unique().to_list() == ["Y58"] and rbd["icb_code"].unique().to_list() == ["QVV"]
    by_region = bed_occupancy(filled, "region")
    assert by_region["region_code"].drop_nulls().n_unique() == 7
    # a region given by the file is kept
    workbook = series.filter(pl.col("source") == "Beds-Open-Overnight-Web_File-Q2-2024-25.xlsx")
    assert with_icb(workbook, load_trust_icbs())["region_code"].equals(workbook["region_code"])
