"""Which columns the PTL page shows: the ones a waiting-list team works from, and the ones it may add.

The default set fits a 1366 px screen without sideways scrolling (booking order, pathway, patient,
treatment function, priority, weeks waited, clock start, decision to admit, next breach); the column
chooser adds any of :data:`OPTIONAL_COLUMNS` (``cols=`` in the query string, repeated). On a phone every
row is stacked, label beside value, so nothing scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["OPTIONAL_COLUMNS", "chosen_columns"]

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
