"""Writing outputs safely: every file the tool writes appears whole or not at all.

A file is written to a temporary file in the same folder (so the final rename never crosses a file
system), flushed to disk (``fsync``) and renamed over the target with :func:`os.replace`, which POSIX and
Windows make atomic. An interrupted or failed run (an exception, a full disk, ``SIGKILL``) therefore never
leaves a half-written or truncated file and never destroys the previous good one; on an exception the
temporary file is removed. Temporary names start with ``.`` and contain ``.tmp-`` (``.ptl.csv.tmp-x1y2.csv``:
hidden, and ending in the target's extension so a writer that picks the format from the name still
works). They carry the writing process's id: a file left behind by a killed run is never read as an
output, and the next write of the same target removes it once that process is gone.

A folder (a synthetic trust, the WLMDS files) is written the same way with :func:`atomic_dir`: into a
temporary folder beside the target, renamed into place as a whole when complete.

:func:`check_paths` refuses, before any work, an output that is one of the inputs or is named twice.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from carebacklog.errors import BadInputError, OutputError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "PathCollisionError",
    "atomic_dir",
    "atomic_files_in",
    "atomic_path",
    "check_paths",
    "write_bytes",
    "write_frame",
    "write_text",
]

_TMP = ".tmp-"


def _umask() -> int:
    """The process's umask (``mkstemp``/``mkdtemp`` make private files; outputs get the usual modes)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
_DIR_MODE = 0o777 & ~_umask()


class PathCollisionError(BadInputError):
    """An output path that is one of the inputs, or two outputs that are the same file (exit code 2)."""


