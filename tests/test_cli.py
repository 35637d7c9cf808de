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
