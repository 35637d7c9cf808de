"""Data-quality table: every event that breaks a clock rule or the input contract, with the rule and row.

Nothing is dropped silently and nothing crashes: an event the engine ignores (a referral on an open
period, a stop with no clock running, ...) is reported here with the reason, and events dated after
the census are reported rather than counted.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from carebacklog.rtt.rules import BEFORE_START, DTA, EFFECTS, ISSUE_EFFECTS, NULLIFY, RUNNING, clock_states
from carebacklog.rtt.schema import (
    ACTIVITIES,
    ACTIVITY_PRECEDENCE,
    KNOWN_STATUSES,
    PRIORITIES,
    REQUIRED_EVENT_COLUMNS,
    conform_events,
)

__all__ = ["QUALITY_COLUMNS", "SEVERAL_PATIENTS", "data_quality"]

QUALITY_COLUMNS: Final[tuple[str, ...]] = (
    "row",
    "pathway_id",
    "event_id",
    "event_date",
    "activity",
    "rtt_status",
    "issue",
    "rule",
    "detail",
    "source_file",
)

#: Status 92 "not yet referred" (GP direct-access diagnostics) legitimately comes before a clock start.
_NOT_YET_REFERRED: Final[int] = 92

_ISSUE_DETAIL: Final[dict[str, str]] = {
    "start_on_open_period": "a clock start while a period is already open does not restart the clock",
    "stop_without_start": "a clock stop, nullification or transfer with no period open is ignored",
    "activity_before_clock_start": "activity on a pathway before any clock start is not counted",
    "stop_status_on_cancellation_or_dna": "cancellations (and DNAs other than 33/34/36) never stop a clock",
}

#: Issue name for a pathway recorded with more than one patient: a pathway (patient pathway
#: identifier, NHS Data Dictionary) belongs to one patient, so the extract has merged two.
SEVERAL_PATIENTS: Final[str] = "pathway_with_several_patients"


def _rule_checks(census_date: date | None) -> list[tuple[str, str, pl.Expr, str]]:
    """(issue, rule broken, condition, detail) checks on the event rows themselves."""
    checks = [
        (
            f"missing_{c}",
            "input contract",
            pl.col(c).is_null(),
            f"required column {c} is empty",
        )
        for c in REQUIRED_EVENT_COLUMNS
    ]
    checks += [
        (
            "unknown_activity",
            "input contract",
            pl.col("activity").is_not_null() & ~pl.col("activity").is_in(ACTIVITIES),
            "activity is not one of " + ", ".join(ACTIVITIES) + "; it has no effect on the clock",
        ),
        (
            "unknown_status",
            "input contract",
            pl.col("rtt_status").is_not_null() & ~pl.col("rtt_status").is_in(sorted(KNOWN_STATUSES)),
            "not an RTT period status code; treated as no effect",
        ),
        (
            "unknown_priority",
            "input contract",
            pl.col("priority").is_not_null() & ~pl.col("priority").is_in(PRIORITIES),
            "not an FSSA priority code (P1a, P1b, P2, P3, P4, P5, P6)",
        ),
        (
            "original_start_after_event",
            "rule 1",
            (pl.col("original_start_date") > pl.col("event_date")).fill_null(False),
            "original_start_date is after the event date: the event date is used as the clock start",
        ),
    ]
    if census_date is not None:
        checks.append(
            (
                "after_census",
                "census",
                pl.col("event_date") > census_date,
                f"dated after the census date {census_date.isoformat()}: not counted",
            )
        )
    return checks


def data_quality(
    events: pl.DataFrame, census_date: date | None = None, *, source: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Data issues in ``events``, one row per (event, issue), ordered by row.

    ``row`` is the event's 1-based row in ``events``, or, with ``source`` (``ReadResult.source``: the
    file and file row of each event read), the row of the file it was read from, with that file in
    ``source_file`` (null without ``source``); ``issue`` a short name; ``rule`` the clock rule (RTT
    rules suite) or "input contract" / "census" broken; ``detail`` a plain-English reason.
    A pathway recorded with two or more patients is reported on each event whose patient differs
    from the pathway's first event's (``pathway_with_several_patients``).
    """
    events = conform_events(events)
    indexed = events.with_row_index("_row_all")
    parts: list[pl.DataFrame] = []
    for issue, rule, condition, detail in _rule_checks(census_date):
        hit = indexed.filter(condition.fill_null(False))
        if hit.height:
            parts.append(
                hit.select(
                    (pl.col("_row_all").cast(pl.Int64) + 1).alias("row"),
                    *_ident(events.columns),
                    issue=pl.lit(issue),
                    rule=pl.lit(rule),
                    detail=pl.lit(detail),
                )
            )
    states = clock_states(events, census_date)
    flagged = states.filter(
        pl.col("effect").is_in(list(ISSUE_EFFECTS))
        & ~(
            (pl.col("effect") == BEFORE_START.code)
            & (pl.col("rtt_status") == _NOT_YET_REFERRED).fill_null(False)
        )
    )
    if flagged.height:
        hits = indexed[flagged.get_column("_row")].with_columns(_effect=flagged.get_column("effect"))
        issue_name = pl.col("_effect").replace_strict(ISSUE_EFFECTS, return_dtype=pl.String)
        broken = pl.col("_effect").replace_strict(
            {c: f"rule {EFFECTS[c].rule}" for c in ISSUE_EFFECTS}, return_dtype=pl.String
        )
        parts.append(
            hits.select(
                (pl.col("_row_all").cast(pl.Int64) + 1).alias("row"),
                *_ident(events.columns),
                issue=issue_name,
                rule=broken,
                detail=issue_name.replace_strict(_ISSUE_DETAIL, return_dtype=pl.String),
            )
        )
    late = _late_nullifications(states)
    if late.len():
        parts.append(
            indexed[late].select(
                (pl.col("_row_all").cast(pl.Int64) + 1).alias("row"),
                *_ident(events.columns),
                issue=pl.lit("nullified_after_attendance"),
                rule=pl.lit("rule 4"),
                detail=pl.lit(
                    "status 33 (DNA of the first activity) after an attended activity in the same period: "
                    "the period is nullified as recorded, but the status is probably wrong"
                ),
            )
        )
    several = _several_patients(indexed)
    if several.height:
        parts.append(
            several.select(
                (pl.col("_row_all").cast(pl.Int64) + 1).alias("row"),
                *_ident(events.columns),
                issue=pl.lit(SEVERAL_PATIENTS),
                rule=pl.lit("input contract"),
                detail=pl.format(
                    "the pathway is recorded with {} patients; this event's patient differs from its first "
                    "event's (the periods carry the latest patient recorded)",
                    pl.col("_patients"),
                ),
            )
        )
    if not parts:
        return pl.DataFrame(schema=_schema())
    issues = pl.concat(parts, how="vertical_relaxed").sort("row", "issue")
    if source is None:
        issues = issues.with_columns(source_file=pl.lit(None, pl.String))
    else:
        if source.height != events.height:
            raise ValueError("source must have one row per event (ReadResult.source)")
        at = issues.get_column("row") - 1
        issues = issues.with_columns(
            source_file=source.get_column("source_file").cast(pl.String).gather(at),
            row=source.get_column("row").cast(pl.Int64).gather(at),
        ).sort("source_file", "row", "issue", maintain_order=True)
    return issues.select([pl.col(c).cast(t) for c, t in _schema().items()])


