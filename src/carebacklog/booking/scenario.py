"""Scenario: the validated contract that says what the simulated service looks like.

A scenario is a Pydantic model (publish its JSON schema with ``Scenario.model_json_schema()``):

- a **capacity calendar**: sessions per weekday for each specialty (treatment function) and cases per
  session;
- a **referral process**: clock starts per week for each specialty, a weekday pattern and annual growth;
- the **priority mix** of new referrals (FSSA codes P1a–P4) and the priority **due dates**;
- **DNAs and cancellations** (the slot is lost, the patient stays on the list);
- **reneging** (patients who leave the list: validated off, treated elsewhere, died) and **deterioration**
  (priority raised while waiting), both as constant weekly hazards;
- scenario changes: **extra sessions** from a date, an **assessment centre** (a faster outpatient stage
  with its own capacity), **strike days** (capacity lost).

All rates are per week; the simulation steps one day at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from carebacklog.rtt.schema import PRIORITIES

__all__ = [
    "DUE_DAYS",
    "PRIORITY_CODES",
    "PRIORITY_LABELS",
    "AssessmentCentre",
    "ExtraSessions",
    "OutpatientStage",
    "RenegeBand",
    "Scenario",
    "Specialty",
    "StrikeDays",
]

#: FSSA surgical prioritisation codes (Federation of Surgical Specialty Associations, "Clinical guide to
#: surgical prioritisation", 2020-21), as carried in the WLMDS ``Procedure_Priority_Code``: the input
#: contract's codes (``carebacklog.rtt.schema.PRIORITIES``). P5/P6 are patients who chose to defer. The
#: order is the booking order: most urgent first.
PRIORITY_CODES: tuple[str, ...] = PRIORITIES
#: The codes plus "none": a pathway without a priority code (most non-admitted pathways).
PRIORITY_LABELS: tuple[str, ...] = (*PRIORITY_CODES, "none")

#: Days within which each priority should be treated (FSSA guide: P1a within 24 hours, P1b within
#: 72 hours, P2 within one month, P3 within three months). P4 "can wait over three months" and P5/P6
#: deferred have no priority due date (their breach measure is the 18-week RTT standard instead).
#: One month is taken as 30 days and three months as 90 days.
DUE_DAYS: dict[str, int] = {"P1a": 1, "P1b": 3, "P2": 30, "P3": 90}

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Weekdays = Annotated[list[NonNegative], Field(min_length=7, max_length=7)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenegeBand(_Model):
    """Weekly renege hazard from ``from_week`` weeks waited until the next band (the last band runs on)."""

    from_week: Annotated[int, Field(ge=0, le=1000)]
    rate_per_week: NonNegative


class OutpatientStage(_Model):
    """A non-admitted (outpatient) stage in front of the specialty's admitted list.

    New referrals and waiting pathways without a decision to admit (no priority code, no DTA) queue here
    for outpatient slots. At attendance ``conversion_rate`` of them get a decision to admit, a priority
    (drawn from the scenario's priority mix, codes only) and join the admitted list with the same clock
    start; the rest end their pathway in outpatients (a non-admitted clock stop: treatment in clinic,
    active monitoring or discharge).
    """

    sessions_per_week: Weekdays = Field(description="Outpatient clinics on each weekday, Monday first.")
    cases_per_session: NonNegative
    conversion_rate: Fraction = Field(description="Share of attendances that get a decision to admit.")


class Specialty(_Model):
    """One specialty's demand and capacity calendar (sessions = the admitted list's theatre sessions when
    an outpatient stage is given, otherwise all of the specialty's clock-stopping capacity)."""

    treatment_function: str = Field(description="Treatment function code as in the PTL, e.g. '110'.")
    referrals_per_week: NonNegative = Field(description="New RTT clock starts per week at the start.")
    sessions_per_week: Weekdays = Field(
        description="Sessions (theatre lists or clinics) on each weekday, Monday first.",
    )
    cases_per_session: NonNegative = Field(description="Patients whose clock stops in one session.")
    outpatient: OutpatientStage | None = Field(
        default=None, description="Two-stage pathway: outpatients first, then the admitted list."
    )

    def weekly_capacity(self) -> float:
        """Clock stops per week this calendar offers (before DNAs and cancellations)."""
        return sum(self.sessions_per_week) * self.cases_per_session


class ExtraSessions(_Model):
    """Extra sessions from a date (e.g. a waiting-list initiative), optionally until a date."""

    from_date: dt.date
    until_date: dt.date | None = None
    treatment_function: str | None = Field(default=None, description="None: every specialty.")
    sessions: Weekdays = Field(description="Extra sessions on each weekday, Monday first.")
    cases_per_session: NonNegative | None = Field(
        default=None, description="Cases per extra session; None: the specialty's own figure."
    )


class StrikeDays(_Model):
    """Days of industrial action: a share of the day's elective capacity is lost."""

    dates: list[dt.date]
    capacity_lost: Fraction = 1.0
    treatment_functions: list[str] | None = Field(default=None, description="None: every specialty.")


class AssessmentCentre(_Model):
    """A faster outpatient stage with its own capacity.

    From ``from_date`` a share of new referrals (of the named specialties and priorities) is routed to the
    centre, which books them in referral order. After assessment, ``completion_share`` of them end their
    pathway there (treated in outpatients or discharged: a clock stop); the rest join the specialty's main
    list keeping their clock start and priority.
    """

    from_date: dt.date
    referral_share: Fraction
    completion_share: Fraction
    sessions_per_week: Weekdays
    cases_per_session: NonNegative
    treatment_functions: list[str] | None = Field(default=None, description="None: every specialty.")
    priorities: list[str] = Field(
        default_factory=lambda: ["P3", "P4", "none"],
        description="Priorities routed to the centre ('none' = no priority code).",
    )

    @field_validator("priorities")
    @classmethod
    def _known_priorities(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PRIORITY_LABELS))
        if unknown:
            raise ValueError(f"unknown priority codes {unknown}; use {list(PRIORITY_LABELS)}")
        return value


