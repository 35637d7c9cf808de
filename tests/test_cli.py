"""The `carebacklog` command assembles every package's commands."""

from typer.testing import CliRunner

from carebacklog import __version__
from carebacklog.cli import app


def test_version_flag_prints_the_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("rtt", "synth", "forecast", "plan", "equity", "spc", "simulate", "demo", "serve"):
        assert group in result.stdout


def test_errors_end_the_process_with_their_exit_code_and_no_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    run = subprocess.run(
        [sys.executable, "-m", "carebacklog.cli", "rtt", "ptl", str(tmp_path / "none.csv"), "--census-date",
         "2025-03-31"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and "none.csv" in run.stderr and "Traceback" not in run.stderr