def _several_patients(indexed: pl.DataFrame) -> pl.DataFrame:
    """Events of pathways with more than one patient whose patient is not the pathway's first one."""
    keyed = indexed.filter(pl.col("pathway_id").is_not_null() & pl.col("patient_id").is_not_null())
    counts = keyed.group_by("pathway_id").agg(_patients=pl.col("patient_id").n_unique())
    mixed = counts.filter(pl.col("_patients") > 1)
    if mixed.height == 0:
        return indexed.clear().with_columns(_patients=pl.lit(0, pl.UInt32))
    rows = keyed.join(mixed, on="pathway_id", how="inner").sort("_row_all")
    first = pl.col("patient_id").first().over("pathway_id")
    return rows.filter(pl.col("patient_id") != first)


def _late_nullifications(states: pl.DataFrame) -> pl.Series:
    """Rows of nullifying events (33) that follow an attended outpatient or admission in their period."""
    attended = pl.col("_act").is_in([ACTIVITY_PRECEDENCE["outpatient"], ACTIVITY_PRECEDENCE["admission"]]) & (
        pl.col("effect").is_in([RUNNING.code, DTA.code])
    )
    in_period = states.filter(pl.col("in_period"))
    before = attended.cast(pl.Int32).cum_sum().over("period_key") - attended.cast(pl.Int32)
    late = in_period.filter((pl.col("effect") == NULLIFY.code) & (before > 0))
    return late.get_column("_row")


def _ident(columns: list[str]) -> list[pl.Expr]:
    event_id = pl.col("event_id") if "event_id" in columns else pl.lit(None, pl.String)
    return [
        pl.col("pathway_id"),
        event_id.alias("event_id"),
        pl.col("event_date"),
        pl.col("activity"),
        pl.col("rtt_status"),
    ]


def _schema() -> dict[str, pl.DataType]:
    return {
        "row": pl.Int64(),
        "pathway_id": pl.String(),
        "event_id": pl.String(),
        "event_date": pl.Date(),
        "activity": pl.String(),
        "rtt_status": pl.Int16(),
        "issue": pl.String(),
        "rule": pl.String(),
        "detail": pl.String(),
        "source_file": pl.String(),
    }
