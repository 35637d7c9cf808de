"""The weekly Waiting List Minimum Data Set (WLMDS) RTT files written from our own RTT periods.

NHS England's WLMDS RTT collection has three sections (NHS England, "Waiting List Minimum Data Set
(WLMDS) information", RTT statistics pages, 2024): **open** (incomplete) pathways at the week end, RTT
**clock starts** and RTT **clock stops** in the week. Field names are those of the collection as landed in
NHS England's national data lake (tables ``WL_OpenPathways_Data``, ``WL_ClockStops_Data``,
``WL_ClockStarts_Data``; the published specification version could not be looked up here, so only names
seen in those tables are used). We fill what our input contract holds and leave the rest empty:

- ``Week_Ending_Date``: the week-ending date asked for;
- ``Waiting_List_Type``: ``IRTT`` (admitted list: a decision to admit by the week end, or an admitted
  clock stop), else ``ORTT`` (non-admitted list);
- ``LOCAL_PATIENT_IDENTIFIER`` / ``PATIENT_PATHWAY_IDENTIFIER``: ``patient_id`` / ``pathway_id``;
- ``ORGANISATION_CODE_PATIENT_PATHWAY_IDENTIFIER_ISSUER``: ``provider_code`` (we assume the provider
  issued the PPI; the contract has no issuer);
- ``ORGANISATION_IDENTIFIER_CODE_OF_PROVIDER`` / ``…_OF_COMMISSIONER``: provider / commissioner;
- ``ACTIVITY_TREATMENT_FUNCTION_CODE``: ``treatment_function`` (the detailed code, not grouped);
- ``REFERRAL_TO_TREATMENT_PERIOD_START_DATE`` / ``…_END_DATE``: clock start / clock stop (stops only);
- ``REFERRAL_TO_TREATMENT_PERIOD_STATUS``: the stop status (stops only);
- ``Procedure_Priority_Code``: ``priority`` (FSSA P-code); ``DECISION_TO_ADMIT_DATE``: latest DTA;
- ``PERSON_BIRTH_DATE``, ``PERSON_STATED_GENDER_CODE`` (NHS Data Dictionary 1/2/9/X),
  ``ETHNIC_CATEGORY``, ``NHS_NUMBER`` (Modulus 11 checked on reading): from the patients file, when given;
- ``DATE_AND_TIME_DATA_SET_CREATED``: when the files were made (with the NHS number and the PPI, part of
  NHS England's de-duplication key);
- not written: ``derLSOA2021``, which NHS England derives from the patient's postcode itself;
- ``TCI_Date``: the admission date booked at the week end for open pathways, from the bookings table
  when given (``rtt.bookings``: the latest booking made by the week end, not cancelled, dated on or after
  it, of type ``admission``);
- empty (not in the input contract): ``Referral_Identifier``, ``PRIORITY_TYPE_CODE``,
  ``Last_PAS_Validation_Date``, ``Requires_Alternative_Capacity``, ``Mutual_Aid_Accepting_Provider``.

Which periods: open = open at the week end (started by then, not stopped, nullified or transferred by then); stops =
admitted and non-admitted clock stops in the 7 days ending on the week end (nullified and transferred
periods are not clock stops); starts = clock starts in those 7 days, including periods later nullified
(as Part_3 of the monthly return). Public names: :class:`WlmdsFiles`, :func:`wlmds_files`,
:func:`write_wlmds`, :data:`OPEN_PATHWAY_FIELDS`, :data:`CLOCK_STOP_FIELDS`, :data:`CLOCK_START_FIELDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

__all__ = [
    "CLOCK_START_FIELDS",
    "CLOCK_STOP_FIELDS",
    "OPEN_PATHWAY_FIELDS",
    "WEEK_DAYS",
    "WlmdsFiles",
    "wlmds_files",
    "write_wlmds",
]

#: A WLMDS week: the 7 days ending on (and including) the week-ending date (a Sunday in the collection).
WEEK_DAYS = 7

_PATHWAY = (
    "Referral_Identifier",
    "PATIENT_PATHWAY_IDENTIFIER",
    "ORGANISATION_CODE_PATIENT_PATHWAY_IDENTIFIER_ISSUER",
    "ORGANISATION_IDENTIFIER_CODE_OF_PROVIDER",
    "ORGANISATION_IDENTIFIER_CODE_OF_COMMISSIONER",
    "ACTIVITY_TREATMENT_FUNCTION_CODE",
    "REFERRAL_TO_TREATMENT_PERIOD_START_DATE",
)
OPEN_PATHWAY_FIELDS: tuple[str, ...] = (
    "Week_Ending_Date",
    "DATE_AND_TIME_DATA_SET_CREATED",
    "Waiting_List_Type",
    "LOCAL_PATIENT_IDENTIFIER",
    "NHS_NUMBER",
    "PERSON_BIRTH_DATE",
    "PERSON_STATED_GENDER_CODE",
    "ETHNIC_CATEGORY",
    *_PATHWAY,
    "REFERRAL_TO_TREATMENT_PERIOD_STATUS",
    "PRIORITY_TYPE_CODE",
    "Procedure_Priority_Code",
    "DECISION_TO_ADMIT_DATE",
    "TCI_Date",
    "Last_PAS_Validation_Date",
    "Requires_Alternative_Capacity",
    "Mutual_Aid_Accepting_Provider",
)
CLOCK_STOP_FIELDS: tuple[str, ...] = (
    "Week_Ending_Date",
    "DATE_AND_TIME_DATA_SET_CREATED",
    "Waiting_List_Type",
    "LOCAL_PATIENT_IDENTIFIER",
    "NHS_NUMBER",
    "PERSON_STATED_GENDER_CODE",
    "ETHNIC_CATEGORY",
    *_PATHWAY,
    "REFERRAL_TO_TREATMENT_PERIOD_END_DATE",
    "REFERRAL_TO_TREATMENT_PERIOD_STATUS",
    "PRIORITY_TYPE_CODE",
    "Procedure_Priority_Code",
    "DECISION_TO_ADMIT_DATE",
    "TCI_Date",
    "Last_PAS_Validation_Date",
)
CLOCK_START_FIELDS: tuple[str, ...] = (
    "Week_Ending_Date",
    "DATE_AND_TIME_DATA_SET_CREATED",
    "LOCAL_PATIENT_IDENTIFIER",
    "NHS_NUMBER",
    "PERSON_STATED_GENDER_CODE",
    "ETHNIC_CATEGORY",
    *_PATHWAY,
    "REFERRAL_TO_TREATMENT_PERIOD_STATUS",
    "PRIORITY_TYPE_CODE",
)

# NHS Data Dictionary "Person Stated Gender Code": 1 male, 2 female, 9 indeterminate, X not known.
_GENDER_CODE = {"1": "1", "M": "1", "MALE": "1", "2": "2", "F": "2", "FEMALE": "2", "9": "9", "I": "9"}


@dataclass(frozen=True)
class WlmdsFiles:
    """The three weekly WLMDS RTT files for one week."""

    week_ending: date
    open_pathways: pl.DataFrame
    clock_stops: pl.DataFrame
    clock_starts: pl.DataFrame


def _patient_fields(patients: pl.DataFrame | None) -> pl.DataFrame:
    schema = {
        "patient_id": pl.String,
        "birth_date": pl.Date,
        "sex": pl.String,
        "ethnic_category": pl.String,
        "lsoa": pl.String,
        "nhs_number": pl.String,
    }
    if patients is None:
        return pl.DataFrame(schema=schema)
    people = patients.select([c for c in schema if c in patients.columns])
    for name, dtype in schema.items():
        if name not in people.columns:
            people = people.with_columns(pl.lit(None, dtype).alias(name))
    return people.select([pl.col(c).cast(t) for c, t in schema.items()]).unique("patient_id", keep="first")


def _fields(frame: pl.DataFrame, week_ending: date, fields: tuple[str, ...], created: datetime) -> pl.DataFrame:
    sex = pl.col("sex").str.strip_chars().str.to_uppercase()
    values: dict[str, pl.Expr] = {
        "Week_Ending_Date": pl.lit(week_ending, pl.Date),
        "Waiting_List_Type": pl.col("_list_type"),
        "LOCAL_PATIENT_IDENTIFIER": pl.col("patient_id"),
        "PERSON_BIRTH_DATE": pl.col("birth_date"),
        "PERSON_STATED_GENDER_CODE": pl.when(pl.col("_has_patient")).then(
            sex.replace_strict(_GENDER_CODE, default="X", return_dtype=pl.String).fill_null("X")
        ),
        "ETHNIC_CATEGORY": pl.col("ethnic_category"),
        "PATIENT_PATHWAY_IDENTIFIER": pl.col("pathway_id"),
        "ORGANISATION_CODE_PATIENT_PATHWAY_IDENTIFIER_ISSUER": pl.col("provider_code"),
        "ORGANISATION_IDENTIFIER_CODE_OF_PROVIDER": pl.col("provider_code"),
        "ORGANISATION_IDENTIFIER_CODE_OF_COMMISSIONER": pl.col("commissioner_code"),
        "ACTIVITY_TREATMENT_FUNCTION_CODE": pl.col("treatment_function"),
        "REFERRAL_TO_TREATMENT_PERIOD_START_DATE": pl.col("clock_start"),
        "REFERRAL_TO_TREATMENT_PERIOD_END_DATE": pl.col("clock_stop"),
        "REFERRAL_TO_TREATMENT_PERIOD_STATUS": pl.col("_status").cast(pl.String),
        "Procedure_Priority_Code": pl.col("priority"),
        "DECISION_TO_ADMIT_DATE": pl.col("_dta_date"),
        "TCI_Date": pl.col("_tci_date") if "_tci_date" in frame.columns else pl.lit(None, pl.Date),
        "NHS_NUMBER": pl.col("nhs_number"),
        "DATE_AND_TIME_DATA_SET_CREATED": pl.lit(created.strftime("%Y-%m-%dT%H:%M:%S"), pl.String),
    }
    exprs = [values.get(f, pl.lit(None, pl.String)).alias(f) for f in fields]
    return frame.select(exprs)


def wlmds_files(
    periods: pl.DataFrame,
    week_ending: date,
    *,
    patients: pl.DataFrame | None = None,
    bookings: pl.DataFrame | None = None,
    created: datetime | None = None,
) -> WlmdsFiles:
    """The WLMDS open-pathway, clock-stop and clock-start files for the week ending ``week_ending``.

    ``periods`` is :func:`carebacklog.rtt.build_periods` output built with ``census_date`` =
    ``week_ending`` (as ``carebacklog rtt wlmds`` does; with a longer history, later stops still leave a
    pathway open at the week end, but later-recorded attributes such as priority may show). ``patients`` (optional) is
    the input contract's patients table; ``bookings`` (optional) its bookings table, for ``TCI_Date``. Rows
    are sorted by provider, pathway and clock start. ``created`` (default: now, UTC) is written as
    ``DATE_AND_TIME_DATA_SET_CREATED``, part of NHS England's de-duplication key.
    """
    created = created or datetime.now(UTC)
    end = pl.lit(week_ending, pl.Date)
    week_start = pl.lit(week_ending - timedelta(days=WEEK_DAYS - 1), pl.Date)
    people = _patient_fields(patients).with_columns(_has_patient=pl.lit(True))
    base = periods.join(people, on="patient_id", how="left", maintain_order="left").with_columns(
        pl.col("_has_patient").fill_null(False),
        _dta_date=pl.when(pl.col("dta_date") <= end).then(pl.col("dta_date")),
    )
    order = ["provider_code", "pathway_id", "clock_start"]

    open_ = base.filter(
        (pl.col("clock_start") <= end)
        # open until its stop: a period nullified or transferred later was open on this day
        & (pl.col("clock_stop").is_null() | (pl.col("clock_stop") > end))
    ).with_columns(
        _list_type=pl.when(pl.col("has_dta") & pl.col("_dta_date").is_not_null())
        .then(pl.lit("IRTT"))
        .otherwise(pl.lit("ORTT")),
        _status=pl.lit(None, pl.Int16),
        clock_stop=pl.lit(None, pl.Date),
    )
    if bookings is not None:
        from carebacklog.rtt.bookings import bookings_at

        tci = bookings_at(bookings, week_ending).filter(
            pl.col("booked") & (pl.col("booking_type") == "admission")
        ).select("pathway_id", pl.col("booked_date").alias("_tci_date"))
        open_ = open_.join(tci, on="pathway_id", how="left", maintain_order="left")
    stops = base.filter(
        pl.col("outcome").is_in(["admitted", "non_admitted"])
        & pl.col("clock_stop").is_between(week_start, end)
    ).with_columns(
        _list_type=pl.when(pl.col("outcome") == "admitted").then(pl.lit("IRTT")).otherwise(pl.lit("ORTT")),
        _status=pl.col("stop_status"),
    )
    starts = base.filter(pl.col("clock_start").is_between(week_start, end)).with_columns(
        _list_type=pl.lit(None, pl.String), _status=pl.lit(None, pl.Int16)
    )
    return WlmdsFiles(
        week_ending=week_ending,
        open_pathways=_fields(open_.sort(order), week_ending, OPEN_PATHWAY_FIELDS, created),
        clock_stops=_fields(stops.sort(order), week_ending, CLOCK_STOP_FIELDS, created),
        clock_starts=_fields(starts.sort(order), week_ending, CLOCK_START_FIELDS, created),
    )


def write_wlmds(files: WlmdsFiles, directory: str | Path) -> dict[str, Path]:
    """Write the three files as CSV into ``directory`` (created if needed); returns kind → path."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    stamp = files.week_ending.isoformat()
    written: dict[str, Path] = {}
    for kind, name in (
        ("open_pathways", "OpenPathways"),
        ("clock_stops", "ClockStops"),
        ("clock_starts", "ClockStarts"),
    ):
        path = target / f"WLMDS_RTT_{name}_{stamp}.csv"
        getattr(files, kind).write_csv(path)
        written[kind] = path
    return written
