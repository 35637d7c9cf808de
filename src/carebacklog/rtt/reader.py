"""Read pathway events and patients (CSV or Parquet) into the input contract, with validation.

Every row read is either accepted or rejected (``accepted + rejected == rows read``, asserted). A
rejected row says which file, which row, which column and why; with ``quarantine`` given, rejected
rows are written there as CSV with their values. Row ``N`` is always the file's N-th data row (line
``N + 1`` of a CSV, the header being line 1), whatever else was rejected.

The rules (docs/rtt.md, "Reading input"):

- **Whole-file problems** raise :class:`InputFileError` (a :class:`~carebacklog.errors.BadInputError`,
  exit code 2): a missing, empty or unreadable file, an unsupported type, a missing or repeated header
  column, a Parquet column whose type cannot hold the contract's values (``event_date`` stored as
  integers, say), or a file in which no row at all could be used.
- **Malformed CSV rows are quarantined, not the file**: a record is one line; a line with more or fewer
  fields than the header, an unbalanced or misplaced quote, or bytes that are not UTF-8 is rejected on
  its own and the other rows are read. Empty lines are skipped (they are not rows).
- **Values**: required values present, dates ISO ``YYYY-MM-DD`` (a time of day after the date,
  ``YYYY-MM-DDTHH:MM[:SS[.fff]]`` or with a space, is accepted and only the date kept; a time zone or
  anything else is refused), activity, RTT status and priority from the contract's code lists.
- **Repeats**: rows sharing an ``event_id`` (``patient_id`` for patients) with identical values keep
  the first and reject the others as duplicates; rows sharing one with *different* values are all
  rejected as a conflict (which of them is right cannot be known). Rows without an ``event_id``
  dedupe on the whole row. Reloading a file therefore never duplicates events.
- **No message quotes a row's values** (they hold patient identifiers): errors and reasons name the
  file, row, column and rule only.

Speed: Parquet columns already in the contract's types are used as read (no text round trip); every
check is an expression evaluated in one pass that only asks *whether* anything is wrong, and the
per-row reasons are built only for the rows that are. Repeated keys are found by sorting a 64-bit hash
of the key (exact comparison only on the few rows whose hashes repeat).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from carebacklog.errors import BadInputError, where
from carebacklog.rtt.schema import (
    ACTIVITIES,
    EVENT_SCHEMA,
    KNOWN_STATUSES,
    PATIENT_SCHEMA,
    PRIORITIES,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_PATIENT_COLUMNS,
)

__all__ = ["REJECT_COLUMNS", "InputFileError", "ReadResult", "read_events", "read_patients"]

#: The first columns of ``ReadResult.rejected``; the row's values (as text) follow.
REJECT_COLUMNS: Final[tuple[str, ...]] = ("source_file", "row", "column", "reason")

#: A time of day after an ISO date: accepted, and only the date is kept (docs/rtt.md).
_TIME_OF_DAY: Final[str] = r"^[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?$"
_DATE_REASON: Final[str] = "not a valid ISO date (YYYY-MM-DD, optionally followed by a time of day)"
#: Placeholder for a well-formed quoted field while counting a line's fields (never in text data).
_QUOTED: Final[str] = "\x01"
_LINE_SEPARATOR: Final[str] = "\x00"


class InputFileError(BadInputError):
    """A whole input file cannot be used (missing, unreadable, wrong header or column type, no usable row)."""

    def __init__(self, path: Path | str, column: str | None, reason: str, *, row: int | None = None) -> None:
        self.path = str(path)
        self.column = column
        self.row = row
        self.reason = reason
        super().__init__(f"{where(self.path, row, column)}: {reason}")


@dataclass(frozen=True)
class ReadResult:
    """Accepted rows in the contract's types, the rejected rows with file, row, column and reason.

    ``source`` has one row per accepted row (same order): ``source_file`` and ``row``, the file row it
    came from, so a report on the accepted rows (``data_quality(..., source=result.source)``) can
    point at the file's rows. ``cleared`` lists values of accepted rows that were not kept (the row is
    kept, the value blanked: an NHS number failing the Modulus 11 check), with file, row, column and
    reason and never the value.
    """

    events: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int
    source: pl.DataFrame | None = None
    cleared: pl.DataFrame | None = None

    @property
    def accepted(self) -> int:
        return self.events.height


# --- Checks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    column: str
    bad: pl.Expr
    reason: str


def _date_from_text(text: pl.Expr) -> pl.Expr:
    """ISO date from text: ``YYYY-MM-DD``, optionally followed by a time of day (date part kept)."""
    day = text.str.slice(0, 10)
    shaped = day.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    rest_ok = (text.str.len_bytes() == 10) | text.str.slice(10).str.contains(_TIME_OF_DAY)
    return pl.when(shaped & rest_ok).then(day.str.to_date("%Y-%m-%d", strict=False))


def _checks_events() -> list[_Check]:
    """Row checks on the *typed* columns (a value that did not convert is null there, see ``_typed``)."""
    checks = [_Check(c, pl.col(c).is_null(), "required value is missing") for c in REQUIRED_EVENT_COLUMNS]
    checks += [
        _Check(
            "activity",
            ~pl.col("activity").is_in(ACTIVITIES),
            "unknown activity (expected one of " + ", ".join(ACTIVITIES) + ")",
        ),
        _Check(
            "rtt_status",
            ~pl.col("rtt_status").is_in(sorted(KNOWN_STATUSES)),
            "not a known RTT status code (10, 11, 12, 20, 21, 30-36, 90, 91, 92, 98, 99)",
        ),
        _Check(
            "priority",
            ~pl.col("priority").is_in(PRIORITIES),
            "unknown priority (expected one of " + ", ".join(PRIORITIES) + ")",
        ),
    ]
    return checks


def _checks_patients() -> list[_Check]:
    return [
        _Check("patient_id", pl.col("patient_id").is_null(), "required value is missing"),
        _Check(
            "imd_decile",
            ~pl.col("imd_decile").is_between(1, 10),
            "IMD decile must be a whole number 1 (most deprived) to 10",
        ),
    ]


_CAST_REASONS: Final[dict[str, str]] = {
    "rtt_status": "not a known RTT status code (10, 11, 12, 20, 21, 30-36, 90, 91, 92, 98, 99)",
    "imd_decile": "IMD decile must be a whole number 1 (most deprived) to 10",
}


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    """One file: its parsed rows, their file rows (``rows``), and its malformed rows (row, reason).

    ``rows`` is a separate Series, not a column: adding a one-chunk column to a frame read in many
    chunks (a Parquet file's row groups) makes Polars copy the whole frame to align the chunks.
    """

    path: Path
    frame: pl.DataFrame
    rows: pl.Series
    malformed: pl.DataFrame
    rows_read: int


def _malformed_frame(rows: pl.Series | list[int], reasons: pl.Series | list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"row": pl.Series(rows, dtype=pl.Int64), "reason": pl.Series(reasons, dtype=pl.String)}
    )


def _read_lines(path: Path) -> pl.Series:
    """The file's lines as text, invalid UTF-8 bytes replaced by U+FFFD (so they can be found)."""
    try:
        frame = pl.read_csv(
            path,
            has_header=False,
            separator=_LINE_SEPARATOR,
            quote_char=None,
            schema={"line": pl.String},
            encoding="utf8-lossy",
            raise_if_empty=False,
        )
        return frame.get_column("line")
    except pl.exceptions.PolarsError:
        # A NUL byte (the separator used above) splits a line: read the lines in Python instead.
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        return pl.Series("line", [line or None for line in lines], dtype=pl.String)


def _load_csv(path: Path) -> _Loaded:
    """Parse a CSV line by line: well-formed lines become rows (all text), malformed ones are rejected."""
    try:
        lines = _read_lines(path)
    except OSError as err:
        raise InputFileError(path, None, f"cannot read file ({err.strerror or type(err).__name__})") from None
    if lines.len() == 0 or lines[0] is None:
        raise InputFileError(path, None, "the file is empty or its first line (the header row) is blank")
    header_line = lines[0]
    try:
        header = next(csv.reader([header_line], strict=True))
    except csv.Error:
        raise InputFileError(path, None, "the header row is not valid CSV (check its quotes)") from None
    if "\ufffd" in header_line:
        raise InputFileError(path, None, "the header row is not UTF-8 text (save the file as UTF-8)")
    names = [h.strip() for h in header]
    repeated = [n for n, k in Counter(names).items() if k > 1]
    if repeated:
        raise InputFileError(path, repeated[0], "column named more than once in the header row")
    body = lines.slice(1).to_frame().with_row_index("_row", offset=1)
    body = body.with_columns(pl.col("_row").cast(pl.Int64)).filter(pl.col("line").is_not_null())
    line = pl.col("line")
    quoted = line.str.contains('"', literal=True)
    unquoted = pl.when(quoted).then(line.str.replace_all(r'"(?:[^"]|"")*"', _QUOTED)).otherwise(line)
    shape = body.select(
        "_row",
        _utf8=line.str.contains("\ufffd", literal=True),
        _quote=quoted
        & (unquoted.str.contains('"', literal=True) | unquoted.str.contains(f"[^,]{_QUOTED}|{_QUOTED}[^,]")),
        _fields=unquoted.str.count_matches(",", literal=True) + 1,
    )
    n = len(names)
    reason = (
        pl.when(pl.col("_utf8"))
        .then(pl.lit("malformed row: not UTF-8 text (save the file as UTF-8)"))
        .when(pl.col("_quote"))
        .then(pl.lit('malformed row: unbalanced or misplaced quote (")'))
        .when(pl.col("_fields") != n)
        .then(pl.format("malformed row: {} fields where the header has {}", pl.col("_fields"), pl.lit(n)))
    )
    shape = shape.with_columns(_reason=reason)
    bad = shape.filter(pl.col("_reason").is_not_null())
    malformed = _malformed_frame(bad.get_column("_row"), bad.get_column("_reason"))
    rows_read = body.height
    schema = dict.fromkeys(names, pl.String())
    try:
        if bad.height == 0 and rows_read == lines.len() - 1:
            frame = pl.read_csv(path, has_header=False, skip_rows=1, schema=schema)
        else:
            good = body.filter(shape.get_column("_reason").is_null())
            buffer = io.BytesIO()
            good.select("line").write_csv(buffer, include_header=False, quote_style="never")
            frame = (
                pl.read_csv(buffer.getvalue(), has_header=False, schema=schema)
                if good.height
                else pl.DataFrame(schema=schema)
            )
            body = good
    except pl.exceptions.PolarsError:
        # Polars' message may quote the row: name the file only.
        raise InputFileError(path, None, "cannot be parsed as CSV") from None
    if frame.height != body.height:
        raise InputFileError(path, None, "cannot be parsed as CSV (rows do not match lines)")
    frame = frame.rename({h: n for h, n in zip(frame.columns, names, strict=True) if h != n})
    return _Loaded(path, _safe_names(frame), body.get_column("_row"), malformed, rows_read)


def _load_parquet(path: Path) -> _Loaded:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError):
        raise InputFileError(path, None, "cannot be read as Parquet") from None
    rows = pl.int_range(1, frame.height + 1, dtype=pl.Int64, eager=True).alias("_row")
    return _Loaded(path, _safe_names(frame), rows, _malformed_frame([], []), frame.height)


