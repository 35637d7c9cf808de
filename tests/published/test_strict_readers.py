"""Strict readers: every defect of a published file is a clear `PublishedFileError` naming file, column
and (where there is one) row, exit code 2 from the CLI, never a traceback and never a changed total."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.published import PublishedFileError, headline_measures, read_rtt
from carebacklog.published.extract import read_extract_wide

from .conftest import RBD_NOV_2024
from .test_readers import HEADER, extract_row, write_extract

runner = CliRunner()
RBD_LINES = RBD_NOV_2024.read_text(encoding="utf-8-sig").splitlines()  # one record a line (no quoted line ends)


def cells_of(line: str) -> list[str]:
    return next(csv.reader([line]))


def line_of(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()
RBD_INCOMPLETE = 21_702  # RBD's incomplete pathways, November 2024 (its C_999 rows agree)


def rbd_with(tmp_path: Path, header: list[str] | None = None, rows: list[str] | None = None,
             name: str = "rbd.csv") -> Path:
    path = tmp_path / name
    lines = [",".join(header or HEADER), *(rows if rows is not None else RBD_LINES[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_refused(path: Path, *fragments: str) -> str:
    """read_rtt refuses ``path`` with a message naming the file and every fragment; so does the CLI
    (exit 2, the message on stderr, no traceback)."""
    with pytest.raises(PublishedFileError) as info:
        read_rtt(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    result = runner.invoke(app, ["rtt", "measures", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return message


def test_the_fixture_reads_with_its_published_total() -> None:
    row = headline_measures(read_rtt(RBD_NOV_2024), "incomplete", "provider").row(0, named=True)
    assert row["total"] == RBD_INCOMPLETE


def test_a_renamed_band_column_is_refused_not_dropped(tmp_path: Path) -> None:
    # Before: the renamed column was ignored and RBD's 21,702 incomplete pathways became 20,900 (exit 0).
    header = [("Gt 05 To 06 Weeks" if h == "Gt 05 To 06 Weeks SUM 1" else h) for h in HEADER]
    assert_refused(rbd_with(tmp_path, header), "row 1", "column 'Gt 05 To 06 Weeks SUM 1'", "missing or renamed")


def test_an_unknown_band_column_is_refused(tmp_path: Path) -> None:
    header = [("Gt 05 To 07 Weeks SUM 1" if h == "Gt 05 To 06 Weeks SUM 1" else h) for h in HEADER]
    assert_refused(rbd_with(tmp_path, header), "column 'Gt 05 To 06 Weeks SUM 1'")
    extra = tmp_path / "extra.csv"
    lines = [line_of([*HEADER, "Gt 105 To 106 Weeks SUM 1"]), *(line + "," for line in RBD_LINES[1:])]
    extra.write_text("\n".join(lines) + "\n")
    assert_refused(extra, "column 'Gt 105 To 106 Weeks SUM 1'", "unknown weekly band column")


def test_a_dropped_band_column_is_refused(tmp_path: Path) -> None:
    i = HEADER.index("Gt 50 To 51 Weeks SUM 1")
    rows = [line_of([c for j, c in enumerate(cells_of(line)) if j != i]) for line in RBD_LINES[1:]]
    path = rbd_with(tmp_path, [h for j, h in enumerate(HEADER) if j != i], rows)
    assert_refused(path, "column 'Gt 50 To 51 Weeks SUM 1'")


def test_a_row_whose_bands_do_not_add_up_is_refused(tmp_path: Path) -> None:
    line = extract_row("RTT-March-2025", "RAA", "01A", "Part_1A", "C_110", {3: 4}, unknown=1)
    cells = line.split(",")
    cells[-1] = "9"  # Total All: 4 in bands + 1 unknown ≠ 9
    path = write_extract(tmp_path / "sum.csv", [extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_110",
                                                            {0: 1}), ",".join(cells)])
    assert_refused(path, "row 3", "column 'Total All'", "do not add up")
    cells[-1], cells[-3] = "5", "7"  # Total All right, Total (bands only) wrong
    write_extract(path, [",".join(cells)])
    assert_refused(path, "row 2", "column 'Total'")
    # `rtt check` still reads such a file and reports it as a failed check (exit 1), not as bad input.
    assert read_extract_wide(path).height == 1


def test_the_same_month_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PublishedFileError, match=r"November 2024 \(Part_\w+\) is already given by"):
        read_rtt([RBD_NOV_2024, RBD_NOV_2024])
    copy = rbd_with(tmp_path, name="copy.csv")
    with pytest.raises(PublishedFileError, match=r"copy\.csv: November 2024 .* already given by .*RBD"):
        read_rtt([RBD_NOV_2024, copy])
    # The same month for other providers is not a repeat: both are kept.
    other = write_extract(tmp_path / "raa.csv", [extract_row("RTT-November-2024", "RAA", "01A", "Part_2", "C_110",
                                                             {0: 3})])
    both = headline_measures(read_rtt([RBD_NOV_2024, other]), "incomplete", "national")
    assert both["total"].to_list() == [RBD_INCOMPLETE + 3]


def test_a_row_given_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    assert_refused(rbd_with(tmp_path, rows=[*RBD_LINES[1:], RBD_LINES[5]]), f"row {len(RBD_LINES) + 1}",
                   "earlier row")


@pytest.mark.parametrize(("value", "reason"), [("-3", "is negative"), ("2.5", "not a whole number"),
                                                ("lots", "not a number"), ("NaN", "not a number")])
def test_bad_counts_name_row_and_column(tmp_path: Path, value: str, reason: str) -> None:
    good = extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_110", {0: 1})
    bad = extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_120", {0: 1, 7: 2}).replace(",2,", f",{value},")
    path = write_extract(tmp_path / "bad.csv", [good, bad])
    assert_refused(path, "row 3", "column 'Gt 07 To 08 Weeks SUM 1'", reason)


def test_whole_numbers_written_with_a_decimal_point_are_counts(tmp_path: Path) -> None:
    line = extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_110", {0: 3}).replace(",3,", ",3.0,")
    tidy = read_rtt(write_extract(tmp_path / "dec.csv", [line]))
    assert tidy["count"].to_list() == [3]


def test_empty_and_header_only_extracts_are_refused(tmp_path: Path) -> None:
    header_only = write_extract(tmp_path / "header.csv", [])
    assert_refused(header_only, "no data rows")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert_refused(empty, "empty")


def test_a_truncated_or_corrupt_zip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(RBD_NOV_2024, "20241130-RTT-November-2024-RBD.csv")
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    assert_refused(truncated, "not a readable zip file")
    corrupt = tmp_path / "corrupt.zip"
    middle = len(data) // 2
    corrupt.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:])
    assert_refused(corrupt, "not a readable zip file")
    # `rtt check` (which used to end in a traceback with exit 1) exits 2 too.
    result = runner.invoke(app, ["rtt", "check", str(truncated)])
    assert result.exit_code == 2 and "not a readable zip file" in result.output


def test_a_truncated_csv_is_refused(tmp_path: Path) -> None:
    data = RBD_NOV_2024.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 3])  # the last line cut short
    assert_refused(cut, "truncated")
    short = rbd_with(tmp_path, rows=[*RBD_LINES[1:-1], line_of(cells_of(RBD_LINES[-1])[:60])], name="short.csv")
    assert_refused(short, f"row {len(RBD_LINES)}", "column 'Total All'", "blank")


def test_a_csv_that_is_not_an_rtt_extract_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "ae.csv"
    other.write_text("Period,Org Code,A&E attendances Type 1\nMSitAE-APRIL-2025,RAA,100\n")
    assert_refused(other, "not an RTT Full CSV extract", "'Provider Org Code'")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    assert_refused(binary)


@pytest.mark.parametrize(("column", "value", "fragment"), [
    ("RTT Part Type", "Part_9", "not one of"),
    ("Treatment Function Code", "Trauma", "not a treatment function code"),
    ("Provider Org Code", "", "blank"),
])
def test_bad_keys_are_refused(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    cells = cells_of(RBD_LINES[3])
    cells[HEADER.index(column)] = value
    path = rbd_with(tmp_path, rows=[*RBD_LINES[1:3], line_of(cells), *RBD_LINES[4:]])
    assert_refused(path, "row 4", f"column '{column}'", fragment)


def _workbook(tmp_path: Path, rows: list[list[object]], bands: list[str] | None = None,
              name: str = "Incomplete-Provider-Aug24.xlsx") -> Path:
    import openpyxl

    bands = bands if bands is not None else [f">{k}-{k + 1}" for k in range(52)] + ["52 plus"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Provider"
    sheet.append([None, "Summary:", "Incomplete pathways."])
    sheet.append([None, "Period:", "August 2024"])
    sheet.append([None, "Provider Code", "Treatment Function Code", *bands, "Total number of incomplete pathways"])
    for row in rows:
        sheet.append([None, *row])
    path = tmp_path / name
    book.save(path)
    return path


def _wb_row(tf: str, counts: dict[int, object], total: object) -> list[object]:
    return ["R1H", tf, *(counts.get(k, 0) for k in range(53)), total]


def test_workbook_defects_are_refused(tmp_path: Path) -> None:
    good = _workbook(tmp_path, [_wb_row("C_110", {0: 8, 52: 2}, 10)], name="good.xlsx")
    assert headline_measures(read_rtt(good), "incomplete", "provider")["total"].to_list() == [10]
    cases = [
        ([_wb_row("C_110", {0: -8}, -8)], None, "the count is negative"),
        ([_wb_row("C_110", {0: 2.5}, 2.5)], None, "not a whole number"),
        ([_wb_row("C_110", {0: 8}, 9)], None, "do not add up"),
        ([_wb_row("C_110", {0: 8}, 8), _wb_row("C_110", {0: 8}, 8)], None, "earlier row"),
        ([_wb_row("C_110", {0: 8}, 8)], [f">{k}-{k + 1}" for k in range(52) if k != 5] + ["Weeks 5-6", "52 plus"],
         "'>5-6'"),
        ([_wb_row("C_110", {0: 8}, 8)], [f">{k}-{k + 1}" for k in range(52)] + ["> 52-53", "52 plus"],
         "unknown weekly band column"),
        ([], None, "no data rows"),
    ]
    for i, (rows, bands, fragment) in enumerate(cases):
        path = _workbook(tmp_path, rows, bands, name=f"case{i}.xlsx")
        with pytest.raises(PublishedFileError, match=fragment) as info:
            read_rtt(path)
        assert str(path) in str(info.value)


def test_errors_never_quote_cell_contents(tmp_path: Path) -> None:
    # Aggregate files hold no patient data, but the house rule holds for every reader: name the place only.
    bad = extract_row("RTT-March-2025", "RAA", "01A", "Part_2", "C_120", {0: 1, 7: 2}).replace(",2,", ",SECRET,")
    with pytest.raises(PublishedFileError) as info:
        read_rtt(write_extract(tmp_path / "bad.csv", [bad]))
    assert "SECRET" not in str(info.value)


def test_totals_by_part_of_the_national_file_are_unchanged(national_tidy: pl.DataFrame) -> None:
    # The strict reader accepts NHS England's own file as it is (every check passes on every row).
    totals = dict(national_tidy.group_by("part").agg(pl.col("count").sum()).iter_rows())
    assert totals["Part_2"] == 7_187_677 and totals["Part_3"] == 1_773_734
