"""A provider's snapshots over time: choosing the two to compare, and their changes (reads the store).

:func:`compare_snapshots` picks the newest snapshot and an earlier one (at a given census date, or the one
just before) and hands their frames to the pure :func:`carebacklog.trust.changes.changes_between`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from carebacklog.store import Load
from carebacklog.trust.changes import ChangeSummary, changes_between, summarise_changes

__all__ = ["Comparison", "compare_snapshots", "pick_snapshots"]


@dataclass(frozen=True)
class Comparison:
    """Two snapshots of one provider and what changed from the first to the second."""

    before: Load
    after: Load
    changes: pl.DataFrame
    summary: ChangeSummary


def pick_snapshots(loads: list[Load], since: dt.date | None) -> tuple[Load, Load]:
    """(earlier, newest) from a provider's snapshots (newest first, as ``store.list_loads`` gives them).

    ``since`` picks the snapshot at that census date, or else the newest one before it; without it, the
    snapshot just before the newest. Raises LookupError when there is nothing to compare.
    """
    if not loads:
        raise LookupError("nothing is loaded yet: run carebacklog load")
    newest = loads[0]
    earlier = [load for load in loads[1:] if load.census_date < newest.census_date]
    if since is not None:
        earlier = [load for load in earlier if load.census_date <= since]
    if not earlier:
        when = f" on or before {since.isoformat()}" if since is not None else ""
        raise LookupError(
            f"{newest.provider_code} has no snapshot{when} earlier than {newest.census_date.isoformat()} "
            "to compare with: load an earlier or later extract first"
        )
    return earlier[0], newest


def compare_snapshots(
    engine: Engine, provider_code: str, *, since: dt.date | None = None, horizon_weeks: int = 4
) -> Comparison:
    """What changed on ``provider_code``'s PTL from an earlier snapshot (see :func:`pick_snapshots`) to the
    newest one."""
    from carebacklog.store import list_loads, make_sessionmaker, periods_frame, ptl_frame

    with make_sessionmaker(engine)() as db:
        before, after = pick_snapshots(list_loads(db, provider_code), since)
    old, new = ptl_frame(engine, before.id), ptl_frame(engine, after.id)
    found = changes_between(
        old, new, periods_frame(engine, after.id), after_census=after.census_date, horizon_weeks=horizon_weeks
    )
    return Comparison(before, after, found, summarise_changes(found, old.height, new.height))
