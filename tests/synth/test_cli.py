"""`carebacklog synth trust` and `synth check` as a user runs them."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.rtt import read_events, read_patients

RBD = str(files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv")
runner = CliRunner()


def _trust(out: Path, *extra: str) -> None:
    result = runner.invoke(
        app,
        [
            "synth",
            "trust",
            "--provider",
            "RBD",
            "--from",
            RBD,
            "--census-date",
            "2024-11-30",
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output


def test_trust_writes_parquet_in_the_input_contract_with_no_rejected_rows(tmp_path: Path) -> None:
    _trust(tmp_path, "--seed", "3")
    events = read_events(tmp_path / "events.parquet")
    assert events.rejected.height == 0
    assert events.events.height > 90_000
    patients = read_patients(tmp_path / "patients.parquet")
    assert patients.rejected.height == 0
    assert set(events.events["patient_id"].unique().to_list()) <= set(patients.events["patient_id"].to_list())


def test_csv_output_reads_back_the_same_as_parquet(tmp_path: Path) -> None:
    _trust(tmp_path / "p", "--seed", "9")
    _trust(tmp_path / "c", "--seed", "9", "--format", "csv")
    parquet = read_events(tmp_path / "p" / "events.parquet")
    csv = read_events(tmp_path / "c" / "events.csv")
    assert csv.rejected.height == 0
    cols = ["pathway_id", "event_date", "activity", "rtt_status", "priority", "original_start_date"]
    assert csv.events.select(cols).equals(parquet.events.select(cols))


def test_check_passes_on_a_generated_trust_and_reports_json(tmp_path: Path) -> None:
    _trust(tmp_path, "--seed", "1", "--scale", "2")
    result = runner.invoke(
        app,
        [
            "synth",
            "check",
            str(tmp_path / "events.parquet"),
            "--provider",
            "RBD",
            "--from",
            RBD,
            "--census-date",
            "2024-11-30",
            "--scale",
            "2",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(r["ok"] for r in rows)
    part3 = next(r for r in rows if r["measure"] == "Part_3")
    assert part3["synthetic"] == part3["published"] == 2 * 5003


def test_check_fails_when_the_trust_does_not_match(tmp_path: Path) -> None:
    _trust(tmp_path, "--seed", "1")
    events = pl.read_parquet(tmp_path / "events.parquet")
    # Drop a tenth of the pathways: the waiting list no longer matches the published month.
    keep = events["pathway_id"].unique().sort().head(int(events["pathway_id"].n_unique() * 0.9))
    events.filter(pl.col("pathway_id").is_in(keep.implode())).write_parquet(tmp_path / "cut.parquet")
    result = runner.invoke(
        app,
        [
            "synth",
            "check",
            str(tmp_path / "cut.parquet"),
            "--provider",
            "RBD",
            "--from",
            RBD,
            "--census-date",
            "2024-11-30",
            "--failures-only",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 1
    assert "Part_2" in result.output


def test_unknown_provider_bad_date_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    base = ["synth", "trust", "--from", RBD, "--out", str(tmp_path)]
    r = runner.invoke(app, [*base, "--provider", "ZZZ", "--census-date", "2024-11-30"])
    assert r.exit_code == 2 and "ZZZ" in r.output
    r = runner.invoke(app, [*base, "--provider", "RBD", "--census-date", "30/11/2024"])
    assert r.exit_code == 2 and "ISO date" in r.output
    r = runner.invoke(
        app,
        [
            "synth",
            "trust",
            "--from",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "trust"),
            "--provider",
            "RBD",
            "--census-date",
            "2024-11-30",
        ],
    )
    assert r.exit_code == 2 and "nope.csv" in r.output


def test_data_errors_option_writes_the_injected_list(tmp_path: Path) -> None:
    _trust(tmp_path, "--seed", "2", "--data-errors", "0.01")
    injected = pl.read_parquet(tmp_path / "injected_errors.parquet")
    assert injected.height > 100
    events = read_events(tmp_path / "events.parquet").events
    assert set(injected["event_id"].to_list()) <= set(events["event_id"].to_list())
