"""`carebacklog rtt measures` and `carebacklog rtt check`, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from carebacklog.cli import app

from .conftest import COMMISSIONER_2014_15, RBD_NOV_2024

runner = CliRunner()


def test_measures_json_has_the_documented_keys() -> None:
    result = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--by", "provider,treatment_function",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["treatment_function"] for r in rows} >= {"C_110", "C_100"}
    first = rows[0]
    assert list(first)[:3] == ["period", "provider_code", "treatment_function"]
    for key in ("total", "known_start", "within_18", "pct_within_18", "over_52", "over_65", "over_78",
                "over_104", "median_weeks", "p92_weeks", "p95_weeks"):
        assert key in first
    assert first["period"] == "2024-11-30" and isinstance(first["total"], int)
    assert 0 <= first["pct_within_18"] <= 100


def test_measures_csv_to_a_file_by_parent(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    result = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--by", "parent", "--part", "admitted",
                                 "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame["parent_code"].to_list() == ["QVV"]
    assert frame["total"][0] > 0


def test_measures_table_over_several_files_and_parts() -> None:
    files = [str(p) for p in COMMISSIONER_2014_15 if p.name.startswith("Incomplete")][:2]
    result = runner.invoke(app, ["rtt", "measures", *files])
    assert result.exit_code == 0, result.output
    assert "2014-12-31" in result.stdout or "2015-04-30" in result.stdout
    small = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--by", "provider,treatment_function",
                                "--min-pathways", "50", "--format", "json"])
    rows = json.loads(small.stdout)
    assert all((r["median_weeks"] is None) == (r["known_start"] < 50) for r in rows)
    new = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--part", "new", "--format", "json"])
    assert json.loads(new.stdout)[0]["total"] > 0


def test_measures_errors_exit_non_zero_with_a_message(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["rtt", "measures", str(tmp_path / "nope.zip")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_part = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--part", "waiting"])
    assert bad_part.exit_code == 2 and "--part" in bad_part.output
    bad_by = runner.invoke(app, ["rtt", "measures", str(RBD_NOV_2024), "--by", "ward"])
    assert bad_by.exit_code == 2 and "grouping" in bad_by.output


def test_check_passes_a_clean_file_and_fails_a_broken_one(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["rtt", "check", str(RBD_NOV_2024)])
    assert ok.exit_code == 0, ok.output
    assert "[PASS] totals_equal_treatment_functions" in ok.stdout
    # Break one C_110 incomplete count so the C_999 total no longer adds up.
    lines = RBD_NOV_2024.read_text(encoding="utf-8-sig").splitlines()
    i = next(i for i, line in enumerate(lines) if ",Part_2,Incomplete" in line and ",C_110," in line)
    cells = lines[i].split(",")
    cells[13] = str(int(float(cells[13] or 0)) + 5)
    lines[i] = ",".join(cells)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n")
    bad = runner.invoke(app, ["rtt", "check", str(broken), "--previous", str(RBD_NOV_2024), "--format", "json"])
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert not checks["totals_equal_treatment_functions"]["passed"]
    row = checks["totals_equal_treatment_functions"]["offending"][0]
    assert (row["provider_code"], row["part"], row["weeks_band"]) == ("RBD", "Part_2", 0)
    assert checks["identical_to_previous"]["passed"]  # one count changed
    # The row's own Total All no longer equals its bands either: named by its line in the file.
    row_check = checks["row_totals_consistent"]["offending"]
    assert [(r["row"], r["treatment_function"], r["sum_of_bands"] - r["total_all"]) for r in row_check] == [
        (i + 1, "C_110", 5)]
    identical = runner.invoke(app, ["rtt", "check", str(RBD_NOV_2024), "--previous", str(RBD_NOV_2024)])
    assert identical.exit_code == 1 and "[FAIL] identical_to_previous" in identical.stdout
