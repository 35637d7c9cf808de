"""Read pathway events and patients (CSV or Parquet) into the input contract, with validation.

Every row read is either accepted or rejected (``accepted + rejected == rows read``, asserted). A
rejected row keeps its values and says which file, which row (1-based data row, header excluded), which
column and why; with ``quarantine`` given, rejected rows are written there as CSV. Rows that repeat an
``event_id`` already read (or, without an ``event_id``, repeat a whole row) are rejected as duplicates,
so reloading a file never duplicates events. Extra columns are kept and ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from carebacklog.errors import BadInputError
from carebacklog.rtt.schema import (
    ACTIVITIES,
    EVENT_SCHEMA,
    KNOWN_STATUSES,
    PATIENT_SCHEMA,
    PRIORITIES,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_PATIENT_COLUMNS,
)

__all__ = ["InputFileError", "ReadResult", "read_events", "read_patients"]

REJECT_COLUMNS: Final[tuple[str, ...]] = ("source_file", "row", "column", "reason")


class InputFileError(BadInputError):
    """A whole input file cannot be read (missing file, unreadable format, missing required column)."""

    def __init__(self, path: Path | str, column: str | None, reason: str) -> None:
        self.path = str(path)
        self.column = column
        self.reason = reason
        where = f"{self.path}, header row" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class ReadResult:
    """Accepted rows in the contract's types and the rejected rows with file, row, column and reason."""

    events: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int

    @property
    def accepted(self) -> int:
        return self.events.height


