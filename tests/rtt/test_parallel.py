"""build_periods cut into pathway-aligned chunks built on several threads gives the one-piece result."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from carebacklog.rtt import build_periods, generate_events
from carebacklog.rtt import periods as periods_module


def _one_piece(events: pl.DataFrame, census: date, monkeypatch: pytest.MonkeyPatch) -> pl.DataFrame:
    with monkeypatch.context() as patch:
        patch.setattr(periods_module, "PARALLEL_MIN_EVENTS", 0)
        return build_periods(events, census)


@pytest.mark.parametrize("chunks", [2, 3, 7])
def test_chunked_equals_one_piece_on_golden(
    golden_events: pl.DataFrame, census: date, chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _one_piece(golden_events, census, monkeypatch)
    monkeypatch.setattr(periods_module, "PARALLEL_MIN_EVENTS", 1)
    monkeypatch.setattr(periods_module, "PARALLEL_CHUNKS", chunks)
    assert build_periods(golden_events, census).equals(expected)


@pytest.mark.parametrize("categorical", [False, True])
def test_chunked_equals_one_piece_on_generated(categorical: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    census = date(2025, 3, 31)
    events = generate_events(4000, census, np.random.default_rng(11), categorical=categorical)
    expected = _one_piece(events, census, monkeypatch)
    assert expected.get_column("pathway_id").n_unique() > 3000
    monkeypatch.setattr(periods_module, "PARALLEL_MIN_EVENTS", 1000)
    monkeypatch.setattr(periods_module, "PARALLEL_CHUNKS", 4)
    assert len(periods_module._chunks(pl.DataFrame({"_new_pw": [True] * 5000}))) == 4
    assert build_periods(events, census).equals(expected)


def test_tiny_frames_chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    census = date(2025, 3, 31)
    events = generate_events(3, census, np.random.default_rng(3))
    expected = _one_piece(events, census, monkeypatch)
    monkeypatch.setattr(periods_module, "PARALLEL_MIN_EVENTS", 1)
    monkeypatch.setattr(periods_module, "PARALLEL_CHUNKS", 50)
    assert build_periods(events, census).equals(expected)
    assert build_periods(events.head(0), census).equals(expected.head(0))


def test_grouped_and_shuffled_input_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Input grouped by pathway skips the final text sort; shuffled input takes it; same periods."""
    census = date(2025, 3, 31)
    events = generate_events(3000, census, np.random.default_rng(5))
    grouped = events.sort("pathway_id", "event_id")
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=9)
    expected = build_periods(shuffled, census)
    assert expected.equals(expected.sort("pathway_id", "period"))
    assert build_periods(grouped, census).equals(expected)
    assert build_periods(grouped.reverse(), census).equals(expected)
    monkeypatch.setattr(periods_module, "PARALLEL_MIN_EVENTS", 1000)
    assert build_periods(grouped, census).equals(expected)
    assert build_periods(shuffled, census).equals(expected)