class Scenario(_Model):
    """Everything the booking simulation needs besides the starting list, the policy and the seed."""

    specialties: list[Specialty] = Field(
        default_factory=list,
        description="Demand and capacity by treatment function. With a starting list, specialties left out "
        "are read off the list (carebacklog.booking.complete_scenario).",
    )
    weekday_pattern: Weekdays = Field(
        default_factory=lambda: [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
        description="Relative referral volume on each weekday, Monday first (normalised to sum to 7).",
    )
    annual_growth: float = Field(default=0.0, ge=-0.5, le=1.0, description="Referral growth per year, e.g. 0.03.")
    priority_mix: dict[str, NonNegative] = Field(
        default_factory=lambda: {"P4": 1.0},
        description="Share of new referrals in each priority, 'none' = no priority code (normalised).",
    )
    dna_rate: Fraction = Field(default=0.0, description="Share of booked slots where the patient does not attend.")
    cancellation_rate: Fraction = Field(default=0.0, description="Share of booked slots cancelled on the day.")
    first_dna_nullifies: bool = Field(
        default=True,
        description="RTT rules: a DNA at the first appointment of the period nullifies the clock (the "
        "pathway leaves the list and counts nowhere), assuming the appointment was clearly communicated.",
    )
    renege_rate_per_week: NonNegative = Field(
        default=0.0, description="Weekly hazard of leaving the list untreated (validation, treated elsewhere, died)."
    )
    renege_by_weeks_waited: list[RenegeBand] | None = Field(
        default=None,
        description="Renege hazard by weeks waited (piecewise constant, first band from week 0); replaces "
        "renege_rate_per_week. E.g. a rate per weekly band from the forecast package's calibration, or a "
        "validation sweep at 52 weeks.",
    )
    deterioration_rate_per_week: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Weekly hazard of moving up one priority, by current priority (P1b, P2, P3, P4).",
    )
    extra_sessions: list[ExtraSessions] = Field(default_factory=list)
    strikes: list[StrikeDays] = Field(default_factory=list)
    assessment_centre: AssessmentCentre | None = None

    @field_validator("priority_mix")
    @classmethod
    def _mix_is_valid(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(PRIORITY_LABELS))
        if unknown:
            raise ValueError(f"unknown priority codes {unknown}; use {list(PRIORITY_LABELS)}")
        if sum(value.values()) <= 0:
            raise ValueError("priority_mix must have a positive total")
        return value

    @field_validator("deterioration_rate_per_week")
    @classmethod
    def _deterioration_codes(cls, value: dict[str, float]) -> dict[str, float]:
        allowed = {"P1b", "P2", "P3", "P4"}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"deterioration applies to {sorted(allowed)} only, not {unknown}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        codes = [s.treatment_function for s in self.specialties]
        if len(set(codes)) != len(codes):
            raise ValueError("each treatment_function may appear once in specialties")
        if self.dna_rate + self.cancellation_rate > 1.0:
            raise ValueError("dna_rate + cancellation_rate must not exceed 1")
        bands = self.renege_by_weeks_waited
        if bands is not None:
            starts = [b.from_week for b in bands]
            if not bands or starts[0] != 0 or starts != sorted(set(starts)):
                raise ValueError("renege_by_weeks_waited: bands must start at week 0 and increase")
        if sum(self.weekday_pattern) <= 0:
            raise ValueError("weekday_pattern must have a positive total")
        return self

    def specialty_codes(self) -> list[str]:
        return [s.treatment_function for s in self.specialties]

    def unknown_treatment_functions(self) -> list[str]:
        """Treatment functions named by strikes, extra sessions or the centre but not in specialties.

        Checked when the scenario is used (a scenario file may leave specialties to be read off the list).
        """
        named = [e.treatment_function for e in self.extra_sessions if e.treatment_function is not None]
        for strike in self.strikes:
            named += strike.treatment_functions or []
        if self.assessment_centre is not None:
            named += self.assessment_centre.treatment_functions or []
        return sorted(set(named) - set(self.specialty_codes()))
