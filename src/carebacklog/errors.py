"""The errors every package raises for a user's mistake, and the exit codes the CLI maps them to.

One vocabulary for the whole tool, so a reader, a writer and a command agree on what went wrong and
how a script calling ``carebacklog`` can tell the cases apart:

==========  ===================================================================================
exit code   meaning
==========  ===================================================================================
0           done
1           a check ran and found problems (``rtt check``, ``synth check``)
2           bad input or usage: a file, row, column or option that cannot be used
3           an output could not be written (folder missing or unwritable, disk full, collision)
==========  ===================================================================================

Messages name the file, row and column where there is one, and never quote a row's contents (rows
hold patient identifiers).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

__all__ = ["BadInputError", "CarebacklogError", "ExitCode", "OutputError", "where"]


class ExitCode(IntEnum):
    """Exit codes of the ``carebacklog`` command (documented in docs/cli.md)."""

    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2
    OUTPUT_FAILED = 3


def where(path: Path | str | None = None, row: int | None = None, column: str | None = None) -> str:
    """``file, row N, column 'x'``: the place an error refers to (parts that are unknown are left out)."""
    parts = []
    if path is not None:
        parts.append(str(path))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


class CarebacklogError(Exception):
    """Base of the errors a user can act on; ``exit_code`` says how the CLI ends."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class BadInputError(CarebacklogError, ValueError):
    """Input that cannot be used: a file, a row, a column or an option value (exit code 2)."""

    exit_code = ExitCode.BAD_INPUT


class OutputError(CarebacklogError, OSError):
    """An output that could not be written; the previous file, if any, is left as it was (exit code 3)."""

    exit_code = ExitCode.OUTPUT_FAILED
