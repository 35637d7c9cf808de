"""The CLI toolkit every ``cli.py`` shares: output formats, one writer, one way to fail, shared options.

* :class:`OutputFormat` (``table``, ``csv``, ``json``, ``parquet``) and :func:`resolve_format`: the format
  follows ``--out``'s extension (``.csv``, ``.json``, ``.parquet``) unless ``--format`` says otherwise; a
  ``--format`` that contradicts the extension (``--format csv --out x.parquet``) is refused, and a table
  cannot be written to ``.parquet``.
* :func:`emit`: a Polars frame to the terminal or a file in that format, with one float rule (tables
  show two decimals and thousands separators; CSV, JSON and Parquet keep full precision, non-finite
  numbers become blank / ``null``); files are written atomically (:mod:`carebacklog.files`) and the
  line reported (``Wrote N rows to F``) says what was written.
* :func:`fail`: ``error: <message>`` on stderr and the exit code (:class:`carebacklog.errors.ExitCode`).
* Reusable ``Annotated`` options: :data:`CensusDateOpt`, :data:`FormatOpt`, :data:`OutOpt`,
  :data:`QuarantineOpt`, :data:`LimitOpt`; :func:`parse_date`; :func:`percent` and :func:`share` for
  the convention on rates and percentages (docs/cli.md).

Polars is imported inside the functions, so building the ``carebacklog`` command stays fast.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from carebacklog.errors import CarebacklogError, ExitCode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import polars as pl

__all__ = [
    "CensusDateOpt",
    "ErrorHandlingGroup",
    "FormatOpt",
    "LimitOpt",
    "OutOpt",
    "OutputFormat",
    "QuarantineOpt",
    "check_chart",
    "emit",
    "fail",
    "format_cell",
    "json_records",
    "parse_date",
    "percent",
    "render_table",
    "report",
    "resolve_format",
    "share",
    "table_text",
    "write_chart",
    "write_text_output",
]


class OutputFormat(StrEnum):
    """What ``--format`` accepts; ``table`` is for people, the others for programs."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


_BY_EXTENSION = {".csv": OutputFormat.csv, ".json": OutputFormat.json, ".parquet": OutputFormat.parquet}

