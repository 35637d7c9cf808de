"""Properties of the monthly return on generated events: history-independence and stock-flow conservation."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from carebacklog.published.returns import month_bounds, return_counts
from carebacklog.rtt import build_periods
from carebacklog.rtt.generate import generate_events

MONTHS = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01"]


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return generate_events(2500, date(2026, 1, 31), np.random.default_rng(42), years=2.0)


@pytest.fixture(scope="module")
def history(events: pl.DataFrame) -> pl.DataFrame:
    return build_periods(events)


def _total(counts: pl.DataFrame, part: str) -> int:
    return int(counts.filter(pl.col("part") == part)["count"].sum())


@pytest.mark.parametrize("month", MONTHS)
def test_return_from_full_history_equals_return_at_the_month_end(
    events: pl.DataFrame, history: pl.DataFrame, month: str
) -> None:
    """Events after the month (stops, nullifying DNAs, transfers, DTAs) do not change the month's return."""
    _, month_end = month_bounds(month)
    at_census = build_periods(events, census_date=month_end)
    assert return_counts(history, month).equals(return_counts(at_census, month))


@pytest.mark.parametrize("month", MONTHS[1:])
def test_waiting_list_stock_and_flow(history: pl.DataFrame, month: str) -> None:
    """Part_2(m) − Part_2(m−1) = Part_3(m) − Part_1A(m) − Part_1B(m) − periods nullified or transferred in m."""
    previous = MONTHS[MONTHS.index(month) - 1]
    now, before = return_counts(history, month), return_counts(history, previous)
    first, last = month_bounds(month)
    other_removals = history.filter(
        pl.col("outcome").is_in(["nullified", "transferred"]) & pl.col("clock_stop").is_between(first, last)
    ).height
    change = _total(now, "Part_2") - _total(before, "Part_2")
    flow = _total(now, "Part_3") - _total(now, "Part_1A") - _total(now, "Part_1B") - other_removals
    assert change == flow
    assert _total(now, "Part_2A") <= _total(now, "Part_2")
