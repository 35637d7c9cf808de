"""Several providers at once (`--provider A,B` / `ALL`): each calibrated to its own month, one file set."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.published import read_rtt
from carebacklog.rtt import read_events
from carebacklog.synth import calibration_report
from carebacklog.synth.many import providers_in, synthesise_providers

NATIONAL = str(files("carebacklog") / "data" / "rtt_full_extract_2026_01.zip")
CENSUS = dt.date(2026, 1, 31)


@pytest.fixture(scope="module")
def national() -> pl.DataFrame:
    return read_rtt([NATIONAL])


def test_each_provider_is_calibrated_and_order_of_threads_does_not_matter(
    national: pl.DataFrame, tmp_path: Path
) -> None:
    result = synthesise_providers(national, CENSUS, tmp_path / "a", seed=4, providers=["NT443", "RR7"])
    events = read_events(result.files[0])
    assert events.rejected.height == 0
    assert set(events.events["provider_code"].unique().to_list()) == {"NT443", "RR7"}
    assert result.events == events.events.height
    for code in ("NT443", "RR7"):
        report = calibration_report(events.events, national, code, CENSUS)
        assert report.filter(~pl.col("ok")).height == 0, code
    again = synthesise_providers(national, CENSUS, tmp_path / "b", seed=4, providers=["RR7", "NT443"])
    first = pl.read_parquet(result.files[0]).sort("event_id", "pathway_id")
    assert first.equals(pl.read_parquet(again.files[0]).sort("event_id", "pathway_id"))


def test_all_means_every_provider_with_a_waiting_list(national: pl.DataFrame) -> None:
    codes = providers_in(national)
    assert len(codes) == 515 and "RAJ" in codes and codes == sorted(codes)


def test_cli_several_providers_and_unknown_one(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["synth", "trust", "--from", NATIONAL, "--census-date", "2026-01-31", "--out", str(tmp_path)]
    result = runner.invoke(app, [*base, "--provider", "nt443,NPG01", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "2 providers" in result.output and (tmp_path / "events.csv").exists()
    result = runner.invoke(app, [*base, "--provider", "NT443,NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output


def test_sweep_reports_each_provider_and_names_what_is_out_of_tolerance(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "synth",
            "sweep",
            "--from",
            NATIONAL,
            "--census-date",
            "2026-01-31",
            "--providers",
            "RR7,NEY",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "sweep.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(tmp_path / "sweep.csv")
    rows = {r["provider_code"]: r for r in table.to_dicts()}
    assert rows["RR7"]["failed"] == 0 and rows["RR7"]["data_issues"] == 0
    # NEY publishes fewer new periods (26) than its pathways waiting under four weeks (35): infeasible.
    assert rows["NEY"]["failed"] == 1 and "Part_3" in rows["NEY"]["out_of_tolerance"]
