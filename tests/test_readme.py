"""The README's "A first session" runs as written (executable documentation)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _first_session_script(heading: str = "## A first session") -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(heading, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README has no bash block under 'A first session'"
    lines = [line for line in block.group(1).splitlines() if not line.startswith("source ")]
    return "\n".join(lines).replace("src/carebacklog/data", str(ROOT / "src" / "carebacklog" / "data"))


def test_readme_first_session_runs_and_prints_the_published_national_figures(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _first_session_script()],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "7,187,677" in out and "4,412,147" in out and "137,320" in out
    assert "rule 1: referral starts period 1" in out  # the explain step
    assert (tmp_path / "var" / "rbd" / "events.parquet").exists()


def test_readme_test_command_runs_every_tier() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./run test " in readme.split("```", 2)[1], "README's first block names ./run test"
    run = (ROOT / "run").read_text()
    branch = run.split("  test|fast)", 1)[1].split(";;", 1)[0]
    full = branch.split('elif [ $# -eq 0 ]; then', 1)[1].split("else", 1)[0]
    assert "pytest" in full and "-m" not in full.replace("--cov-report", ""), "./run test must not deselect tiers"
    assert "--cov" in full, "./run test reports coverage (and fails below the floor)"


@pytest.mark.slow
def test_readme_own_trust_loads_twice_and_lists_the_changes(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)
    env.pop("CAREBACKLOG_DATABASE_URL", None)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _first_session_script("## Your own trust, day to day")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    said = result.stdout + result.stderr
    assert "Oxford University Hospitals NHS Foundation Trust" in result.stdout
    assert "2 snapshot(s) of RTH" in said and "created admin (admin)" in said
    assert "2026-01-31 → 2026-02-07" in said and "removed" in result.stdout
    assert (tmp_path / "var" / "carebacklog.db").exists()
