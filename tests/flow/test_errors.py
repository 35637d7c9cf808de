"""Malformed files: a FlowFileError (a BadInputError, exit code 2) naming file, sheet, row and column."""

from __future__ import annotations

import openpyxl
import pytest
import xlrd

from carebacklog.errors import BadInputError, ExitCode
from carebacklog.flow import (
    FlowFileError,
    identify,
    read_ae_attendances_tidy,
    read_ae_monthly,
    read_cancelled_ops,
    read_dm01,
    read_flow,
    read_kh03,
    read_kh03_master,
)

from .conftest import AE_MONTHLY, AE_TIDY, CANCELLED, DM01_DEC_2024, KH03_MASTER, KH03_Q2

AE_JAN_2025 = next(p for p in AE_MONTHLY if p.name == "Monthly-AE-January-2025.csv")


def _edit_csv(src, dst, line, old, new):
    lines = src.read_text().splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    dst.write_text("\n".join(lines) + "\n")
    return dst


def test_is_a_bad_input_error_with_exit_code_2():
    assert issubclass(FlowFileError, BadInputError)
    assert FlowFileError("x.csv", "broken").exit_code == ExitCode.BAD_INPUT


def test_ae_renamed_column(tmp_path):
    bad = _edit_csv(AE_JAN_2025, tmp_path / "ae.csv", 1, "Attendances over 4hrs Type 1", "Over 4 hours Type 1")
    with pytest.raises(FlowFileError) as err:
        read_ae_monthly(bad)
    message = str(err.value)
    assert str(bad) in message and "row 1" in message and "Attendances over 4hrs Type 1" in message


def test_ae_text_in_a_count_names_line_and_column_not_the_row(tmp_path):
    lines = AE_JAN_2025.read_text().splitlines()
    fields = lines[9].split(",")
    fields[10] = "lots"  # 'Attendances over 4hrs Type 1' (column 11) of line 10
    lines[9] = ",".join(fields)
    bad = tmp_path / "ae.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(FlowFileError) as err:
        read_ae_monthly(bad)
    message = str(err.value)
    assert "row 10" in message and "column 'Attendances over 4hrs Type 1'" in message
    assert "lots" not in message and fields[3] not in message  # the cell and the org name are not quoted


def test_ae_bad_period(tmp_path):
    bad = _edit_csv(AE_JAN_2025, tmp_path / "ae.csv", 2, "MSitAE-JANUARY-2025", "JAN-2025")
    with pytest.raises(FlowFileError, match=r"column 'Period'"):
        read_ae_monthly(bad)


def test_ae_tidy_bad_type_and_number(tmp_path):
    bad = _edit_csv(AE_TIDY, tmp_path / "t.csv", 3, '"2"', '"3"')
    with pytest.raises(FlowFileError, match=r"row 3, column 'type'"):
        read_ae_attendances_tidy(bad)
    bad = _edit_csv(AE_TIDY, tmp_path / "u.csv", 4, ",2685,", ",many,")
    with pytest.raises(FlowFileError, match=r"row 4, column 'attendances'"):
        read_ae_attendances_tidy(bad)


def test_kh03_master_renamed_column(tmp_path):
    bad = _edit_csv(KH03_MASTER, tmp_path / "m.csv", 1, "kh03_occ_ga_avg_beds", "occupied_ga")
    with pytest.raises(FlowFileError, match="kh03_occ_ga_avg_beds"):
        read_kh03_master(bad)


def _kh03_copy(tmp_path, edit):
    book = openpyxl.load_workbook(KH03_Q2)
    edit(book)
    out = tmp_path / "kh03.xlsx"
    book.save(out)
    return out


def test_kh03_missing_sheet(tmp_path):
    def rename(book):
        book["NHS Trust by Sector"].title = "Trusts"

    bad = _kh03_copy(tmp_path, rename)
    with pytest.raises(FlowFileError) as err:
        read_kh03(bad)
    assert "no sheet 'NHS Trust by Sector'" in str(err.value) and str(bad) in str(err.value)
    with pytest.raises(FlowFileError, match="not a KH03, DM01 or cancelled-operations workbook"):
        identify(bad)


def test_kh03_renamed_column_names_sheet_and_header_row(tmp_path):
    def rename(book):
        book["NHS Trust by Sector"]["H15"] = "G&A"  # 'General & Acute' under 'Available'

    with pytest.raises(FlowFileError) as err:
        read_kh03(_kh03_copy(tmp_path, rename))
    message = str(err.value)
    assert "sheet 'NHS Trust by Sector', row 15" in message  # the header row, under the group row
    assert "Available | General & Acute" in message


def test_kh03_text_in_a_count(tmp_path):
    def corrupt(book):
        book["NHS Trust by Sector"]["H20"] = "closed"

    with pytest.raises(FlowFileError) as err:
        read_kh03(_kh03_copy(tmp_path, corrupt))
    message = str(err.value)
    assert "sheet 'NHS Trust by Sector', row 20, column 'Available | General & Acute'" in message
    assert "closed" not in message


