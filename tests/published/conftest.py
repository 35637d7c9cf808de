"""Shared fixtures: the bundled real NHS England files, each read once per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "carebacklog" / "data"
TEST_DATA = REPO / "tests" / "data"
NATIONAL_JAN_2026 = DATA / "rtt_full_extract_2026_01.zip"
RBD_NOV_2024 = DATA / "rtt_full_extract_2024_11_RBD.csv"
NEW_PERIODS_APR_2023 = TEST_DATA / "published" / "New-Periods-Provider-Apr23.xls"
COMMISSIONER_2014_15 = sorted((TEST_DATA / "rtt_commissioner_2014_15").glob("*.xls"))


@pytest.fixture(scope="session")
def national_with_totals():
    """The national January 2026 extract with its C_999 roll-ups (read once per test session/worker)."""
    from carebacklog.published import read_rtt

    return read_rtt(NATIONAL_JAN_2026, include_totals=True)


@pytest.fixture(scope="session")
def national_tidy(national_with_totals):
    """The same extract as ``read_rtt`` gives it by default: details only."""
    import polars as pl

    return national_with_totals.filter(pl.col("treatment_function") != "C_999")