def _safe_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Input columns named like the rejected table's or the reader's own get an ``_input`` suffix."""
    clash = [c for c in frame.columns if c in REJECT_COLUMNS or c.startswith("_")]
    return frame.rename({c: f"{c}_input" for c in clash}) if clash else frame


def _load(path: Path) -> _Loaded:
    if not path.exists():
        raise InputFileError(path, None, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _load_parquet(path)
    if suffix in {".csv", ".txt"}:
        return _load_csv(path)
    raise InputFileError(path, None, f"unsupported file type '{suffix}' (use .csv or .parquet)")


# --- Types --------------------------------------------------------------------------------------


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String() or isinstance(dtype, (pl.Categorical, pl.Enum))


def _typed(
    loaded: _Loaded, schema: dict[str, pl.DataType], unclean: set[str]
) -> tuple[list[pl.Expr], list[_Check]]:
    """Expressions giving each contract column its type, and where a value may fail to convert.

    Each returned check's ``bad`` is true where a value is present in the file; the caller flags the
    rows where it is present but the typed value is null (it did not convert).

    A column already in the contract's type is used as read. Text is stripped (blank means missing),
    dates parsed, integers range-checked; a Parquet type that cannot hold the column's values at all
    raises :class:`InputFileError` once, naming the column and type (not one error per row).
    """
    exprs: list[pl.Expr] = []
    checks: list[_Check] = []
    frame = loaded.frame
    for column, dtype in schema.items():
        col = pl.col(column)
        if column not in frame.columns:
            exprs.append(pl.lit(None, dtype).alias(column))
            continue
        have = frame.schema[column]
        if dtype == pl.String():
            if _is_text(have):
                if column in unclean:
                    stripped = col.cast(pl.String).str.strip_chars()
                    exprs.append(pl.when(stripped != "").then(stripped).alias(column))
            elif have.is_integer():
                exprs.append(col.cast(pl.String))
            else:
                raise _type_error(loaded.path, column, have, "text")
        elif dtype == pl.Date():
            if have == pl.Date():
                continue
            if isinstance(have, pl.Datetime):
                exprs.append(col.dt.date())
            elif _is_text(have):
                text = col.cast(pl.String).str.strip_chars()
                checks.append(_Check(column, text.is_not_null() & (text != ""), _DATE_REASON))
                exprs.append(_date_from_text(text).alias(column))
            else:
                raise _type_error(loaded.path, column, have, "dates (Date, Datetime or YYYY-MM-DD text)")
        else:  # whole numbers: rtt_status, imd_decile
            if have == dtype:
                continue
            if have.is_integer():
                exprs.append(col.cast(dtype, strict=False).alias(column))
                checks.append(_Check(column, col.is_not_null(), _CAST_REASONS[column]))
            elif have.is_float():
                whole = col.is_finite() & (col == col.floor())
                exprs.append(pl.when(whole).then(col).cast(dtype, strict=False).alias(column))
                checks.append(_Check(column, col.is_not_null(), _CAST_REASONS[column]))
            elif _is_text(have):
                text = col.cast(pl.String).str.strip_chars()
                number = pl.when(text.str.contains(r"^[+-]?[0-9]{1,4}$")).then(text)
                exprs.append(number.cast(dtype, strict=False).alias(column))
                checks.append(_Check(column, text.is_not_null() & (text != ""), _CAST_REASONS[column]))
            else:
                raise _type_error(loaded.path, column, have, "whole numbers")
    return exprs, checks


def _type_error(path: Path, column: str, have: pl.DataType, want: str) -> InputFileError:
    return InputFileError(path, column, f"the column holds {have} values; expected {want}")


#: Text columns of the contracts with many distinct values (checked row by row, not by value).
_IDENTIFIERS: Final[frozenset[str]] = frozenset({"event_id", "pathway_id", "patient_id", "lsoa"})
#: A column with more distinct values than this share of its rows is checked row by row.
_FEW_VALUES: Final[float] = 0.05


def _probe(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> tuple[set[str], dict[str, pl.Series]]:
    """One pass over the file's contract columns: which text needs stripping, and the distinct values.

    Identifier columns are only asked whether a value is blank or starts or ends with a space or tab
    (cheaper than stripping every value); the others
    (codes: provider, treatment function, activity, status, priority, ...) give their distinct values,
    so the code checks run on a handful of values instead of every row.
    """
    exprs: list[pl.Expr] = []
    for column in schema:
        if column not in frame.columns:
            continue
        col, have = pl.col(column), frame.schema[column]
        if column in _IDENTIFIERS and have == pl.String():
            padded = [col.str.starts_with(c) | col.str.ends_with(c) for c in (" ", "\t")]
            exprs.append(pl.any_horizontal(*padded, col.str.len_bytes() == 0).any().alias(column))
        elif _is_text(have) or have.is_integer():
            exprs.append(col.unique().implode().alias(column))
    if not exprs:
        return set(), {}
    row = frame.select(exprs).row(0, named=True)
    unclean: set[str] = set()
    values: dict[str, pl.Series] = {}
    for column, probe in row.items():
        if isinstance(probe, bool):
            if probe:
                unclean.add(column)
            continue
        series = pl.Series(column, probe, dtype=frame.schema[column])
        if _is_text(series.dtype):
            text = series.cast(pl.String).drop_nulls()
            if ((text.str.strip_chars() != text) | (text == "")).any():
                unclean.add(column)
                continue
        if series.len() <= max(100, _FEW_VALUES * frame.height):
            values[column] = series
    return unclean, values


# --- Validation ---------------------------------------------------------------------------------


def _validate_file(
    loaded: _Loaded, index: int, schema: dict[str, pl.DataType], checks: list[_Check]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed rows with ``_file``, ``_row``, ``_cols``, ``_why``; the failing rows' values as text).

    The conversion is one lazy pass (columns already in the contract's type are not touched); one more
    pass asks which checks fail anywhere, and reasons are built only for those checks and rows.
    """
    frame = loaded.frame
    extras = [c for c in frame.columns if c not in schema]
    unclean, values = _probe(frame, schema)
    exprs, conversions = _typed(loaded, schema, unclean)
    by_name = {e.meta.output_name(): e for e in exprs}
    flags = [(chk.bad & by_name[chk.column].is_null()).alias(f"_conv_{chk.column}") for chk in conversions]
    typed = frame.lazy().with_columns(*exprs, *flags).collect()
    converted = {chk.column for chk in conversions}
    found: list[tuple[str, pl.Expr, str]] = [
        (chk.column, pl.col(f"_conv_{chk.column}"), chk.reason) for chk in conversions
    ]
    for chk in checks:
        bad = chk.bad.fill_null(False)
        if chk.column in converted:
            bad = bad & ~pl.col(f"_conv_{chk.column}")
        found.append((chk.column, bad, chk.reason))
    # A check on a code column whose values were not changed runs on its distinct values only.
    same = {c: v for c, v in values.items() if c not in converted and c not in unclean}
    on_values = [i for i, (c, bad, _) in enumerate(found) if c in same and bad.meta.root_names() == [c]]
    hits = dict.fromkeys(on_values, False)
    for i in on_values:
        column, bad, _ = found[i]
        hits[i] = bool(same[column].to_frame().select(bad.any()).item())
    rest = [i for i in range(len(found)) if i not in hits]
    if rest:
        row = typed.select([found[i][1].any().alias(f"_k{i}") for i in rest]).row(0)
        hits.update(zip(rest, (bool(h) for h in row), strict=True))
    failed = [chk for i, chk in enumerate(found) if hits[i]]
    keep = [*schema, *extras]
    if failed:
        reasons = typed.select(
            _cols=pl.concat_str(
                [pl.when(bad).then(pl.lit(c)) for c, bad, _ in failed], separator="; ", ignore_nulls=True
            ),
            _why=pl.concat_str(
                [pl.when(bad).then(pl.lit(f"{c}: {r}")) for c, bad, r in failed],
                separator="; ",
                ignore_nulls=True,
            ),
        ).with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in ("_cols", "_why"))
        typed = pl.concat([typed.select(keep), reasons], how="horizontal")
        wrong = reasons.get_column("_why").is_not_null()
        raw = frame.filter(wrong)
        text = raw.select(*[_as_text(raw, c) for c in raw.columns]).with_columns(loaded.rows.filter(wrong))
    else:
        # No ``_cols``/``_why`` columns at all: a broadcast null String column costs a full column.
        typed = typed.select(keep)
        text = pl.DataFrame(schema={"_row": pl.Int64})
    return typed, text


