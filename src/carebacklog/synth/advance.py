"""A trust's extract some days on: the same pathways, with clock stops, removals and new referrals.

A waiting-list team loads its PAS extract every day; to show (and test) what changes between two loads
without a real PAS, :func:`advance_extract` takes an extract at one census date and makes the extract
``days`` later:

* **stops**: a share of the open pathways stop in the window (by default 5% a week, about NHS England's
  national ratio of completed pathways a month to the waiting list, spread over four weeks and a bit):
  those with a decision to admit are admitted (status 30), the others are treated in clinic (status 30)
  or discharged with a decision not to treat (status 34);
* **removals**: a smaller share disappears from the extract altogether (validation found duplicates or
  pathways that should never have been on the list): their events are dropped;
* **new referrals**: as many as stopped or were removed, unless ``growth`` says otherwise, on new
  pathways and new patients drawn from the existing case mix (treatment function, commissioner,
  priority) and demographics;
* the remaining open pathways wait ``days`` longer; some cross the 18/52/65/78-week thresholds.

Deterministic for a seed. The clock rules are applied by the RTT engine, as for any extract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["AdvancedExtract", "advance_extract"]


@dataclass(frozen=True)
class AdvancedExtract:
    """The later extract and what was done to make it."""

    census_date: dt.date
    events: pl.DataFrame
    patients: pl.DataFrame
    stopped: int
    removed: int
    referred: int


def _dates(rng: np.random.Generator, census: dt.date, days: int, n: int) -> list[dt.date]:
    offsets = rng.integers(1, days + 1, n)
    return [census + dt.timedelta(days=int(k)) for k in offsets]


def advance_extract(
    events: pl.DataFrame,
    patients: pl.DataFrame,
    census_date: dt.date,
    *,
    days: int = 7,
    seed: int = 0,
    weekly_stop_rate: float = 0.05,
    weekly_removal_rate: float = 0.005,
    growth: float = 1.0,
) -> AdvancedExtract:
    """The extract ``days`` after ``census_date`` (see the module docstring).

    ``events`` and ``patients`` follow the input contract; ``growth`` multiplies the new referrals
    (1: the list stays about the same size).
    """
    from carebacklog.rtt.periods import build_periods

    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    for name, rate in (("weekly_stop_rate", weekly_stop_rate), ("weekly_removal_rate", weekly_removal_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, not {rate}")
    rng = np.random.default_rng(seed)
    later = census_date + dt.timedelta(days=days)
    periods = build_periods(events, census_date)
    open_ = periods.filter(pl.col("outcome") == "open").sort("pathway_id", "period")
    n_open = open_.height
    scale = days / 7.0
    p_stop = min(1.0, weekly_stop_rate * scale)
    p_remove = min(1.0 - p_stop, weekly_removal_rate * scale)
    draw = rng.random(n_open)
    stop_mask = draw < p_stop
    remove_mask = (draw >= p_stop) & (draw < p_stop + p_remove)
    stops = open_.filter(pl.Series(stop_mask))
    removed_ids = open_.filter(pl.Series(remove_mask)).get_column("pathway_id")

    # stops: admitted when there is a decision to admit; otherwise treated in clinic or not treated
    n_stop = stops.height
    not_treated = rng.random(n_stop) < 0.3
    activity = ["admission" if dta else "outpatient" for dta in stops.get_column("has_dta").to_list()]
    status = [30 if (a == "admission" or not nt) else 34 for a, nt in zip(activity, not_treated, strict=True)]
    stop_events = stops.select(
        "pathway_id", "patient_id", "provider_code", "treatment_function", "commissioner_code", "priority"
    ).with_columns(
        event_id=pl.col("pathway_id") + pl.lit(f"-S{later:%Y%m%d}"),
        event_date=pl.Series(_dates(rng, census_date, days, n_stop), dtype=pl.Date),
        activity=pl.Series(activity, dtype=pl.String),
        rtt_status=pl.Series(status, dtype=pl.Int16),
    )

    # new referrals on new pathways and patients, from the case mix of the open list
    n_new = round((n_stop + removed_ids.len()) * growth) if n_open else 0
    template = open_.select("provider_code", "treatment_function", "commissioner_code", "priority")
    picks = rng.integers(0, max(n_open, 1), n_new)
    stem = f"W{later:%Y%m%d}"
    new_pathways = [f"{stem}{k:07d}" for k in range(n_new)]
    new_patients = [f"{stem}-P{k:07d}" for k in range(n_new)]
    referrals = template[picks.tolist()].with_columns(
        pathway_id=pl.Series(new_pathways, dtype=pl.String),
        patient_id=pl.Series(new_patients, dtype=pl.String),
        event_id=pl.Series([f"{p}-R" for p in new_pathways], dtype=pl.String),
        event_date=pl.Series(_dates(rng, census_date, days, n_new), dtype=pl.Date),
        activity=pl.lit("referral"),
        rtt_status=pl.lit(10, pl.Int16),
    )
    kept = events.filter(~pl.col("pathway_id").is_in(removed_ids.implode()))
    added = pl.concat([stop_events, referrals], how="diagonal_relaxed")
    added = added.select([c for c in kept.columns if c in added.columns]).with_columns(
        pl.col(c).cast(kept.schema[c]) for c in kept.columns if c in added.columns
    )
    new_events = pl.concat([kept, added], how="diagonal_relaxed")

    people = patients
    if n_new and patients.height:
        rows = rng.integers(0, patients.height, n_new).tolist()
        people = pl.concat(
            [patients, patients[rows].with_columns(patient_id=pl.Series(new_patients, dtype=pl.String))],
            how="vertical_relaxed",
        )
    return AdvancedExtract(later, new_events, people, n_stop, removed_ids.len(), n_new)
