"""Reader for NHS England's RTT "Full CSV data file" (the monthly extract, 121 columns).

One row per provider × commissioner × RTT part × treatment function, wide on weekly bands
``Gt 00 To 01 Weeks SUM 1`` … ``Gt 103 To 104 Weeks SUM 1``, ``Gt 104 Weeks SUM 1`` (before April 2021 the
bands stop at ``Gt 52 Weeks SUM 1``), then ``Total``, ``Patients with unknown clock start date``,
``Total All`` (NHS England, RTT waiting times statistics, "Full CSV data file"). Traps handled: the zip may
carry ``__MACOSX/`` members; blank cells are zero; ``C_999`` rows are pre-computed roll-ups; a provider
appears once per commissioner; Part_3 (new clock starts) has no bands, only ``Total All``.

The reader is strict: a file it cannot read exactly is refused with a :class:`PublishedFileError` naming
the file, column and (where there is one) row, never read with a changed total (docs/published.md,
"Strict reading"):

* the header must carry the key columns, ``Total All`` and every weekly band of one layout (0–104 or
  0–52) under its exact name; a missing, renamed or extra ``Gt …`` column is refused;
* every count is a whole, non-negative number (blank = 0); ``Total All`` is filled in every row (a blank
  one means a truncated row or a shifted cell); the key cells are filled and ``RTT Part Type`` is a part
  of the return;
* with ``check_totals`` (as :func:`~carebacklog.published.reader.read_rtt` reads), each banded row's bands
  add up to its ``Total`` (where filled) and, with the unknown clock starts, to its ``Total All``;
* a key (period × provider × commissioner × part × treatment function) given twice is refused;
* an empty or header-only file, a truncated or corrupt zip, a CSV whose last line has no line end (cut
  short) and a CSV that is not an RTT extract are refused.

Counts are read as Int64 at parse time (``schema_overrides``) and only the columns needed are parsed; the
melt to the tidy table takes the non-zero cells of the bands × rows matrix and gathers their rows' keys.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import polars as pl

from carebacklog.errors import BadInputError, where
from carebacklog.published.tidy import PARTS, TIDY_SCHEMA, TOTAL_TREATMENT_FUNCTIONS

__all__ = [
    "KEY_COLUMNS",
    "NAME_COLUMNS",
    "PublishedFileError",
    "band_columns",
    "read_extract_bytes",
    "read_extract_wide",
    "wide_to_tidy",
]

#: Full CSV key columns → tidy names.
KEY_COLUMNS = {
    "Period": "period",
    "Provider Parent Org Code": "provider_parent_code",
    "Provider Org Code": "provider_code",
    "Commissioner Parent Org Code": "commissioner_parent_code",
    "Commissioner Org Code": "commissioner_code",
    "RTT Part Type": "part",
    "Treatment Function Code": "treatment_function",
}
#: Key columns that must be filled in every row (parents may be blank: commissioning hubs have none).
REQUIRED_KEYS = ("Period", "Provider Org Code", "Commissioner Org Code", "RTT Part Type", "Treatment Function Code")
NAME_COLUMNS = (
    "Provider Parent Name",
    "Provider Org Name",
    "Commissioner Parent Name",
    "Commissioner Org Name",
    "RTT Part Description",
    "Treatment Function Name",
)
UNKNOWN_START = "Patients with unknown clock start date"
TOTAL = "Total"
TOTAL_ALL = "Total All"
#: Open-ended top bands of the two layouts: from April 2021 and before.
_TOP_BANDS = (104, 52)
_BAND = re.compile(r"^Gt (\d+) To (\d+) Weeks SUM 1$")
_TOP_BAND = re.compile(r"^Gt (\d+) Weeks SUM 1$")
_LOOKS_LIKE_BAND = re.compile(r"^\s*gt\b|weeks?\s*sum", re.IGNORECASE)
_PERIOD = re.compile(r"^RTT-([A-Za-z]+)-(\d{4})$")
#: Treatment function codes of the extract: ``C_100`` … ``C_502``, ``C_999`` (total) and the ``X01``–``X06``
#: "Other" groups (NHS England, RTT treatment function groupings from April 2021; ``C_X0n`` in some years).
_TREATMENT_FUNCTION = r"^(C_\d{3}|C_X\d{2}|X\d{2})$"


class PublishedFileError(BadInputError):
    """A published file that cannot be read; the message names the file, row and column."""


def _csv_bytes(path: Path) -> bytes:
    """The CSV's bytes: the file itself, or the one ``.csv`` member of a zip outside ``__MACOSX/``."""
    try:
        if path.suffix.lower() != ".zip":
            return path.read_bytes()
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.namelist()
                if m.lower().endswith(".csv") and not m.startswith("__MACOSX/") and "/._" not in f"/{m}"
            ]
            if len(members) != 1:
                raise PublishedFileError(
                    f"{path}: expected one .csv member outside __MACOSX/, found {len(members)}: {members[:5]}"
                )
            return archive.read(members[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise PublishedFileError(f"{path}: not a readable zip file (truncated or corrupt: {exc})") from None
    except OSError as exc:
        raise PublishedFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def band_columns(columns: list[str]) -> dict[str, int]:
    """Weekly-band column name → band number (band k = more than k and up to k+1 weeks)."""
    bands: dict[str, int] = {}
    for name in columns:
        if (m := _BAND.match(name)) or (m := _TOP_BAND.match(name)):
            bands[name] = int(m.group(1))
    return bands


def expected_band_columns(top: int) -> list[str]:
    """The exact band column names of the layout whose open-ended top band is ``top`` (104 or 52)."""
    return [*(f"Gt {k:02d} To {k + 1:02d} Weeks SUM 1" for k in range(top)), f"Gt {top:02d} Weeks SUM 1"]


def _header(data: bytes, source: str) -> list[str]:
    if not data.strip():
        raise PublishedFileError(f"{source}: the file is empty (no header row)")
    first = data[: data.find(b"\n")] if b"\n" in data else data
    try:
        header = next(csv.reader(io.StringIO(first.decode("utf-8-sig", errors="replace").rstrip("\r"))))
    except (csv.Error, StopIteration):
        raise PublishedFileError(f"{source}: cannot read the header row as CSV") from None
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise PublishedFileError(f"{where(source, 1, name)}: the column is given twice")
        seen.add(name)
    return header


def _check_header(header: list[str], source: str) -> list[str]:
    """The band columns of the file's layout, after checking the header is an RTT Full CSV one."""
    missing = [c for c in (*KEY_COLUMNS, TOTAL_ALL) if c not in header]
    if missing:
        raise PublishedFileError(
            f"{source}: not an RTT Full CSV extract; missing column(s) {', '.join(repr(m) for m in missing)}"
        )
    top = next((t for t in _TOP_BANDS if f"Gt {t:02d} Weeks SUM 1" in header), None)
    if top is None:
        raise PublishedFileError(
            f"{source}: no open-ended top band column ('Gt 104 Weeks SUM 1' or, before April 2021, "
            f"'Gt 52 Weeks SUM 1'): a weekly band column is missing or renamed"
        )
    expected = expected_band_columns(top)
    absent = [c for c in expected if c not in header]
    if absent:
        raise PublishedFileError(
            f"{where(source, 1, absent[0])}: weekly band column missing or renamed"
            + (f" (and {len(absent) - 1} more)" if len(absent) > 1 else "")
        )
    known = {*KEY_COLUMNS, *NAME_COLUMNS, *expected, TOTAL, UNKNOWN_START, TOTAL_ALL}
    unexpected = [c for c in header if c not in known and _LOOKS_LIKE_BAND.search(c)]
    if unexpected:
        raise PublishedFileError(
            f"{where(source, 1, unexpected[0])}: unknown weekly band column (this layout's bands are "
            f"{expected[0]!r} … {expected[-1]!r})"
        )
    return expected


def read_extract_bytes(
    data: bytes, source: str = "<bytes>", *, names: bool = True, check_totals: bool = False
) -> pl.DataFrame:
    """The wide Full CSV with key columns renamed, counts Int64 (blank → 0) and ``period`` a Date.

    ``names``: also read the organisation, part and treatment-function name columns (``read_orgs`` needs
    them; the measures do not). ``check_totals``: refuse a row whose bands do not add up to its ``Total``
    / ``Total All`` (module docstring). Raises :class:`PublishedFileError`.
    """
    header = _header(data, source)
    bands = _check_header(header, source)
    if not data.endswith((b"\n", b"\r")):
        # NHS England's files (and ours) end every line with a line end; a last line without one is most
        # likely cut short, and a cut count (123 → 12) could not be told from a real one.
        raise PublishedFileError(f"{source}: the last line has no line end: the file looks truncated")
    numeric = [*bands, *(c for c in (TOTAL, UNKNOWN_START, TOTAL_ALL) if c in header)]
    wanted = [*KEY_COLUMNS, *(c for c in NAME_COLUMNS if names and c in header), *numeric]
    strings = {c: pl.String for c in wanted if c not in numeric}
    wide = _parse(data, source, header, wanted, strings, numeric)
    if wide.height == 0:
        raise PublishedFileError(f"{source}: no data rows (header only)")
    _check_cells(wide, source, numeric, check_totals=check_totals, bands=bands)
    wide = wide.with_columns(pl.col(numeric).fill_null(0)).rename(KEY_COLUMNS)
    return wide.with_columns(_period_dates(wide["period"], source))


def _parse(data: bytes, source: str, header: list[str], wanted: list[str], strings: dict[str, type[pl.String]],
           numeric: list[str]) -> pl.DataFrame:
    """Parse ``wanted`` columns: counts straight to Int64; on failure find the cell that is not a count."""
    overrides: dict[str, pl.DataType | type[pl.DataType]] = {**strings, **dict.fromkeys(numeric, pl.Int64)}
    try:
        frame = pl.read_csv(data, columns=wanted, encoding="utf8-lossy", schema_overrides=overrides)
    except pl.exceptions.PolarsError:
        frame = None
    if frame is not None:
        if frame.columns != wanted:  # polars keeps file order; put ours
            frame = frame.select(wanted)
        return frame
    # Slow path (bad files only): every cell as text, then locate the first one that is not a count.
    try:
        text = pl.read_csv(data, columns=wanted, encoding="utf8-lossy", infer_schema=False,
                           truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "more fields" in message:
            message = "a row has more fields than the header"
        raise PublishedFileError(f"{source}: cannot read as CSV ({message})") from None
    _locate_bad_count(text, source, numeric)
    # Every cell parses as a number: whole numbers written with a decimal point ("3.0") are counts.
    return text.with_columns(pl.col(numeric).str.strip_chars().cast(pl.Float64).cast(pl.Int64))


def _locate_bad_count(text: pl.DataFrame, source: str, numeric: list[str]) -> None:
    """Raise for the first cell (in file order) of a count column that is not a whole number ≥ 0."""
    values = {c: pl.col(c).str.strip_chars() for c in numeric}
    as_float = {c: v.cast(pl.Float64, strict=False) for c, v in values.items()}
    bad = {c: (values[c].is_not_null() & (values[c] != "")
               & (as_float[c].is_null() | as_float[c].is_nan() | as_float[c].is_infinite()
                  | (as_float[c] != as_float[c].floor()) | (as_float[c] < 0)))
           for c in numeric}
    flags = text.select(pl.any_horizontal(*bad.values()).arg_true().first().alias("row"))
    row = flags["row"][0]
    if row is None:
        return
    line = text.slice(row, 1)
    for column in numeric:
        cell = line.select(values[column], bad[column].alias("bad")).row(0)
        if cell[1]:
            number = line.select(as_float[column]).item()
            finite = number is not None and number == number and abs(number) != float("inf")
            reason = ("is not a number" if not finite else "is negative" if number < 0
                      else "is not a whole number of pathways")
            raise PublishedFileError(f"{where(source, row + 2, column)}: the count {reason}")


def _first_row(frame: pl.DataFrame, condition: pl.Expr) -> int | None:
    """0-based index of the first row meeting ``condition`` (None if none does)."""
    value = frame.select(condition.arg_true().first()).item()
    return None if value is None else int(value)


def _check_cells(wide: pl.DataFrame, source: str, numeric: list[str], *, check_totals: bool,
                 bands: list[str]) -> None:
    """Counts ≥ 0, Total All filled, keys filled, parts known, no key twice; with ``check_totals`` the
    row sums (module docstring). One vectorised pass each; a Python loop only to name the failing cell."""
    mins = wide.select(pl.min_horizontal(pl.col(numeric).min()).alias("m")).item()
    if mins is not None and mins < 0:
        row = _first_row(wide, pl.any_horizontal(pl.col(numeric) < 0))
        assert row is not None
        column = next(c for c in numeric if (wide[c][row] or 0) < 0)
        raise PublishedFileError(f"{where(source, row + 2, column)}: the count is negative")
    for column in (TOTAL_ALL, *REQUIRED_KEYS):
        if wide[column].null_count():
            row = _first_row(wide, pl.col(column).is_null())
            hint = " (a truncated row or a missing cell)" if column == TOTAL_ALL else ""
            raise PublishedFileError(f"{where(source, row + 2 if row is not None else None, column)}: "
                                     f"the cell is blank{hint}")
    bad_part = _first_row(wide, ~pl.col("RTT Part Type").is_in(PARTS))
    if bad_part is not None:
        raise PublishedFileError(f"{where(source, bad_part + 2, 'RTT Part Type')}: not one of {', '.join(PARTS)}")
    bad_tf = _first_row(wide, ~pl.col("Treatment Function Code").str.contains(_TREATMENT_FUNCTION))
    if bad_tf is not None:
        raise PublishedFileError(f"{where(source, bad_tf + 2, 'Treatment Function Code')}: not a treatment "
                                 f"function code (C_100 … C_502, C_999, X01 … X06)")
    keys = list(KEY_COLUMNS)
    if wide.select(pl.struct(keys).is_duplicated().any()).item():
        row = _first_row(wide, pl.struct(keys).is_first_distinct().not_())
        raise PublishedFileError(
            f"{where(source, row + 2 if row is not None else None)}: the same period, provider, commissioner, "
            f"part and treatment function are given on an earlier row too"
        )
    if not check_totals:
        return
    band_sum = pl.col("_band_sum")
    wide = wide.with_columns(pl.sum_horizontal(bands).alias("_band_sum"))
    unknown = pl.col(UNKNOWN_START).fill_null(0) if UNKNOWN_START in wide.columns else pl.lit(0)
    banded = pl.col("RTT Part Type") != "Part_3"
    checks: list[tuple[str, pl.Expr]] = [(TOTAL_ALL, banded & (band_sum + unknown != pl.col(TOTAL_ALL)))]
    if TOTAL in wide.columns:
        checks.insert(0, (TOTAL, banded & pl.col(TOTAL).is_not_null() & (band_sum != pl.col(TOTAL))))
    for column, condition in checks:
        row = _first_row(wide, condition)
        if row is not None:
            parts = "the weekly bands" if column == TOTAL else "the weekly bands and unknown clock starts"
            raise PublishedFileError(
                f"{where(source, row + 2, column)}: {parts} do not add up to it (a band missing, renamed or "
                f"miscounted)"
            )


def _period_dates(period: pl.Series, source: str) -> pl.Series:
    """``RTT-January-2026`` → 2026-01-31, per distinct value (one or a few per file)."""
    mapping: dict[str, dt.date] = {}
    for value in period.unique().to_list():
        m = _PERIOD.match(value or "")
        try:
            if not m:
                raise ValueError(value)
            mapping[value] = dt.datetime.strptime(f"{m.group(1)} {m.group(2)}", "%B %Y").date()
        except ValueError:
            row = period.to_list().index(value) + 2
            raise PublishedFileError(
                f"{where(source, row, 'Period')}: {value!r} is not 'RTT-<Month>-<YYYY>'"
            ) from None
    return period.replace_strict(mapping, return_dtype=pl.Date).dt.month_end().alias("period")


def read_extract_wide(path: str | Path, *, names: bool = True, check_totals: bool = False) -> pl.DataFrame:
    """Read one Full CSV extract (``.csv`` or ``.zip``) wide, as published (C_999 rows included).

    ``check_totals=False`` (default) leaves rows whose bands do not add up to ``rtt check``'s
    ``row_totals_consistent`` check; :func:`~carebacklog.published.reader.read_rtt` refuses them.
    """
    path = Path(path)
    return read_extract_bytes(_csv_bytes(path), source=str(path), names=names, check_totals=check_totals)


def wide_to_tidy(wide: pl.DataFrame, *, include_totals: bool = False) -> pl.DataFrame:
    """Melt a wide Full CSV frame into the tidy long table (zero counts omitted: absent means zero).

    Bands become ``weeks_band`` 0–104 (the top band is open-ended; ``top_band`` says which it is);
    ``Patients with unknown clock start date`` becomes ``weeks_band`` null. Part_3 rows publish no bands,
    only ``Total All``: each becomes one row with ``weeks_band`` null holding all the month's clock starts.
    """
    bands = band_columns(wide.columns)
    top = max(bands.values())
    keys = list(KEY_COLUMNS.values())
    value_columns = [*bands]
    if UNKNOWN_START in wide.columns:
        value_columns.append(UNKNOWN_START)
    is_new = pl.col("part") == "Part_3"
    kept = ~is_new if include_totals else ~is_new & ~pl.col("treatment_function").is_in(TOTAL_TREATMENT_FUNCTIONS)
    # Melt through NumPy: the non-zero cells of the (bands × rows) matrix of the kept rows, in file order
    # (row by row), then gather the keys of their rows. Much faster than unpivoting seven string columns
    # over 19 million cells, and than unpivoting with a row index and joining the keys back.
    keep = wide.select(kept.fill_null(False))
    matrix = np.zeros((len(value_columns), wide.height), dtype=np.int64)
    for i, c in enumerate(value_columns):
        column = wide[c]
        matrix[i] = (column.fill_null(0) if column.null_count() else column).to_numpy()
    cols, rows = np.nonzero(matrix)
    selected = keep.to_series().to_numpy()[rows]
    cols, rows = cols[selected], rows[selected]
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    band_of_column = np.array([bands.get(c, -1) for c in value_columns], dtype=np.int16)
    long = wide.select(keys).gather(rows).with_columns(
        pl.Series("weeks_band", band_of_column[cols], dtype=pl.Int16).replace(-1, None),
        pl.Series("count", matrix[cols, rows], dtype=pl.Int64),
    )
    if not include_totals:
        wide = wide.filter(~pl.col("treatment_function").is_in(TOTAL_TREATMENT_FUNCTIONS))
    new = (
        wide.filter(is_new & (pl.col(TOTAL_ALL) != 0))
        .select(*keys, pl.lit(None, pl.Int16).alias("weeks_band"), pl.col(TOTAL_ALL).cast(pl.Int64).alias("count"))
    )
    return (
        pl.concat([long, new], how="vertical")
        .with_columns(pl.lit(top, pl.Int16).alias("top_band"))
        .select(list(TIDY_SCHEMA))
        .cast(TIDY_SCHEMA)  # type: ignore[arg-type]
    )
