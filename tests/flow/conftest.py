"""Shared paths and fixtures: the bundled real NHS England files of ``carebacklog.flow``."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "carebacklog" / "data" / "flow"
TEST_DATA = REPO / "tests" / "data" / "flow"
AE_MONTHLY = sorted((DATA / "ae_monthly").glob("*.csv"))
SERIES = DATA / "flow_series.parquet"
DM01_DEC_2024 = TEST_DATA / "Monthly-Diagnostics-Web-File-Provider-December-2024.xls"
KH03_Q2 = TEST_DATA / "Beds-Open-Overnight-Web_File-Q2-2024-25.xlsx"
KH03_Q3_REVISED = TEST_DATA / "Beds-Open-Overnight-Web_File-Q3-2024-25revised.xlsx"
CANCELLED = [TEST_DATA / "Q2-2024-25-Cancelled-Operations.xlsx", TEST_DATA / "Q3-2024-25-Cancelled-Operations-65554.xlsx"]
KH03_MASTER = TEST_DATA / "master-quarterly-trust-excerpt.csv"
AE_TIDY = TEST_DATA / "ae_attendances_2016_2019-excerpt.csv"


@pytest.fixture(scope="session")
def series():
    """The bundled derived series (every publication, England rows kept)."""
    from carebacklog.flow import read_flow

    return read_flow(SERIES)


@pytest.fixture(scope="session")
def dm01_dec_2024():
    from carebacklog.flow import read_dm01

    return read_dm01(DM01_DEC_2024)
