"""Shared fixtures: the real data bundled in the repository, read once per test module."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

DATA = Path(str(resources.files("carebacklog") / "data"))
RBD = DATA / "rtt_full_extract_2024_11_RBD.csv"
SERIES = DATA / "rtt_monthly_series_2024_25.parquet"


@pytest.fixture(scope="module")
def rbd_tidy():
    from carebacklog.published import read_rtt

    return read_rtt([RBD])


@pytest.fixture(scope="module")
def series():
    from carebacklog.forecast.inputs import read_series

    return read_series(SERIES)
