"""Explain one pathway: each event, what it did to the clock and which rule applied.

The explanation reads the effect codes of :func:`carebacklog.rtt.rules.classify_events`, the same
classification :func:`carebacklog.rtt.build_periods` uses, so the account and the periods table cannot
disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from carebacklog.rtt.rules import EFFECTS, STOP_EFFECTS, classify_events

__all__ = ["EXPLAIN_COLUMNS", "explain", "render_explanation"]

EXPLAIN_COLUMNS = (
    "pathway_id",
    "event_id",
    "event_date",
    "activity",
    "rtt_status",
    "priority",
    "period",
    "effect",
    "rule",
    "clock_start",
    "clock_stop",
    "outcome",
    "explanation",
)


def _text(row: dict[str, Any]) -> str:
    effect = EFFECTS[row["effect"]]
    status = "none" if row["rtt_status"] is None else str(row["rtt_status"])
    what = effect.meaning.format(period=row["period"], status=status, activity=row["activity"])
    sentence = f"rule {effect.rule}: {what}"
    start = row["clock_start_date"]
    if start is not None:
        sentence += f" on {start.isoformat()}"
        if row["original_start_date"] is not None and row["original_start_date"] <= row["event_date"]:
            received = row["event_date"].isoformat()
            sentence += f" (original start date carried over on transfer in; received here {received})"
    elif row["effect"] in STOP_EFFECTS:
        sentence += f" on {row['event_date'].isoformat()}"
    if row["priority"] is not None:
        sentence += f"; priority {row['priority']} recorded"
    return sentence


def explain(events: pl.DataFrame, pathway_id: str, census_date: date | None = None) -> pl.DataFrame:
    """One row per event of ``pathway_id`` in clock order, with its effect, rule and a sentence.

    Columns: :data:`EXPLAIN_COLUMNS`. ``effect`` is the effect name (e.g. ``start``, ``nullify``),
    ``rule`` the clock rule applied (docs/rtt.md numbering), ``clock_start`` set on the event that started a period,
    ``clock_stop`` and ``outcome`` on the event that ended one. Events after ``census_date`` are listed
    last with effect ``after_census`` (they do not count). An unknown pathway gives an empty frame.
    """
    mine = events.filter(pl.col("pathway_id") == pathway_id)
    if "event_id" not in mine.columns:
        mine = mine.with_columns(pl.lit(None, pl.String).alias("event_id"))
    classified = classify_events(mine, census_date)
    rows: list[dict[str, Any]] = []
    for row in classified.iter_rows(named=True):
        effect = EFFECTS[row["effect"]]
        stop = row["effect"] in STOP_EFFECTS
        rows.append(
            {
                "pathway_id": row["pathway_id"],
                "event_id": row["event_id"],
                "event_date": row["event_date"],
                "activity": row["activity"],
                "rtt_status": row["rtt_status"],
                "priority": row["priority"],
                "period": row["period"] or None,
                "effect": effect.name,
                "rule": effect.rule,
                "clock_start": row["clock_start_date"],
                "clock_stop": row["event_date"] if stop else None,
                "outcome": STOP_EFFECTS.get(row["effect"]),
                "explanation": _text(row),
            }
        )
    if census_date is not None:
        later = mine.filter(pl.col("event_date") > census_date).sort("event_date", "event_id")
        for row in later.iter_rows(named=True):
            rows.append(
                {
                    **{c: row.get(c) for c in ("pathway_id", "event_id", "event_date", "activity")},
                    "rtt_status": row["rtt_status"],
                    "priority": row["priority"],
                    "period": None,
                    "effect": "after_census",
                    "rule": None,
                    "clock_start": None,
                    "clock_stop": None,
                    "outcome": None,
                    "explanation": f"not counted: dated after the census date {census_date.isoformat()}",
                }
            )
    schema = {
        "pathway_id": pl.String,
        "event_id": pl.String,
        "event_date": pl.Date,
        "activity": pl.String,
        "rtt_status": pl.Int16,
        "priority": pl.String,
        "period": pl.Int32,
        "effect": pl.String,
        "rule": pl.Int8,
        "clock_start": pl.Date,
        "clock_stop": pl.Date,
        "outcome": pl.String,
        "explanation": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def render_explanation(explained: pl.DataFrame, census_date: date | None = None) -> str:
    """Plain-text account of :func:`explain`'s rows, ending with each period's result."""
    if explained.height == 0:
        return "No events for this pathway."
    pathway = explained.get_column("pathway_id")[0]
    heading = f"Pathway {pathway}"
    if census_date is not None:
        heading += f" at census {census_date.isoformat()}"
    lines = [heading, ""]
    for row in explained.iter_rows(named=True):
        status = "" if row["rtt_status"] is None else f" [{row['rtt_status']}]"
        ident = f" ({row['event_id']})" if row["event_id"] else ""
        lines.append(f"{row['event_date'].isoformat()}  {row['activity']}{status}{ident}")
        lines.append(f"    {row['explanation']}")
    lines.append("")
    starts = explained.filter(pl.col("clock_start").is_not_null())
    stops = {r["period"]: r for r in explained.filter(pl.col("outcome").is_not_null()).iter_rows(named=True)}
    if starts.height == 0:
        lines.append("Result: no RTT period (no clock ever started).")
    for row in starts.iter_rows(named=True):
        period = row["period"]
        stop = stops.get(period)
        start = row["clock_start"].isoformat()
        if stop is None:
            lines.append(f"Result: period {period} started {start}, still open (waiting).")
        else:
            lines.append(
                f"Result: period {period} started {start}, ended {stop['clock_stop'].isoformat()}: {stop['outcome']}."
            )
    return "\n".join(lines)