def _as_text(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A value as the text a CSV would hold (dates ISO, whole floats without ``.0``)."""
    col = pl.col(column)
    dtype = frame.schema[column]
    if dtype.is_float():
        whole = col.is_finite() & (col == col.floor())
        as_int = col.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(col.cast(pl.String)).alias(column)
    if dtype in (pl.Date(), pl.Datetime()) or isinstance(dtype, pl.Datetime):
        return col.dt.to_string("%Y-%m-%d" if dtype == pl.Date() else "%Y-%m-%dT%H:%M:%S").alias(column)
    return col.cast(pl.String).alias(column)


# --- Repeats ------------------------------------------------------------------------------------


def _repeats(
    frame: pl.DataFrame, where_read: pl.DataFrame, key: str, content: list[str], files: list[str]
) -> pl.DataFrame:
    """Rows rejected for a repeated key: ``_pos`` (position in ``frame``), ``_col``, ``_rep``.

    ``frame`` is in reading order, ``where_read`` its ``_file`` and ``_row``. Candidates come from a sorted 64-bit hash of the key (no
    duplicates: one sort and one comparison, the usual case); the few candidate rows are then grouped
    exactly. Identical repeats: all but the first are duplicates. Different values under one key: every
    row of the key is a conflict. Rows without a key are compared on their whole content.
    """
    empty = pl.DataFrame(schema={"_pos": pl.UInt32, "_col": pl.String, "_rep": pl.String})
    if frame.height < 2:
        return empty
    hashes = frame.select(pl.col(key).hash().alias("h")).to_series()
    ordered = hashes.sort()
    if not (ordered == ordered.shift(1)).any() and frame.get_column(key).null_count() < 2:
        return empty
    repeated = ordered.filter(ordered == ordered.shift(1)).unique()
    candidates = (hashes.is_in(repeated.implode()) | frame.get_column(key).is_null()).arg_true()
    indexed = pl.concat(
        [frame[candidates], where_read[candidates], candidates.alias("_pos").to_frame()], how="horizontal"
    )
    keyed = indexed.filter(pl.col(key).is_not_null())
    keyed = keyed.filter(pl.col(key).is_duplicated())
    parts = []
    if keyed.height:
        parts.append(_repeat_reasons(keyed, pl.col(key), content, files, key))
    unkeyed = indexed.filter(pl.col(key).is_null())
    if unkeyed.height > 1:
        whole = pl.struct(content)
        unkeyed = unkeyed.filter(whole.is_duplicated())
        if unkeyed.height:
            parts.append(_repeat_reasons(unkeyed, whole, content, files, "(whole row)"))
    return pl.concat(parts) if parts else empty


def _repeat_reasons(
    rows: pl.DataFrame, group: pl.Expr, content: list[str], files: list[str], column: str
) -> pl.DataFrame:
    """Reasons for the rows of repeated keys (``rows`` holds only those, in reading order)."""
    label = "row" if column == "(whole row)" else column
    file_name = pl.col("_file").replace_strict(dict(enumerate(files)), return_dtype=pl.String)
    place = pl.concat_str([file_name, pl.lit(" row "), pl.col("_row").cast(pl.String)])
    compared = [*content, "_why"] if "_why" in rows.columns else content
    rows = rows.with_columns(_place=place, _variant=pl.struct(compared).hash())
    variants = pl.col("_variant").n_unique().over(group)
    first = pl.col("_place").first().over(group)
    places = pl.col("_place").over(group, mapping_strategy="join")
    more = places.list.len() - 5
    everywhere = places.list.head(5).list.join(", ") + pl.when(more > 0).then(
        pl.format(" and {} more", more)
    ).otherwise(pl.lit(""))
    rows = rows.with_columns(
        _conflict=variants > 1,
        _is_first=pl.col("_pos") == pl.col("_pos").min().over(group),
        _first=first,
        _all=everywhere,
    )
    rejected = rows.filter(pl.col("_conflict") | ~pl.col("_is_first"))
    return rejected.select(
        "_pos",
        _col=pl.lit(column),
        _rep=pl.when(pl.col("_conflict"))
        .then(pl.format("conflicting {}: read with different values at {}", pl.lit(label), pl.col("_all")))
        .otherwise(pl.format("duplicate {} (first read at {})", pl.lit(label), pl.col("_first"))),
    )


# --- Reading ------------------------------------------------------------------------------------


def _read_many(
    paths: Path | str | Sequence[Path | str],
    schema: dict[str, pl.DataType],
    required: Sequence[str],
    checks: list[_Check],
    key: str,
) -> ReadResult:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    loaded: list[_Loaded] = []
    for p in paths:
        item = _load(Path(p))
        missing = [c for c in required if c not in item.frame.columns]
        if missing:
            raise InputFileError(item.path, missing[0], "required column is missing: " + ", ".join(missing))
        loaded.append(item)
    if not loaded:
        raise InputFileError("(no file)", None, "no input file given")
    files = [str(item.path) for item in loaded]
    typed_parts, text_parts = [], []
    for i, item in enumerate(loaded):
        typed, text = _validate_file(item, i, schema, checks)
        typed_parts.append(typed)
        text_parts.append(text.with_columns(pl.lit(i, pl.Int32).alias("_file")))
    combined = pl.concat(typed_parts, how="diagonal_relaxed") if len(typed_parts) > 1 else typed_parts[0]
    where_read = pl.DataFrame(
        {
            "_file": pl.concat(
                [pl.repeat(i, item.rows.len(), dtype=pl.Int32, eager=True) for i, item in enumerate(loaded)]
            ),
            "_row": pl.concat([item.rows for item in loaded]),
        }
    )
    extras = [c for c in combined.columns if c not in schema and c not in ("_file", "_row", "_cols", "_why")]
    content = [*schema, *extras]
    repeats = _repeats(combined, where_read, key, content, files)
    rejected, accepted, accepted_where = _split(
        combined, where_read, repeats, text_parts, loaded, files, content
    )
    events = accepted.select(content)
    source = accepted_where.select(
        pl.col("_file")
        .replace_strict(dict(enumerate(files)), return_dtype=pl.Enum(sorted(set(files))))
        .alias("source_file")
        if len(files) > 1
        else pl.lit(files[0]).cast(pl.Enum([files[0]])).alias("source_file"),
        pl.col("_row").alias("row"),
    )
    rows_read = sum(item.rows_read for item in loaded)
    assert events.height + rejected.height == rows_read, "every row is accepted or rejected"
    return ReadResult(events=events, rejected=rejected, rows_read=rows_read, source=source)


def _split(
    combined: pl.DataFrame,
    where_read: pl.DataFrame,
    repeats: pl.DataFrame,
    text_parts: list[pl.DataFrame],
    loaded: list[_Loaded],
    files: list[str],
    content: list[str],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(rejected rows in file and row order, accepted rows in reading order, their file and row)."""
    has_why = "_why" in combined.columns
    clean = repeats.height == 0 and (
        not has_why or combined.get_column("_why").null_count() == combined.height
    )
    if clean:
        accepted, accepted_where = combined, where_read
        rejected_rows = pl.concat([combined.clear(), where_read.clear()], how="horizontal")
    else:
        bad = pl.repeat(False, combined.height, dtype=pl.Boolean, eager=True)
        if repeats.height:
            bad = bad.scatter(repeats.get_column("_pos"), True)
        if has_why:
            bad = bad | combined.get_column("_why").is_not_null()
        accepted, accepted_where = combined.filter(~bad), where_read.filter(~bad)
        positions = bad.arg_true()
        rejected_rows = pl.concat(
            [combined[positions], where_read[positions], positions.alias("_pos").to_frame()], how="horizontal"
        ).join(repeats, on="_pos", how="left", maintain_order="left")
        if not has_why:
            rejected_rows = rejected_rows.with_columns(
                _cols=pl.lit(None, pl.String), _why=pl.lit(None, pl.String)
            )
        rejected_rows = rejected_rows.with_columns(
            _cols=pl.concat_str([pl.col("_cols"), pl.col("_col")], separator="; ", ignore_nulls=True),
            _why=pl.concat_str([pl.col("_why"), pl.col("_rep")], separator="; ", ignore_nulls=True),
        ).drop("_pos", "_col", "_rep")
    if "_why" not in rejected_rows.columns:
        rejected_rows = rejected_rows.with_columns(
            _cols=pl.lit(None, pl.String), _why=pl.lit(None, pl.String)
        )
    accepted = accepted.drop("_cols", "_why", strict=False)
    text_cols = [pl.col(c).cast(pl.String) for c in content]
    typed_text = rejected_rows.select(
        "_file",
        "_row",
        "_cols",
        "_why",
        *[
            (_as_text(rejected_rows, c) if c in rejected_rows.columns else pl.lit(None, pl.String).alias(c))
            for c in content
        ],
    )
    raw_text = (
        pl.concat([t for t in text_parts if t.height], how="diagonal_relaxed")
        if any(t.height for t in text_parts)
        else None
    )
    if raw_text is not None:
        # Rows that failed a value check keep the value as read (the typed value is null there).
        raw_text = raw_text.select(
            "_file",
            "_row",
            *[
                pl.col(c).cast(pl.String) if c in raw_text.columns else pl.lit(None, pl.String).alias(c)
                for c in content
            ],
        )
        from_typed = typed_text.join(raw_text.select("_file", "_row"), on=["_file", "_row"], how="anti")
        from_raw = typed_text.select("_file", "_row", "_cols", "_why").join(
            raw_text, on=["_file", "_row"], how="inner"
        )
        typed_text = pl.concat([from_typed, from_raw], how="vertical_relaxed")
    malformed = [
        item.malformed.with_columns(
            _file=pl.lit(i, pl.Int32), _cols=pl.lit("(row)"), _why=pl.col("reason")
        ).select("_file", pl.col("row").alias("_row"), "_cols", "_why")
        for i, item in enumerate(loaded)
        if item.malformed.height
    ]
    all_rejected = pl.concat([typed_text, *malformed], how="diagonal_relaxed").sort("_file", "_row")
    rejected = all_rejected.select(
        pl.col("_file").replace_strict(dict(enumerate(files)), return_dtype=pl.String).alias("source_file"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.col("_cols").alias("column"),
        pl.col("_why").alias("reason"),
        *text_cols,
    )
    return rejected, accepted, accepted_where


def _write_quarantine(rejected: pl.DataFrame, quarantine: Path | str | None) -> None:
    if quarantine is None:
        return
    out = Path(quarantine)
    out.parent.mkdir(parents=True, exist_ok=True)
    rejected.write_csv(out)


def _require_rows(result: ReadResult, paths: Path | str | Sequence[Path | str]) -> None:
    """No accepted row at all is a failure: name the file(s) and the commonest reasons, never values."""
    if result.accepted:
        return
    name = str(paths) if isinstance(paths, (str, Path)) else ", ".join(str(p) for p in paths)
    if result.rows_read == 0:
        raise InputFileError(name, None, "no data rows (the file holds a header only)")
    reasons = Counter(
        part.split(" (")[0].split(": read with")[0]
        for why in result.rejected.get_column("reason").to_list()
        for part in (why or "").split("; ")
    )
    common = "; ".join(f"{why} ({count})" for why, count in reasons.most_common(3))
    raise InputFileError(name, None, f"no row could be used: all {result.rows_read} rows rejected ({common})")


def read_events(path: Path | str | Sequence[Path | str], quarantine: Path | str | None = None) -> ReadResult:
    """Read pathway events (CSV or Parquet; one path or several) into the input contract.

    ``.events`` has the contract columns (``event_date``/``original_start_date`` as ``pl.Date``,
    ``rtt_status`` as ``pl.Int16``, text as ``pl.String``, or Categorical/Enum when the Parquet holds
    them so) followed by any extra columns; ``.rejected`` has ``source_file``, ``row``, ``column``,
    ``reason`` and the row's values as text (empty for a malformed row); ``.source`` the file row of
    each accepted event. Raises :class:`InputFileError` when a file is missing, unreadable, lacks a
    required column, has a column of an unusable type, or when no row at all can be used (the
    quarantine file is written first).
    """
    result = _read_many(path, EVENT_SCHEMA, REQUIRED_EVENT_COLUMNS, _checks_events(), "event_id")
    _write_quarantine(result.rejected, quarantine)
    _require_rows(result, path)
    return result


def read_patients(
    path: Path | str | Sequence[Path | str], quarantine: Path | str | None = None
) -> ReadResult:
    """Read the optional patients table (patient_id, birth_date, sex, ethnic_category, imd_decile, lsoa).

    Same contract as :func:`read_events`; ``.events`` holds the patients, one row per ``patient_id``
    (a repeated patient_id is rejected as a duplicate, or with different values as a conflict).
    """
    result = _clear_bad_nhs_numbers(
        _read_many(path, PATIENT_SCHEMA, REQUIRED_PATIENT_COLUMNS, _checks_patients(), "patient_id")
    )
    _write_quarantine(result.rejected, quarantine)
    _require_rows(result, path)
    return result


#: Why an NHS number was not stored (the patient row is kept).
BAD_NHS_NUMBER = "NHS number is not ten digits passing the Modulus 11 check: the row is kept, the number is not"


def _clear_bad_nhs_numbers(result: ReadResult) -> ReadResult:
    """Blank NHS numbers that fail the Modulus 11 check (rtt/nhs_number.py) and list where they were."""
    from carebacklog.rtt.nhs_number import normalise_nhs_number

    patients = result.events
    if "nhs_number" not in patients.columns:
        return result
    given = pl.col("nhs_number").is_not_null() & (pl.col("nhs_number").str.strip_chars() != "")
    clean = normalise_nhs_number(pl.col("nhs_number"))
    bad = patients.select((given & clean.is_null()).alias("bad")).get_column("bad")
    cleared = pl.DataFrame(schema={"source_file": pl.String, "row": pl.Int64, "column": pl.String, "reason": pl.String})
    if bad.any() and result.source is not None:
        cleared = result.source.filter(bad).select(
            pl.col("source_file").cast(pl.String), pl.col("row").cast(pl.Int64),
            pl.lit("nhs_number").alias("column"), pl.lit(BAD_NHS_NUMBER).alias("reason"),
        )  # fmt: skip
    return ReadResult(
        patients.with_columns(clean.alias("nhs_number")), result.rejected, result.rows_read, result.source, cleared
    )
