"""The benchmark's synthetic event generator: contract columns, a realistic mix, reproducible."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from carebacklog.rtt import EVENT_SCHEMA, build_periods, generate_events


def test_generator_mix_and_contract() -> None:
    census = date(2025, 3, 31)
    events = generate_events(3000, census, np.random.default_rng(7))
    assert events.schema == pl.Schema(EVENT_SCHEMA)
    assert 4.0 < events.height / 3000 < 5.5
    assert set(events.get_column("activity").unique()) == {
        "referral",
        "outpatient",
        "admission",
        "decision_to_admit",
        "dna",
        "cancellation",
        "transfer_out",
        "other",
    }
    assert events.get_column("event_date").max() <= census
    assert events.get_column("event_id").is_unique().all()
    outcomes = set(build_periods(events, census).get_column("outcome").unique())
    assert outcomes == {"open", "admitted", "non_admitted", "nullified", "transferred"}


def test_generator_is_reproducible_from_its_generator() -> None:
    census = date(2025, 3, 31)
    first = generate_events(500, census, np.random.default_rng(1))
    again = generate_events(500, census, np.random.default_rng(1))
    other = generate_events(500, census, np.random.default_rng(2))
    assert first.equals(again)
    assert not first.equals(other)
