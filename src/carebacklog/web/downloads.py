"""Tables as downloads: CSV (UTF-8, a header row) and Excel workbooks (XLSX), as ``attachment``.

Every table a page offers can be downloaded both ways: CSV for scripts and other tools, XLSX for people
who open it in Excel (dates stay dates, numbers stay numbers, the header row is frozen, columns are wide
enough to read). Workbooks are written with openpyxl's write-only mode, row by row, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Literal

import polars as pl
from fastapi.responses import Response

__all__ = ["XLSX_MEDIA_TYPE", "csv_response", "table_response", "xlsx_bytes", "xlsx_response"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's row limit, header included.
_EXCEL_ROWS = 1_048_576


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(frame: pl.DataFrame, filename: str) -> Response:
    """``frame`` as a CSV attachment called ``filename`` (dates ISO 8601, nulls empty)."""
    return Response(frame.write_csv(), media_type="text/csv; charset=utf-8", headers=_attachment(filename))


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "Table") -> bytes:
    """``frame`` as an XLSX workbook of one sheet (at most Excel's 1,048,575 data rows: ValueError beyond)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if frame.height >= _EXCEL_ROWS:
        raise ValueError(f"{frame.height:,} rows do not fit in one Excel sheet; download the CSV instead")
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, name in enumerate(frame.columns, 1):
        longest = max([len(name), *(len(str(v)) for v in frame.get_column(name).head(200).to_list())])
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
    bold = Font(bold=True)
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    dates = {i for i, dtype in enumerate(frame.dtypes) if dtype == pl.Date}
    for row in frame.iter_rows():
        if dates:
            values = [
                WriteOnlyCell(ws, value=v) if i not in dates or v is None else _date_cell(ws, v)
                for i, v in enumerate(row)
            ]
            ws.append(values)
        else:
            ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _date_cell(ws: object, value: dt.date) -> object:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
    cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_response(frame: pl.DataFrame, filename: str) -> Response:
    """``frame`` as an XLSX attachment called ``filename``."""
    return Response(xlsx_bytes(frame), media_type=XLSX_MEDIA_TYPE, headers=_attachment(filename))


def table_response(frame: pl.DataFrame, stem: str, fmt: Literal["csv", "xlsx"]) -> Response:
    """``frame`` as ``<stem>.csv`` or ``<stem>.xlsx``."""
    if fmt == "xlsx":
        return xlsx_response(frame, f"{stem}.xlsx")
    return csv_response(frame, f"{stem}.csv")
