"""The rtt commands other tools rely on: periods, ptl, explain, quality."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from carebacklog.cli import app

from .conftest import GOLDEN

EVENTS = str(GOLDEN / "events.csv")
runner = CliRunner()


def test_periods_json_contract() -> None:
    result = runner.invoke(app, ["rtt", "periods", EVENTS, "--census-date", "2025-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 42
    first = rows[0]
    assert {"pathway_id", "period", "clock_start", "clock_stop", "outcome"} <= set(first)
    assert first["clock_start"] == "2024-06-03" and first["outcome"] == "admitted"
    assert any(r["clock_stop"] is None for r in rows)


def test_periods_csv_to_file(tmp_path: Path) -> None:
    out = tmp_path / "periods.csv"
    result = runner.invoke(app, ["rtt", "periods", EVENTS, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    periods = pl.read_csv(out)
    assert periods.height == 42  # no census: G29's admission after the census now counts
    assert periods.filter(pl.col("pathway_id") == "G29").get_column("outcome").to_list() == ["admitted"]


def test_ptl_json_contract() -> None:
    result = runner.invoke(app, ["rtt", "ptl", EVENTS, "--census-date", "2025-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 24
    needed = {
        "pathway_id",
        "clock_start",
        "days_waited",
        "weeks_waited",
        "has_dta",
        "priority",
        "booking_rank",
    }
    assert needed <= set(rows[0])
    assert [r["booking_rank"] for r in rows] == list(range(1, 25))
    g16 = next(r for r in rows if r["pathway_id"] == "G16")
    assert (g16["days_waited"], g16["weeks_waited"]) == (127, 18)


def test_ptl_table_shows_limit_rows_and_summary() -> None:
    result = runner.invoke(app, ["rtt", "ptl", EVENTS, "--census-date", "2025-03-31", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "showing 3 of 24 rows" in result.stdout
    assert "24 waiting; within 18 weeks 11 (45.8%); over 52 weeks 4" in result.stdout


def test_ptl_with_patients_adds_equity_columns(tmp_path: Path) -> None:
    out = tmp_path / "ptl.csv"
    args = ["rtt", "ptl", EVENTS, "--census-date", "2025-03-31", "--patients", str(GOLDEN / "patients.csv")]
    result = runner.invoke(app, [*args, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    ptl = pl.read_csv(out)
    assert {"age_band", "sex", "ethnic_group", "imd_quintile"} <= set(ptl.columns)


def test_ptl_needs_a_census_date() -> None:
    result = runner.invoke(app, ["rtt", "ptl", EVENTS])
    assert result.exit_code == 2
    assert "--census-date is required" in result.stderr


def test_explain_text() -> None:
    result = runner.invoke(app, ["rtt", "explain", EVENTS, "--pathway", "G04", "--census-date", "2025-03-31"])
    assert result.exit_code == 0, result.output
    assert "rule 3: status 32 stops period 1 (non-admitted, Part_1B) on 2024-06-01" in result.stdout
    assert "rule 2: status 11 starts period 2 on 2024-12-02" in result.stdout
    assert "Result: period 2 started 2024-12-02, still open (waiting)." in result.stdout


def test_explain_unknown_pathway_fails() -> None:
    result = runner.invoke(app, ["rtt", "explain", EVENTS, "--pathway", "NOPE"])
    assert result.exit_code == 1
    assert "no events for pathway 'NOPE'" in result.stderr


def test_quality_json() -> None:
    result = runner.invoke(app, ["rtt", "quality", EVENTS, "--census-date", "2025-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    issues = {(r["pathway_id"], r["issue"]) for r in json.loads(result.stdout)}
    assert ("G29", "after_census") in issues and ("G28", "stop_without_start") in issues


def test_bad_rows_are_quarantined_and_bad_files_fail(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    text = (GOLDEN / "events.csv").read_text().splitlines()
    text.append("X-1,X,PX,RBD,110,QVV,2025-02-30,referral,10,,,bad date")
    events.write_text("\n".join(text) + "\n")
    quarantine = tmp_path / "rejected.csv"
    result = runner.invoke(
        app, ["rtt", "periods", str(events), "--format", "csv", "--quarantine", str(quarantine)]
    )
    assert result.exit_code == 0, result.output
    assert "93 accepted, 1 rejected" in result.stderr
    assert "row 94: event_date: not a valid ISO date" in result.stderr
    assert pl.read_csv(quarantine, infer_schema=False).get_column("event_id").to_list() == ["X-1"]
    missing = runner.invoke(app, ["rtt", "periods", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    bad_date = runner.invoke(app, ["rtt", "periods", EVENTS, "--census-date", "31/03/2025"])
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr


def test_quality_on_clean_events_says_so(tmp_path: Path) -> None:
    events = tmp_path / "clean.csv"
    lines = (GOLDEN / "events.csv").read_text().splitlines()
    events.write_text("\n".join([lines[0], *[x for x in lines if x.startswith("G01-")]]) + "\n")
    result = runner.invoke(app, ["rtt", "quality", str(events), "--census-date", "2025-03-31"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "No data issues found."
