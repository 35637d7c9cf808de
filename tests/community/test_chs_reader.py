"""CHS workbook reader: each layout variant of the real workbooks, blanks vs zeros, errors."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carebacklog.community import (
    CommunityFileError,
    chs_national_check,
    chs_revisions,
    read_chs,
    read_chs_non_submitters,
    read_chs_series,
    read_chs_workbook,
)
from carebacklog.errors import BadInputError

from .conftest import CHS_NOV_2024, chs_sheet, write_workbook

PRE_SPLIT = ["0-1", ">1-2", ">2-4", ">4-12", ">12-18", ">18-52", ">52"]
POST_SPLIT = ["0-1", ">1-2", ">2-4", ">4-12", ">12-18", ">18-52", ">52-104", ">104"]


def test_november_2024_has_the_old_top_band_over_52_weeks(nov_2024) -> None:
    assert nov_2024.period == dt.date(2024, 11, 30)
    assert nov_2024.published == dt.date(2025, 1, 9)
    bands = set(nov_2024.tidy["band"].unique().to_list())
    assert bands == {"total", *PRE_SPLIT}
    assert nov_2024.tidy["top_band_from"].unique().to_list() == [52]
    over_52 = nov_2024.tidy.filter(pl.col("band") == ">52")
    assert over_52["weeks_from"].unique().to_list() == [52]
    assert over_52["weeks_to"].null_count() == over_52.height  # open-ended


def test_january_2025_header_one_row_lower_and_the_split_top_band(jan_2025) -> None:
    # January 2025 carries one more note line: the header rows are found by search, not by offset.
    assert jan_2025.period == dt.date(2025, 1, 31)
    bands = set(jan_2025.tidy["band"].unique().to_list())
    assert bands == {"total", *POST_SPLIT}
    assert jan_2025.tidy["top_band_from"].unique().to_list() == [104]
    edges = jan_2025.tidy.filter(pl.col("band") == ">52-104").select("weeks_from", "weeks_to").unique()
    assert edges.rows() == [(52, 104)]


@pytest.mark.parametrize("fixture", ["nov_2024", "jan_2025"])
def test_every_national_figure_equals_the_workbooks_own_national_row(fixture, request) -> None:
    book = request.getfixturevalue(fixture)
    check = chs_national_check(book.tidy, book.overview)
    lines = check.filter(pl.col("service_line").is_not_null())
    assert lines.height > 47 * 7  # every service line × band published nationally
    assert lines["equal"].all(), lines.filter(~pl.col("equal"))
    totals = check.filter(pl.col("service_line").is_null() & (pl.col("band") == "total"))
    assert totals.height == 3  # England, adult services, CYP services
    assert totals["equal"].all(), totals


def test_table_3_band_totals_include_the_suppressed_lines_bands(jan_2025) -> None:
    # Adult safeguarding, looked-after children teams and CYP safeguarding publish only a national total;
    # Table 3's England bands still count their people, so the detail falls short of it, by no more than
    # those lines' totals.
    check = chs_national_check(jan_2025.tidy, jan_2025.overview)
    england = check.filter(pl.col("age_group").is_null() & (pl.col("band") != "total"))
    shortfall = -england["difference"].sum()
    suppressed = jan_2025.tidy.filter(
        (pl.col("band") == "total") & (pl.col("org_type") == "National") & ~pl.col("aggregate")
    )
    assert suppressed.height == 3
    assert 0 < shortfall <= suppressed["count"].sum()
    assert set(suppressed["service_line"].to_list()) == {"Adult safeguarding", "Looked after children teams",
                                                         "Safeguarding"}


def test_detail_is_providers_plus_lines_published_nationally_only(nov_2024) -> None:
    detail = nov_2024.tidy.filter(~pl.col("aggregate"))
    assert set(detail["org_type"].unique().to_list()) == {"Provider", "National"}
    national_detail = detail.filter(pl.col("org_type") == "National")
    assert national_detail["band"].unique().to_list() == ["total"]
    # Region and ICB rows are roll-ups of the providers: never detail.
    assert nov_2024.tidy.filter(pl.col("org_type").is_in(["Region", "ICB"]))["aggregate"].all()
    assert nov_2024.tidy.filter(pl.col("org_type") == "Region")["org_code"].unique().sort().to_list() == [
        "Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"]


def test_read_chs_stacks_months_and_drops_roll_ups_by_default(nov_2024, jan_2025) -> None:
    both = read_chs([nov_2024, jan_2025])
    assert both["period"].unique().sort().to_list() == [dt.date(2024, 11, 30), dt.date(2025, 1, 31)]
    assert not both["aggregate"].any()
    england = both.filter(pl.col("band") == "total").group_by("period").agg(pl.col("count").sum()).sort("period")
    assert england["count"].to_list() == [1_055_712, 1_058_718]


def test_the_same_month_twice_is_refused(nov_2024) -> None:
    with pytest.raises(CommunityFileError, match="same month"):
        read_chs([nov_2024, nov_2024])


def test_paths_and_read_workbooks_give_the_same_table(nov_2024) -> None:
    assert read_chs(CHS_NOV_2024).equals(read_chs(nov_2024))


def test_revisions_of_an_earlier_month_are_reported(nov_2024, jan_2025) -> None:
    series = read_chs_series([jan_2025, nov_2024])  # ordered by publication date, not by argument
    revisions = chs_revisions(series)
    nov = revisions.filter((pl.col("period") == dt.date(2024, 11, 30)) & pl.col("age_group").is_null()
                           & pl.col("service_line").is_null()).row(0, named=True)
    assert (nov["first_count"], nov["latest_count"], nov["revised"]) == (1_055_712, 1_059_725, True)
    assert nov["first_published"] == dt.date(2025, 1, 9) and nov["latest_published"] == dt.date(2025, 3, 13)
    aug = revisions.filter((pl.col("period") == dt.date(2024, 8, 31)) & pl.col("age_group").is_null()
                           & pl.col("service_line").is_null()).row(0, named=True)
    assert aug["latest_count"] == 1_102_792 and not aug["revised"]


def test_non_submitting_organisations_by_month(nov_2024, jan_2025) -> None:
    table = read_chs_non_submitters([nov_2024, jan_2025])
    england = table.filter(pl.col("org_type") == "National").sort("period")
    assert england["period"].to_list()[0] == dt.date(2024, 4, 30)
    assert england["period"].to_list()[-1] == dt.date(2025, 1, 31)
    assert england["in_scope"].unique().to_list() == [147]  # the January edition's count is kept
    regions = table.filter((pl.col("org_type") == "Region") & (pl.col("period") == dt.date(2025, 1, 31)))
    assert regions.height == 7
    assert regions["non_submitters"].sum() == england.filter(pl.col("period") == dt.date(2025, 1, 31))[
        "non_submitters"].item()


def test_blank_is_not_submitted_and_zero_is_a_submitted_zero(tmp_path) -> None:
    path = write_workbook(tmp_path / "chs.xlsx", {
        "Table 4": chs_sheet("Total waiting list by service, March 2025", [
            ["National", None, "England", 5, 0],
            ["Provider", "AAA", "Trust A", 5, None],
            ["Provider", "BBB", "Trust B", None, 0],
        ], notes=7),  # header on row 9: found by search
    })
    tidy = read_chs(path, include_totals=True)
    assert tidy["period"].unique().to_list() == [dt.date(2025, 3, 31)]
    rows = {(r["org_code"], r["age_group"]): r["count"] for r in tidy.iter_rows(named=True)}
    assert rows == {(None, "adult"): 5, (None, "cyp"): 0, ("AAA", "adult"): 5, ("BBB", "cyp"): 0}
    assert ("AAA", "cyp") not in rows  # blank: no row, not a zero


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["National", None, "England", "n/a", 1]], r"sheet 'Table 4', row 6, column '\(A\) Audiology': not a count"),
        ([["National", None, "England", 1, 1], ["Trust", "X", "Y", 1, 1]],
         r"row 7, column 'Organisation Type': not one of"),
        ([["National", None, "England", 1, 1], ["Provider", None, "Y", 1, 1]],
         r"row 7, column 'Organisation Code': blank"),
        ([["National", None, "England", -1, 1]], "cannot be negative"),
        ([["Provider", "X", "Y", 1, 1]], "expected one 'National' row"),
    ],
)
def test_bad_cells_name_file_sheet_row_and_column(tmp_path, rows, message) -> None:
    path = write_workbook(tmp_path / "bad.xlsx", {"Table 4": chs_sheet("Total waiting list by service, May 2025", rows)})
    with pytest.raises(CommunityFileError, match=message) as info:
        read_chs(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, BadInputError)


def test_bad_layouts_are_clear_errors(tmp_path) -> None:
    no_header = write_workbook(tmp_path / "a.xlsx", {"Table 4": [["Total waiting list by service, May 2025"]]})
    with pytest.raises(CommunityFileError, match="no header row with 'Organisation Type'"):
        read_chs(no_header)
    bad_title = write_workbook(tmp_path / "b.xlsx", {"Table 4": chs_sheet("Something else", [])})
    with pytest.raises(CommunityFileError, match="row 1, column 'A'"):
        read_chs(bad_title)
    bad_service = write_workbook(tmp_path / "c.xlsx", {"Table 4": chs_sheet(
        "Total waiting list by service, May 2025", [["National", None, "England", 1]], services=("Audiology",))})
    with pytest.raises(CommunityFileError, match=r"row 5, column 'Audiology'.*\(A\)"):
        read_chs(bad_service)
    other = write_workbook(tmp_path / "d.xlsx", {"Sheet": [["x"]]})
    with pytest.raises(CommunityFileError, match="no sheet 'Table 4'"):
        read_chs(other)
    not_excel = tmp_path / "e.xlsx"
    not_excel.write_text("not a workbook")
    with pytest.raises(CommunityFileError, match="cannot open as an Excel workbook"):
        read_chs(not_excel)
    with pytest.raises(CommunityFileError, match="no such file"):
        read_chs(tmp_path / "missing.xlsx")
    (tmp_path / "f.csv").write_text("a,b\n")
    with pytest.raises(CommunityFileError, match=r"expected an \.xlsx"):
        read_chs(tmp_path / "f.csv")


def test_band_sheet_month_must_match_table_4(tmp_path) -> None:
    path = write_workbook(tmp_path / "m.xlsx", {
        "Table 4": chs_sheet("Total waiting list by service, May 2025", [["National", None, "England", 1, 1]]),
        "Table 4a": chs_sheet("Number waiting 0-1 weeks (0-7 days) by service, June 2025",
                              [["National", None, "England", 1, 1]]),
    })
    with pytest.raises(CommunityFileError, match=r"sheet 'Table 4a', row 1.*differs"):
        read_chs_workbook(path)
