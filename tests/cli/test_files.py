"""Outputs are written whole or not at all: failures mid-write, a full disk and SIGKILL keep the old file."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from carebacklog import files
from carebacklog.errors import ExitCode, OutputError


def _stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_a_writer_that_fails_half_way_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "ptl.csv"
    target.write_text("previous good output\n")
    with pytest.raises(RuntimeError, match="half way"), files.atomic_path(target) as temp:
        temp.write_text("pathway_id,weeks\n" + "P1,3\n" * 1000)
        raise RuntimeError("half way")
    assert target.read_text() == "previous good output\n"
    assert _stray(tmp_path) == []


def test_a_full_disk_is_an_output_error_exit_3_and_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ptl.parquet"
    pl.DataFrame({"a": [1, 2]}).write_parquet(target)

    def full_disk(self: pl.DataFrame, file: object, *args: object, **kwargs: object) -> None:
        Path(str(file)).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_disk)
    with pytest.raises(OutputError, match="No space left") as caught:
        files.write_frame(pl.DataFrame({"a": [3]}), target)
    assert caught.value.exit_code == ExitCode.OUTPUT_FAILED
    monkeypatch.undo()
    assert pl.read_parquet(target)["a"].to_list() == [1, 2]
    assert _stray(tmp_path) == []


def test_a_complete_write_replaces_the_file_with_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    files.write_text(target, "one\n")
    files.write_text(target, "two\n")
    assert target.read_text() == "two\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert _stray(target.parent) == []


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from carebacklog import files

    target, started = Path(sys.argv[1]), Path(sys.argv[2])
    with files.atomic_path(target) as temp:
        with temp.open("wb") as handle:
            for i in range(100_000):
                handle.write(b"x" * 65536)
                handle.flush()
                if i == 10:
                    started.write_text("writing")
                time.sleep(0.001)
    """
)


def test_sigkill_during_a_large_write_keeps_the_previous_file_and_a_later_run_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "events.parquet"
    target.write_bytes(b"previous")
    started = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(Path(files.__file__).parents[1])}
    child = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target), str(started)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert child.poll() is None, "the writer ended before it was interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"previous"  # never truncated
    leftovers = _stray(tmp_path)
    assert leftovers and all(name.startswith(".") for name in leftovers)  # hidden, never the target's name
    files.write_bytes(target, b"new run")  # a later run is not tripped by the leftover, and removes it
    assert target.read_bytes() == b"new run"
    assert _stray(tmp_path) == []


def test_a_folder_is_renamed_into_place_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "trust"
    with files.atomic_dir(target) as temp:
        (temp / "events.csv").write_text("first\n")
    assert (target / "events.csv").read_text() == "first\n"
    with pytest.raises(RuntimeError), files.atomic_dir(target) as temp:
        (temp / "events.csv").write_text("half")
        raise RuntimeError("interrupted")
    assert (target / "events.csv").read_text() == "first\n"
    with files.atomic_dir(target) as temp:
        (temp / "patients.csv").write_text("second\n")
    assert sorted(p.name for p in target.iterdir()) == ["patients.csv"]  # replaced as a whole
    assert _stray(tmp_path) == [] and not [p for p in tmp_path.iterdir() if ".old-" in p.name]


def test_files_written_into_a_folder_keep_its_other_files(tmp_path: Path) -> None:
    (tmp_path / "WLMDS_last_week.csv").write_text("kept\n")
    with files.atomic_files_in(tmp_path) as temp:
        (temp / "WLMDS_this_week.csv").write_text("new\n")
    assert (tmp_path / "WLMDS_last_week.csv").read_text() == "kept\n"
    assert (tmp_path / "WLMDS_this_week.csv").read_text() == "new\n"
    assert _stray(tmp_path) == []


def test_collisions_are_found_through_links_and_relative_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = tmp_path / "events.csv"
    events.write_text("x\n")
    link = tmp_path / "link.csv"
    link.symlink_to(events)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(files.PathCollisionError, match="is the input events"):
        files.check_paths([("events", events)], [("--quarantine", link)])
    with pytest.raises(files.PathCollisionError, match="same file as --out"):
        files.check_paths([("events", events)], [("--out", Path("out.csv")), ("--quarantine", tmp_path / "out.csv")])
    with pytest.raises(files.PathCollisionError, match="holds the input"):
        files.check_paths([("--from", events)], [], [("--out", Path("."))])
    files.check_paths([("events", events)], [("--out", Path("ptl.csv")), ("--quarantine", None)])
