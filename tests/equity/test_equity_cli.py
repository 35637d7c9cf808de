"""`carebacklog equity breakdown` from events + patients and from a saved PTL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.rtt.generate import generate_events

CENSUS = date(2025, 11, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pl.DataFrame]:
    tmp = tmp_path_factory.mktemp("equity")
    events = generate_events(1500, CENSUS, np.random.default_rng(5))
    patient_ids = events["patient_id"].unique().sort()
    rng = np.random.default_rng(6)
    n = patient_ids.len()
    patients = pl.DataFrame(
        {
            "patient_id": patient_ids,
            "birth_date": [date(1940 + int(y), 1, 1) for y in rng.integers(0, 80, n)],
            "sex": rng.choice(["M", "F", ""], n),
            "ethnic_category": rng.choice(["A", "H", "M", "Z", ""], n),
            "imd_decile": pl.Series(rng.integers(1, 11, n)).cast(pl.String).scatter([0, 1, 2], ""),
            "lsoa": ["E01000001"] * n,
        }
    )
    events_path, patients_path = tmp / "events.csv", tmp / "patients.csv"
    events.write_csv(events_path)
    patients.write_csv(patients_path)
    return events_path, patients_path, events


def test_events_and_patients_to_json(inputs: tuple[Path, Path, pl.DataFrame]) -> None:
    events_path, patients_path, events = inputs
    result = runner.invoke(
        app,
        [
            "equity",
            "breakdown",
            str(events_path),
            "--patients",
            str(patients_path),
            "--census-date",
            "2025-11-30",
            "--by",
            "imd_quintile",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    waiting = ptl_snapshot(build_periods(events, census_date=CENSUS), CENSUS).height
    assert payload["pathways"] == waiting
    groups = [row["imd_quintile"] for row in payload["breakdown"]]
    assert groups[:5] == ["1", "2", "3", "4", "5"] and groups[-1] == "Unknown"
    assert sum(row["total"] for row in payload["breakdown"]) == waiting
    assert [g["measure"] for g in payload["deprivation_gap"]] == ["pct_within_18", "pct_over_52"]


@pytest.mark.parametrize("by", ["ethnic_group", "age_band", "sex", "sex,treatment_function"])
def test_every_dimension_adds_up(inputs: tuple[Path, Path, pl.DataFrame], by: str) -> None:
    events_path, patients_path, _ = inputs
    result = runner.invoke(
        app,
        [
            "equity",
            "breakdown",
            str(events_path),
            "--patients",
            str(patients_path),
            "--census-date",
            "2025-11-30",
            "--by",
            by,
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(result.stdout.encode())
    assert table.columns[: len(by.split(","))] == by.split(",")
    waiting = ptl_snapshot(build_periods(inputs[2], census_date=CENSUS), CENSUS).height
    assert table["total"].sum() == waiting
    labels = set(table[by.split(",")[0]].cast(pl.String))
    assert labels & {"Unknown", "Not stated / unknown"} or by == "age_band"  # blanks are shown, not dropped


def test_saved_ptl_parquet_and_table_output(inputs: tuple[Path, Path, pl.DataFrame], tmp_path: Path) -> None:
    _, patients_path, events = inputs
    from carebacklog.rtt import read_patients

    people = read_patients(patients_path).events
    ptl = ptl_snapshot(build_periods(events, census_date=CENSUS), CENSUS, patients=people)
    path = tmp_path / "ptl.parquet"
    ptl.write_parquet(path)
    result = runner.invoke(app, ["equity", "breakdown", str(path), "--by", "sex"])
    assert result.exit_code == 0, result.output
    assert "Deprivation gap" in result.output and "Female" in result.output


def test_events_without_census_date_is_a_clear_error(inputs: tuple[Path, Path, pl.DataFrame]) -> None:
    events_path, _, _ = inputs
    result = runner.invoke(app, ["equity", "breakdown", str(events_path)])
    assert result.exit_code == 2  # bad usage (docs/cli.md)
    assert "--census-date" in result.output and "events.csv" in result.output


def test_gap_split_by_treatment_function(inputs: tuple[Path, Path, pl.DataFrame]) -> None:
    events_path, patients_path, _ = inputs
    result = runner.invoke(
        app,
        [
            "equity",
            "breakdown",
            str(events_path),
            "--patients",
            str(patients_path),
            "--census-date",
            "2025-11-30",
            "--gap-by",
            "treatment_function",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    gap = json.loads(result.stdout)["deprivation_gap"]
    assert gap and all(row["treatment_function"].startswith(("C_", "X0")) for row in gap)
    assert {row["measure"] for row in gap} == {"pct_within_18", "pct_over_52"}