CensusDateOpt = Annotated[
    str | None,
    typer.Option("--census-date", help="Census date (YYYY-MM-DD): only events on or before it count."),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format [default: from --out's extension (.csv, .json, .parquet), else table].",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the output to this file (atomically) instead of the terminal."),
]
QuarantineOpt = Annotated[
    Path | None,
    typer.Option(
        "--quarantine", help="Write rejected input rows (file, row, column, reason and values) to this CSV."
    ),
]
LimitOpt = Annotated[
    int, typer.Option("--limit", min=0, help="Rows shown in table format (the summary covers all).")
]


def fail(message: str, code: int = ExitCode.BAD_INPUT) -> NoReturn:
    """Print ``error: <message>`` on stderr and end the command with ``code`` (default 2, bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def report(message: str) -> None:
    """A progress or summary line on stderr (stdout stays for the output itself)."""
    typer.echo(message, err=True)


def parse_date(value: str | None, option: str = "--census-date", *, required: bool = False) -> date | None:
    """An ISO date from an option (``None`` when not given); a bad or missing required value exits 2."""
    if value is None:
        if required:
            fail(f"{option} is required (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option} '{value}' is not a date (use YYYY-MM-DD)")


def resolve_format(
    fmt: OutputFormat | None,
    out: Path | None,
    allowed: Iterable[OutputFormat] = tuple(OutputFormat),
) -> OutputFormat:
    """The format to write: ``--format``, else ``--out``'s extension, else table; contradictions exit 2."""
    allowed = tuple(allowed)
    names = ", ".join(f.value for f in allowed)
    by_name = _BY_EXTENSION.get(out.suffix.lower()) if out is not None else None
    chosen = fmt or by_name or (OutputFormat.table if OutputFormat.table in allowed else allowed[0])
    if chosen is OutputFormat.table and by_name is OutputFormat.parquet:
        fail(f"a table cannot be written to {out}; use --format parquet or another file name")
    if fmt is not None and by_name is not None and fmt is not by_name:
        fail(f"--format {fmt.value} does not match --out {out} (a {by_name.value} file name); change one of them")
    if chosen not in allowed:
        fail(f"--format {chosen.value} is not available here (use {names})")
    if out is None and chosen is OutputFormat.parquet:
        fail("--format parquet needs --out FILE.parquet (Parquet is not shown on the terminal)")
    return chosen


def format_cell(value: Any) -> str:
    """One table cell: the CLI's single number rule (floats to 2 decimals, thousands separators)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_table(frame: pl.DataFrame, title: str | None = None, limit: int | None = None) -> Any:
    """A Rich table of the first ``limit`` rows (numbers right-aligned, :func:`format_cell`)."""
    from rich.table import Table

    table = Table(title=title)
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left", overflow="fold")
    shown = frame if limit is None else frame.head(limit)
    for row in shown.iter_rows():
        table.add_row(*(format_cell(v) for v in row))
    return table


def table_text(
    frame: pl.DataFrame,
    title: str | None = None,
    limit: int | None = None,
    footer: Sequence[str] = (),
    more: str = "use --limit, or --format csv for all",
) -> str:
    """The table (and a note when rows are left out, and footer lines) as plain text."""
    from rich.console import Console

    width = max(120, 16 * len(frame.columns))
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=False)
    if frame.height:
        console.print(render_table(frame, title, limit))
    if limit is not None and frame.height > limit:
        console.print(f"… showing {limit} of {frame.height} rows ({more})", markup=False)
    for line in footer:
        console.print(line, markup=False)
    return console.export_text()


def _finite(frame: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    floats = [c for c, t in frame.schema.items() if t.is_float()]
    if not floats:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats
    )


def _text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and datetimes as ISO text (CSV and JSON agree)."""
    import polars as pl

    return frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))


