"""``carebacklog community``: the published community and mental-health lists and a provider's own list,
as an analyst runs them from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app

from .conftest import CHS_JAN_2025

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, ["community", *args])


def test_types_lists_each_clock_and_its_standards() -> None:
    result = _run("types", "--format", "json")
    assert result.exit_code == 0, result.output
    types = {t["type"]: t for t in json.loads(result.stdout)}
    tt = types["talking_therapies"]
    assert (tt["clock_start"], tt["clock_stop"]) == ("referral", "first_treatment")
    assert "42 days 75%" in tt["standards"] and "126 days 95%" in tt["standards"]
    assert types["hidden_wait"]["clock_start"] == "first_contact"


def test_national_measures_equal_the_published_july_2025_total() -> None:
    result = _run("measures", "--month", "2025-07-31", "--by", "age_group", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["age_group"]: r for r in json.loads(result.stdout)}
    assert rows["adult"]["total"] + rows["cyp"]["total"] == 1_195_895  # NHS England, July 2025
    assert round(rows["cyp"]["pct_over_52"]) == 24  # a quarter of children over a year


def test_measures_refuse_what_they_cannot_split_by() -> None:
    assert _run("measures", "--by", "priority").exit_code == 2
    national_provider = _run("measures", "--provider", "RYV")
    assert national_provider.exit_code == 2 and "--level" in national_provider.stderr
    assert _run("measures", "--month", "2019-01-01").exit_code == 2


def test_provider_measures_for_one_trust() -> None:
    result = _run("measures", "--level", "provider", "--provider", "ryv", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = pl.read_csv(result.stdout.encode())
    assert table.height == 12 and set(table["org_code"]) == {"RYV"}


@pytest.mark.slow
def test_read_with_check_matches_the_workbooks_national_rows(tmp_path: Path) -> None:
    out = tmp_path / "check.csv"
    result = _run("read", str(CHS_JAN_2025), "--check", "--out", str(out))
    assert result.exit_code == 0, result.output
    check = pl.read_csv(out)
    comparable = check.filter(pl.col("comparable"))
    assert comparable.height > 300 and comparable["equal"].all() and "differences: 0" in result.stderr


def test_read_names_a_file_that_is_not_a_chs_workbook(tmp_path: Path) -> None:
    missing = _run("read", str(tmp_path / "nope.xlsx"))
    assert missing.exit_code == 2 and "nope.xlsx" in missing.stderr


def test_talking_therapies_standards_agree_with_the_published_percentages() -> None:
    result = _run("talking-therapies", "--check", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "0 disagree" in result.stderr
    england = _run("talking-therapies", "--format", "json")
    rows = [r for r in json.loads(england.stdout) if r["group_type"] == "England" and r["pct_within_6"] is not None]
    assert rows and all(r["meets_6"] == (r["pct_within_6"] >= 75) for r in rows)


def _events(tmp_path: Path) -> Path:
    events = pl.DataFrame({
        "referral_id": ["a", "a", "b", "c", "c", "c"],
        "provider_code": ["RX1"] * 6,
        "service_line": ["Podiatry"] * 6,
        "age_group": ["adult", "adult", "cyp", "adult", "adult", "adult"],
        "event": ["referral", "contact", "referral", "referral", "contact", "contact"],
        "event_date": ["2025-01-06", "2025-02-03", "2024-01-01", "2025-03-03", "2025-03-10", "2025-06-30"],
    })
    path = tmp_path / "events.csv"
    events.write_csv(path)
    return path


def test_waits_and_ptl_from_a_providers_own_events(tmp_path: Path) -> None:
    events = _events(tmp_path)
    result = _run("waits", str(events), "--type", "community_health_services", "--census-date", "2025-03-31",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    # a and c were seen (clock stopped at first contact); b has waited since 1 Jan 2024: over 52 weeks
    assert (row["total"], row["over_52_weeks"], row["within_126d"]) == (1, 1, 0)
    hidden = _run("waits", str(events), "--type", "hidden_wait", "--census-date", "2025-07-31",
                  "--basis", "completed", "--from", "2025-06-01", "--format", "json")
    (done,) = json.loads(hidden.stdout)
    assert done["total"] == 1 and done["within_28d"] == 0  # c: 10 Mar to 30 Jun, 112 days first to second
    ptl = _run("ptl", str(events), "--type", "community_health_services", "--census-date", "2025-03-31",
               "--format", "json")
    (open_wait,) = json.loads(ptl.stdout)
    assert open_wait["referral_id"] == "b" and open_wait["booking_rank"] == 1


def test_waits_errors_name_the_type_file_and_column(tmp_path: Path) -> None:
    events = _events(tmp_path)
    unknown = _run("waits", str(events), "--type", "dentistry", "--census-date", "2025-03-31")
    assert unknown.exit_code == 2 and "talking_therapies" in unknown.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("referral_id,provider_code,service_line,age_group,event,event_date\n"
                   "a,RX1,Podiatry,adult,referral,not-a-date\n")
    broken = _run("waits", str(bad), "--type", "community_health_services", "--census-date", "2025-03-31")
    assert broken.exit_code == 2 and "bad.csv" in broken.stderr and "event_date" in broken.stderr
    no_census = _run("waits", str(events), "--type", "community_health_services")
    assert no_census.exit_code == 2


def test_synth_reproduces_the_providers_published_bands(tmp_path: Path) -> None:
    out = tmp_path / "ryv.parquet"
    result = _run("synth", "--provider", "RYV", "--month", "2025-07-31", "--scale", "0.1", "--out", str(out))
    assert result.exit_code == 0, result.output
    events = pl.read_parquet(out)
    assert events.height > 100 and set(events["provider_code"]) == {"RYV"}
    check = _run("waits", str(out), "--type", "community_health_services", "--census-date", "2025-07-31",
                 "--format", "json")
    (row,) = json.loads(check.stdout)
    assert row["total"] == events.height
    assert _run("synth", "--provider", "ZZZ", "--month", "2025-07-31", "--out", str(out)).exit_code == 2
