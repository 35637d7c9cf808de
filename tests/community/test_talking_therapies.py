"""NHS Talking Therapies: measures keyed on id, suppressed values kept null, the 6/18-week standard."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carebacklog.community import (
    CommunityFileError,
    read_talking_therapies,
    standards_check,
    talking_therapies_standards,
    waiting_for_treatment_bands,
)


def england(tt: pl.DataFrame, period: dt.date) -> dict[str, float]:
    rows = tt.filter((pl.col("group_type") == "England") & (pl.col("period") == period))
    return dict(zip(rows["measure_id"], rows["value"], strict=True))


def test_63_months_england_and_providers(talking_therapies) -> None:
    periods = talking_therapies["period"].unique().sort()
    assert periods.len() == 63
    assert (periods[0], periods[-1]) == (dt.date(2021, 1, 31), dt.date(2026, 3, 31))
    assert set(talking_therapies["group_type"].unique()) == {"England", "Provider"}
    assert talking_therapies.filter(pl.col("group_type") == "England")["provider_code"].null_count() == \
        talking_therapies.filter(pl.col("group_type") == "England").height


def test_suppressed_values_are_null_and_flagged_never_zero(talking_therapies) -> None:
    suppressed = talking_therapies.filter(pl.col("suppressed"))
    assert suppressed.height > 10_000
    assert suppressed["value"].null_count() == suppressed.height
    assert (suppressed["group_type"] == "Provider").all()  # England is never suppressed
    counts = talking_therapies.filter(pl.col("rounded") & ~pl.col("suppressed"))
    assert ((counts["value"] % 5) == 0).all()  # provider counts are rounded to the nearest 5
    assert not talking_therapies.filter(pl.col("group_type") == "England")["rounded"].any()


def test_measures_are_keyed_on_id_with_their_latest_name(talking_therapies) -> None:
    m031 = talking_therapies.filter(pl.col("measure_id") == "M031")
    # Renamed from first_treatment to accessing_services in September 2022: one id, one name.
    assert m031["measure_name"].unique().to_list() == ["accessing_services"]
    assert m031["period"].min() == dt.date(2021, 1, 31)


def test_march_2025_published_figures(talking_therapies) -> None:
    e = england(talking_therapies, dt.date(2025, 3, 31))
    assert (e["M001"], e["M031"], e["M038"], e["M044"]) == (148_668, 91_289, 130_374, 7_389)
    s = talking_therapies_standards(talking_therapies).filter(
        (pl.col("group_type") == "England") & (pl.col("period") == dt.date(2025, 3, 31))).row(0, named=True)
    assert round(s["pct_within_6"], 1) == s["published_pct_6"] == 90.5
    assert round(s["pct_within_18"], 1) == s["published_pct_18"] == 98.4
    assert s["meets_6"] and s["meets_18"]
    assert round(s["pct_entered_within_6"], 1) == 89.9  # the entering-treatment cohort, labelled apart


def test_computed_percentages_equal_the_published_ones_every_month(talking_therapies) -> None:
    check = standards_check(talking_therapies)
    national = check.filter(pl.col("group_type") == "England")
    assert national.height == 63 * 2
    assert national["agrees"].all(), national.filter(~pl.col("agrees"))
    providers = check.filter(pl.col("group_type") == "Provider")
    assert providers.height > 10_000
    assert providers["agrees"].all(), providers.filter(~pl.col("agrees"))


def test_cumulative_bands_become_disjoint_and_add_up(talking_therapies) -> None:
    bands = waiting_for_treatment_bands(talking_therapies)
    march = bands.filter((pl.col("group_type") == "England") & (pl.col("period") == dt.date(2025, 3, 31)))
    assert march["band"].to_list() == ["0-2", ">2-4", ">4-6", ">6-12", ">12-18", ">18"]
    assert march["count"].to_list() == [60_600, 92_843 - 60_600, 107_331 - 92_843, 119_783 - 107_331,
                                        122_985 - 119_783, 7_389]
    assert march["count"].sum() == 130_374
    assert bands.filter(pl.col("group_type") == "England")["adds_up"].all()
    provider = bands.filter(pl.col("group_type") == "Provider")["adds_up"].drop_nulls()
    assert provider.len() > 1000 and provider.all()


def test_bad_rows_name_row_and_column(tmp_path) -> None:
    good = ("reporting_period,group_type,org_code2,org_name2,measure_id,measure_name,measure_statistic,value\n"
            "2025-03,England,all,all Providers,M038,waiting_for_treatment,count,130374\n")
    path = tmp_path / "tt.csv"
    path.write_text(good + "2025-3x,England,all,all Providers,M038,waiting_for_treatment,count,1\n")
    with pytest.raises(CommunityFileError, match=r"row 3, column 'reporting_period'"):
        read_talking_therapies(path)
    path.write_text(good + "2025-03,Provider,ABC,Trust,38,waiting_for_treatment,count,1\n")
    with pytest.raises(CommunityFileError, match=r"row 3, column 'measure_id'"):
        read_talking_therapies(path)
    path.write_text(good + "2025-03,Provider,ABC,Trust,M038,waiting_for_treatment,count,lots\n")
    with pytest.raises(CommunityFileError, match=r"row 3, column 'value': not a number"):
        read_talking_therapies(path)
    path.write_text(good + "2025-03,Provider,ABC,Trust,M038,waiting_for_treatment,count,\n")
    tt = read_talking_therapies(path)
    assert tt.filter(pl.col("group_type") == "Provider")["suppressed"].to_list() == [True]
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommunityFileError, match="missing column"):
        read_talking_therapies(path)
