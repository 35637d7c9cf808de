"""Executable documentation: the scenario in docs/booking.md runs on the demo trust from the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from carebacklog.booking import Scenario
from carebacklog.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "booking.md"


def _doc_scenario() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_documented_scenario_is_valid() -> None:
    scenario = Scenario.model_validate(_doc_scenario())
    assert scenario.assessment_centre is not None and scenario.strikes and scenario.extra_sessions


def test_every_policy_runs_on_the_demo_trust_with_the_documented_scenario(tmp_path) -> None:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(_doc_scenario()))
    result = CliRunner().invoke(
        app, ["simulate", "demo", "--scenario", str(path), "--policy", "all", "--weeks", "10", "--runs", "1",
              "--table", "waits", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    waits = pl.read_csv(result.stdout.encode())
    assert set(waits["policy"]) == {"fifo", "priority", "ringfence", "equity"}
    # the demo trust carries equity attributes through the clock engine
    quintiles = waits.filter(pl.col("dimension") == "imd_quintile")["group"].cast(pl.String).to_list()
    assert {"1", "5"} <= set(quintiles)
    assert waits.filter(pl.col("dimension") == "priority")["treated"].sum() > 0
