"""Reader for NHS England's RTT "Full CSV data file" (the monthly extract, 121 columns).

One row per provider × commissioner × RTT part × treatment function, wide on weekly bands
``Gt 00 To 01 Weeks SUM 1`` … ``Gt 103 To 104 Weeks SUM 1``, ``Gt 104 Weeks SUM 1`` (before April 2021 the
bands stop at ``Gt 52 Weeks SUM 1``), then ``Total``, ``Patients with unknown clock start date``,
``Total All``. Traps handled (domain.md §4): the zip may carry ``__MACOSX/`` members; blank cells are zero;
``C_999`` rows are pre-computed roll-ups; a provider appears once per commissioner; Part_3 (new clock
starts) has no bands, only ``Total All``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

from carebacklog.errors import BadInputError
from carebacklog.published.tidy import TIDY_SCHEMA, TOTAL_TREATMENT_FUNCTIONS

__all__ = ["KEY_COLUMNS", "PublishedFileError", "read_extract_bytes", "read_extract_wide", "wide_to_tidy"]

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
NAME_COLUMNS = (
    "Provider Parent Name",
    "Provider Org Name",
    "Commissioner Parent Name",
    "Commissioner Org Name",
    "RTT Part Description",
    "Treatment Function Name",
)
UNKNOWN_START = "Patients with unknown clock start date"
TOTAL_ALL = "Total All"
_BAND = re.compile(r"^Gt (\d+) To (\d+) Weeks SUM 1$")
_TOP_BAND = re.compile(r"^Gt (\d+) Weeks SUM 1$")
_PERIOD = re.compile(r"^RTT-([A-Za-z]+)-(\d{4})$")


class PublishedFileError(BadInputError):
    """A published file that cannot be read; the message names the file, row and column."""


def _csv_bytes(path: Path) -> bytes:
    if path.suffix.lower() != ".zip":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        members = [
            m
            for m in archive.namelist()
            if m.lower().endswith(".csv") and not m.startswith("__MACOSX/") and "/._" not in f"/{m}"
        ]
        if len(members) != 1:
            raise PublishedFileError(f"{path}: expected one .csv member outside __MACOSX/, found {members}")
        return archive.read(members[0])


def band_columns(columns: list[str]) -> dict[str, int]:
    """Weekly-band column name → band number (band k = more than k and up to k+1 weeks)."""
    bands: dict[str, int] = {}
    for name in columns:
        if (m := _BAND.match(name)) or (m := _TOP_BAND.match(name)):
            bands[name] = int(m.group(1))
    return bands


def read_extract_bytes(data: bytes, source: str = "<bytes>") -> pl.DataFrame:
    """The wide Full CSV with key columns renamed, counts as Float64 (blank → 0) and ``period`` a Date."""
    try:
        header = pl.read_csv(data, n_rows=0, encoding="utf8-lossy").columns
    except pl.exceptions.PolarsError as exc:
        raise PublishedFileError(f"{source}: cannot read as CSV ({exc})") from exc
    header = [header[0].lstrip("\ufeff"), *header[1:]] if header else header
    missing = [c for c in (*KEY_COLUMNS, TOTAL_ALL) if c not in header]
    if missing:
        raise PublishedFileError(f"{source}: not an RTT Full CSV extract; missing column(s) {missing}")
    bands = band_columns(header)
    if not bands:
        raise PublishedFileError(f"{source}: no weekly band columns ('Gt 00 To 01 Weeks SUM 1' …)")
    numeric = [*bands, *(c for c in ("Total", UNKNOWN_START, TOTAL_ALL) if c in header)]
    schema = {c: (pl.Float64 if c in numeric else pl.String) for c in header}
    try:
        wide = pl.read_csv(data, schema=schema, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as exc:  # e.g. text in a count column
        raise PublishedFileError(f"{source}: {_locate_bad_count(data, header, numeric) or exc}") from exc
    wide = wide.with_columns(pl.col(numeric).fill_null(0.0)).rename(KEY_COLUMNS)
    periods = wide["period"].unique().to_list()
    mapping = {}
    for value in periods:
        m = _PERIOD.match(value or "")
        try:
            if not m:
                raise ValueError(value)
            mapping[value] = dt.datetime.strptime(f"{m.group(1)} {m.group(2)}", "%B %Y").date()
        except ValueError:
            row = wide["period"].to_list().index(value) + 2
            raise PublishedFileError(
                f"{source}: row {row}, column 'Period': {value!r} is not 'RTT-<Month>-<YYYY>'"
            ) from None
    return wide.with_columns(
        pl.col("period").replace_strict(mapping, return_dtype=pl.Date).dt.month_end()
    )


def _locate_bad_count(data: bytes, header: list[str], numeric: list[str]) -> str | None:
    """Name the first cell of a count column that is not a number (row = line in the file)."""
    try:
        text = pl.read_csv(data, schema=dict.fromkeys(header, pl.String), encoding="utf8-lossy")
    except pl.exceptions.PolarsError:
        return None
    for name in numeric:
        bad = text.with_row_index("_row").filter(
            pl.col(name).is_not_null() & pl.col(name).str.strip_chars().cast(pl.Float64, strict=False).is_null()
        )
        if bad.height:
            row, value = bad.row(0)[0], bad[name][0]
            return f"row {row + 2}, column {name!r}: {value!r} is not a count"
    return None


def read_extract_wide(path: str | Path) -> pl.DataFrame:
    """Read one Full CSV extract (``.csv`` or ``.zip``) wide, as published (C_999 rows included)."""
    path = Path(path)
    return read_extract_bytes(_csv_bytes(path), source=str(path))


def wide_to_tidy(wide: pl.DataFrame, *, include_totals: bool = False) -> pl.DataFrame:
    """Melt a wide Full CSV frame into the tidy long table (zero counts omitted: absent means zero).

    Bands become ``weeks_band`` 0–104 (the top band is open-ended; ``top_band`` says which it is);
    ``Patients with unknown clock start date`` becomes ``weeks_band`` null. Part_3 rows publish no bands,
    only ``Total All``: each becomes one row with ``weeks_band`` null holding all the month's clock starts.
    """
    bands = band_columns(wide.columns)
    top = max(bands.values())
    keys = list(KEY_COLUMNS.values())
    if not include_totals:
        wide = wide.filter(~pl.col("treatment_function").is_in(TOTAL_TREATMENT_FUNCTIONS))
    is_new = pl.col("part") == "Part_3"
    value_columns = [*bands]
    if UNKNOWN_START in wide.columns:
        value_columns.append(UNKNOWN_START)
    banded = wide.filter(~is_new)
    # Melt through NumPy: find the non-zero cells of the (rows × bands) matrix, then gather the keys of
    # their rows. Much faster than unpivoting seven string columns over 19 million cells.
    matrix = banded.select(value_columns).to_numpy()
    rows, cols = np.nonzero(matrix)
    band_of_column = np.array([bands.get(c, -1) for c in value_columns], dtype=np.int16)
    long = banded.select(keys)[rows].with_columns(
        pl.Series("weeks_band", band_of_column[cols], dtype=pl.Int16).replace(-1, None),
        pl.Series("count", matrix[rows, cols], dtype=pl.Float64),
    )
    new = (
        wide.filter(is_new & (pl.col(TOTAL_ALL) != 0))
        .select(*keys, pl.lit(None, pl.Int16).alias("weeks_band"), pl.col(TOTAL_ALL).alias("count"))
    )
    return (
        pl.concat([long, new], how="vertical")
        .with_columns(pl.lit(top, pl.Int16).alias("top_band"))
        .select(list(TIDY_SCHEMA))
        .cast(TIDY_SCHEMA)  # type: ignore[arg-type]
    )
