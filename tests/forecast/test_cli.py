"""The forecast and plan commands, driven as a user would."""

import json

import pytest
from typer.testing import CliRunner

from carebacklog.cli import app

from .conftest import RBD, SERIES

runner = CliRunner()


def test_plan_queue_json_has_every_key_and_hand_worked_values():
    r = runner.invoke(app, ["plan", "queue", "--demand", "100", "--capacity", "110", "--target-wait", "18",
                            "--percentile", "92", "--queue-size", "1200", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["load"] == pytest.approx(100 / 110)
    assert data["target_mean_wait"] == pytest.approx(7.127, abs=1e-3)
    assert data["target_capacity"] == pytest.approx(100 + 2.5257 / 18, abs=1e-4)
    assert data["relief_capacity"] == pytest.approx(100 + (1200 - 712.666) / 26, abs=1e-2)
    assert data["pressure"] is None


def test_plan_queue_table_and_bad_input():
    r = runner.invoke(app, ["plan", "queue", "--demand", "100", "--capacity", "90", "--target-wait", "18"])
    assert r.exit_code == 0 and "target_queue_size" in r.stdout and "450.000" in r.stdout
    bad = runner.invoke(app, ["plan", "queue", "--demand", "100", "--capacity", "90", "--target-wait", "18",
                              "--percentile", "92", "--factor", "3"])
    assert bad.exit_code == 2


def test_project_json_rows(tmp_path):
    chart = tmp_path / "p.png"
    r = runner.invoke(app, ["forecast", "project", str(RBD), "--horizon", "3", "--runs", "50", "--format", "json",
                            "--chart", str(chart)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["month"] for row in rows] == ["2024-12", "2025-01", "2025-02"]
    for key in ("total", "pct_within_18", "over_52"):
        assert rows[0][key + "_p10"] <= rows[0][key] <= rows[0][key + "_p90"]
    assert chart.stat().st_size > 1000


def test_project_by_provider_on_the_series_as_csv(tmp_path):
    out = tmp_path / "f.csv"
    r = runner.invoke(app, ["forecast", "project", str(SERIES), "--horizon", "2", "--runs", "0", "--by", "provider",
                            "--format", "csv", "--out", str(out), "--referral-growth", "3"])
    assert r.exit_code == 0, r.output
    header = out.read_text().splitlines()[0]
    assert header.startswith("provider,month,total,total_p10,total_p90,pct_within_18")


def test_plan_prints_capacity_and_targets_and_fails_when_impossible(tmp_path):
    ok = runner.invoke(app, ["forecast", "plan", str(RBD), "--target", "pct18>=65@2025-06", "--format", "json",
                             "--chart", str(tmp_path / "plan.svg")])
    assert ok.exit_code == 0, ok.output
    rows = json.loads(ok.stdout)
    assert {"month", "capacity_per_week", "extra_per_week", "pct_within_18"} <= set(rows[0])
    assert (tmp_path / "plan.svg").read_text().startswith("<?xml")
    impossible = runner.invoke(app, ["forecast", "plan", str(RBD), "--target", "pct18>=75@2025-01",
                                     "--start", "2025-06"])
    assert impossible.exit_code == 1 and "Cannot be met" in impossible.output
    bad = runner.invoke(app, ["forecast", "plan", str(RBD), "--target", "pct18=>65@2025-06"])
    assert bad.exit_code == 2 and "cannot read target" in bad.output


def test_backtest_command(tmp_path):
    r = runner.invoke(app, ["forecast", "backtest", str(SERIES), "--train-months", "9", "--format", "json", "--by", "provider"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {row["method"] for row in rows} == {"model", "blend", "naive", "trend"}
    assert all(row["broken"] > 0 and "wins" in row and "list_mdape" in row for row in rows)
    kept = json.loads(runner.invoke(app, ["forecast", "backtest", str(SERIES), "--train-months", "9", "--by",
                                          "provider", "--keep-broken", "--format", "json"]).stdout)
    assert all(row["broken"] == 0 and row["lists"] > rows[0]["lists"] for row in kept)


def test_missing_file_is_a_clear_error(tmp_path):
    r = runner.invoke(app, ["forecast", "project", str(tmp_path / "missing.csv"), "--horizon", "2"])
    assert r.exit_code == 2 and "missing.csv" in r.output


def test_package_and_cli_import_without_numpy_so_help_stays_fast():
    import subprocess
    import sys

    code = ("import sys, carebacklog.forecast, carebacklog.forecast.cli; "
            "assert 'numpy' not in sys.modules and 'polars' not in sys.modules; "
            "assert callable(carebacklog.forecast.queue_plan)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
