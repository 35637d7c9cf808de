"""``synth trust`` writes its folder whole or not at all, and never over a folder it did not write."""

from __future__ import annotations

import errno
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app

RBD = Path(str(files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"))
runner = CliRunner()


def _trust(out: Path, *extra: str, extract: Path = RBD) -> object:
    return runner.invoke(
        app,
        ["synth", "trust", "--provider", "RBD", "--from", str(extract), "--census-date", "2024-11-30",
         "--out", str(out), "--scale", "0.05", *extra],
    )  # fmt: skip


def test_a_failed_write_keeps_the_previous_trust_and_leaves_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rbd"
    first = _trust(out, "--seed", "1")
    assert first.exit_code == 0, first.output
    before = pl.read_parquet(out / "events.parquet")

    from carebacklog.synth import demo

    real = demo.write_trust

    def full_disk_after_events(trust: object, folder: Path, fmt: str = "parquet") -> list[Path]:
        real(trust, folder, fmt)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(demo, "write_trust", full_disk_after_events)
    failed = _trust(out, "--seed", "2")
    assert failed.exit_code == 3 and "No space left" in failed.stderr
    assert pl.read_parquet(out / "events.parquet").equals(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rbd"]
    monkeypatch.undo()
    again = _trust(out, "--seed", "2", "--format", "csv")
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "patients.csv"]  # replaced as a whole


def test_a_folder_holding_other_files_or_the_extract_is_refused_before_work(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    refused = _trust(tmp_path)
    assert refused.exit_code == 2 and "holds other files (notes.txt)" in refused.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    extract = tmp_path / "data" / "extract.csv"
    extract.parent.mkdir()
    extract.write_bytes(RBD.read_bytes())
    inside = _trust(tmp_path / "data", extract=extract)
    assert inside.exit_code == 2 and "holds the input --from" in inside.stderr
    assert extract.read_bytes() == RBD.read_bytes()
