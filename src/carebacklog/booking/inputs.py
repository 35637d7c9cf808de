"""Inputs at the edge: the starting list (a PTL file, or an events file run through the clock engine),
scenario files, and a default scenario read off the list itself.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from carebacklog.booking.arrivals import normalise_treatment_function
from carebacklog.booking.scenario import PRIORITY_LABELS, OutpatientStage, Scenario, Specialty
from carebacklog.errors import BadInputError

__all__ = [
    "RECENT_START_DAYS",
    "InputError",
    "StartingList",
    "complete_scenario",
    "demo_starting_list",
    "load_scenario",
    "read_starting_list",
    "scenario_from_list",
]

#: Pathways that started in the last four weeks and are still open estimate the weekly clock starts
#: (a lower bound: starts that already stopped are not on the list).
RECENT_START_DAYS = 28
_EVENT_MARKERS = {"activity", "event_date"}


class InputError(BadInputError):
    """An input file cannot be used; the message names the file (and row/column when known)."""


@dataclass(frozen=True)
class StartingList:
    ptl: pl.DataFrame
    census_date: dt.date
    source: str  # "ptl", "events" or "demo"


def _read_table(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
    except Exception as exc:  # polars raises several error types for unreadable files
        kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
        # the reader's message can quote a row (patient data): name the error kind only
        raise InputError(f"{path}: cannot read as {kind}: {type(exc).__name__}") from exc


def _header(path: Path) -> list[str]:
    """The file's column names (without reading its rows)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return list(pl.read_parquet_schema(path))
        return pl.read_csv(path, n_rows=0).columns
    except Exception as exc:  # polars raises several error types for unreadable files
        kind = "Parquet" if path.suffix.lower() == ".parquet" else "CSV"
        raise InputError(f"{path}: cannot read as {kind}: {type(exc).__name__}") from exc


def _from_events(
    path: Path, census_date: dt.date | None, patients: Path | None, quarantine: Path | None
) -> StartingList:
    """Events through the one PTL path (:func:`carebacklog.rtt.pipeline.ptl_from_files`): rejected rows
    are counted, reported and quarantined there, and a file with every row rejected is refused."""
    from carebacklog.rtt.pipeline import ptl_from_files

    ptl, read = ptl_from_files(path, patients, census_date=census_date, quarantine=quarantine)
    if read.events.accepted == 0:
        raise InputError(f"{path}: no usable events")
    last = read.events.events["event_date"].max()
    census = census_date or (last if isinstance(last, dt.date) else None)
    assert census is not None  # ptl_from_files took the same date
    return StartingList(ptl, census, "events")


def read_starting_list(
    path: Path,
    *,
    census_date: dt.date | None = None,
    patients: Path | None = None,
    quarantine: Path | None = None,
) -> StartingList:
    """A PTL snapshot file (CSV/Parquet with the PTL contract's columns) or an events file.

    An events file (it has ``activity`` and ``event_date``) goes through the clock engine
    (``rtt.build_periods`` then ``rtt.ptl_snapshot`` at ``census_date``, default the last event date).
    For a PTL file the census date defaults to ``clock_start + days_waited`` of its rows. Rejected event
    and patient rows are reported and written to ``quarantine`` (see :mod:`carebacklog.rtt.pipeline`).
    """
    if set(_header(path)) >= _EVENT_MARKERS:  # read once, by the engine's reader
        return _from_events(path, census_date, patients, quarantine)
    frame = _read_table(path)
    for column in ("pathway_id", "treatment_function", "clock_start"):
        if column not in frame.columns:
            raise InputError(f"{path}: column {column!r} missing; a PTL needs pathway_id, treatment_function, clock_start")
    for column in ("clock_start", "priority_due_date"):
        if column in frame.columns and frame[column].dtype != pl.Date:
            parsed = frame[column].cast(pl.String).str.to_date("%Y-%m-%d", strict=False)
            bad = parsed.is_null() & frame[column].is_not_null()
            if bad.any():
                row = int(bad.arg_true()[0]) + 1
                raise InputError(f"{path}: row {row}, column {column}: not a date (YYYY-MM-DD)")
            frame = frame.with_columns(parsed.alias(column))
    frame = frame.with_columns(pl.col("treatment_function").cast(pl.String))
    if census_date is None:
        if "days_waited" not in frame.columns or frame.height == 0:
            raise InputError(f"{path}: give --census-date (the file has no days_waited to derive it from)")
        census = frame.select((pl.col("clock_start") + pl.duration(days=pl.col("days_waited"))).mode().first())
        census_date = census.item()
    assert census_date is not None
    return StartingList(frame, census_date, "ptl")


def demo_starting_list(seed: int = 0) -> StartingList:
    """The demo trust's PTL (``carebacklog.synth.demo_trust``: RBD, November 2024) through the clock engine."""
    from carebacklog import synth
    from carebacklog.rtt.pipeline import ptl_from_events

    trust = synth.demo_trust(seed)
    census = synth.DEMO_CENSUS_DATE
    _, ptl = ptl_from_events(trust.events, census, trust.patients)
    return StartingList(ptl, census, "demo")


