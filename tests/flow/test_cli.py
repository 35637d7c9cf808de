"""``carebacklog flow``: what a planner runs to see a trust's urgent care, beds, diagnostics and
cancellations beside its elective list, and to try the discharge-service scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from carebacklog.cli import app

from .conftest import AE_MONTHLY, CANCELLED, KH03_Q2

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, ["flow", *args])


def test_read_with_check_agrees_with_each_files_own_national_row(tmp_path: Path) -> None:
    out = tmp_path / "check.csv"
    result = _run("read", str(AE_MONTHLY[-1]), str(KH03_Q2), *map(str, CANCELLED), "--check", "--out", str(out))
    assert result.exit_code == 0, result.output
    check = pl.read_csv(out)
    assert check.height > 0 and check["matches"].all()
    assert {"ae", "kh03", "cancelled_ops"} <= set(check["publication"].to_list())
    assert "differences: 0" in result.stderr


def test_a_file_that_is_not_a_flow_publication_is_bad_input_naming_it(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.csv"
    bogus.write_text("a,b\n1,2\n")
    result = _run("read", str(bogus))
    assert result.exit_code == 2
    assert "notes.csv" in result.stderr and "Traceback" not in result.output


def test_measures_for_one_provider_against_the_four_hour_standard(tmp_path: Path) -> None:
    out = tmp_path / "ae.json"
    result = _run("measures", "ae", "--provider", "rbd", "--since", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert rows and {r["org_code"] for r in rows} == {"RBD"}
    assert all(r["period"] >= "2025-06-01" for r in rows)
    for r in rows:  # the performance is the share seen within 4 hours, against the 78% standard
        assert abs(r["pct_within_4h"] - 100 * (1 - r["over_4h"] / r["attendances"])) < 1e-9
        assert r["meets_standard"] == (r["pct_within_4h"] >= r["standard"])


def test_peers_rank_providers_and_refuse_a_national_table() -> None:
    ranked = _run("measures", "beds", "--by", "provider", "--peers", "--format", "csv")
    assert ranked.exit_code == 0, ranked.output
    table = pl.read_csv(ranked.stdout.encode())
    latest = table.filter(pl.col("period") == table["period"].max())
    assert latest["rank"].min() == 1 and "peers" in table.columns
    refused = _run("measures", "beds", "--peers")
    assert refused.exit_code == 2 and "--by provider" in refused.stderr


def test_an_unknown_provider_is_a_clear_error() -> None:
    result = _run("summary", "--provider", "ZZZ")
    assert result.exit_code == 2 and "ZZZ" in result.stderr


def test_summary_lists_the_trusts_headlines_with_targets() -> None:
    result = _run("summary", "--provider", "RBD", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {(r["publication"], r["measure"]): r for r in json.loads(result.stdout)}
    assert rows[("ae", "pct_within_4h")]["target"] == 78
    assert ("kh03", "occupancy_general_acute") in rows and ("dm01", "pct_6_plus_weeks") in rows


def test_spc_chart_of_a_trusts_four_hour_performance(tmp_path: Path) -> None:
    chart = tmp_path / "ae.svg"
    result = _run("spc", "pct_within_4h", "--provider", "RBD", "--target", "78", "--chart", str(chart),
                  "--format", "csv")
    assert result.exit_code == 0, result.output
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))
    points = pl.read_csv(result.stdout.encode())
    assert points.height >= 12 and "process limits" in result.stderr
    unknown = _run("spc", "pct_happy", "--provider", "RBD")
    assert unknown.exit_code == 2 and "pct_within_4h" in unknown.stderr


def test_simulate_reports_beds_freed_by_a_discharge_service() -> None:
    result = _run("simulate", "--provider", "RBD", "--quarter", "2025-03-31", "--delayed-share", "0.1",
                  "--delayed-days", "5", "--discharge-days", "2", "--days", "120", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"baseline", "discharge service -2 days"}
    service = rows["discharge service -2 days"]
    assert service["beds_freed"] > 0 and service["dta_over_12h_change"] <= 0
    assert "calibrated to the quarter ending 31 Mar 2025" in result.stderr


def test_simulate_checks_its_inputs_before_any_work() -> None:
    not_quarter = _run("simulate", "--provider", "RBD", "--quarter", "2025-02-28")
    assert not_quarter.exit_code == 2 and "not the last day of a quarter" in not_quarter.stderr
    share = _run("simulate", "--provider", "RBD", "--quarter", "2025-03-31", "--delayed-share", "1.5")
    assert share.exit_code == 2 and "--delayed-share" in share.stderr
