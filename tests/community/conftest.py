"""Shared fixtures: the bundled CHS workbooks and derived tables, each read once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "carebacklog" / "data" / "community"
FIXTURES = REPO / "tests" / "data" / "community"
CHS_NOV_2024 = FIXTURES / "Community-health-services-waiting-lists-2024-25-November.xlsx"
CHS_JAN_2025 = FIXTURES / "Community-health-services-waiting-lists-2024-25-January.xlsx"


@pytest.fixture(scope="session")
def nov_2024():
    from carebacklog.community import read_chs_workbook

    return read_chs_workbook(CHS_NOV_2024)


@pytest.fixture(scope="session")
def jan_2025():
    from carebacklog.community import read_chs_workbook

    return read_chs_workbook(CHS_JAN_2025)


@pytest.fixture(scope="session")
def chs_12_months():
    """The derived table of all 12 workbooks (detail and the workbooks' own aggregate rows)."""
    import polars as pl

    return pl.read_parquet(DATA / "chs_waiting_lists_2024_25.parquet")


@pytest.fixture(scope="session")
def chs_overview_12_months():
    import polars as pl

    return pl.read_parquet(DATA / "chs_national_overview_2024_25.parquet")


@pytest.fixture(scope="session")
def talking_therapies():
    from carebacklog.community import read_talking_therapies

    return read_talking_therapies(DATA / "talking_therapies_waits.parquet")


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A small .xlsx with the given sheets (rows of cell values), for error and layout tests."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def chs_sheet(title: str, rows: list[list[Any]], notes: int = 3,
              services: tuple[str, ...] = ("(A) Audiology", "(CYP) Audiology")) -> list[list[Any]]:
    """A Table 4-style sheet: title, ``notes`` note lines, header row, then ``rows``."""
    return [[title], *[[f"note {i}"] for i in range(notes)],
            ["Organisation Type", "Organisation Code", "Organisation Name", *services], *rows]