def load_scenario(path: Path) -> Scenario:
    """A scenario JSON file, validated (errors name the file and the field)."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from exc
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise InputError(f"{path}: invalid scenario: {problems}") from exc


def scenario_from_list(
    ptl: pl.DataFrame, census_date: dt.date, capacity_ratio: float = 1.0, *, two_stage: bool = True
) -> Scenario:
    """A plain scenario read off the list: demand = recent clock starts, capacity = ratio × demand.

    For each treatment function: referrals per week = open pathways that started in the last
    ``RECENT_START_DAYS`` days ÷ 4 (at least 1). With ``two_stage`` and a list holding both pathways with a
    decision to admit or a priority code (admitted share a) and pathways without (non-admitted), the
    specialty gets an outpatient stage of capacity_ratio × demand a week with a conversion rate of a, and an
    admitted list of capacity_ratio × a × demand (a rough estimate: the list's admitted share stands in for
    the share of outpatient attendances that lead to a decision to admit). Otherwise one stage of
    capacity_ratio × demand. One session each weekday. The priority mix: codes as on the list's coded
    pathways, 'none' at the share of recent starts without a code. Nothing else (no DNAs, reneges or
    deterioration): write a scenario file for those.
    """
    if ptl.height == 0:
        raise InputError("an empty list gives no demand to read off; give a scenario file")
    waited = (pl.lit(census_date, pl.Date) - pl.col("clock_start")).dt.total_days()
    prio = pl.col("priority").cast(pl.String) if "priority" in ptl.columns else pl.lit(None, pl.String)
    dta = pl.col("has_dta").cast(pl.Boolean).fill_null(False) if "has_dta" in ptl.columns else pl.lit(False)
    frame = ptl.with_columns(
        tf=pl.col("treatment_function").cast(pl.String).str.strip_chars().str.replace(r"^[Cc]_", ""),
        recent=waited < RECENT_START_DAYS,
        prio=prio.fill_null("none"),
        admitted=dta | prio.is_not_null(),
    )
    specialties = []
    by_tf = frame.group_by("tf").agg(pl.col("recent").sum(), pl.col("admitted").mean().alias("share")).sort("tf")
    for row in by_tf.iter_rows(named=True):
        weekly = max(row["recent"] / (RECENT_START_DAYS / 7), 1.0)
        share = float(row["share"])
        staged = two_stage and 0.0 < share < 1.0
        specialties.append(
            Specialty(
                treatment_function=row["tf"],
                referrals_per_week=weekly,
                sessions_per_week=[1, 1, 1, 1, 1, 0, 0],
                cases_per_session=capacity_ratio * weekly * (share if staged else 1.0) / 5,
                outpatient=OutpatientStage(
                    sessions_per_week=[1, 1, 1, 1, 1, 0, 0],
                    cases_per_session=capacity_ratio * weekly / 5,
                    conversion_rate=share,
                )
                if staged
                else None,
            )
        )
    recent = frame.filter(pl.col("recent"))
    source = recent if recent.height else frame
    none_share = source.height and source.filter(pl.col("prio") == "none").height / source.height
    coded = frame.filter(pl.col("prio") != "none").group_by("prio").len()
    total = float(coded["len"].sum()) if coded.height else 0.0
    mix = {str(p): (1.0 - none_share) * n / total for p, n in coded.iter_rows() if p in PRIORITY_LABELS}
    if none_share > 0 or not mix:
        mix["none"] = none_share if mix else 1.0
    return Scenario(specialties=specialties, priority_mix=mix)


def complete_scenario(
    scenario: Scenario,
    ptl: pl.DataFrame | None,
    census_date: dt.date,
    capacity_ratio: float = 1.0,
    *,
    two_stage: bool = True,
) -> Scenario:
    """The scenario with a specialty for every treatment function on the list.

    Specialties the scenario names are kept as written; the others are read off the list as in
    :func:`scenario_from_list`. Everything else (rates, strikes, centre, extra sessions) is the scenario's.
    """
    have = set(scenario.specialty_codes())
    extra: list[Specialty] = []
    if ptl is not None and ptl.height:
        codes = {normalise_treatment_function(c) for c in ptl["treatment_function"].unique().to_list()}
        if codes - have:
            listed = scenario_from_list(ptl, census_date, capacity_ratio, two_stage=two_stage)
            extra = [s for s in listed.specialties if s.treatment_function not in have]
    if not scenario.specialties and not extra:
        raise InputError("the scenario has no specialties and there is no starting list to read them from")
    if not extra:
        if scenario.unknown_treatment_functions():
            raise InputError(f"treatment functions {scenario.unknown_treatment_functions()} are not in specialties")
        return scenario
    try:
        full = Scenario.model_validate({**scenario.model_dump(), "specialties": [
            *(s.model_dump() for s in scenario.specialties), *(s.model_dump() for s in extra)]})
    except ValidationError as exc:
        raise InputError(f"scenario does not fit the list: {exc.errors()[0]['msg']}") from exc
    if full.unknown_treatment_functions():
        raise InputError(
            f"treatment functions {full.unknown_treatment_functions()} are neither in the scenario nor on the list"
        )
    return full