def _prefix(name: str) -> str:
    """Temporary names carry the writer's process id, so a later run can tell a dead run's leftovers."""
    return f".{name}{_TMP}{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _sweep_stale(folder: Path, name: str) -> None:
    """Remove the temporary files and folders a killed run left for ``name`` (their process is gone)."""
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith((f".{name}{_TMP}", f".{name}.old-"))]
    except OSError:
        return
    for path in candidates:
        pid_text = path.name.split(_TMP, 1)[1].split("-", 1)[0] if _TMP in path.name else ""
        if path.name.startswith(f".{name}.old-"):
            pid_text = path.name.rsplit(".old-", 1)[1].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not supported on every platform: best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on a clean exit it replaces ``target`` atomically.

    The caller writes the whole output to the yielded path (it has the target's extension). On an
    exception the temporary file is removed, ``target`` is left as it was and the exception propagates;
    an :class:`OSError` (e.g. a full disk, ``errno.ENOSPC``) becomes :class:`OutputError` naming
    ``target``. The parent folder is created if needed.
    """
    final = Path(target)
    folder = final.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if final.is_dir():
            raise OutputError(f"{final}: is a folder; give a file name")
        _sweep_stale(folder, final.name)
        fd, name = tempfile.mkstemp(prefix=_prefix(final.name), suffix=final.suffix, dir=folder)
        os.close(fd)
        os.chmod(name, _FILE_MODE)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{final}: cannot write ({exc.strerror or exc})") from exc
    temp = Path(name)
    try:
        yield temp
        _fsync_file(temp)
        os.replace(temp, final)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{final}: cannot write ({exc.strerror or exc}); the previous file is kept") from exc
        raise
    _fsync_dir(folder)


def write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically; returns the path written."""
    with atomic_path(target) as temp:
        temp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; returns the path written."""
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return Path(target)


def write_frame(frame: pl.DataFrame, target: Path | str, fmt: str | None = None) -> Path:
    """Write a Polars frame atomically as ``parquet`` or ``csv`` (default: from the extension)."""
    kind = (fmt or Path(target).suffix.lstrip(".")).lower()
    if kind not in ("parquet", "csv"):
        raise BadInputError(f"{target}: cannot write a table as '{kind}' (use .parquet or .csv)")
    with atomic_path(target) as temp:
        if kind == "parquet":
            frame.write_parquet(temp)
        else:
            frame.write_csv(temp)
    return Path(target)


@contextlib.contextmanager
def atomic_dir(target: Path | str) -> Iterator[Path]:
    """Yield a new empty temporary folder beside ``target``; on a clean exit it becomes ``target``.

    An existing ``target`` is replaced only once the new folder is complete: it is moved aside, the new
    folder renamed into place, then the old one removed. On an exception the temporary folder is removed
    and ``target`` is left as it was.
    """
    final = Path(target)
    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and not final.is_dir():
            raise OutputError(f"{final}: exists and is not a folder")
        _sweep_stale(parent, final.name)
        temp = Path(tempfile.mkdtemp(prefix=_prefix(final.name), dir=parent))
        os.chmod(temp, _DIR_MODE)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{final}: cannot write ({exc.strerror or exc})") from exc
    try:
        yield temp
        old: Path | None = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-{os.getpid()}-", dir=parent))
            os.replace(final, old / final.name)
        try:
            os.replace(temp, final)
        except OSError:
            if old is not None:  # put the previous folder back
                os.replace(old / final.name, final)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{final}: cannot write ({exc.strerror or exc}); the previous folder is kept") from exc
        raise
    _fsync_dir(parent)


@contextlib.contextmanager
def atomic_files_in(folder: Path | str) -> Iterator[Path]:
    """Yield a temporary folder inside ``folder``; on a clean exit each file written there replaces its
    namesake in ``folder`` atomically (other files in ``folder`` are kept: e.g. earlier weeks' WLMDS).

    On an exception nothing in ``folder`` changes and the temporary folder is removed.
    """
    final = Path(folder)
    try:
        if final.exists() and not final.is_dir():
            raise OutputError(f"{final}: exists and is not a folder")
        final.mkdir(parents=True, exist_ok=True)
        _sweep_stale(final, final.name)
        temp = Path(tempfile.mkdtemp(prefix=_prefix(final.name), dir=final))
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{final}: cannot write ({exc.strerror or exc})") from exc
    try:
        yield temp
        written = sorted(p for p in temp.iterdir() if p.is_file())
        for path in written:
            os.chmod(path, _FILE_MODE)
            _fsync_file(path)
        for path in written:
            os.replace(path, final / path.name)
    except BaseException as exc:
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{final}: cannot write ({exc.strerror or exc})") from exc
        raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    _fsync_dir(final)


def _real(path: Path | str) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))


def _check_writable(name: str, path: Path) -> None:
    """An output whose folder cannot be created or written fails now (exit 3), not after the work."""
    ancestor = path.expanduser().absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{name} {path}: cannot write there, {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{name} {path}: cannot write there, {ancestor} is not writable")


def check_paths(
    inputs: Iterable[tuple[str, Path | str | None]],
    outputs: Iterable[tuple[str, Path | str | None]],
    folders: Iterable[tuple[str, Path | str | None]] = (),
) -> None:
    """Refuse outputs that are one of the inputs or the same as another output (real paths compared).

    ``inputs`` and ``outputs`` are ``(option name, path)`` pairs; ``None`` paths are skipped. ``folders``
    are output folders replaced as a whole (:func:`atomic_dir`): one that holds an input is refused. Raises
    :class:`PathCollisionError` (exit code 2) before any work is done, so an input is never overwritten,
    and :class:`OutputError` (exit code 3) for an output whose folder cannot be created or written.
    """
    seen_in = {_real(p): name for name, p in inputs if p is not None}
    seen_out: dict[Path, str] = {}
    for name, p in outputs:
        if p is None:
            continue
        real = _real(p)
        if real in seen_in:
            raise PathCollisionError(f"{name} {p} is the input {seen_in[real]}: choose another file")
        if real in seen_out:
            raise PathCollisionError(f"{name} {p} is the same file as {seen_out[real]}: choose another file")
        seen_out[real] = name
        _check_writable(name, Path(p))
    for name, p in folders:
        if p is None:
            continue
        real = _real(p)
        _check_writable(name, Path(p))
        for path, input_name in seen_in.items():
            if real == path or real in path.parents:
                raise PathCollisionError(
                    f"{name} {p} holds the input {input_name}, and the folder is replaced as a whole: "
                    "choose another folder"
                )
