"""Which columns the PTL page shows: the ones a waiting-list team works from, and the ones it may add.

The default set fits a 1366 px screen without sideways scrolling (booking order, pathway, patient,
treatment function, priority, weeks waited, clock start, decision to admit, next breach); the column
chooser adds any of :data:`OPTIONAL_COLUMNS` (``cols=`` in the query string, repeated). On a phone every
row is stacked, label beside value, so nothing scrolls sideways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

__all__ = ["OPTIONAL_COLUMNS", "chosen_columns", "next_breach"]

#: Column key → heading, in the order they are added after the default columns.
OPTIONAL_COLUMNS: dict[str, str] = {
    "days_waited": "Days waited",
    "breach_18_date": "18-week breach",
    "breach_52_date": "52-week breach",
    "priority_due_date": "Priority due",
    "last_activity_date": "Last activity",
    "commissioner_code": "Commissioner",
    "imd_quintile": "IMD quintile",
    "ethnic_group": "Ethnic group",
    "age_band": "Age band",
    "sex": "Sex",
}


def chosen_columns(given: Iterable[str]) -> list[str]:
    """The optional columns asked for, known ones only, in :data:`OPTIONAL_COLUMNS` order."""
    wanted = set(given)
    return [key for key in OPTIONAL_COLUMNS if key in wanted]


def next_breach(row: dict[str, Any], census: dt.date) -> tuple[int, dt.date] | None:
    """The first of the 18/52/65/78/104-week thresholds a waiting pathway has not yet passed, and its date
    (None when it is already over 104 weeks)."""
    for weeks in (18, 52, 65, 78, 104):
        when = row.get(f"breach_{weeks}_date")
        if when is not None and when > census:
            return weeks, when
    return None
