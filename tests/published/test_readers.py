"""Readers: the Full CSV extract (CSV and zip, with NHS England's traps), workbooks, several months."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest

from carebacklog.published import PublishedFileError, headline_measures, read_orgs, read_rtt

from .conftest import NEW_PERIODS_APR_2023, RBD_NOV_2024

HEADER = RBD_NOV_2024.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
N_BANDS = 105


def extract_row(period: str, provider: str, commissioner: str, part: str, tf: str,
                bands: dict[int, int] | None = None, unknown: int | None = None,
                total_all: int | None = None) -> str:
    """One Full CSV line; unlisted bands are left blank as NHS England does."""
    cells = [period, "QVV", "DORSET ICB", provider, f"{provider} TRUST", "QVV", "DORSET ICB", commissioner,
             f"{commissioner} CCG", part, "desc", tf, "name"]
    bands = bands or {}
    cells += [str(bands[b]) if b in bands else "" for b in range(N_BANDS)]
    known = sum(bands.values())
    if part in ("Part_1A", "Part_1B"):
        cells += [str(known), "" if unknown is None else str(unknown), str(known + (unknown or 0))]
    else:
        cells += ["", "", str(total_all if total_all is not None else known)]
    return ",".join(cells)


def write_extract(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([",".join(HEADER), *lines]) + "\n", encoding="utf-8")
    return path


def test_header_is_the_121_column_layout() -> None:
    assert len(HEADER) == 121


def test_blank_cells_are_zero_and_roll_ups_are_dropped(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "x.csv", [
        extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_110", {0: 3, 104: 2}),
        extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_999", {0: 3, 104: 2}),
    ])
    tidy = read_rtt(path)
    assert tidy.select("weeks_band", "count").sort("weeks_band").rows() == [(0, 3.0), (104, 2.0)]
    assert tidy["period"].unique().to_list() == [dt.date(2025, 3, 31)]
    assert read_rtt(path, include_totals=True).height == 4


def test_unknown_clock_start_and_new_periods(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "x.csv", [
        extract_row("RTT-March-2025", "RAA", "01A", "Part_1B", "C_110", {2: 4}, unknown=1),
        extract_row("RTT-March-2025", "RAA", "01A", "Part_3", "C_110", total_all=9),
    ])
    tidy = read_rtt(path)
    assert sorted(tidy.select("part", "weeks_band", "count").rows(), key=str) == sorted(
        [("Part_1B", 2, 4.0), ("Part_1B", None, 1.0), ("Part_3", None, 9.0)], key=str)


def test_zip_with_macosx_member_reads_the_real_csv(tmp_path: Path) -> None:
    csv = write_extract(tmp_path / "inner.csv", [
        extract_row("RTT-April-2025", "RAA", "01A", "Part_2", "C_110", {5: 7}),
    ])
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("__MACOSX/._20250430-RTT-April-2025-full-extract.csv", b"\x00\x05junk")
        z.write(csv, "20250430-RTT-April-2025-full-extract.csv")
    tidy = read_rtt(archive)
    assert tidy.select("period", "weeks_band", "count").rows() == [(dt.date(2025, 4, 30), 5, 7.0)]


def test_several_months_make_a_time_series(tmp_path: Path) -> None:
    paths = [
        write_extract(tmp_path / f"{m}.csv", [extract_row(f"RTT-{m}-2025", "RAA", "01A", "Part_2", "C_110", {0: n})])
        for m, n in (("April", 1), ("May", 2))
    ]
    tidy = read_rtt([*paths, RBD_NOV_2024])
    totals = tidy.filter(pl.col("part") == "Part_2").group_by("period").agg(pl.col("count").sum()).sort("period")
    assert totals["period"].to_list() == [dt.date(2024, 11, 30), dt.date(2025, 4, 30), dt.date(2025, 5, 31)]
    assert totals["count"].to_list()[1:] == [1.0, 2.0]


def test_bad_files_name_file_row_and_column(tmp_path: Path) -> None:
    bad_period = write_extract(tmp_path / "p.csv", [extract_row("March 2025", "RAA", "01A", "Part_2", "C_110", {0: 1})])
    with pytest.raises(PublishedFileError, match=r"p\.csv, row 2, column 'Period'"):
        read_rtt(bad_period)
    bad_month = write_extract(tmp_path / "m.csv", [extract_row("RTT-Novembre-2024", "RAA", "01A", "Part_2", "C_110", {0: 1})])
    with pytest.raises(PublishedFileError, match=r"m\.csv, row 2, column 'Period': 'RTT-Novembre-2024'"):
        read_rtt(bad_month)
    not_rtt = tmp_path / "other.csv"
    not_rtt.write_text("a,b\n1,2\n")
    with pytest.raises(PublishedFileError, match="missing column"):
        read_rtt(not_rtt)
    with pytest.raises(PublishedFileError, match="no such file"):
        read_rtt(tmp_path / "absent.zip")
    text_count = tmp_path / "t.csv"
    text_count.write_text(",".join(HEADER) + "\n" + extract_row(
        "RTT-March-2025", "RAA", "01A", "Part_2", "C_110", {0: 1}).replace(",1,", ",lots,", 1) + "\n")
    with pytest.raises(PublishedFileError, match=r"t\.csv, row 2, column 'Gt 00 To 01 Weeks SUM 1': the count is not a number"):
        read_rtt(text_count)


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + RBD_NOV_2024.read_bytes())
    assert read_rtt(path).equals(read_rtt(RBD_NOV_2024))


def test_rbd_november_2024_keeps_every_count() -> None:
    raw = pl.read_csv(RBD_NOV_2024, infer_schema=False)
    raw_total = raw.filter(pl.col("Treatment Function Code") != "C_999")["Total All"].cast(pl.Float64).sum()
    tidy = read_rtt(RBD_NOV_2024)
    assert tidy["count"].sum() == raw_total
    assert set(tidy["part"].unique()) == {"Part_1A", "Part_1B", "Part_2", "Part_2A", "Part_3"}


def test_new_periods_workbook_details_sum_to_its_provider_totals() -> None:
    tidy = read_rtt(NEW_PERIODS_APR_2023)
    with_totals = read_rtt(NEW_PERIODS_APR_2023, include_totals=True)
    totals = with_totals.filter(pl.col("treatment_function") == "C_999")
    assert tidy["part"].unique().to_list() == ["Part_3"]
    assert tidy["period"].unique().to_list() == [dt.date(2023, 4, 30)]
    assert tidy["count"].sum() == totals["count"].sum() == 1_402_001
    per_provider = tidy.group_by("provider_code").agg(pl.col("count").sum()).join(
        totals.select("provider_code", pl.col("count").alias("c999")), on="provider_code")
    assert (per_provider["count"] == per_provider["c999"]).all()


def test_read_orgs_gives_codes_and_names() -> None:
    orgs = read_orgs([RBD_NOV_2024, NEW_PERIODS_APR_2023])
    rbd = orgs.filter((pl.col("org_type") == "provider") & (pl.col("org_code") == "RBD"))
    assert rbd["org_name"].item() == "DORSET COUNTY HOSPITAL NHS FOUNDATION TRUST"
    assert orgs.filter(pl.col("org_type") == "provider_parent")["org_code"].to_list() == ["QVV"]
    assert orgs.filter(pl.col("org_code") == "R1H")["org_name"].item() == "BARTS HEALTH NHS TRUST"


def test_pre_april_2021_layout_stops_at_52_plus(tmp_path: Path) -> None:
    # Before April 2021 the extract's bands stop at "Gt 52 Weeks SUM 1" (open-ended).
    header = [*HEADER[:13], *(f"Gt {k:02d} To {k + 1:02d} Weeks SUM 1" for k in range(52)), "Gt 52 Weeks SUM 1",
              "Total", "Patients with unknown clock start date", "Total All"]
    cells = ["RTT-March-2019", "Q1", "P", "RAA", "R", "Q1", "P", "01A", "C", "Part_2", "d", "C_110", "n"]
    cells += ["4"] + [""] * 51 + ["6", "", "", "10"]
    path = tmp_path / "old.csv"
    path.write_text(",".join(header) + "\n" + ",".join(cells) + "\n")
    tidy = read_rtt(path)
    assert tidy.select("weeks_band", "count", "top_band").sort("weeks_band").rows() == [(0, 4.0, 52), (52, 6.0, 52)]
    row = headline_measures(tidy, "incomplete", "national").row(0, named=True)
    assert row["over_52"] == 6 and row["over_65"] is None and row["over_104"] is None


def test_xlsx_workbook_in_the_new_periods_layout(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Provider"
    sheet.append([None, "Title:", "New Referral to Treatment (RTT) Periods"])
    sheet.append([None, "Period:", "May 2025"])
    sheet.append([])
    sheet.append([None, "Region Code", "Provider Code", "Provider Name", "Treatment Function Code",
                  "Treatment Function", "Number of new RTT clock starts during the month"])
    sheet.append([None, "Y56", "R1H", "BARTS HEALTH NHS TRUST", "C_100", "General Surgery Service", 544])
    sheet.append([None, "Y56", "R1H", "BARTS HEALTH NHS TRUST", "C_999", "Total", 544])
    path = tmp_path / "New-Periods-Provider-May25.xlsx"
    book.save(path)
    tidy = read_rtt(path)
    assert tidy.select("period", "provider_code", "part", "treatment_function", "count").rows() == [
        (dt.date(2025, 5, 31), "R1H", "Part_3", "C_100", 544.0)]


def test_workbook_text_in_a_count_cell_names_sheet_row_and_column(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Provider"
    sheet.append([None, "Period:", "May 2025"])
    sheet.append([None, "Provider Code", "Treatment Function Code", "Number of new RTT clock starts during the month"])
    sheet.append([None, "R1H", "C_100", "many"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(PublishedFileError, match="sheet 'Provider' row 3, column 'Number of new RTT clock starts"):
        read_rtt(path)


def test_provider_basis_incomplete_workbook_with_104_plus(tmp_path: Path) -> None:
    import openpyxl

    bands = [f">{k}-{k + 1}" for k in range(104)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Provider"
    sheet.append([None, "Title:", "Referral to Treatment (RTT) Waiting Times"])
    sheet.append([None, "Summary:", "Monthly Referral to Treatment (RTT) waiting times for incomplete pathways."])
    sheet.append([None, "Period:", "August 2024"])
    sheet.append([None, "Region Code", "Provider Code", "Provider Name", "Treatment Function Code",
                  "Treatment Function", *bands, "104 plus", "Total number of incomplete pathways",
                  "Total 52 plus weeks"])
    counts = [0] * 104
    counts[0], counts[60] = 8, 2
    sheet.append([None, "Y56", "R1H", "BARTS", "C_110", "T&O", *counts, 1, 11, 3])
    sheet.append([None, "Y56", "R1H", "BARTS", "C_999", "Total", *counts, 1, 11, 3])
    path = tmp_path / "Incomplete-Provider-Aug24.xlsx"
    book.save(path)
    tidy = read_rtt(path)
    assert tidy.select("provider_code", "commissioner_code", "part", "weeks_band", "count", "top_band").sort(
        "weeks_band").rows() == [("R1H", None, "Part_2", 0, 8.0, 104), ("R1H", None, "Part_2", 60, 2.0, 104),
                                 ("R1H", None, "Part_2", 104, 1.0, 104)]
    row = headline_measures(tidy, "incomplete", "provider").row(0, named=True)
    assert (row["total"], row["over_52"], row["over_104"]) == (11, 3, 1)
