"""End to end: a synthetic trust with and without a deprivation gap → engine → PTL → equity."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import numpy as np
import polars as pl
import pytest

from carebacklog.equity import deprivation_gap, equity_breakdown
from carebacklog.published import read_rtt
from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.synth import synthesise_trust

CENSUS = date(2024, 11, 30)


@pytest.fixture(scope="module")
def extract() -> pl.DataFrame:
    return read_rtt(str(files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"))


def _ptl(extract: pl.DataFrame, gap_weeks: float) -> pl.DataFrame:
    trust = synthesise_trust(extract, "RBD", CENSUS, rng=np.random.default_rng(3), imd_gap_weeks=gap_weeks)
    return ptl_snapshot(build_periods(trust.events, census_date=CENSUS), CENSUS, patients=trust.patients)


def test_injected_six_week_gap_is_detected(extract: pl.DataFrame) -> None:
    ptl = _ptl(extract, 6.0)
    gap = {row["measure"]: row for row in deprivation_gap(ptl).iter_rows(named=True)}
    assert gap["pct_within_18"]["significant"] and gap["pct_within_18"]["ci_high"] < 0
    assert gap["pct_over_52"]["significant"] and gap["pct_over_52"]["ci_low"] > 0
    by_quintile = equity_breakdown(ptl, "imd_quintile")
    assert by_quintile["total"].sum() == ptl.height == 21702  # the published RBD waiting list
    medians = by_quintile.filter(pl.col("imd_quintile") != "Unknown")["median_weeks"].to_list()
    assert medians == sorted(medians, reverse=True)  # more deprived, longer median wait


def test_no_injected_gap_gives_an_interval_covering_zero(extract: pl.DataFrame) -> None:
    for row in deprivation_gap(_ptl(extract, 0.0)).iter_rows(named=True):
        assert row["ci_low"] <= 0.0 <= row["ci_high"], row
