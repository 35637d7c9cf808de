"""Measures of one simulation run, as Polars frames.

- ``weekly``: list size, number and % within 18 weeks, over 52 and 65 weeks at each week's end, plus the
  week's referrals, capacity, bookings, treatments, DNAs, cancellations, reneges and utilisation.
- ``waits``: completed waits (clock start to treatment, in weeks: mean, median, 92nd percentile, % within
  18 weeks) and the list left at the end (size, % within 18 weeks, over 52), by priority and by each
  equity group (IMD quintile, ethnic group, age band, sex).
- ``breaches``: priority due-date breaches (FSSA due dates): patients treated after their due date and
  patients still waiting past it at the end, by priority.
- ``summary``: the headline figures of the run in one row.

Definitions: within 18 weeks = at most 126 days; over 52 weeks = more than 364 days (docs/rules-rtt.md §Weeks waited).
Utilisation = slots attended ÷ slots offered (DNAs, cancellations and slots nobody was waiting for are
lost); ``treated`` counts clock stops (treatment, or completion at the assessment centre), so the list
obeys list(t) = list(t − 1) + referrals − treated − reneged − nullified (first-appointment DNAs).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carebacklog.booking.arrivals import NO_DAY, PRIORITY_LABELS
from carebacklog.booking.engine import (
    COMPLETED_OUTCOMES,
    OUTCOME_RENEGED,
    OUTCOME_WAITING,
    OVER_52_DAYS,
    WITHIN_18_DAYS,
    SimulationRun,
)

__all__ = ["EQUITY_DIMENSIONS", "breach_table", "run_measures", "summary_row", "wait_table", "weekly_table"]

EQUITY_DIMENSIONS: tuple[str, ...] = ("priority", "imd_quintile", "ethnic_group", "age_band", "sex")


def weekly_table(run: SimulationRun) -> pl.DataFrame:
    weeks = run.days // 7
    per_week = {name: values.reshape(weeks, 7).sum(axis=1) for name, values in run.daily.items()}
    reneged = run.outcome == OUTCOME_RENEGED
    renege_week = np.bincount(run.exit_day[reneged] // 7, minlength=weeks)[:weeks]
    size = run.weekly["list_size"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(size > 0, 100.0 * run.weekly["within_18"] / np.maximum(size, 1), 100.0)
        util = np.where(per_week["capacity"] > 0, per_week["attended"] / np.maximum(per_week["capacity"], 1), 0.0)
    return pl.DataFrame(
        {
            "week": np.arange(1, weeks + 1),
            "week_ending": [run.start_date + dt.timedelta(days=7 * w + 6) for w in range(weeks)],
            "list_size": size,
            "within_18": run.weekly["within_18"],
            "pct_within_18": pct,
            "over_52": run.weekly["over_52"],
            "over_65": run.weekly["over_65"],
            "referrals": per_week["arrivals"],
            "capacity": per_week["capacity"],
            "booked": per_week["booked"],
            "attended": per_week["attended"],
            "dna": per_week["dna"],
            "cancelled": per_week["cancelled"],
            "treated": per_week["clock_stops"],
            "reneged": renege_week,
            "nullified": per_week["nullified"],
            "utilisation": util,
        }
    )


def _patients(run: SimulationRun) -> pl.DataFrame:
    cols = run.population.columns
    groups = run.population.groups
    end = run.days - 1
    quintile = cols["imd_quintile"].astype(np.int64)
    frame = pl.DataFrame(
        {
            "outcome": run.outcome,
            "clock_start": cols["clock_start"].astype(np.int64),
            "exit_day": run.exit_day.astype(np.int64),
            "due_day": cols["due_day"].astype(np.int64),
            "priority": np.array(PRIORITY_LABELS, dtype=object)[cols["priority_label"]].tolist(),
            "imd_quintile": np.where(quintile > 0, quintile.astype(str), "Unknown").tolist(),
            **{
                name: np.array(groups[name], dtype=object)[cols[name]].tolist()
                for name in ("ethnic_group", "age_band", "sex")
            },
        },
        schema_overrides={n: pl.String for n in ("priority", "imd_quintile", "ethnic_group", "age_band", "sex")},
    )
    completed = pl.col("outcome").is_in(list(COMPLETED_OUTCOMES))
    return frame.with_columns(
        completed=completed,
        waiting=pl.col("outcome") == OUTCOME_WAITING,
        wait_days=pl.when(completed).then(pl.col("exit_day") - pl.col("clock_start")),
        waited_days=pl.when(pl.col("outcome") == OUTCOME_WAITING).then(end - pl.col("clock_start")),
    )


def wait_table(run: SimulationRun, patients: pl.DataFrame | None = None) -> pl.DataFrame:
    """Completed waits and the final list by each equity dimension (long: dimension, group, measures)."""
    patients = patients if patients is not None else _patients(run)
    weeks = pl.col("wait_days") / 7.0
    out = []
    for dim in EQUITY_DIMENSIONS:
        table = (
            patients.group_by(pl.col(dim).alias("group"))
            .agg(
                treated=pl.col("completed").sum(),
                mean_wait_weeks=weeks.mean(),
                median_wait_weeks=weeks.median(),
                p92_wait_weeks=weeks.quantile(0.92, interpolation="linear"),
                pct_treated_within_18=100.0 * (pl.col("wait_days") <= WITHIN_18_DAYS).sum()
                / pl.col("completed").sum(),
                reneged=(pl.col("outcome") == OUTCOME_RENEGED).sum(),
                waiting=pl.col("waiting").sum(),
                pct_waiting_within_18=100.0 * (pl.col("waited_days") <= WITHIN_18_DAYS).sum()
                / pl.col("waiting").sum(),
                waiting_over_52=(pl.col("waited_days") > OVER_52_DAYS).sum(),
            )
            .with_columns(dimension=pl.lit(dim))
        )
        out.append(table)
    return (
        pl.concat(out)
        .select("dimension", "group", pl.exclude("dimension", "group"))
        .with_columns(pl.col("treated", "reneged", "waiting", "waiting_over_52").cast(pl.Int64))
        .sort("dimension", "group")
    )


def breach_table(run: SimulationRun, patients: pl.DataFrame | None = None) -> pl.DataFrame:
    """Priority due-date breaches by (final) priority: treated late, and waiting past due at the end."""
    patients = patients if patients is not None else _patients(run)
    end = run.days - 1
    has_due = pl.col("due_day") < NO_DAY
    return (
        patients.filter(has_due)
        .group_by("priority")
        .agg(
            treated=pl.col("completed").sum(),
            treated_late=(pl.col("completed") & (pl.col("exit_day") > pl.col("due_day"))).sum(),
            waiting=pl.col("waiting").sum(),
            waiting_past_due=(pl.col("waiting") & (pl.col("due_day") < end)).sum(),
        )
        .with_columns(
            pct_treated_late=100.0 * pl.col("treated_late") / pl.col("treated"),
            breaches=pl.col("treated_late") + pl.col("waiting_past_due"),
        )
        .with_columns(pl.col("treated", "treated_late", "waiting", "waiting_past_due", "breaches").cast(pl.Int64))
        .sort("priority")
    )


def summary_row(run: SimulationRun, waits: pl.DataFrame, breaches: pl.DataFrame, weekly: pl.DataFrame) -> dict:
    """The run's headline figures (one value per measure)."""
    overall = _overall(run)
    imd = waits.filter(pl.col("dimension") == "imd_quintile")

    def imd_mean(group: str) -> float:
        row = imd.filter(pl.col("group") == group)
        return float(row["mean_wait_weeks"][0]) if row.height and row["mean_wait_weeks"][0] is not None else float("nan")

    last = weekly.row(-1, named=True)
    return {
        "list_size": float(last["list_size"]),
        "pct_within_18": float(last["pct_within_18"]),
        "over_52": float(last["over_52"]),
        "referrals": float(weekly["referrals"].sum()),
        "treated": float(weekly["treated"].sum()),
        "reneged": float(weekly["reneged"].sum()),
        "nullified": float(weekly["nullified"].sum()),
        "mean_wait_weeks": overall["mean"],
        "p92_wait_weeks": overall["p92"],
        "due_date_breaches": float(breaches["breaches"].sum()) if breaches.height else 0.0,
        "utilisation": float(weekly["attended"].sum() / max(int(weekly["capacity"].sum()), 1)),
        "imd_gap_weeks": imd_mean("1") - imd_mean("5"),
    }


def _overall(run: SimulationRun) -> dict[str, float]:
    done = np.isin(run.outcome, COMPLETED_OUTCOMES)
    waits = (run.exit_day[done] - run.population.columns["clock_start"][done]) / 7.0
    if waits.size == 0:
        return {"mean": float("nan"), "p92": float("nan")}
    return {"mean": float(waits.mean()), "p92": float(np.quantile(waits, 0.92))}


def run_measures(run: SimulationRun) -> dict[str, pl.DataFrame]:
    """Every table of one run: ``weekly``, ``waits``, ``breaches`` and ``summary`` (one row)."""
    patients = _patients(run)
    weekly = weekly_table(run)
    waits = wait_table(run, patients)
    breaches = breach_table(run, patients)
    summary = pl.DataFrame([summary_row(run, waits, breaches, weekly)])
    return {"weekly": weekly, "waits": waits, "breaches": breaches, "summary": summary}
