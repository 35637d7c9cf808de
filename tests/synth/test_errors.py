"""Known data-quality errors injected on purpose are exactly what the engine reports, and move no count."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.synth import calibration_report, data_issues, synthesise_trust
from carebacklog.synth.demo import demo_extract
from carebacklog.synth.errors import ISSUES

CENSUS = dt.date(2024, 11, 30)


def test_injected_errors_are_found_by_the_engine_and_leave_calibration_intact() -> None:
    extract = demo_extract()
    trust = synthesise_trust(extract, "RBD", CENSUS, rng=np.random.default_rng(6), data_errors=0.03)
    injected = trust.injected_errors
    assert set(injected["issue"].unique().to_list()) == set(ISSUES)
    assert injected.height == pytest.approx(0.03 * trust.events["pathway_id"].n_unique(), rel=0.15)
    found = data_issues(trust.events, CENSUS).select("pathway_id", "event_id", "issue")
    assert found.sort("event_id").equals(injected.sort("event_id").select(found.columns))
    assert calibration_report(trust.events, extract, "RBD", CENSUS).filter(~pl.col("ok")).height == 0


def test_clean_trust_has_no_injected_errors_and_share_is_checked() -> None:
    extract = demo_extract()
    clean = synthesise_trust(extract, "RBD", CENSUS, rng=np.random.default_rng(6))
    assert clean.injected_errors.height == 0
    with pytest.raises(ValueError, match="data_errors"):
        synthesise_trust(extract, "RBD", CENSUS, rng=np.random.default_rng(6), data_errors=1.5)
