"""A day that begins with a period open ends it before starting the next one (rules 1-3)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carebacklog.rtt import build_periods, data_quality, explain

D0, D1 = date(2025, 1, 6), date(2025, 4, 7)


def _events(rows: list[tuple[str, str, date, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "pathway_id": ["P1"] * len(rows),
            "patient_id": ["X"] * len(rows),
            "provider_code": ["RBD"] * len(rows),
            "treatment_function": ["110"] * len(rows),
            "commissioner_code": ["11J"] * len(rows),
            "activity": [r[1] for r in rows],
            "event_date": [r[2] for r in rows],
            "rtt_status": [r[3] for r in rows],
            "priority": [None] * len(rows),
            "original_start_date": [None] * len(rows),
        },
        schema_overrides={"rtt_status": pl.Int16, "original_start_date": pl.Date},
    )


@pytest.mark.parametrize("start", [("referral", 12), ("outpatient", 12), ("referral", 10)])
def test_treatment_and_a_new_clock_on_the_same_day(start: tuple[str, int]) -> None:
    events = _events([("a", "referral", D0, 10), ("b", start[0], D1, start[1]), ("c", "admission", D1, 30)])
    periods = build_periods(events, date(2025, 5, 1)).sort("period")
    assert periods.select("period", "clock_start", "clock_stop", "outcome").rows() == [
        (1, D0, D1, "admitted"),
        (2, D1, None, "open"),
    ]
    assert data_quality(events, date(2025, 5, 1)).height == 0
    assert explain(events, "P1", date(2025, 5, 1)).height == 3


def test_see_and_treat_on_a_closed_pathway_still_starts_before_it_stops() -> None:
    events = _events([("a", "referral", D0, 10), ("b", "outpatient", D0, 30)])
    periods = build_periods(events, date(2025, 5, 1))
    assert periods.select("clock_start", "clock_stop", "outcome").rows() == [(D0, D0, "non_admitted")]
