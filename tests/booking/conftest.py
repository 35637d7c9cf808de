"""Shared fixtures: a small PTL snapshot in the clock engine's contract and a scenario for it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.booking import Scenario

CENSUS = dt.date(2025, 3, 31)  # a Monday's eve: day 0 of the simulation is Tuesday 1 April 2025


def make_ptl(n: int, seed: int = 0, census: dt.date = CENSUS) -> pl.DataFrame:
    """``n`` open pathways in two specialties with waits up to 80 weeks, priorities and equity groups."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 560, size=n)
    codes = rng.choice(4, size=n, p=[0.05, 0.15, 0.5, 0.3])
    priority = [("P2", "P3", "P4", None)[c] for c in codes]
    return pl.DataFrame(
        {
            "pathway_id": [f"PW{i:06d}" for i in range(n)],
            "treatment_function": rng.choice(["110", "130"], size=n),
            "clock_start": [census - dt.timedelta(days=int(d)) for d in days],
            "days_waited": days,
            "weeks_waited": np.where(days <= 7, 0, np.ceil(days / 7) - 1).astype(int),
            "priority": priority,
            "priority_due_date": [None] * n,
            "has_dta": rng.random(n) < 0.4,
            "booking_rank": np.arange(1, n + 1),
            "imd_quintile": rng.integers(1, 6, size=n),
            "ethnic_group": rng.choice(["White", "Asian", "Black", "Mixed", "Other"], size=n),
            "age_band": rng.choice(["0-17", "18-64", "65+"], size=n),
            "sex": rng.choice(["Female", "Male"], size=n),
        },
        schema_overrides={"priority": pl.String, "priority_due_date": pl.Date},
    )


def two_specialties(**changes: object) -> Scenario:
    base: dict[str, object] = {
        "specialties": [
            {"treatment_function": "110", "referrals_per_week": 40, "sessions_per_week": [2, 2, 2, 2, 2, 0, 0],
             "cases_per_session": 4},
            {"treatment_function": "130", "referrals_per_week": 30, "sessions_per_week": [1, 1, 1, 1, 1, 0, 0],
             "cases_per_session": 6},
        ],
        "priority_mix": {"P2": 0.1, "P3": 0.2, "P4": 0.5, "none": 0.2},
    }
    base.update(changes)
    return Scenario.model_validate(base)


@pytest.fixture(name="make_ptl")
def make_ptl_fixture():
    """The ``make_ptl(n, seed=0)`` factory (tests import nothing from conftest under importlib mode)."""
    return make_ptl


@pytest.fixture(name="two_specialties")
def two_specialties_fixture():
    return two_specialties


@pytest.fixture
def ptl() -> pl.DataFrame:
    return make_ptl(600)


@pytest.fixture
def scenario() -> Scenario:
    return two_specialties()
