"""The input contract for pathway events and patients, and the code lists the clock engine knows.

Column names and meanings follow the project's input contract (docs/architecture.md, "Events and
patients"). RTT status codes are the NHS Data Dictionary "Referral to Treatment Period Status" codes
as used by the RTT rules suite (NHS England, PRN01045 v5.0, Feb 2025). Priority codes are the FSSA
surgical prioritisation codes (Federation of Surgical Specialty Associations, clinical guide to
surgical prioritisation, 2020-2022).
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_PRECEDENCE",
    "EVENT_COLUMNS",
    "EVENT_SCHEMA",
    "FIRST_ACTIVITY_STATUS",
    "KNOWN_STATUSES",
    "NO_EFFECT_STATUSES",
    "NULLIFY_STATUS",
    "OUTCOMES",
    "PATIENT_COLUMNS",
    "PATIENT_SCHEMA",
    "PRIORITIES",
    "REQUIRED_EVENT_COLUMNS",
    "REQUIRED_PATIENT_COLUMNS",
    "RUNNING_STATUS",
    "START_STATUSES",
    "STOP_STATUSES",
    "TRANSFER_STATUS",
    "conform_events",
    "empty_events",
]

# --- Events -------------------------------------------------------------------------------------

#: Contract column order with the Polars type each column has after reading.
EVENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "event_id": pl.String(),
    "pathway_id": pl.String(),
    "patient_id": pl.String(),
    "provider_code": pl.String(),
    "treatment_function": pl.String(),
    "commissioner_code": pl.String(),
    "event_date": pl.Date(),
    "activity": pl.String(),
    "rtt_status": pl.Int16(),
    "priority": pl.String(),
    "original_start_date": pl.Date(),
}
EVENT_COLUMNS: Final[tuple[str, ...]] = tuple(EVENT_SCHEMA)
REQUIRED_EVENT_COLUMNS: Final[tuple[str, ...]] = (
    "pathway_id",
    "patient_id",
    "provider_code",
    "treatment_function",
    "event_date",
    "activity",
)

#: The activities of the input contract (docs/rtt.md, "Reading input").
ACTIVITIES: Final[tuple[str, ...]] = (
    "referral",
    "outpatient",
    "admission",
    "decision_to_admit",
    "dna",
    "cancellation",
    "transfer_out",
    "other",
)

#: Same-day order of activities. A clock has to start before anything else can happen to it, so a
#: referral comes first; a decision to admit is made in clinic, so after the outpatient attendance;
#: the admission follows; a transfer out is the last thing a provider does on a pathway.
#: Ties after this are broken by status code (10 < 20 < 30 < 90), then event_id, then the remaining
#: columns, so the result never depends on input row order.
ACTIVITY_PRECEDENCE: Final[dict[str, int]] = {
    "referral": 0,
    "outpatient": 1,
    "dna": 2,
    "cancellation": 3,
    "other": 4,
    "decision_to_admit": 5,
    "admission": 6,
    "transfer_out": 7,
}

# RTT period status codes (NHS Data Dictionary "Referral to Treatment Period Status"; NHS England's
# RTT rules suite, "Recording and reporting referral to treatment (RTT) waiting times for
# consultant-led elective care", PRN01045 v5.0). Rule numbers are docs/rtt.md's ("The rules as implemented").
#: 10 first activity, 11 first activity after active monitoring ends, 12 consultant referral for a
#: separate condition: 11 and 12 start a new period when none is open (rule 2); 10 marks the
#: first activity of a period that the referral started.
START_STATUSES: Final[frozenset[int]] = frozenset({11, 12})
FIRST_ACTIVITY_STATUS: Final[int] = 10
#: 20 subsequent activity, more expected.
RUNNING_STATUS: Final[int] = 20
#: 21 transfer to another provider: ends the period here without a completion (rule 6).
TRANSFER_STATUS: Final[int] = 21
#: 30 first definitive treatment; 31/32 active monitoring by patient/clinician; 34 decision not to
#: treat or no further contact; 35 patient declined treatment; 36 patient died (rule 3).
STOP_STATUSES: Final[frozenset[int]] = frozenset({30, 31, 32, 34, 35, 36})
#: 33 did not attend the first activity: nullifies the period (rule 4).
NULLIFY_STATUS: Final[int] = 33
#: 90 after first treatment, 91 during active monitoring, 92 not yet referred, 98 not applicable,
#: 99 not yet known: no effect on any clock (rule 7).
NO_EFFECT_STATUSES: Final[frozenset[int]] = frozenset({90, 91, 92, 98, 99})
KNOWN_STATUSES: Final[frozenset[int]] = frozenset(
    {FIRST_ACTIVITY_STATUS, RUNNING_STATUS, TRANSFER_STATUS, NULLIFY_STATUS}
    | START_STATUSES
    | STOP_STATUSES
    | NO_EFFECT_STATUSES
)

#: FSSA surgical priority codes, most urgent first.
PRIORITIES: Final[tuple[str, ...]] = ("P1a", "P1b", "P2", "P3", "P4", "P5", "P6")

#: Values of the ``outcome`` column of the RTT periods table (docs/architecture.md).
OUTCOMES: Final[tuple[str, ...]] = ("open", "admitted", "non_admitted", "nullified", "transferred")

# --- Patients -----------------------------------------------------------------------------------

PATIENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "patient_id": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "ethnic_category": pl.String(),
    "imd_decile": pl.Int8(),
    "lsoa": pl.String(),
    # Who the patient is (optional; shown only to the PTL role, searched by it, every search audited).
    # nhs_number: ten digits passing the Modulus 11 check (rtt/nhs_number.py); others are reported and
    # not stored.
    "nhs_number": pl.String(),
    "family_name": pl.String(),
    "given_name": pl.String(),
}
PATIENT_COLUMNS: Final[tuple[str, ...]] = tuple(PATIENT_SCHEMA)
REQUIRED_PATIENT_COLUMNS: Final[tuple[str, ...]] = ("patient_id",)


def conform_events(events: pl.DataFrame) -> pl.DataFrame:
    """Events with every contract column present and in the contract's type.

    Missing optional columns are added as nulls; columns of another type are cast (``rtt_status``
    from any integer type, dates from datetimes). Text columns may also be Categorical or Enum, which
    is kept: it holds low-cardinality codes (activity, provider, treatment function) in far less
    memory at England scale. Required columns must be present: a missing one
    raises ``ValueError`` naming it. Extra columns are kept. A frame already in the contract is
    returned unchanged (no copy).
    """
    missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError("events frame lacks required column(s): " + ", ".join(missing))
    fixes = []
    for column, dtype in EVENT_SCHEMA.items():
        if column not in events.columns:
            fixes.append(pl.lit(None, dtype).alias(column))
        elif events.schema[column] != dtype and not (
            dtype == pl.String() and isinstance(events.schema[column], (pl.Categorical, pl.Enum))
        ):
            fixes.append(pl.col(column).cast(dtype))
    return events.with_columns(fixes) if fixes else events


def empty_events() -> pl.DataFrame:
    """An events frame with the contract's columns and no rows."""
    return pl.DataFrame(schema=EVENT_SCHEMA)
