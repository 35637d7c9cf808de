"""Readers: every bundled file of every publication, its England row, and the layout variants."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carebacklog.flow import (
    FLOW_SCHEMA,
    bundled_ae_files,
    bundled_series,
    identify,
    national_check,
    read_ae_attendances_tidy,
    read_ae_monthly,
    read_cancelled_ops,
    read_flow,
    read_kh03,
    read_kh03_master,
)
from carebacklog.flow.ae import AE_MONTHLY_COLUMNS
from carebacklog.flow.cancellations import EXCLUDING_IS

from .conftest import (
    AE_MONTHLY,
    AE_TIDY,
    CANCELLED,
    DM01_DEC_2024,
    KH03_MASTER,
    KH03_Q2,
    KH03_Q3_REVISED,
    SERIES,
)

BY_TEST_MEASURES = ("waiting_list_total", "waiting_6_plus_weeks", "waiting_13_plus_weeks", "activity_planned",
                    "activity_unscheduled", "activity_waiting_list")  # as scripts/build_flow_data.py keeps
MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)}


def test_fourteen_consecutive_ae_months_are_bundled():
    periods = sorted(read_ae_monthly(p)["period"][0] for p in AE_MONTHLY)
    assert len(AE_MONTHLY) == 14
    assert periods[0] == dt.date(2024, 6, 30) and periods[-1] == dt.date(2025, 7, 31)
    assert len(set(periods)) == 14


@pytest.mark.parametrize("path", AE_MONTHLY, ids=lambda p: p.name)
def test_ae_month_provider_sums_equal_the_files_total_row(path):
    flow = read_ae_monthly(path)
    assert flow.schema == pl.Schema(FLOW_SCHEMA)
    month = MONTHS[path.name.split("-")[2]]
    assert flow["period"].unique().to_list() == [flow["period"][0]] and flow["period"][0].month == month
    check = national_check(flow)
    assert check.height == len(AE_MONTHLY_COLUMNS)  # one comparison per count column
    assert check["matches"].all(), check.filter(~pl.col("matches"))
    england = flow.filter(pl.col("level") == "england")
    assert england.height == len(AE_MONTHLY_COLUMNS)
    # every provider has a region, decoded from 'Parent Org' into its code
    providers = flow.filter(pl.col("level") == "provider")
    assert providers["region_code"].null_count() == 0
    assert set(providers["region_code"]) <= {"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}


def test_ae_total_row_of_july_2025_as_published():
    flow = read_ae_monthly(next(p for p in AE_MONTHLY if p.name == "Monthly-AE-July-2025.csv"))
    total = dict(flow.filter(pl.col("level") == "england").select("measure", "value").iter_rows())
    assert total["attendances_type1"] == 1433180
    assert total["dta_over_12h"] == 35467
    assert total["other_emergency_admissions"] == 139941


def test_a_revised_file_replaces_the_original_month(tmp_path):
    revised = next(p for p in AE_MONTHLY if p.name == "Monthly-AE-February-2025-revised.csv")
    original = tmp_path / "Monthly-AE-February-2025.csv"
    lines = revised.read_text().splitlines()
    # an "original" edition that differs: one provider row dropped
    original.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    both = read_flow([original, revised])
    assert both["source"].unique().to_list() == [revised.name]
    assert both.height == read_ae_monthly(revised).height
    assert read_flow([revised, original])["source"].unique().to_list() == [original.name]


def test_ae_tidy_2016_2019_layout():
    flow = read_ae_attendances_tidy(AE_TIDY)
    assert identify(AE_TIDY) == "ae_tidy"
    assert flow["level"].unique().to_list() == ["provider"]
    assert sorted(flow["period"].unique()) == [dt.date(2016, 4, 30), dt.date(2019, 3, 31)]
    rf4 = flow.filter((pl.col("org_code") == "RF4") & (pl.col("period") == dt.date(2016, 4, 30)))
    values = dict(rf4.select("measure", "value").iter_rows())
    assert values["attendances_type1"] == 18788 and values["over_4h_type1"] == 4082
    assert values["emergency_admissions_type1"] == 4074 and values["attendances_other"] == 2685
    # no England row in this series: the check has nothing to compare with
    assert national_check(flow)["matches"].null_count() == national_check(flow).height


def test_kh03_workbooks_match_their_england_row():
    for path in (KH03_Q2, KH03_Q3_REVISED):
        flow = read_kh03(path)
        assert identify(path) == "kh03"
        check = national_check(flow)
        assert check.height == 10 and check["matches"].all()  # available and occupied × 5 sectors
    q2 = read_kh03(KH03_Q2)
    assert q2["period"].unique().to_list() == [dt.date(2024, 9, 30)]
    assert read_kh03(KH03_Q3_REVISED)["period"].unique().to_list() == [dt.date(2024, 12, 31)]
    england = dict(q2.filter(pl.col("level") == "england").select("measure", "value").iter_rows())
    assert england["beds_available_general_acute"] == pytest.approx(103656.22826086955)
    assert england["occupied_share_general_acute"] == pytest.approx(0.9036061194334576)


def test_kh03_dash_means_no_beds_of_that_sector():
    q2 = read_kh03(KH03_Q2)  # Barts: no learning-disability beds, '-' in % Occupied
    barts = dict(q2.filter(pl.col("org_code") == "R1H").select("measure", "value").iter_rows())
    assert barts["beds_available_learning_disabilities"] == 0
    assert "occupied_share_learning_disabilities" not in barts
    assert barts["occupied_share_general_acute"] == pytest.approx(0.9453769671281056)


def test_kh03_master_panel_agrees_with_the_quarterly_workbook():
    master = read_kh03_master(KH03_MASTER)
    assert identify(KH03_MASTER) == "kh03_master"
    assert master["period"].n_unique() == 28
    assert master["period"].min() == dt.date(2018, 6, 30) and master["period"].max() == dt.date(2025, 3, 31)
    assert master.filter(pl.col("level") == "england")["org_code"].null_count() == 28 * 5
    q2 = read_kh03(KH03_Q2)
    keys = ["org_code", "measure"]
    panel = master.filter(pl.col("period") == dt.date(2024, 9, 30), pl.col("level") == "provider")
    joined = panel.join(q2, on=keys, suffix="_workbook")
    assert joined.height == panel.height == 4 * 5
    assert (joined["value"] - joined["value_workbook"]).abs().max() < 1e-9


def test_dm01_all_tests_and_by_test_sum_to_the_england_row(dm01_dec_2024):
    check = national_check(dm01_dec_2024)
    assert check["matches"].all()
    assert set(check["breakdown"].drop_nulls()) == {"all (sum of tests)"}
    assert check.filter(pl.col("measure") == "waiting_list_total")["national"].to_list() == [1563343.0, 1563343.0]
    tests = dm01_dec_2024["breakdown"].drop_nulls().unique()
    assert tests.len() == 15 and "Total" not in tests.to_list()
    assert identify(DM01_DEC_2024) == "dm01"


def test_dm01_provider_sheet_equals_each_providers_sum_of_tests(dm01_dec_2024):
    providers = dm01_dec_2024.filter(pl.col("level") == "provider", pl.col("measure") == "waiting_list_total")
    whole = providers.filter(pl.col("breakdown").is_null()).select("org_code", "value")
    by_test = providers.filter(pl.col("breakdown").is_not_null()).group_by("org_code").agg(pl.col("value").sum())
    joined = whole.join(by_test, on="org_code", how="left", suffix="_tests")
    # providers with nobody waiting (activity only) have no by-test rows
    assert joined.filter(pl.col("value_tests").is_null())["value"].to_list() == [0.0] * 15
    assert (joined["value"] == joined["value_tests"].fill_null(0.0)).all()


def test_cancelled_ops_england_rows_and_regions():
    for path in CANCELLED:
        flow = read_cancelled_ops(path)
        assert identify(path) == "cancelled_ops"
        check = national_check(flow)
        assert check.height == 2 and check["matches"].all()  # including the independent sector
        nhs = flow.filter(pl.col("level") == "provider", pl.col("org_code").str.contains(r"^[RT][A-Z0-9]{2}$"))
        excluding = flow.filter(pl.col("level") == "england", pl.col("breakdown") == EXCLUDING_IS)
        assert dict(nhs.group_by("measure").agg(pl.col("value").sum()).iter_rows()) == dict(
            excluding.select("measure", "value").iter_rows()
        )
        regions = flow.filter(pl.col("level") == "region").select("region_code", "measure", "value")
        by_region = nhs.group_by("region_code", "measure").agg(pl.col("value").sum().alias("sum"))
        joined = regions.join(by_region, on=["region_code", "measure"])
        assert joined.height == 14 and (joined["value"] == joined["sum"]).all()
    q2 = read_cancelled_ops(CANCELLED[0])
    assert q2["period"].unique().to_list() == [dt.date(2024, 9, 30)]
    england = q2.filter(pl.col("level") == "england", pl.col("breakdown").is_null())
    assert dict(england.select("measure", "value").iter_rows()) == {
        "last_minute_cancellations": 21262, "not_treated_within_28_days": 4827,
    }


def test_bundled_series_every_period_of_every_publication_adds_up(series):
    check = national_check(series)
    assert check["matches"].drop_nulls().all()
    # only the tidy 2016-2019 A&E series lacks an England row
    assert check.filter(pl.col("matches").is_null())["source"].unique().to_list() == ["ae_attendances_2016_2019.csv"]
    checked = check.filter(pl.col("matches")).group_by("publication").agg(pl.col("period").n_unique())
    assert dict(checked.iter_rows()) == {"ae": 14, "kh03": 29, "dm01": 12, "cancelled_ops": 4}
    periods = series.group_by("publication").agg(pl.col("period").n_unique())
    assert dict(periods.iter_rows()) == {"ae": 50, "kh03": 29, "dm01": 12, "cancelled_ops": 4}


def test_bundled_series_equals_reading_the_bundled_files(series):
    """The Parquet holds what the readers give for the files bundled beside it (no drift)."""
    for path in AE_MONTHLY[:3]:
        direct = read_ae_monthly(path)
        period = direct["period"][0]
        stored = series.filter(pl.col("publication") == "ae", pl.col("period") == period)
        keys = ["level", "org_code", "measure"]
        assert stored.sort(keys).select([*keys, "value"]).equals(direct.sort(keys).select([*keys, "value"]))
    assert SERIES.stat().st_size < 1_000_000


@pytest.mark.parametrize("path", [DM01_DEC_2024, KH03_Q2, KH03_Q3_REVISED, *CANCELLED], ids=lambda p: p.name)
def test_bundled_series_holds_each_bundled_workbook_as_read(series, path):
    direct = read_flow(path)
    stored = series.filter(pl.col("source") == path.name)
    keys = ["level", "org_code", "breakdown", "measure"]
    if direct["publication"][0] == "dm01":  # by test, the series keeps the headline counts only
        direct = direct.filter(pl.col("breakdown").is_null() | pl.col("measure").is_in(BY_TEST_MEASURES))
    assert stored.height == direct.height
    assert stored.sort(keys).select([*keys, "value"]).equals(direct.sort(keys).select([*keys, "value"]))


def test_bundled_helpers():
    assert bundled_ae_files() == AE_MONTHLY
    assert bundled_series().height > 400_000


def test_region_rows_equal_the_sum_of_their_providers(series):
    from carebacklog.flow import region_check

    check = region_check(series)
    assert check["matches"].all(), check.filter(~pl.col("matches"))
    counts = dict(check.group_by("publication").agg(pl.len()).iter_rows())
    assert counts == {"kh03": 4 * 7 * 10, "cancelled_ops": 4 * 7 * 2}  # quarters × regions × counts
    q3 = read_kh03(KH03_Q3_REVISED).filter(pl.col("level") == "region")
    assert sorted(q3["org_code"].unique()) == ["Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"]
    london = q3.filter(pl.col("org_code") == "Y56", pl.col("measure") == "beds_available_general_acute")
    assert london["org_name"][0] == "LONDON" and london["value"][0] == pytest.approx(18142.804348, abs=1e-6)
    assert region_check(read_kh03(KH03_Q3_REVISED))["matches"].all()
