"""Readers for NHS England's RTT workbooks (``.xls``, or ``.xlsx`` in the same layout): the 2014/15 commissioner workbooks and the New
Periods provider workbook.

Both carry ~10–15 lines of metadata (``Title:``, ``Period:``, ``Basis:`` …) above the header row.

* Banded workbooks (``Incomplete-``/``Admitted-``/``NonAdmitted-Commissioner-<Mon><YY>…xls``, sheet
  ``Commissioner``, one row per CCG × treatment function; or the provider-basis equivalents, sheet
  ``Provider``): bands ``>0-1`` … ``>51-52`` and the open-ended ``52 plus`` (or ``>103-104``, ``104
  plus``); treatment functions ``IP…``/``AP…``/``NP…`` (2014/15) or ``C_…`` with ``…999`` totals. The part
  is the file's: incomplete → Part_2, admitted → Part_1A, non-admitted → Part_1B.
* New Periods provider workbook (sheet ``Provider``): one count of new clock starts per provider ×
  treatment function → Part_3 with ``weeks_band`` null.

Strict like the extract reader (docs/published.md, "Strict reading"): the band columns must run ``>0-1``
… without a gap up to the top band, with no other band-like column; every count is a whole number ≥ 0
(blank = 0); the bands of a row add up to its published total columns where the sheet has them
(``Total number of incomplete pathways``, ``Total number of completed pathways (with a known clock
start)``, and with the unknown clock starts ``… (all)``); an organisation × treatment function is given
once; a sheet with no data rows is refused. Errors name the file, sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl

from carebacklog.published.extract import PublishedFileError
from carebacklog.published.tidy import LEGACY_TOP_BAND, TIDY_SCHEMA, TOTAL_TREATMENT_FUNCTIONS, month_end

__all__ = ["WorkbookTable", "read_workbook", "read_workbook_table", "workbook_to_tidy"]

_LEGACY_BAND = re.compile(r"^>(\d+)-(\d+)$")
_LOOKS_LIKE_BAND = re.compile(r"^\s*>\s*\d|\bplus\s*$", re.IGNORECASE)
_PLUS_BAND = re.compile(r"^(\d+) plus$")
_UNKNOWN = "Patients with unknown clock start date"
_NEW_STARTS = "Number of new RTT clock starts during the month"
# Part from the workbook's summary line / file name (NHS England RTT statistics, 2014/15 file naming).
_PART_WORDS = (("nonadmitted", "Part_1B"), ("non-admitted", "Part_1B"), ("admitted", "Part_1A"),
               ("incomplete", "Part_2"), ("new referral to treatment", "Part_3"), ("new-periods", "Part_3"))


class WorkbookTable:
    """One data sheet of a workbook: metadata, header row and data rows as read by xlrd."""

    def __init__(self, path: Path, sheet: str, metadata: dict[str, str], header: list[str],
                 rows: list[list[Any]], first_row: int) -> None:
        self.path = path
        self.sheet = sheet
        self.metadata = metadata
        self.header = header
        self.rows = rows
        self.first_row = first_row  # 1-based spreadsheet row of rows[0]

    def column(self, name: str) -> int:
        try:
            return self.header.index(name)
        except ValueError:
            raise PublishedFileError(
                f"{self.path}: sheet {self.sheet!r} has no column {name!r} in its header row"
            ) from None


_DATA_SHEETS = ("Commissioner", "Provider")


def _sheet_rows(path: Path) -> tuple[str, list[list[Any]]]:
    """The data sheet's name and its rows (cell values; empty cells as ''): ``.xls`` through xlrd,
    ``.xlsx`` through openpyxl (NHS England's newer workbooks)."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a bad file
            raise PublishedFileError(f"{path}: cannot open as an Excel workbook ({exc})") from exc
        try:
            name = _data_sheet(path, book.sheetnames)
            rows = [["" if v is None else v for v in row] for row in book[name].iter_rows(values_only=True)]
            return name, rows
        finally:
            book.close()
    import xlrd

    try:
        xls = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises several unrelated types for a bad file
        raise PublishedFileError(f"{path}: cannot open as an Excel workbook ({exc})") from exc
    try:
        name = _data_sheet(path, xls.sheet_names())
        sheet = xls.sheet_by_name(name)
        return name, [sheet.row_values(i) for i in range(sheet.nrows)]
    finally:
        xls.release_resources()


def _data_sheet(path: Path, names: list[str]) -> str:
    name = next((n for n in _DATA_SHEETS if n in names), None)
    if name is None:
        raise PublishedFileError(f"{path}: no 'Commissioner' or 'Provider' sheet (sheets: {names})")
    return name


def read_workbook_table(path: str | Path) -> WorkbookTable:
    """Find the data sheet (``Commissioner`` or ``Provider``) and its header row (the row naming a
    ``Treatment Function Code``); return metadata and rows as published."""
    path = Path(path)
    sheet_name, all_rows = _sheet_rows(path)
    metadata: dict[str, str] = {}
    for r, row in enumerate(all_rows[:40]):
        values = [str(v).strip() for v in row]
        if "Treatment Function Code" in values:
            return WorkbookTable(path, sheet_name, metadata, values, all_rows[r + 1 :], r + 2)
        labels = [v for v in values if v]
        if len(labels) >= 2 and labels[0].endswith(":"):
            metadata[labels[0].rstrip(":")] = labels[1]
    raise PublishedFileError(f"{path}: sheet {sheet_name!r} has no header row with 'Treatment Function Code'")


def _period(table: WorkbookTable) -> dt.date:
    text = table.metadata.get("Period", "")
    try:
        first = dt.datetime.strptime(text, "%B %Y").date()
    except ValueError:
        raise PublishedFileError(f"{table.path}: metadata 'Period:' is {text!r}, expected e.g. 'December 2014'") from None
    return month_end(first.year, first.month)


def _part(table: WorkbookTable) -> str:
    text = f"{table.metadata.get('Summary', '')} {table.metadata.get('Title', '')} {table.path.name}".lower()
    for word, part in _PART_WORDS:
        if word in text:
            return part
    raise PublishedFileError(f"{table.path}: cannot tell the RTT part (incomplete/admitted/non-admitted/new)")


def _count(value: Any, table: WorkbookTable, row: int, column: str) -> float:
    if value in ("", None):
        return 0.0
    if isinstance(value, str) and value.strip() == "":
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if number < 0:
            reason = "is negative"
        elif not number.is_integer():
            reason = "is not a whole number of pathways"
        else:
            return number
    else:
        reason = "is not a number"
    raise PublishedFileError(f"{table.path}: sheet {table.sheet!r} row {row}, column {column!r}: the count {reason}")


#: Published total columns of the banded workbooks: (column, includes unknown clock starts).
_TOTAL_COLUMNS = (
    ("Total number of incomplete pathways", False),
    ("Total number of completed pathways (with a known clock start)", False),
    ("Total number of completed pathways (all)", True),
)


def _check_row_totals(table: WorkbookTable, row: list[Any], sheet_row: int, bands_sum: float,
                      unknown: float) -> None:
    for name, with_unknown in _TOTAL_COLUMNS:
        if name not in table.header:
            continue
        cell = row[table.header.index(name)]
        if cell in ("", None, "-"):
            continue
        expected = bands_sum + (unknown if with_unknown else 0.0)
        if _count(cell, table, sheet_row, name) != expected:
            raise PublishedFileError(
                f"{table.path}: sheet {table.sheet!r} row {sheet_row}, column {name!r}: the weekly bands"
                f"{' and unknown clock starts' if with_unknown else ''} do not add up to it (a band missing, "
                f"renamed or miscounted)"
            )


def _band_columns(table: WorkbookTable) -> tuple[list[tuple[int, str, int | None]], int]:
    """(column index, header, weeks_band) of the count columns, and the open-ended top band: ``>k-k+1`` →
    k; ``N plus`` (``52 plus`` in 2014/15, ``104 plus`` in later provider workbooks) → N; unknown clock
    start → None."""
    columns: list[tuple[int, str, int | None]] = []
    top = None
    for i, name in enumerate(table.header):
        if (m := _LEGACY_BAND.match(name)) and int(m.group(2)) == int(m.group(1)) + 1:
            columns.append((i, name, int(m.group(1))))
        elif m := _PLUS_BAND.match(name):
            if top is not None:
                raise PublishedFileError(f"{table.path}: sheet {table.sheet!r}, column {name!r}: a second "
                                         f"open-ended band column")
            top = int(m.group(1))
            columns.append((i, name, top))
        elif name == _UNKNOWN:
            columns.append((i, name, None))
        elif _LOOKS_LIKE_BAND.match(name):
            raise PublishedFileError(f"{table.path}: sheet {table.sheet!r}, column {name!r}: unknown weekly "
                                     f"band column (expected '>k-k+1' or 'N plus')")
    bands = sorted(b for _, _, b in columns if b is not None and b != top)
    if top is None:  # bands without an open-ended column: the last band is the top
        top = max(bands, default=LEGACY_TOP_BAND)
        bands = bands[:-1]
    expected = list(range(top))
    if bands != expected:
        gap = next((k for k in expected if k not in bands), None)
        what = f"'>{gap}-{gap + 1}'" if gap is not None else "a weekly band"
        raise PublishedFileError(f"{table.path}: sheet {table.sheet!r}, column {what}: weekly band column "
                                 f"missing, renamed or given twice (bands must run '>0-1' … to the top band)")
    return columns, top


def _banded_tidy(table: WorkbookTable, include_totals: bool) -> pl.DataFrame:
    """Incomplete / admitted / non-admitted workbooks, commissioner basis (``CCG Code``) or provider
    basis (``Provider Code``)."""
    period, part = _period(table), _part(table)
    value_columns, top = _band_columns(table)
    commissioner_basis = "CCG Code" in table.header or "Commissioner Code" in table.header
    org_name = ("CCG Code" if "CCG Code" in table.header else "Commissioner Code") if commissioner_basis \
        else "Provider Code"
    org_i, tf_i = table.column(org_name), table.column("Treatment Function Code")
    # Commissioner basis: the Area Team / Region above the CCG is its parent. Provider basis: the region
    # is not the provider's parent organisation (an ICB), so provider_parent_code stays null.
    parent = next((c for c in ("Area Team Code", "Region Code") if c in table.header), None)
    parent_i = table.column(parent) if parent and commissioner_basis else None
    out: dict[str, list[Any]] = {k: [] for k in ("parent", "org", "treatment_function", "weeks_band", "count")}
    seen: set[tuple[str, str]] = set()
    for offset, row in enumerate(table.rows):
        org, tf = str(row[org_i]).strip(), str(row[tf_i]).strip()
        if not org or not tf:
            continue
        sheet_row = table.first_row + offset
        if (org, tf) in seen:
            raise PublishedFileError(f"{table.path}: sheet {table.sheet!r} row {sheet_row}: {org_name} and "
                                     f"Treatment Function Code are given on an earlier row too")
        seen.add((org, tf))
        counts = [(name, band, _count(row[i], table, sheet_row, name)) for i, name, band in value_columns]
        _check_row_totals(table, row, sheet_row, sum(c for _, b, c in counts if b is not None),
                          sum(c for _, b, c in counts if b is None))
        if tf in TOTAL_TREATMENT_FUNCTIONS and not include_totals:
            continue
        parent_text = str(row[parent_i]).strip() if parent_i is not None else ""
        parent_code = None if parent_text in ("", "-") else parent_text
        for _name, band, count in counts:
            if count != 0:
                out["parent"].append(parent_code)
                out["org"].append(org)
                out["treatment_function"].append(tf)
                out["weeks_band"].append(band)
                out["count"].append(count)
    frame = pl.DataFrame(out, schema={"parent": pl.String, "org": pl.String, "treatment_function": pl.String,
                                      "weeks_band": pl.Int16, "count": pl.Float64})
    if commissioner_basis:
        frame = frame.rename({"parent": "commissioner_parent_code", "org": "commissioner_code"}).with_columns(
            pl.lit(None, pl.String).alias("provider_parent_code"), pl.lit(None, pl.String).alias("provider_code"))
    else:
        frame = frame.drop("parent").rename({"org": "provider_code"}).with_columns(
            pl.lit(None, pl.String).alias("provider_parent_code"),
            pl.lit(None, pl.String).alias("commissioner_parent_code"),
            pl.lit(None, pl.String).alias("commissioner_code"))
    return frame.with_columns(
        pl.lit(period).alias("period"),
        pl.lit(part).alias("part"),
        pl.lit(top, pl.Int16).alias("top_band"),
    ).select(list(TIDY_SCHEMA))


def _new_periods_tidy(table: WorkbookTable, include_totals: bool) -> pl.DataFrame:
    period = _period(table)
    prov_i, tf_i = table.column("Provider Code"), table.column("Treatment Function Code")
    n_i = table.column(_NEW_STARTS)
    out: dict[str, list[Any]] = {"provider_code": [], "treatment_function": [], "count": []}
    seen: set[tuple[str, str]] = set()
    for offset, row in enumerate(table.rows):
        provider, tf = str(row[prov_i]).strip(), str(row[tf_i]).strip()
        if not provider or not tf:
            continue
        if (provider, tf) in seen:
            raise PublishedFileError(f"{table.path}: sheet {table.sheet!r} row {table.first_row + offset}: "
                                     f"Provider Code and Treatment Function Code are given on an earlier row too")
        seen.add((provider, tf))
        count = _count(row[n_i], table, table.first_row + offset, _NEW_STARTS)
        if tf in TOTAL_TREATMENT_FUNCTIONS and not include_totals:
            continue
        if count != 0:
            out["provider_code"].append(provider)
            out["treatment_function"].append(tf)
            out["count"].append(count)
    frame = pl.DataFrame(out, schema={k: TIDY_SCHEMA[k] for k in out})
    return frame.with_columns(
        pl.lit(period).alias("period"),
        pl.lit(None, pl.String).alias("provider_parent_code"),
        pl.lit(None, pl.String).alias("commissioner_parent_code"),
        pl.lit(None, pl.String).alias("commissioner_code"),
        pl.lit("Part_3").alias("part"),
        pl.lit(None, pl.Int16).alias("weeks_band"),
        pl.lit(None, pl.Int16).alias("top_band"),
    ).select(list(TIDY_SCHEMA))


def read_workbook(path: str | Path, *, include_totals: bool = False) -> pl.DataFrame:
    """Read one RTT workbook into the tidy long table (zero counts omitted)."""
    return workbook_to_tidy(read_workbook_table(path), include_totals=include_totals)


def workbook_to_tidy(table: WorkbookTable, *, include_totals: bool = False) -> pl.DataFrame:
    """The tidy long table of an already-read workbook sheet (zero counts omitted)."""
    if not any(str(v).strip() for row in table.rows for v in row):
        raise PublishedFileError(f"{table.path}: sheet {table.sheet!r} has no data rows (header only)")
    if _NEW_STARTS in table.header:
        return _new_periods_tidy(table, include_totals)
    if any(_LEGACY_BAND.match(name) for name in table.header):
        return _banded_tidy(table, include_totals)
    raise PublishedFileError(
        f"{table.path}: sheet {table.sheet!r} has neither weekly bands ('>0-1' …) nor {_NEW_STARTS!r}"
    )
