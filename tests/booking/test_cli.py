"""`carebacklog simulate` from the command line (CliRunner against the root app)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
from typer.testing import CliRunner

from carebacklog.cli import app

runner = CliRunner()


def _scenario_file(tmp_path, **changes) -> str:
    data = {
        "specialties": [
            {"treatment_function": "110", "referrals_per_week": 40, "sessions_per_week": [2, 2, 2, 2, 2, 0, 0],
             "cases_per_session": 4},
            {"treatment_function": "130", "referrals_per_week": 30, "sessions_per_week": [1, 1, 1, 1, 1, 0, 0],
             "cases_per_session": 6},
        ],
        "priority_mix": {"P2": 0.1, "P3": 0.2, "P4": 0.7},
        "dna_rate": 0.05,
        "strikes": [{"dates": ["2025-04-08"], "capacity_lost": 0.9}],
    }
    data.update(changes)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return str(path)


def _ptl_file(tmp_path, make_ptl, suffix=".csv") -> str:
    path = tmp_path / f"ptl{suffix}"
    frame = make_ptl(300)
    if suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    return str(path)


def test_simulate_a_ptl_csv_prints_the_summary_as_json(tmp_path, make_ptl) -> None:
    result = runner.invoke(
        app, ["simulate", _ptl_file(tmp_path, make_ptl), "--policy", "priority", "--scenario",
              _scenario_file(tmp_path), "--weeks", "6", "--runs", "2", "--seed", "3", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    measures = {r["measure"]: r for r in rows}
    assert {"list_size", "pct_within_18", "over_52", "due_date_breaches", "utilisation", "imd_gap_weeks"} <= set(measures)
    assert all(r["policy"] == "priority" for r in rows)
    assert measures["treated"]["lower"] <= measures["treated"]["mean"] <= measures["treated"]["upper"]
    again = runner.invoke(
        app, ["simulate", _ptl_file(tmp_path, make_ptl), "--policy", "priority", "--scenario",
              _scenario_file(tmp_path), "--weeks", "6", "--runs", "2", "--seed", "3", "--format", "json"],
    )
    assert json.loads(again.stdout) == rows  # same seed, same answer


def test_all_policies_weekly_csv_and_a_chart(tmp_path, make_ptl) -> None:
    chart = tmp_path / "policies.svg"
    out = tmp_path / "weekly.csv"
    result = runner.invoke(
        app, ["simulate", _ptl_file(tmp_path, make_ptl, ".parquet"), "--policy", "all", "--weeks", "4",
              "--runs", "1", "--table", "weekly", "--out", str(out), "--chart", str(chart),
              "--scenario", _scenario_file(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    weekly = pl.read_csv(out)
    assert weekly.height == 4 * 4 and set(weekly["policy"]) == {"fifo", "priority", "ringfence", "equity"}
    assert chart.read_text().lstrip().startswith("<?xml") and "<svg" in chart.read_text()


def test_default_scenario_is_read_off_the_list_with_a_capacity_ratio(tmp_path, make_ptl) -> None:
    base = ["simulate", _ptl_file(tmp_path, make_ptl), "--weeks", "8", "--runs", "1", "--format", "csv"]
    low = pl.read_csv(runner.invoke(app, [*base, "--capacity-ratio", "0.5"]).stdout.encode())
    high = pl.read_csv(runner.invoke(app, [*base, "--capacity-ratio", "1.5"]).stdout.encode())

    def size(frame: pl.DataFrame) -> float:
        return frame.filter(pl.col("measure") == "list_size")["mean"][0]

    assert size(low) > size(high)


def test_start_empty_needs_a_scenario_and_a_census_date(tmp_path) -> None:
    result = runner.invoke(app, ["simulate", "--empty", "--weeks", "4"])
    assert result.exit_code == 2 and "--empty needs --scenario and --census-date" in result.output
    result = runner.invoke(
        app, ["simulate", "--empty", "--scenario", _scenario_file(tmp_path), "--census-date", "2025-03-31",
              "--weeks", "4", "--runs", "1", "--table", "breaches", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    breaches = pl.read_csv(result.stdout.encode())
    assert set(breaches["priority"]) <= {"P2", "P3"} and breaches.height > 0


def test_events_file_runs_through_the_clock_engine(tmp_path) -> None:
    from carebacklog.rtt.generate import generate_events

    census = dt.date(2025, 3, 31)
    events = generate_events(400, census, np.random.default_rng(0))
    path = tmp_path / "events.csv"
    events.write_csv(path)
    codes = sorted(events["treatment_function"].unique().to_list())
    scenario = _scenario_file(
        tmp_path,
        specialties=[{"treatment_function": c, "referrals_per_week": 2, "sessions_per_week": [1, 1, 1, 1, 1, 0, 0],
                      "cases_per_session": 1} for c in codes],
        strikes=[],
    )
    result = runner.invoke(
        app, ["simulate", str(path), "--census-date", "2025-03-31", "--scenario", scenario, "--weeks", "2",
              "--runs", "1", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert any(r["measure"] == "list_size" and r["mean"] > 0 for r in json.loads(result.stdout))


def test_errors_name_the_file_and_field(tmp_path, make_ptl) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "missing.csv: no such file" in result.output
    bad = _scenario_file(tmp_path, dna_rate=1.5)
    result = runner.invoke(app, ["simulate", _ptl_file(tmp_path, make_ptl), "--scenario", bad])
    assert result.exit_code == 2 and "scenario.json: invalid scenario: dna_rate" in result.output
    result = runner.invoke(app, ["simulate", _ptl_file(tmp_path, make_ptl), "--policy", "equity", "--equity-boost", "7:1"])
    assert result.exit_code == 2 and "quintile:weeks pairs" in result.output
    result = runner.invoke(app, ["simulate", _ptl_file(tmp_path, make_ptl), "--policy", "lottery"])
    assert result.exit_code == 2 and "unknown policy 'lottery'" in result.output
    broken = tmp_path / "broken.csv"
    make_ptl(3).with_columns(clock_start=pl.Series(["2024-01-01", "yesterday", "2024-02-01"])).write_csv(broken)
    result = runner.invoke(app, ["simulate", str(broken)])
    assert result.exit_code == 2 and "row 2, column clock_start" in result.output


def test_schema_prints_the_scenario_json_schema() -> None:
    result = runner.invoke(app, ["simulate", "--schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "specialties" in schema["properties"] and "AssessmentCentre" in schema["$defs"]


def test_two_scenario_files_are_compared_side_by_side(tmp_path, make_ptl) -> None:
    base = _scenario_file(tmp_path)
    extra = tmp_path / "extra_sessions.json"
    data = json.loads(Path(base).read_text())
    data["extra_sessions"] = [{"from_date": "2025-04-01", "sessions": [1, 1, 1, 1, 1, 0, 0], "cases_per_session": 6}]
    extra.write_text(json.dumps(data))
    result = runner.invoke(
        app, ["simulate", _ptl_file(tmp_path, make_ptl), "--scenario", base, "--scenario", str(extra),
              "--policy", "priority", "--weeks", "8", "--runs", "2", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    rows = {(r["policy"], r["measure"]): r["mean"] for r in json.loads(result.stdout)}
    assert rows[("scenario/priority", "referrals")] == rows[("extra_sessions/priority", "referrals")]
    assert rows[("extra_sessions/priority", "list_size")] < rows[("scenario/priority", "list_size")]
    assert rows[("extra_sessions/priority", "treated")] > rows[("scenario/priority", "treated")]
