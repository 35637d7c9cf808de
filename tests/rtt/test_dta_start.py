"""Rule 5 when the decision to admit is itself the activity that starts the period."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carebacklog.rtt import build_periods, ptl_snapshot


def _events(status: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "pathway_id": ["P1"] * 3,
            "patient_id": ["X"] * 3,
            "provider_code": ["RBD"] * 3,
            "treatment_function": ["110"] * 3,
            "commissioner_code": ["11J"] * 3,
            "event_date": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 5, 1)],
            # referral; active monitoring starts (32, a stop); a decision to admit ends it (11 / 12)
            "activity": ["referral", "outpatient", "decision_to_admit"],
            "rtt_status": [10, 32, status],
            "priority": [None, None, "P3"],
            "original_start_date": [None, None, None],
        },
        schema_overrides={"rtt_status": pl.Int16, "original_start_date": pl.Date},
    )


@pytest.mark.parametrize("status", [11, 12])
def test_a_decision_to_admit_that_starts_a_period_flags_it_as_dta(status: int) -> None:
    census = date(2025, 6, 1)
    periods = build_periods(_events(status), census)
    second = periods.filter(pl.col("period") == 2).row(0, named=True)
    assert second["outcome"] == "open"
    assert second["clock_start"] == date(2025, 5, 1)
    assert second["has_dta"] is True
    assert second["dta_date"] == date(2025, 5, 1)
    # ... so it is on the admitted list (Part_2A) of the PTL, and the stopped first period is not.
    ptl = ptl_snapshot(periods, census)
    assert ptl.height == 1 and ptl.get_column("has_dta").to_list() == [True]
    assert periods.filter(pl.col("period") == 1).get_column("has_dta").to_list() == [False]