def test_cancelled_ops_text_in_a_count_and_missing_anchor(tmp_path):
    book = openpyxl.load_workbook(CANCELLED[0])
    book["Provider"]["F25"] = "n/k"
    out = tmp_path / "c.xlsx"
    book.save(out)
    with pytest.raises(FlowFileError, match=r"sheet 'Provider', row 25, column 'Number of last minute"):
        read_cancelled_ops(out)
    book = openpyxl.load_workbook(CANCELLED[0])
    book["Provider"]["D16"] = "Org Code"
    book.save(out)
    with pytest.raises(FlowFileError, match=r"sheet 'Provider', row 16: header row lacks column\(s\) \['Organisation Code'\]"):
        read_cancelled_ops(out)


def _dm01_as_xlsx(tmp_path, edit=None):
    """The real DM01 workbook re-saved as .xlsx (the same layout), optionally edited."""
    xls = xlrd.open_workbook(str(DM01_DEC_2024))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("Provider", "Provider by Test"):
        sheet, source = book.create_sheet(name), xls.sheet_by_name(name)
        for i in range(source.nrows):
            sheet.append([v if v != "" else None for v in source.row_values(i)])
    if edit:
        edit(book)
    out = tmp_path / "dm01.xlsx"
    book.save(out)
    return out


def test_dm01_xlsx_of_the_same_layout_reads_the_same(tmp_path, dm01_dec_2024):
    again = read_dm01(_dm01_as_xlsx(tmp_path))
    keys = ["level", "org_code", "breakdown", "measure"]
    assert again.sort(keys).select([*keys, "value"]).equals(dm01_dec_2024.sort(keys).select([*keys, "value"]))


def test_dm01_missing_sheet_and_bad_cell(tmp_path):
    def drop(book):
        del book["Provider by Test"]

    with pytest.raises(FlowFileError, match="no sheet 'Provider by Test'"):
        read_dm01(_dm01_as_xlsx(tmp_path, drop))

    def corrupt(book):
        book["Provider"]["G30"] = "?"  # 'Number waiting 6+ Weeks'

    with pytest.raises(FlowFileError, match=r"sheet 'Provider', row 30, column 'Number waiting 6\+ Weeks'"):
        read_dm01(_dm01_as_xlsx(tmp_path, corrupt))


def test_not_a_workbook_and_unknown_layouts(tmp_path):
    fake = tmp_path / "beds.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(FlowFileError, match="cannot open as an Excel workbook"):
        read_flow(fake)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(FlowFileError, match="not a known A&E or KH03 CSV layout"):
        read_flow(other)
    with pytest.raises(FlowFileError, match="no such file"):
        read_flow(tmp_path / "missing.csv")
    text = tmp_path / "x.txt"
    text.write_text("")
    with pytest.raises(FlowFileError, match="unsupported file type"):
        read_flow(text)


def test_empty_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FlowFileError, match="cannot read as CSV"):
        read_flow(empty)
    header_only = tmp_path / "ae.csv"
    header_only.write_text(AE_JAN_2025.read_text().splitlines()[0] + "\n")
    with pytest.raises(FlowFileError, match="expected one month, found 0"):
        read_flow(header_only)


def test_ae_lines_are_counted_in_the_file_past_a_blank_row_and_a_row_needs_a_code(tmp_path):
    lines = AE_JAN_2025.read_text().splitlines()
    blank = "," * (len(lines[0].split(",")) - 1)
    fields = lines[9].split(",")
    fields[10] = "x"
    bad = tmp_path / "ae.csv"
    bad.write_text("\n".join([*lines[:5], blank, *lines[5:9], ",".join(fields), *lines[10:]]) + "\n")
    with pytest.raises(FlowFileError, match=r"row 11, column 'Attendances over 4hrs Type 1'"):
        read_ae_monthly(bad)
    fields = lines[3].split(",")
    fields[1] = ""
    bad.write_text("\n".join([*lines[:3], ",".join(fields), *lines[4:]]) + "\n")
    with pytest.raises(FlowFileError, match=r"row 4, column 'Org Code': has no org code"):
        read_ae_monthly(bad)


def test_kh03_master_row_without_a_code(tmp_path):
    bad = _edit_csv(KH03_MASTER, tmp_path / "m.csv", 3, "R0A,", ",")
    with pytest.raises(FlowFileError, match=r"row 3, column 'org_code': has no org code"):
        read_kh03_master(bad)
    bad = _edit_csv(KH03_MASTER, tmp_path / "n.csv", 4, "2018-19 Q", "2018/19 Q")
    with pytest.raises(FlowFileError, match=r"row 4, column 'period'"):
        read_kh03_master(bad)
