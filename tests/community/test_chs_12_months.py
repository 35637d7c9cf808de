"""The 12 months of CHS data (August 2024 – July 2025): every national total equals the published row."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carebacklog.community import chs_measures, chs_national_check

#: England's total waiting list as each month's own workbook published it (Table 2 / Table 3).
PUBLISHED_ENGLAND = {
    dt.date(2024, 8, 31): 1_102_792,
    dt.date(2024, 9, 30): 1_101_248,
    dt.date(2024, 10, 31): 1_069_083,
    dt.date(2024, 11, 30): 1_055_712,
    dt.date(2024, 12, 31): 1_044_284,
    dt.date(2025, 1, 31): 1_058_718,
    dt.date(2025, 2, 28): 1_066_086,
    dt.date(2025, 3, 31): 1_090_356,
    dt.date(2025, 4, 30): 1_121_856,
    dt.date(2025, 5, 31): 1_103_583,
    dt.date(2025, 6, 30): 1_177_877,
    dt.date(2025, 7, 31): 1_195_895,
}


@pytest.fixture(scope="module")
def check(chs_12_months, chs_overview_12_months):
    return chs_national_check(chs_12_months, chs_overview_12_months)


def test_twelve_consecutive_months(chs_12_months) -> None:
    assert sorted(chs_12_months["period"].unique().to_list()) == sorted(PUBLISHED_ENGLAND)


@pytest.mark.parametrize("period", sorted(PUBLISHED_ENGLAND), ids=lambda d: f"{d:%Y-%m}")
def test_england_total_equals_the_published_national_row(chs_12_months, chs_overview_12_months, check,
                                                         period) -> None:
    detail = chs_12_months.filter((pl.col("period") == period) & ~pl.col("aggregate") & (pl.col("band") == "total"))
    assert detail["count"].sum() == PUBLISHED_ENGLAND[period]
    table_3 = chs_overview_12_months.filter((pl.col("period") == period) & pl.col("age_group").is_null()
                                            & (pl.col("band") == "total"))
    assert table_3["count"].item() == PUBLISHED_ENGLAND[period]
    month = check.filter(pl.col("period") == period)
    # Every service line × band, and the England, adult and CYP totals: computed == published.
    comparable = month.filter(pl.col("service_line").is_not_null() | (pl.col("band") == "total"))
    assert comparable["equal"].all(), comparable.filter(~pl.col("equal"))
    tables = 9 if period >= dt.date(2024, 12, 1) else 8  # Table 4 + 7 bands, or 8 after the split
    assert comparable.height >= (47 - 3) * tables + 3  # the 3 suppressed lines publish their total only


def test_july_2025_headlines(chs_12_months) -> None:
    m = chs_measures(chs_12_months, by=["age_group"]).filter(pl.col("period") == dt.date(2025, 7, 31))
    by_group = {r["age_group"]: r for r in m.iter_rows(named=True)}
    assert by_group["adult"]["total"] == 869_461
    assert by_group["cyp"]["total"] == 326_434
    # A quarter of children and young people with a band had waited over a year.
    assert by_group["cyp"]["pct_over_52"] == pytest.approx(24.38, abs=0.01)
    assert by_group["adult"]["pct_over_52"] == pytest.approx(1.21, abs=0.01)


def test_july_2025_service_lines_equal_table_3(chs_12_months, chs_overview_12_months) -> None:
    m = chs_measures(chs_12_months, by=["age_group", "service_line"]).filter(pl.col("period") == dt.date(2025, 7, 31))
    t3 = chs_overview_12_months.filter(pl.col("period") == dt.date(2025, 7, 31))

    def published(line: str, bands: list[str]) -> float:
        return t3.filter((pl.col("service_line") == line) & pl.col("band").is_in(bands))["count"].sum()

    paeds = m.filter(pl.col("service_line") == "Community paediatric service").row(0, named=True)
    assert paeds["total"] == 180_170
    assert paeds["over_52"] == published("Community paediatric service", [">52-104", ">104"]) == 69_935
    assert paeds["over_104"] == 21_825
    msk = m.filter(pl.col("service_line") == "Musculoskeletal service").row(0, named=True)
    assert (msk["total"], msk["over_18"], msk["over_52"], msk["over_104"]) == (385_593, 47_952, 1_902, 246)


def test_over_104_is_unknown_before_the_december_2024_split(chs_12_months) -> None:
    m = chs_measures(chs_12_months).sort("period")
    before = m.filter(pl.col("period") < dt.date(2024, 12, 1))
    after = m.filter(pl.col("period") >= dt.date(2024, 12, 1))
    assert before["over_104"].null_count() == before.height == 4
    assert after["over_104"].null_count() == 0
    assert (after["over_104"] <= after["over_52"]).all()


def test_icb_and_region_rows_add_up_to_england(chs_12_months) -> None:
    national = chs_measures(chs_12_months).select("period", "total")
    for level in ("region", "icb"):
        summed = chs_measures(chs_12_months, level=level).group_by("period").agg(pl.col("total").sum())
        joined = national.join(summed, on="period", suffix="_level")
        # Regions and ICBs cover every provider except the lines published nationally only.
        assert (joined["total_level"] <= joined["total"]).all()
        assert (joined["total"] - joined["total_level"] < 5_000).all()
    providers = chs_measures(chs_12_months, level="provider", by=["age_group"])
    assert {"org_code", "org_name", "age_group", "pct_over_52", "median_weeks"} <= set(providers.columns)
