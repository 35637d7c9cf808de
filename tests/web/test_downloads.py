"""Every table downloads as CSV and as an Excel workbook with the same rows; dates stay dates."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from openpyxl import load_workbook

from carebacklog.web.downloads import xlsx_bytes

from .conftest import WebApp


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def test_a_workbook_keeps_types_and_freezes_the_header() -> None:
    frame = pl.DataFrame({"pathway": ["A", "B"], "weeks": [3, 52], "start": [dt.date(2024, 1, 2), None]})
    rows = _sheet(xlsx_bytes(frame))
    assert rows[0] == ("pathway", "weeks", "start")
    assert rows[2][1] == 52 and isinstance(rows[1][2], dt.datetime) and rows[1][2].date() == dt.date(2024, 1, 2)
    assert rows[2][2] is None
    book = load_workbook(io.BytesIO(xlsx_bytes(frame)))
    assert book.active.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("role", "csv_path"),
    [("ptl", "/ptl.csv?treatment_function=110"), ("viewer", "/community.csv"),
     ("viewer", "/urgent-care/scenarios.csv?provider=RBD")],
)  # fmt: skip
def test_the_workbook_has_the_rows_of_the_csv(sqlite_web: WebApp, role: str, csv_path: str) -> None:
    client = sqlite_web.client(role)
    as_csv = client.get(csv_path)
    as_xlsx = client.get(csv_path.replace(".csv", ".xlsx", 1))
    assert as_csv.status_code == 200 and as_xlsx.status_code == 200, as_xlsx.text[:300]
    assert as_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in as_xlsx.headers["content-disposition"]
    table = pl.read_csv(io.BytesIO(as_csv.content), infer_schema_length=0)
    rows = _sheet(as_xlsx.content)
    assert list(rows[0]) == table.columns and len(rows) - 1 == table.height > 0
