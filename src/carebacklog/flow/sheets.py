"""Reading NHS England's workbooks: a named sheet's cells, the header row found by search, metadata.

NHS England's statistical workbooks carry 10–15 lines of metadata (``Title:``, ``Period:``,
``Source:``, ``Published:`` …) above a header row whose position moves between editions, so the header
is found by looking for the cells a layout must have, never by a fixed row number. ``.xls`` files are
read with xlrd and ``.xlsx`` with openpyxl.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carebacklog.flow.tidy import FlowFileError, parse_count

__all__ = ["Table", "clean", "read_sheet", "sheet_names", "table_from_rows"]

_SPACES = re.compile(r"\s+")


def clean(value: Any) -> str:
    """A header or label cell as text: stripped, inner runs of spaces and newlines made one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names (``FlowFileError`` if it is not a workbook)."""
    return list(_open(path, None)[0])


def _open(path: Path, sheet: str | None) -> tuple[list[str], list[list[Any]]]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a bad file
            raise FlowFileError(path, f"cannot open as an Excel workbook ({type(exc).__name__})") from exc
        try:
            names = list(book.sheetnames)
            if sheet is None:
                return names, []
            if sheet not in names:
                raise FlowFileError(path, f"no sheet {sheet!r} (sheets: {names})")
            return names, [list(row) for row in book[sheet].iter_rows(values_only=True)]
        finally:
            book.close()
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises several unrelated types for a bad file
        raise FlowFileError(path, f"cannot open as an Excel workbook ({type(exc).__name__})") from exc
    try:
        names = list(book.sheet_names())
        if sheet is None:
            return names, []
        if sheet not in names:
            raise FlowFileError(path, f"no sheet {sheet!r} (sheets: {names})")
        xs = book.sheet_by_name(sheet)
        return names, [xs.row_values(i) for i in range(xs.nrows)]
    finally:
        book.release_resources()


def read_sheet(path: Path, sheet: str) -> list[list[Any]]:
    """All rows of one sheet as cell values (xlrd gives ``''`` for an empty cell, openpyxl ``None``)."""
    return _open(path, sheet)[1]


@dataclass(frozen=True)
class Table:
    """One sheet's table: the header (cleaned, with any group label above it), metadata and data rows."""

    path: Path
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # spreadsheet row number (1-based) of rows[0]
    metadata: dict[str, str]

    def index(self, name: str) -> int:
        """Column index of a header; ``FlowFileError`` naming the sheet and the header row if absent."""
        try:
            return self.header.index(name)
        except ValueError:
            raise FlowFileError(
                self.path, f"no column {name!r} in the header row", sheet=self.sheet, row=self.first_row - 1
            ) from None

    def text(self, row: list[Any], column: int) -> str:
        return clean(row[column]) if column < len(row) else ""

    def number(self, row: list[Any], column: int, offset: int) -> float | None:
        """A cell as a number (``None`` if blank or ``-``); a ``FlowFileError`` naming row and column."""
        value = row[column] if column < len(row) else None
        try:
            return parse_count(value)
        except ValueError:
            raise FlowFileError(
                self.path, "is not a number", sheet=self.sheet, row=self.first_row + offset,
                column=self.header[column],
            ) from None


def table_from_rows(
    path: Path,
    sheet: str,
    rows: list[list[Any]],
    required: Sequence[str],
    *,
    group_row: bool = False,
    search_rows: int = 60,
) -> Table:
    """Find the header row (the first row holding every ``required`` cell) and split the sheet there.

    ``group_row``: the row above the header holds group labels spanning several columns (KH03's
    ``Available`` / ``Occupied`` / ``% Occupied``); each header becomes ``"<group> | <header>"``.
    Metadata lines above the header (``Period:`` → ``Period``) are collected.
    """
    metadata: dict[str, str] = {}
    best: tuple[int, int] = (0, -1)  # (anchors found, row index) of the closest candidate
    for r, row in enumerate(rows[:search_rows]):
        cells = [clean(v) for v in row]
        found = sum(name in cells for name in required)
        if found == len(required):
            header = cells
            if group_row and r > 0:
                groups, current = [], ""
                for v in rows[r - 1]:
                    label = clean(v)
                    current = label or current
                    groups.append(current)
                groups += [current] * (len(header) - len(groups))
                header = [
                    f"{g} | {h}" if g and h and h not in required else h
                    for g, h in zip(groups, header, strict=False)
                ]
            return Table(path, sheet, header, rows[r + 1 :], r + 2, metadata)
        if found > best[0]:
            best = (found, r)
        labels = [c for c in cells if c]
        if len(labels) >= 2 and labels[0].endswith(":"):
            metadata[labels[0].rstrip(":")] = labels[1]
    if best[1] >= 0:
        cells = [clean(v) for v in rows[best[1]]]
        missing = [name for name in required if name not in cells]
        raise FlowFileError(
            path, f"header row lacks column(s) {missing} (renamed or missing)", sheet=sheet, row=best[1] + 1
        )
    raise FlowFileError(
        path, f"no header row with the columns {list(required)} in the first {search_rows} rows", sheet=sheet
    )
