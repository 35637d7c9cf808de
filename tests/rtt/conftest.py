"""Shared fixtures for the RTT engine tests: the golden pathways and their census date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from carebacklog.rtt import read_events

GOLDEN = Path(__file__).parent / "golden"
CENSUS = date(2025, 3, 31)


@pytest.fixture(scope="session")
def golden_events() -> pl.DataFrame:
    result = read_events(GOLDEN / "events.csv")
    assert result.rejected.height == 0
    return result.events


@pytest.fixture(scope="session")
def census() -> date:
    return CENSUS
