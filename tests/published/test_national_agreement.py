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


def test_roll_up_rows_are_dropped_by_default(national_with_totals: pl.DataFrame) -> None:
    from .conftest import NATIONAL_JAN_2026

    default = read_rtt(NATIONAL_JAN_2026)
    assert not default["treatment_function"].is_in(["C_999"]).any()
    assert default.equals(national_with_totals.filter(pl.col("treatment_function") != "C_999"))
    assert default["period"].unique().to_list() == [__import__("datetime").date(2026, 1, 31)]


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
    # Every part's measures, by treatment function and by commissioner, agree with NHS England's C_999 rows.
    with_totals = read_rtt(RBD_NOV_2024, include_totals=True)
    roll_ups = with_totals.filter(pl.col("treatment_function") == "C_999")
    for part in ("incomplete", "admitted", "nonadmitted", "dta", "new"):
        ours = headline_measures(tidy, part, "commissioner")
        assert ours.equals(headline_measures(roll_ups, part, "commissioner")), part
        assert ours["total"].sum() == headline_measures(tidy, part, "provider,treatment_function")["total"].sum()


def test_measures_from_details_equal_those_from_nhs_englands_roll_up_rows(national_with_totals: pl.DataFrame) -> None:
    # The C_999 rows are NHS England's own per provider × commissioner totals: measuring them (as if they
    # were details) must give exactly the provider measures we build from the treatment functions.
    with_totals = national_with_totals
    roll_ups = with_totals.filter(pl.col("treatment_function") == "C_999")
    details = with_totals.filter(pl.col("treatment_function") != "C_999")
    for part in ("incomplete", "admitted", "nonadmitted", "dta", "new"):
        ours = headline_measures(details, part, "provider")
        theirs = headline_measures(roll_ups, part, "provider")
        assert ours.equals(theirs), part


def test_every_part_and_grouping_gives_one_row_per_group(national_tidy: pl.DataFrame) -> None:
    for part in ("incomplete", "admitted", "nonadmitted", "dta", "new"):
        for by, keys in (("commissioner", ["commissioner_code"]), ("parent", ["parent_code"]),
                         ("provider,treatment_function", ["provider_code", "treatment_function"])):
            m = headline_measures(national_tidy, part, by)
            assert m.select(["period", *keys]).is_duplicated().sum() == 0
            national = headline_measures(national_tidy, part, "national")["total"].item()
            assert m["total"].sum() == national


def test_a_part_absent_from_the_file_gives_an_empty_table(national_tidy: pl.DataFrame) -> None:
    m = headline_measures(national_tidy.filter(pl.col("part") != "Part_1A"), "admitted", "provider")
    assert m.height == 0 and "median_weeks" in m.columns


def test_read_orgs_names_every_provider_of_the_national_file(national_tidy: pl.DataFrame) -> None:
    from carebacklog.published import read_orgs

    from .conftest import NATIONAL_JAN_2026

    orgs = read_orgs(NATIONAL_JAN_2026)
    providers = orgs.filter(pl.col("org_type") == "provider")
    assert set(providers["org_code"]) == set(national_tidy["provider_code"].unique())
    assert providers["org_name"].null_count() == 0
    assert orgs.filter(pl.col("org_type") == "commissioner").height == 129
