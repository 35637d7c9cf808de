"""The workforce behind a capacity plan: clock stops a week into theatre and clinic sessions and staff, and back.

A capacity plan (``carebacklog forecast plan``) asks for extra RTT clock stops a week per treatment
function. A share of clock stops is admitted (an operation in a theatre session: ``admitted_share``, by
default taken from the trust's own published Part_1A/Part_1B completed pathways); every clock stop also
needs outpatient attendances (first and follow-up; pre-operative for the admitted). So, per week (an
average over 52 weeks):

- theatre sessions = admitted stops / cases per theatre session;
- clinic sessions = (non-admitted stops × attendances per non-admitted stop + admitted stops × attendances
  per admitted stop) / patients per clinic session;
- staff sessions of role r = theatre sessions × theatre staff r + clinic sessions × clinic staff r;
- WTE of role r = staff sessions / (sessions one WTE gives a working week × job-plan weeks / 52).

The reverse (:func:`capacity_from_staff`): every term above is proportional to the clock stops T, so the
staff a trust has support T = min over roles of (sessions the role can give a week) / (sessions of that
role one clock stop a week needs); the role reaching the minimum is the one that binds.

The assumptions are data (``data/flow/workforce_assumptions.json``, or a file of the same shape): a
default per treatment function with overrides, and per role the job-plan weeks, sessions per WTE and
the staff per theatre and clinic session. docs/flow.md ("Workforce") gives their sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import polars as pl

from carebacklog.flow.tidy import FlowFileError

__all__ = [
    "ROLES",
    "SpecialtyAssumptions",
    "WorkforceAssumptions",
    "admitted_share_from_published",
    "capacity_from_staff",
    "load_workforce_assumptions",
    "sessions_and_staff",
]

#: Staff groups, in the order tables show them.
ROLES: Final = ("consultant", "anaesthetist", "theatre_team", "nursing")
_SPECIALTY_KEYS: Final = ("admitted_share", "cases_per_theatre_session", "patients_per_clinic_session",
                          "attendances_per_non_admitted_stop", "attendances_per_admitted_stop")


@dataclass(frozen=True)
class SpecialtyAssumptions:
    """How one treatment function turns clock stops into sessions."""

    admitted_share: float
    cases_per_theatre_session: float
    patients_per_clinic_session: float
    attendances_per_non_admitted_stop: float
    attendances_per_admitted_stop: float

    def sessions_per_stop(self, admitted_share: float | None = None) -> tuple[float, float]:
        """(theatre, clinic) sessions a week that one clock stop a week needs."""
        share = self.admitted_share if admitted_share is None else admitted_share
        theatre = share / self.cases_per_theatre_session
        attendances = (1 - share) * self.attendances_per_non_admitted_stop + share * self.attendances_per_admitted_stop
        return theatre, attendances / self.patients_per_clinic_session


@dataclass(frozen=True)
class WorkforceAssumptions:
    """Per-role job planning and per-specialty session arithmetic (see the module docstring)."""

    job_plan_weeks: Mapping[str, float]
    sessions_per_wte_week: Mapping[str, float]
    theatre_session_staff: Mapping[str, float]
    clinic_session_staff: Mapping[str, float]
    default: SpecialtyAssumptions
    treatment_functions: Mapping[str, SpecialtyAssumptions] = field(default_factory=dict)
    source: str = "workforce_assumptions.json"

    def specialty(self, treatment_function: str | None) -> SpecialtyAssumptions:
        """The assumptions of ``treatment_function`` (its overrides on the default)."""
        return self.treatment_functions.get(treatment_function or "", self.default)

    def sessions_per_wte(self, role: str) -> float:
        """Sessions one WTE of ``role`` gives in an average week of the year (leave taken out)."""
        return self.sessions_per_wte_week[role] * self.job_plan_weeks[role] / 52


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise FlowFileError(where, f"must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _roles(data: Any, where: str, low: float, high: float, *, required: bool) -> dict[str, float]:
    if not isinstance(data, dict):
        raise FlowFileError(where, "expected an object of staff groups")
    unknown = sorted(set(data) - set(ROLES))
    if unknown:
        raise FlowFileError(where, f"unknown staff group(s) {unknown}; use {', '.join(ROLES)}")
    if required and set(data) != set(ROLES):
        raise FlowFileError(where, f"needs every staff group: {', '.join(ROLES)}")
    return {role: _number(v, f"{where}.{role}", low, high) for role, v in data.items()}


def _specialty(data: Any, where: str, base: dict[str, float] | None) -> SpecialtyAssumptions:
    if not isinstance(data, dict):
        raise FlowFileError(where, "expected an object")
    unknown = sorted(set(data) - set(_SPECIALTY_KEYS))
    if unknown:
        raise FlowFileError(where, f"unknown key(s) {unknown}; use {', '.join(_SPECIALTY_KEYS)}")
    values = dict(base or {})
    bounds = {"admitted_share": (0, 1), "cases_per_theatre_session": (0.05, 50),
              "patients_per_clinic_session": (1, 100), "attendances_per_non_admitted_stop": (0, 20),
              "attendances_per_admitted_stop": (0, 20)}
    for key, value in data.items():
        values[key] = _number(value, f"{where}.{key}", *bounds[key])
    missing = [k for k in _SPECIALTY_KEYS if k not in values]
    if missing:
        raise FlowFileError(where, f"missing {', '.join(missing)}")
    return SpecialtyAssumptions(**values)


def parse_workforce_assumptions(data: Any, source: str = "<assumptions>") -> WorkforceAssumptions:
    """Check and build assumptions from the JSON layout of the bundled file; errors name the key."""
    if not isinstance(data, dict):
        raise FlowFileError(source, "expected an object")
    for key in ("job_plan_weeks", "sessions_per_wte_week", "theatre_session_staff", "clinic_session_staff", "default"):
        if key not in data:
            raise FlowFileError(source, f"missing {key!r}")
    default = _specialty(data["default"], f"{source}: default", None)
    base = {k: getattr(default, k) for k in _SPECIALTY_KEYS}
    overrides = data.get("treatment_functions", {})
    if not isinstance(overrides, dict):
        raise FlowFileError(source, "treatment_functions: expected an object")
    return WorkforceAssumptions(
        job_plan_weeks=_roles(data["job_plan_weeks"], f"{source}: job_plan_weeks", 1, 52, required=True),
        sessions_per_wte_week=_roles(data["sessions_per_wte_week"], f"{source}: sessions_per_wte_week", 0.5, 12,
                                     required=True),
        theatre_session_staff=_roles(data["theatre_session_staff"], f"{source}: theatre_session_staff", 0, 20,
                                     required=False),
        clinic_session_staff=_roles(data["clinic_session_staff"], f"{source}: clinic_session_staff", 0, 20,
                                    required=False),
        default=default,
        treatment_functions={tf: _specialty(v, f"{source}: treatment_functions.{tf}", base)
                             for tf, v in overrides.items()},
        source=source,
    )


def load_workforce_assumptions(path: str | Path | None = None) -> WorkforceAssumptions:
    """The bundled assumptions, or a JSON file of the same layout."""
    if path is None:
        text = resources.files("carebacklog").joinpath("data/flow/workforce_assumptions.json").read_text("utf-8")
        return parse_workforce_assumptions(json.loads(text), "workforce_assumptions.json")
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FlowFileError(path, "no such file") from None
    except json.JSONDecodeError as exc:
        raise FlowFileError(path, f"row {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None
    return parse_workforce_assumptions(data, str(path))


def admitted_share_from_published(tidy: pl.DataFrame, *, by: tuple[str, ...] = ("treatment_function",)) -> pl.DataFrame:
    """Share of completed pathways that were admitted: Part_1A / (Part_1A + Part_1B), per ``by`` group.

    ``tidy``: :func:`carebacklog.published.read_rtt`'s table (one or more months, summed). Columns: ``by``,
    ``admitted``, ``non_admitted``, ``admitted_share``.
    """
    parts = tidy.filter(pl.col("part").is_in(["Part_1A", "Part_1B"]))
    return (
        parts.group_by(list(by))
        .agg(admitted=pl.col("count").filter(pl.col("part") == "Part_1A").sum(),
             non_admitted=pl.col("count").filter(pl.col("part") == "Part_1B").sum())
        .with_columns(admitted_share=pl.when(pl.col("admitted") + pl.col("non_admitted") > 0)
                      .then(pl.col("admitted") / (pl.col("admitted") + pl.col("non_admitted"))))
        .sort(list(by))
    )


def _share(shares: Mapping[str, float] | None, tf: str | None) -> float | None:
    return None if shares is None else shares.get(tf or "")


def sessions_and_staff(
    plan: pl.DataFrame,
    assumptions: WorkforceAssumptions | None = None,
    *,
    stops: str = "extra_per_week",
    admitted_shares: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Theatre and clinic sessions and WTE by staff group for the clock stops a week in ``plan``.

    ``plan``: one row per treatment function (``treatment_function``; without it, one row for the whole
    list) with the clock stops a week in ``stops`` (``forecast plan``'s ``extra_per_week``; take one month
    of its output). ``admitted_shares``: treatment function -> share admitted (e.g. from
    :func:`admitted_share_from_published`), else the assumptions'. Columns: ``treatment_function``,
    ``clock_stops_per_week``, ``admitted_share``, ``theatre_sessions_per_week``, ``clinic_sessions_per_week``,
    then ``<role>_wte`` for each staff group, and ``total_wte``.
    """
    a = assumptions or load_workforce_assumptions()
    if stops not in plan.columns:
        raise ValueError(f"the plan has no column {stops!r} (columns: {', '.join(plan.columns)})")
    tfs = plan["treatment_function"].to_list() if "treatment_function" in plan.columns else [None] * plan.height
    rows = []
    for tf, value in zip(tfs, plan[stops].to_list(), strict=True):
        spec = a.specialty(tf)
        share = _share(admitted_shares, tf)
        share = spec.admitted_share if share is None else share
        theatre_per, clinic_per = spec.sessions_per_stop(share)
        per_week = float(value or 0.0)
        theatre, clinic = theatre_per * per_week, clinic_per * per_week
        row: dict[str, Any] = {"treatment_function": tf, "clock_stops_per_week": per_week, "admitted_share": share,
                               "theatre_sessions_per_week": theatre, "clinic_sessions_per_week": clinic}
        for role in ROLES:
            sessions = theatre * a.theatre_session_staff.get(role, 0) + clinic * a.clinic_session_staff.get(role, 0)
            row[f"{role}_wte"] = sessions / a.sessions_per_wte(role)
        row["total_wte"] = sum(row[f"{role}_wte"] for role in ROLES)
        rows.append(row)
    schema = {"treatment_function": pl.String, "clock_stops_per_week": pl.Float64, "admitted_share": pl.Float64,
              "theatre_sessions_per_week": pl.Float64, "clinic_sessions_per_week": pl.Float64,
              **{f"{role}_wte": pl.Float64 for role in ROLES}, "total_wte": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def capacity_from_staff(
    staff: pl.DataFrame,
    assumptions: WorkforceAssumptions | None = None,
    *,
    admitted_shares: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Clock stops a week the staff in ``staff`` can deliver, per treatment function, and the binding group.

    ``staff``: ``treatment_function`` (optional), ``role`` (one of :data:`ROLES`) and ``wte`` (whole-time
    equivalents working on the elective list). A group absent for a treatment function counts as none.
    Columns: ``treatment_function``, ``clock_stops_per_week``, ``binding_role``, ``admitted_share`` and,
    per group, ``<role>_sessions_available`` and ``<role>_sessions_used`` (per week).
    """
    a = assumptions or load_workforce_assumptions()
    for column in ("role", "wte"):
        if column not in staff.columns:
            raise ValueError(f"the staff table needs a {column!r} column (treatment_function, role, wte)")
    unknown = sorted(set(staff["role"].to_list()) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown staff group(s) {unknown}; use {', '.join(ROLES)}")
    if staff["wte"].null_count() or (staff["wte"] < 0).any():
        raise ValueError("wte must be a number of 0 or more on every row")
    frame = staff if "treatment_function" in staff.columns else staff.with_columns(
        treatment_function=pl.lit(None, pl.String))
    totals = frame.group_by("treatment_function", "role").agg(pl.col("wte").sum())
    rows = []
    for tf in sorted(set(totals["treatment_function"].to_list()), key=lambda v: v or ""):
        spec = a.specialty(tf)
        share = _share(admitted_shares, tf)
        share = spec.admitted_share if share is None else share
        theatre_per, clinic_per = spec.sessions_per_stop(share)
        wte = dict(totals.filter(pl.col("treatment_function").eq_missing(tf)).select("role", "wte").iter_rows())
        available = {role: wte.get(role, 0.0) * a.sessions_per_wte(role) for role in ROLES}
        need = {role: theatre_per * a.theatre_session_staff.get(role, 0) + clinic_per * a.clinic_session_staff.get(role, 0)
                for role in ROLES}
        limits = {role: available[role] / need[role] for role in ROLES if need[role] > 0}
        binding = min(limits, key=lambda r: limits[r])
        stops = limits[binding]
        row: dict[str, Any] = {"treatment_function": tf, "clock_stops_per_week": stops, "binding_role": binding,
                               "admitted_share": share}
        for role in ROLES:
            row[f"{role}_sessions_available"] = available[role]
            row[f"{role}_sessions_used"] = need[role] * stops
        rows.append(row)
    return pl.DataFrame(rows)
