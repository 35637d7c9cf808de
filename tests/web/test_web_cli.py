"""``carebacklog demo`` and ``carebacklog serve`` through the real command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carebacklog.cli import app


def test_demo_builds_loads_and_prints_logins(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--database", str(database), "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    assert "Dorset County Hospital" in result.output and "waiting at 2024-11-30" in result.output
    for role in ("admin", "ptl", "viewer"):
        assert f"  {role}" in result.output
    with sqlite3.connect(database) as conn:
        (n_open,) = conn.execute("SELECT n_open FROM loads").fetchone()
        stored = "SELECT sum(n_rows) FROM snapshot_parts WHERE part = 'ptl'"
        assert n_open == conn.execute(stored).fetchone()[0] > 0
        assert {r[0] for r in conn.execute("SELECT role FROM users")} == {"admin", "ptl", "viewer"}
        assert all(h.startswith("$argon2id$") for (h,) in conn.execute("SELECT password_hash FROM users"))
    again = CliRunner().invoke(app, ["demo", "--no-serve", "--database", str(database), "--scale", "0.02"])
    assert again.exit_code == 0  # reloading replaces the load and resets the demo passwords
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM loads").fetchone()[0] == 1


def test_serve_refuses_a_missing_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREBACKLOG_SECRET_KEY", raising=False)
    monkeypatch.setenv("CAREBACKLOG_DATABASE_URL", "unset")  # serve sets it for its workers; undone after
    result = CliRunner().invoke(app, ["serve", "--database", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "CAREBACKLOG_SECRET_KEY" in result.output
