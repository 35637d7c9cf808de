"""Dates as int32 days since 1970-01-01, sampled with weekday and seasonal weights (vectorised).

Polars stores ``pl.Date`` as exactly these integers, so arrays convert to a date column without copying
values through Python.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from carebacklog.synth.assumptions import (
    ACTIVITY_WEEKDAY_WEIGHT,
    REFERRAL_MONTH_WEIGHT,
    REFERRAL_WEEKDAY_WEIGHT,
)

__all__ = [
    "ACTIVITY",
    "REFERRAL",
    "back_to_weekday",
    "band_window",
    "day_number",
    "sample_dates",
    "weekday_of",
]

_EPOCH = dt.date(1970, 1, 1)
REFERRAL = "referral"
ACTIVITY = "activity"


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01 (the ``pl.Date`` physical value)."""
    return (d - _EPOCH).days


def weekday_of(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int32) + 3) % 7


def back_to_weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday before (clinics and referrals run on working days)."""
    wd = weekday_of(days)
    return days - np.maximum(wd - 4, 0)


def _month_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12


def _weight(days: np.ndarray, kind: str) -> np.ndarray:
    if kind == REFERRAL:
        wd = np.asarray(REFERRAL_WEEKDAY_WEIGHT)[weekday_of(days)]
        month = np.asarray(REFERRAL_MONTH_WEIGHT)[_month_of(days)]
        return wd * month
    return np.asarray(ACTIVITY_WEEKDAY_WEIGHT)[weekday_of(days)]


def sample_dates(lo: np.ndarray, hi: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One date per row in ``[lo, hi]`` (inclusive) weighted by the ``kind`` calendar, by rejection.

    Rows with ``hi < lo`` get ``lo``. Returns int32 day numbers.
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    width = hi - lo + 1
    out = lo + (rng.random(lo.shape[0]) * width).astype(np.int64)
    wmax = 1.15 * 1.06 if kind == REFERRAL else 1.0
    todo = np.flatnonzero(rng.random(lo.shape[0]) * wmax > _weight(out, kind))
    # A window of one day always accepts; a few rounds of rejection settle the rest.
    for _ in range(30):
        todo = todo[width[todo] > 1]
        if todo.size == 0:
            break
        cand = lo[todo] + (rng.random(todo.size) * width[todo]).astype(np.int64)
        out[todo] = cand
        todo = todo[rng.random(todo.size) * wmax > _weight(cand, kind)]
    return out.astype(np.int32)


def band_window(
    band: np.ndarray, tail_days: np.ndarray, top_band: int = 104
) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive range of days waited that the engine puts in weekly ``band``.

    Band rule (docs/rules-rtt.md §Weeks waited): band 0 is days 0-7, band b is days 7b+1 ... 7b+7, band 104 is 729
    days or more. ``top_band`` is the extract's open-ended band (104 since April 2021; 52, "52 plus", in
    older files): it starts at its lower bound and ``tail_days`` gives each such pathway its upper bound.
    """
    band = band.astype(np.int64)
    lo = np.where(band == 0, 0, 7 * band + 1)
    hi = np.where(band == 0, 7, 7 * band + 7)
    over = band >= top_band
    start = 729 if top_band >= 104 else 7 * top_band + 1
    lo = np.where(over, start, lo)
    hi = np.where(over, start + tail_days, hi)
    return lo, hi
