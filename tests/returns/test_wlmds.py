"""Weekly WLMDS RTT files from our RTT periods: counts agree with the engine."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.published.wlmds import CLOCK_STOP_FIELDS, OPEN_PATHWAY_FIELDS, wlmds_files
from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.rtt.generate import generate_events

runner = CliRunner()


def _load_events_module():
    path = Path(__file__).with_name("events.py")
    spec = importlib.util.spec_from_file_location("wlmds_test_events", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ev = _load_events_module()


def _files(week_ending: date, patients: pl.DataFrame | None = None):
    from datetime import UTC, datetime

    periods = build_periods(ev.hand_made_events(), census_date=week_ending)
    created = datetime(2026, 1, 26, 7, 30, tzinfo=UTC)
    return wlmds_files(periods, week_ending, patients=patients, created=created)


def test_week_with_two_clock_starts() -> None:
    files = _files(date(2026, 1, 11))
    assert files.clock_starts["PATIENT_PATHWAY_IDENTIFIER"].to_list() == ["P2", "P4"]
    assert files.clock_stops.height == 0
    open_ = dict(
        zip(
            files.open_pathways["PATIENT_PATHWAY_IDENTIFIER"],
            files.open_pathways["Waiting_List_Type"],
            strict=True,
        )
    )
    assert open_ == {"P1": "IRTT", "P2": "ORTT", "P3": "IRTT", "P4": "ORTT", "P5": "ORTT", "P6": "ORTT"}


def test_week_with_an_admitted_and_a_non_admitted_stop() -> None:
    admitted = _files(date(2026, 1, 18)).clock_stops
    assert admitted.select("PATIENT_PATHWAY_IDENTIFIER", "Waiting_List_Type").rows() == [("P1", "IRTT")]
    assert admitted["REFERRAL_TO_TREATMENT_PERIOD_END_DATE"].to_list() == [date(2026, 1, 15)]
    assert admitted["REFERRAL_TO_TREATMENT_PERIOD_STATUS"].to_list() == ["30"]
    files = _files(date(2026, 1, 25))
    assert files.clock_stops.select("PATIENT_PATHWAY_IDENTIFIER", "Waiting_List_Type").rows() == [
        ("P2", "ORTT")
    ]
    # P4's first-appointment DNA nullified it: not open, not a stop
    assert files.open_pathways["PATIENT_PATHWAY_IDENTIFIER"].to_list() == ["P3", "P5", "P6"]
    assert files.clock_starts.height == 0


def test_fields_carry_the_pathway_and_patient() -> None:
    patients = pl.DataFrame(
        {
            "patient_id": ["N3"],
            "birth_date": [date(1970, 5, 1)],
            "sex": ["F"],
            "ethnic_category": ["A"],
            "lsoa": ["E01000001"],
            "nhs_number": ["9434765919"],
        }
    )
    files = _files(date(2026, 1, 25), patients)
    assert files.open_pathways.columns == list(OPEN_PATHWAY_FIELDS)
    assert files.clock_stops.columns == list(CLOCK_STOP_FIELDS)
    p3 = files.open_pathways.row(0, named=True)
    assert p3["ACTIVITY_TREATMENT_FUNCTION_CODE"] == "502"  # detailed code, not the reporting group
    assert p3["REFERRAL_TO_TREATMENT_PERIOD_START_DATE"] == date(2025, 6, 1)
    assert p3["DECISION_TO_ADMIT_DATE"] == date(2025, 12, 1)
    assert p3["Procedure_Priority_Code"] == "P4"
    assert p3["PERSON_STATED_GENDER_CODE"] == "2"
    assert p3["PERSON_BIRTH_DATE"] == date(1970, 5, 1)
    assert "derLSOA2021" not in files.open_pathways.columns  # NHS England derives it, providers do not send it
    assert p3["NHS_NUMBER"] == "9434765919"
    assert p3["DATE_AND_TIME_DATA_SET_CREATED"] == "2026-01-26T07:30:00"
    assert p3["ORGANISATION_IDENTIFIER_CODE_OF_COMMISSIONER"] == "00L"
    assert p3["TCI_Date"] is None and p3["Mutual_Aid_Accepting_Provider"] is None
    p5 = files.open_pathways.row(1, named=True)
    assert p5["PERSON_STATED_GENDER_CODE"] is None  # patient not in the patients file


@pytest.mark.parametrize("week_ending", [date(2025, 11, 30), date(2026, 1, 25)])
def test_counts_agree_with_the_engine_on_generated_events(week_ending: date) -> None:
    events = generate_events(2000, date(2026, 1, 31), np.random.default_rng(11))
    periods = build_periods(events, census_date=week_ending)
    files = wlmds_files(periods, week_ending)
    ptl = ptl_snapshot(periods, week_ending)
    assert files.open_pathways.height == ptl.height > 0
    assert (files.open_pathways["Waiting_List_Type"] == "IRTT").sum() == ptl["has_dta"].sum()
    start = week_ending - timedelta(days=6)
    stops = periods.filter(
        pl.col("outcome").is_in(["admitted", "non_admitted"])
        & pl.col("clock_stop").is_between(start, week_ending)
    )
    starts = periods.filter(pl.col("clock_start").is_between(start, week_ending))
    assert files.clock_stops.height == stops.height > 0
    assert files.clock_starts.height == starts.height > 0


def test_cli_writes_three_files(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    ev.hand_made_events().write_csv(events)
    patients = tmp_path / "patients.csv"
    patients.write_text(
        "patient_id,birth_date,sex,ethnic_category,imd_decile,lsoa\nN3,1970-05-01,F,A,3,E01000001\n"
    )
    out = tmp_path / "wlmds"
    result = runner.invoke(
        app,
        [
            "rtt",
            "wlmds",
            str(events),
            "--week-ending",
            "2026-01-25",
            "--out",
            str(out),
            "--patients",
            str(patients),
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "WLMDS_RTT_ClockStarts_2026-01-25.csv",
        "WLMDS_RTT_ClockStops_2026-01-25.csv",
        "WLMDS_RTT_OpenPathways_2026-01-25.csv",
    ]
    open_ = pl.read_csv(out / "WLMDS_RTT_OpenPathways_2026-01-25.csv", infer_schema_length=0)
    assert open_.height == 3 and open_["PERSON_STATED_GENDER_CODE"].to_list()[0] == "2"
    bad = runner.invoke(app, ["rtt", "wlmds", str(events), "--week-ending", "25/01/2026", "--out", str(out)])
    assert bad.exit_code != 0


def test_a_week_that_does_not_end_on_a_sunday_is_refused_with_the_sundays_either_side(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from carebacklog.cli import app

    events = tmp_path / "events.csv"
    ev.hand_made_events().write_csv(events)
    result = CliRunner().invoke(
        app, ["rtt", "wlmds", str(events), "--week-ending", "2026-01-24", "--out", str(tmp_path / "w")]
    )
    assert result.exit_code == 2 and "is a Saturday" in result.stderr
    assert "2026-01-18" in result.stderr and "2026-01-25" in result.stderr
    assert not (tmp_path / "w").exists()
