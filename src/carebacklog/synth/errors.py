"""Inject known data-quality errors into a synthetic trust, for testing data-quality reports.

A clean synthetic trust gives the engine no data-quality issue at all. With ``data_errors=share`` that
share of pathways gets one extra event of a kind the engine reports as an issue
(:data:`carebacklog.rtt.rules.ISSUE_EFFECTS`), and none of them changes a published count (the engine
ignores each for the clock):

* ``start_on_open_period``: a second referral while the period is open (open pathways);
* ``stop_status_on_cancellation_or_dna``: a cancellation recorded with status 30 (open pathways);
* ``activity_before_clock_start``: an outpatient attendance dated before the pathway's first event;
* ``stop_without_start``: an outpatient with status 30 after the clock already stopped (completed
  pathways).

The injected rows are listed in ``SynthTrust.injected_errors`` (``pathway_id, event_id, issue``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from carebacklog.rtt.schema import (
    FIRST_ACTIVITY_STATUS,
    NULLIFY_STATUS,
    RUNNING_STATUS,
    START_STATUSES,
    STOP_STATUSES,
    TRANSFER_STATUS,
)

__all__ = ["ISSUES", "inject_errors"]

_STOPS = tuple(sorted(STOP_STATUSES))
#: Statuses that start, stop, end or nullify a clock: the last of them tells the clock's state.
_CLOCK = (FIRST_ACTIVITY_STATUS, *sorted(START_STATUSES), TRANSFER_STATUS, NULLIFY_STATUS, *_STOPS)
#: The stop status written into the injected errors: 30, first definitive treatment.
_TREATMENT = min(STOP_STATUSES)
ISSUES = (
    "start_on_open_period",
    "stop_status_on_cancellation_or_dna",
    "activity_before_clock_start",
    "stop_without_start",
)


def inject_errors(
    events: pl.DataFrame, census: int, share: float, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Events with injected errors (sorted by pathway and date) and the list of what was injected."""
    if not 0 < share <= 1:
        raise ValueError(f"data_errors must be in (0, 1], got {share}")
    summary = events.group_by("pathway_id", maintain_order=True).agg(
        pl.col("event_date").min().alias("first"),
        pl.col("event_date").max().alias("last"),
        pl.col("rtt_status")
        .filter(pl.col("rtt_status").is_in(_CLOCK) | (pl.col("activity") == "referral"))
        .last()
        .alias("clock"),
        pl.all().last(),
    )
    pick = summary.filter(pl.Series(rng.random(summary.height) < share))
    n = pick.height
    first = pick["first"].cast(pl.Int32).to_numpy()
    last = pick["last"].cast(pl.Int32).to_numpy()
    # The clock's state after the pathway's last clock event: stopped (a completion) or ended otherwise.
    clock = pick["clock"].fill_null(FIRST_ACTIVITY_STATUS).to_numpy()
    stopped = np.isin(clock, _STOPS)
    ended = np.isin(clock, (TRANSFER_STATUS, NULLIFY_STATUS))
    # A pathway whose last event falls on the census day takes the before-start error, so an extra stop
    # status never shares a day with the real stop.
    busy = last >= census
    # Open pathways (no stop event) get one of the first two; completed ones the last; any the third.
    u = rng.random(n)
    issue = np.where(stopped, np.where(u < 0.5, 3, 2), np.where(u < 0.4, 0, np.where(u < 0.8, 1, 2)))
    issue = np.where((ended | (stopped & busy)) & (issue != 2), 2, issue)
    date = np.where(
        issue == 2, first - 1 - rng.integers(0, 30, n), np.minimum(last + 1 + rng.integers(0, 14, n), census)
    )
    activity = np.asarray(["referral", "cancellation", "outpatient", "outpatient"])[issue]
    statuses = [FIRST_ACTIVITY_STATUS, _TREATMENT, RUNNING_STATUS, _TREATMENT]
    status = np.asarray(statuses, dtype=np.int16)[issue]
    # An open pathway whose last event is on the census day takes its extra event on that day too: the
    # period is open either side of it, so the engine reports the same issue whatever its order that day.
    added = pick.select(
        pl.format("{}-x", pl.col("pathway_id")).alias("event_id"),
        "pathway_id",
        "patient_id",
        "provider_code",
        "treatment_function",
        "commissioner_code",
    ).with_columns(
        event_date=pl.Series(date.astype(np.int32)).cast(pl.Date),
        activity=pl.Series(activity, dtype=pl.String),
        rtt_status=pl.Series(status, dtype=pl.Int16),
        priority=pl.lit(None, dtype=pl.String),
        original_start_date=pl.lit(None, dtype=pl.Date),
    )
    injected = added.select(
        "pathway_id", "event_id", issue=pl.Series(np.asarray(ISSUES)[issue], dtype=pl.String)
    )
    out = pl.concat([events, added.select(events.columns)]).sort(
        "pathway_id", "event_date", maintain_order=True
    )
    return out, injected
