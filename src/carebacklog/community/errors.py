"""The error a community or mental-health input file raises: it names file, sheet, row and column."""

from __future__ import annotations

from pathlib import Path

from carebacklog.errors import BadInputError

__all__ = ["CommunityFileError", "place"]


class CommunityFileError(BadInputError):
    """A community-services or Talking Therapies file that cannot be used (exit code 2).

    The message names the file and, where known, the sheet, the spreadsheet row (1-based) and the column;
    it never quotes a cell's contents.
    """


def place(path: Path | str, sheet: str | None = None, row: int | None = None, column: str | None = None) -> str:
    """``file, sheet 'Table 4', row 7, column 'x'``: the parts that are known, in that order."""
    parts = [str(path)]
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)