def _read_raw(path: Path) -> pl.DataFrame:
    """All columns as text; Parquet dates and numbers are turned into their ISO / decimal text."""
    if not path.exists():
        raise InputFileError(path, None, "file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns([_as_text(frame, c) for c in frame.columns])
        if suffix in {".csv", ".txt"}:
            return pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as err:
        raise InputFileError(path, None, f"cannot read file: {err}") from err
    raise InputFileError(path, None, f"unsupported file type '{suffix}' (use .csv or .parquet)")


def _as_text(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A Parquet column as the text a CSV would hold: whole floats (``10.0``) lose their ``.0``."""
    col = pl.col(column)
    if frame.schema[column].is_float():
        whole = col.is_finite() & (col == col.floor())
        return (
            pl.when(whole)
            .then(col.cast(pl.Int64).cast(pl.String))
            .otherwise(col.cast(pl.String))
            .alias(column)
        )
    return col.cast(pl.String)


def _blank_to_null(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars() == "")
            .then(None)
            .otherwise(pl.col(c).str.strip_chars())
            .alias(c)
            for c in columns
        ]
    )


def _date(column: str) -> pl.Expr:
    return pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _checks_events() -> list[tuple[str, pl.Expr, str]]:
    """(column, expression true when the value is bad, reason) for each rule of the contract."""
    checks: list[tuple[str, pl.Expr, str]] = [
        (c, pl.col(c).is_null(), "required value is missing") for c in REQUIRED_EVENT_COLUMNS
    ]
    for c in ("event_date", "original_start_date"):
        checks.append((c, pl.col(c).is_not_null() & _date(c).is_null(), "not a valid ISO date (YYYY-MM-DD)"))
    checks.append(
        (
            "activity",
            pl.col("activity").is_not_null() & ~pl.col("activity").is_in(ACTIVITIES),
            "unknown activity (expected one of " + ", ".join(ACTIVITIES) + ")",
        )
    )
    status = pl.col("rtt_status").cast(pl.Int16, strict=False)
    checks.append(
        (
            "rtt_status",
            pl.col("rtt_status").is_not_null() & (status.is_null() | ~status.is_in(sorted(KNOWN_STATUSES))),
            "not a known RTT status code (10, 11, 12, 20, 21, 30-36, 90, 91, 92, 98, 99)",
        )
    )
    checks.append(
        (
            "priority",
            pl.col("priority").is_not_null() & ~pl.col("priority").is_in(PRIORITIES),
            "unknown priority (expected one of " + ", ".join(PRIORITIES) + ")",
        )
    )
    return checks


def _checks_patients() -> list[tuple[str, pl.Expr, str]]:
    decile = pl.col("imd_decile").cast(pl.Int16, strict=False)
    return [
        ("patient_id", pl.col("patient_id").is_null(), "required value is missing"),
        (
            "birth_date",
            pl.col("birth_date").is_not_null() & _date("birth_date").is_null(),
            "not a valid ISO date (YYYY-MM-DD)",
        ),
        (
            "imd_decile",
            pl.col("imd_decile").is_not_null() & (decile.is_null() | ~decile.is_between(1, 10)),
            "IMD decile must be a whole number 1 (most deprived) to 10",
        ),
    ]


def _validate(
    raw: pl.DataFrame,
    schema: dict[str, pl.DataType],
    checks: list[tuple[str, pl.Expr, str]],
    dedupe_key: str | None,
) -> ReadResult:
    """Validate rows (``raw`` has ``source_file`` and ``row`` columns, every other column as text)."""
    extras = [c for c in raw.columns if c not in schema and c not in REJECT_COLUMNS]
    for column in schema:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(column))
    raw = _blank_to_null(raw, list(schema))
    bad_cols = [
        pl.when(expr).then(pl.lit(column)).otherwise(None).alias(f"_c{i}")
        for i, (column, expr, _) in enumerate(checks)
    ]
    bad_why = [
        pl.when(expr).then(pl.lit(f"{column}: {reason}")).otherwise(None).alias(f"_r{i}")
        for i, (column, expr, reason) in enumerate(checks)
    ]
    flagged = raw.with_columns(
        pl.concat_str(bad_cols, separator="; ", ignore_nulls=True).alias("column"),
        pl.concat_str(bad_why, separator="; ", ignore_nulls=True).alias("reason"),
    ).with_columns(
        pl.when(pl.col("column") == "").then(None).otherwise(pl.col("column")).alias("column"),
    )
    invalid = flagged.filter(pl.col("column").is_not_null())
    valid = flagged.filter(pl.col("column").is_null()).drop("column", "reason")
    typed = valid.with_columns(_typed(schema)).with_row_index("_order")
    typed, duplicates = _dedupe(typed, [*schema, *extras], dedupe_key)
    text = [pl.col(c).cast(pl.String) for c in [*schema, *extras]]
    rejected = pl.concat(
        [
            invalid.select(*REJECT_COLUMNS, *text),
            duplicates.select(*REJECT_COLUMNS, *text),
        ],
        how="vertical_relaxed",
    ).sort("source_file", "row")
    accepted = typed.drop("_order", "source_file", "row").select([*schema, *extras])
    rows_read = raw.height
    assert accepted.height + rejected.height == rows_read, "every row is accepted or rejected"
    return ReadResult(events=accepted, rejected=rejected, rows_read=rows_read)


def _typed(schema: dict[str, pl.DataType]) -> list[pl.Expr]:
    exprs: list[pl.Expr] = []
    for column, dtype in schema.items():
        if dtype == pl.Date():
            exprs.append(_date(column).alias(column))
        elif dtype != pl.String():
            exprs.append(pl.col(column).cast(dtype))
    return exprs


def _dedupe(frame: pl.DataFrame, columns: list[str], key: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the first row per key (or per whole row when the key is missing); return (kept, duplicates).

    ``frame`` has an ``_order`` column (reading order). Rows with a key group on it alone; rows
    without one group on every column, exactly (no hashing, so distinct rows are never merged).
    """
    first = pl.col("_order").min()
    if key is None:
        keyed, unkeyed = frame.clear(), frame
    else:
        keyed = frame.filter(pl.col(key).is_not_null())
        unkeyed = frame.filter(pl.col(key).is_null())
    parts = []
    if keyed.height:
        parts.append(keyed.with_columns(_first=first.over(key), _what=pl.lit(f"duplicate {key}")))
    if unkeyed.height:
        parts.append(
            unkeyed.with_columns(_first=first.over(pl.struct(columns)), _what=pl.lit("duplicate row"))
        )
    if not parts:
        empty = frame.with_columns(_first=pl.col("_order"), _what=pl.lit(""))
        parts.append(empty)
    both = pl.concat(parts) if len(parts) == 1 else pl.concat(parts).sort("_order")
    dupes = both.filter(pl.col("_order") != pl.col("_first"))
    if dupes.height:
        where = both.filter(pl.col("_order").is_in(dupes.get_column("_first").implode())).select(
            pl.col("_order").alias("_first"),
            pl.concat_str([pl.col("source_file"), pl.lit(" row "), pl.col("row").cast(pl.String)]).alias(
                "_where"
            ),
        )
        dupes = dupes.join(where, on="_first", how="left", maintain_order="left")
        dupes = dupes.with_columns(
            column=pl.when(pl.col("_what") == "duplicate row")
            .then(pl.lit("(whole row)"))
            .otherwise(pl.lit(key)),
            reason=pl.concat_str(
                [pl.col("_what"), pl.lit(" (first read at "), pl.col("_where"), pl.lit(")")]
            ),
        ).drop("_where")
    else:
        dupes = dupes.with_columns(column=pl.lit(None, pl.String), reason=pl.lit(None, pl.String))
    kept = both.filter(pl.col("_order") == pl.col("_first"))
    return kept.drop("_first", "_what"), dupes.drop("_first", "_what")


def _write_quarantine(rejected: pl.DataFrame, quarantine: Path | str | None) -> None:
    if quarantine is None:
        return
    out = Path(quarantine)
    out.parent.mkdir(parents=True, exist_ok=True)
    rejected.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).write_csv(out)


def _read_many(
    paths: Path | str | Sequence[Path | str],
    schema: dict[str, pl.DataType],
    required: Sequence[str],
    checks: list[tuple[str, pl.Expr, str]],
    dedupe_key: str | None,
) -> ReadResult:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames: list[pl.DataFrame] = []
    for p in paths:
        path = Path(p)
        raw = _read_raw(path)
        missing = [c for c in required if c not in raw.columns]
        if missing:
            raise InputFileError(path, missing[0], "required column is missing: " + ", ".join(missing))
        clash = [c for c in REJECT_COLUMNS if c in raw.columns]
        if clash:
            raw = raw.rename({c: f"{c}_input" for c in clash})
        raw = raw.with_row_index("row", offset=1).with_columns(
            pl.col("row").cast(pl.Int64), pl.lit(str(path)).alias("source_file")
        )
        frames.append(raw)
    if not frames:
        raise InputFileError("(no file)", None, "no input file given")
    combined = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    return _validate(combined, schema, checks, dedupe_key)


def read_events(path: Path | str | Sequence[Path | str], quarantine: Path | str | None = None) -> ReadResult:
    """Read pathway events (CSV or Parquet; one path or several) into the input contract.

    ``.events`` has the contract columns (``event_date``/``original_start_date`` as ``pl.Date``,
    ``rtt_status`` as ``pl.Int16``) followed by any extra columns; ``.rejected`` has ``source_file``,
    ``row``, ``column``, ``reason`` and the row's values as text. Raises :class:`InputFileError` when the
    file is missing, unreadable or lacks a required column.
    """
    result = _read_many(path, EVENT_SCHEMA, REQUIRED_EVENT_COLUMNS, _checks_events(), "event_id")
    _write_quarantine(result.rejected, quarantine)
    return result


def read_patients(
    path: Path | str | Sequence[Path | str], quarantine: Path | str | None = None
) -> ReadResult:
    """Read the optional patients table (patient_id, birth_date, sex, ethnic_category, imd_decile, lsoa).

    Same contract as :func:`read_events`; ``.events`` holds the patients, one row per ``patient_id``
    (a repeated patient_id is rejected as a duplicate).
    """
    result = _read_many(path, PATIENT_SCHEMA, REQUIRED_PATIENT_COLUMNS, _checks_patients(), "patient_id")
    _write_quarantine(result.rejected, quarantine)
    return result