def json_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: ISO dates, ``null`` for missing and non-finite numbers."""
    return _text_columns(_finite(frame)).to_dicts()


def emit(
    frame: pl.DataFrame,
    fmt: OutputFormat,
    out: Path | None,
    *,
    title: str | None = None,
    limit: int | None = None,
    footer: Sequence[str] = (),
) -> int:
    """Write ``frame`` in ``fmt`` to ``out`` (atomically) or stdout; returns the number of rows written.

    A table shows ``limit`` rows (all when ``None``) then the ``footer`` lines; on stdout the footer of
    CSV/JSON goes to stderr so the output stays machine-readable. Writing a file reports on stderr what
    was written (``Wrote N rows to F``, or ``Wrote a table of N of M rows``).
    """
    from carebacklog import files

    if fmt is OutputFormat.parquet:
        if out is None:
            fail("--format parquet needs --out FILE.parquet")
        files.write_frame(frame, out, "parquet")
        report(f"Wrote {frame.height} rows to {out}")
        for line in footer:
            report(line)
        return frame.height
    if fmt is OutputFormat.table:
        text = table_text(frame, title, limit, footer)
        shown = frame.height if limit is None else min(limit, frame.height)
        if out is None:
            typer.echo(text.rstrip("\n"))
            return shown
        files.write_text(out, text)
        what = f"{shown} rows" if shown == frame.height else f"a table of {shown} of {frame.height} rows"
        report(f"Wrote {what} to {out}")
        return shown
    if fmt is OutputFormat.csv:
        text = _text_columns(_finite(frame)).write_csv()
    else:
        text = json.dumps(json_records(frame), indent=2, default=str) + "\n"
    if out is None:
        sys.stdout.flush()
        typer.echo(text, nl=False)
    else:
        files.write_text(out, text)
        report(f"Wrote {frame.height} rows to {out}")
    for line in footer:
        report(line)
    return frame.height


def write_text_output(text: str, out: Path | None, what: str = "") -> None:
    """Text (a report, JSON document) to stdout or atomically to ``out``, reporting what was written."""
    from carebacklog import files

    if out is None:
        typer.echo(text.rstrip("\n"))
        return
    files.write_text(out, text if text.endswith("\n") else text + "\n")
    report(f"Wrote {what or 'the output'} to {out}")


_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*$")


def percent(value: str | float | None, option: str, low: float, high: float, *, open_low: bool = False,
            open_high: bool = False) -> float | None:
    """A percentage option (``92`` or ``92%`` = 92 per cent) as a fraction (0.92); ``None`` passes through.

    The convention (docs/cli.md): options named for a percentage take per cent. A bare number between
    -1 and 1 (other than 0) could be a fraction or a percentage, so it is refused unless written with
    ``%`` (``0.5%``). Values outside ``low``..``high`` per cent are refused. Refusals exit 2.
    """
    if value is None:
        return None
    match = _NUMBER.match(str(value))
    if match is None:
        fail(f"{option} '{value}' is not a number of per cent (e.g. 92 or 92%)")
    number, sign = float(match.group(1)), match.group(2)
    if not math.isfinite(number):
        fail(f"{option} must be a finite number of per cent")
    if not sign and number != 0 and abs(number) <= 1:
        fail(
            f"{option} {value} is ambiguous: percentages are given in per cent (92 means 92%); write "
            f"{value}% if you mean {number:g} per cent"
        )
    below = number <= low if open_low else number < low
    above = number >= high if open_high else number > high
    if below or above:
        lo, hi = ("(" if open_low else "["), (")" if open_high else "]")
        fail(f"{option} {value} is out of range: give per cent in {lo}{low:g}, {high:g}{hi}")
    return number / 100.0


def share(value: float | None, option: str, low: float = 0.0, high: float = 1.0, *, open_low: bool = False,
          open_high: bool = False) -> float | None:
    """A share, ratio or level option (a fraction, 0.2 = 20%) checked against its bounds (exit 2)."""
    if value is None:
        return None
    below = value <= low if open_low else value < low
    above = value >= high if open_high else value > high
    if not math.isfinite(value) or below or above:
        lo, hi = ("(" if open_low else "["), (")" if open_high else "]")
        fail(f"{option} {value:g} is out of range: give a fraction in {lo}{low:g}, {high:g}{hi} (0.2 means 20%)")
    return value


def _os_error_message(exc: OSError) -> str:
    name = f"{exc.filename}: " if exc.filename else ""
    return f"{name}{exc.strerror or exc}"


class ErrorHandlingGroup(TyperGroup):
    """The root command group: a user's mistake ends with ``error: <message>`` and its exit code.

    A :class:`~carebacklog.errors.CarebacklogError` raised anywhere in a command exits with its
    ``exit_code`` (2 bad input, 3 output not written), without a traceback; an :class:`OSError` that
    escapes (a file that could not be written) exits 3, a missing file 2.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CarebacklogError as exc:
            fail(str(exc), exc.exit_code)
        except FileNotFoundError as exc:
            fail(_os_error_message(exc), ExitCode.BAD_INPUT)
        except OSError as exc:
            fail(_os_error_message(exc), ExitCode.OUTPUT_FAILED)


_CHART_SUFFIXES = (".png", ".svg")


def check_chart(path: Path | None, option: str = "--chart") -> None:
    """Refuse (exit 2), before any work, a chart file name that is not ``.png`` or ``.svg``."""
    if path is not None and path.suffix.lower() not in _CHART_SUFFIXES:
        fail(f"{option} {path}: a chart is written as .png or .svg")


def write_chart(path: Path, draw: Callable[[Path], object], what: str = "chart") -> None:
    """Draw a chart into a temporary file beside ``path`` and rename it into place when complete."""
    from carebacklog.files import atomic_path

    with atomic_path(path) as temp:
        draw(temp)
    report(f"Wrote {what} to {path}")
