"""Round trip through the clock engine: a synthetic trust reproduces its published month.

RBD (November 2024, the bundled one-provider file) and three providers of clearly different size from the
national January 2026 extract: a large acute trust (Mid and South Essex, RAJ, ~177k waiting), a medium
acute trust (Gateshead, RR7, ~13k) and a small independent-sector hospital (Winterbourne, NT443, ~380).
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

import numpy as np
import polars as pl
import pytest

from carebacklog.published import read_rtt
from carebacklog.synth import calibration_report, data_issues, synthesise_trust

DATA = files("carebacklog") / "data"
NATIONAL_CENSUS = dt.date(2026, 1, 31)


@pytest.fixture(scope="module")
def national() -> pl.DataFrame:
    return read_rtt([str(DATA / "rtt_full_extract_2026_01.zip")])


@pytest.fixture(scope="module")
def rbd() -> pl.DataFrame:
    return read_rtt([str(DATA / "rtt_full_extract_2024_11_RBD.csv")])


def _assert_calibrated(report: pl.DataFrame) -> None:
    failed = report.filter(~pl.col("ok"))
    assert failed.height == 0, f"out of tolerance:\n{failed}"
    measures = set(report["measure"].to_list())
    assert {"Part_2", "Part_3", "Part_1A", "Part_1B", "Part_2A share"} <= measures


def test_rbd_round_trip_matches_every_band_and_month_total(rbd: pl.DataFrame) -> None:
    census = dt.date(2024, 11, 30)
    trust = synthesise_trust(rbd, "RBD", census, rng=np.random.default_rng(11))
    report = calibration_report(trust.events, rbd, "RBD", census)
    _assert_calibrated(report)
    bands = report.filter(pl.col("measure") == "Part_2")
    # Every published treatment function's waiting list is checked.
    published_tfs = set(rbd.filter(pl.col("part") == "Part_2")["treatment_function"].unique().to_list())
    assert set(bands["treatment_function"].unique().to_list()) == published_tfs
    assert bands["published"].sum() == pytest.approx(21702)
    assert data_issues(trust.events, census).height == 0


@pytest.mark.parametrize("provider", ["RAJ", "RR7", "NT443"])
def test_national_providers_round_trip(national: pl.DataFrame, provider: str) -> None:
    trust = synthesise_trust(national, provider, NATIONAL_CENSUS, rng=np.random.default_rng(5))
    report = calibration_report(trust.events, national, provider, NATIONAL_CENSUS)
    _assert_calibrated(report)
    assert data_issues(trust.events, NATIONAL_CENSUS).height == 0


def test_scaled_trust_matches_scaled_counts(rbd: pl.DataFrame) -> None:
    census = dt.date(2024, 11, 30)
    trust = synthesise_trust(rbd, "RBD", census, rng=np.random.default_rng(2), scale=3.0)
    report = calibration_report(trust.events, rbd, "RBD", census, scale=3.0)
    _assert_calibrated(report)
    total = report.filter(pl.col("measure") == "Part_2")["synthetic"].sum()
    assert total == pytest.approx(3 * 21702, rel=0.01)


def test_commissioner_split_follows_published_rows(rbd: pl.DataFrame) -> None:
    from carebacklog.rtt import build_periods

    census = dt.date(2024, 11, 30)
    trust = synthesise_trust(rbd, "RBD", census, rng=np.random.default_rng(3))
    periods = build_periods(trust.events, census)
    ours = periods.filter(pl.col("outcome") == "open").group_by("commissioner_code").len()
    theirs = rbd.filter(pl.col("part") == "Part_2").group_by("commissioner_code").agg(pl.col("count").sum())
    joined = theirs.join(ours, on="commissioner_code", how="full", coalesce=True).fill_null(0)
    assert (joined["count"] == joined["len"]).all(), joined


def test_unknown_provider_is_a_clear_error(rbd: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="XYZ"):
        synthesise_trust(rbd, "XYZ", dt.date(2024, 11, 30), rng=np.random.default_rng(0))


def test_census_outside_the_extracts_month_is_refused(rbd: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"2024-11-30.*2025-01-31"):
        synthesise_trust(rbd, "RBD", dt.date(2025, 1, 31), rng=np.random.default_rng(0))


def test_census_must_be_a_month_end(rbd: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="not a month end"):
        synthesise_trust(rbd, "RBD", dt.date(2024, 11, 15), rng=np.random.default_rng(0))
