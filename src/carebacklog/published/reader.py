"""``read_rtt`` and ``read_orgs``: any of NHS England's published RTT files into one tidy table.

Dispatch is by file type: ``.zip``/``.csv`` → Full CSV extract; ``.xls``/``.xlsx`` → workbook
(commissioner 2014/15 layout or New Periods provider layout). Several files (months, parts) are stacked
into one table: a time series. The same month given twice (one file twice, or two files holding the same
period × part × provider × commissioner × treatment function) is refused, not counted twice: a stacked
table that silently doubles a month doubles every measure and forecast built on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from carebacklog.published.extract import PublishedFileError, read_extract_wide, wide_to_tidy
from carebacklog.published.tidy import TIDY_SCHEMA, empty_tidy
from carebacklog.published.workbooks import read_workbook, read_workbook_table

__all__ = ["ORG_SCHEMA", "read_orgs", "read_rtt"]

_CSV_SUFFIXES = (".csv", ".zip")
_EXCEL_SUFFIXES = (".xls", ".xlsx")

#: ``read_orgs`` output: one row per organisation role, code and name.
ORG_SCHEMA: dict[str, pl.DataType] = {
    "org_type": pl.String(),  # provider | provider_parent | commissioner | commissioner_parent
    "org_code": pl.String(),
    "org_name": pl.String(),
}
_EXTRACT_ORGS = (
    ("provider", "provider_code", "Provider Org Name"),
    ("provider_parent", "provider_parent_code", "Provider Parent Name"),
    ("commissioner", "commissioner_code", "Commissioner Org Name"),
    ("commissioner_parent", "commissioner_parent_code", "Commissioner Parent Name"),
)


def _as_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _check(path: Path) -> None:
    if not path.exists():
        raise PublishedFileError(f"{path}: no such file")
    if path.is_dir():
        raise PublishedFileError(f"{path}: is a folder, not a file")
    if path.suffix.lower() not in (*_CSV_SUFFIXES, *_EXCEL_SUFFIXES):
        raise PublishedFileError(f"{path}: unsupported file type (expected .csv, .zip, .xls or .xlsx)")


def read_rtt(paths: str | Path | Iterable[str | Path], *, include_totals: bool = False) -> pl.DataFrame:
    """Read published RTT files into the tidy long table (docs/architecture.md contract).

    Columns: ``period`` (Date, the month's last day), ``provider_parent_code``, ``provider_code``,
    ``commissioner_parent_code``, ``commissioner_code``, ``part`` (Part_1A | Part_1B | Part_2 | Part_2A |
    Part_3), ``treatment_function`` (as in the file, e.g. ``C_110``; ``IP110`` in 2014/15 workbooks),
    ``weeks_band`` (Int16 0–104; the top band is open-ended; null = unknown clock start, and for Part_3,
    which publishes no bands, the month's new clock starts), ``count`` (Float64) and ``top_band`` (the
    open-ended top band of the source layout: 104, or 52 before April 2021; null for the New Periods
    workbook). Zero counts are omitted: an absent row means zero.

    ``C_999``/``…999`` roll-up rows are dropped unless ``include_totals`` is set (the checks use them).
    Raises :class:`PublishedFileError` naming the file (and row and column where known) for any defect
    that would change a total (docs/published.md, "Strict reading"), including a row whose bands do not
    add up to its ``Total``/``Total All`` and a month given twice.
    """
    frames: list[pl.DataFrame] = []
    sources: list[Path] = []
    for path in _as_paths(paths):
        _check(path)
        if path.suffix.lower() in _CSV_SUFFIXES:
            wide = read_extract_wide(path, names=False, check_totals=True)
            frames.append(wide_to_tidy(wide, include_totals=include_totals))
        else:
            frames.append(read_workbook(path, include_totals=include_totals))
        sources.append(path)
    if not frames:
        return empty_tidy()
    _refuse_repeated_months(sources, frames)
    return pl.concat(frames, how="vertical").select(list(TIDY_SCHEMA))


_CELL_KEYS = ("provider_code", "commissioner_code", "treatment_function")


def _refuse_repeated_months(sources: list[Path], frames: list[pl.DataFrame]) -> None:
    """Refuse two files that both hold a period × part × provider × commissioner × treatment function.

    Cheap in the usual case: files are compared cell by cell only when they share a period and part.
    """
    seen: dict[tuple[object, str], int] = {}
    for i, frame in enumerate(frames):
        for period, part in frame.select("period", "part").unique().iter_rows():
            j = seen.setdefault((period, part), i)
            if j == i:
                continue
            mine = frame.filter((pl.col("period") == period) & (pl.col("part") == part)).select(_CELL_KEYS).unique()
            theirs = frames[j].filter((pl.col("period") == period) & (pl.col("part") == part)).select(
                _CELL_KEYS).unique()
            if mine.join(theirs, on=list(_CELL_KEYS), how="inner", nulls_equal=True).height:
                month = period.strftime("%B %Y") if hasattr(period, "strftime") else str(period)
                raise PublishedFileError(
                    f"{sources[i]}: {month} ({part}) is already given by {sources[j]}: the same month given "
                    f"twice would be counted twice; give each month once"
                )


def read_orgs(paths: str | Path | Iterable[str | Path]) -> pl.DataFrame:
    """Organisation codes and names in published RTT files: ``org_type``, ``org_code``, ``org_name``.

    ``org_type`` is ``provider``, ``provider_parent`` (ICB), ``commissioner`` or ``commissioner_parent``.
    One row per distinct (type, code); where a code carries different names, the first seen is kept.
    """
    frames: list[pl.DataFrame] = []
    for path in _as_paths(paths):
        _check(path)
        if path.suffix.lower() in _CSV_SUFFIXES:
            wide = read_extract_wide(path)
            for org_type, code, name in _EXTRACT_ORGS:
                frames.append(
                    wide.select(pl.lit(org_type).alias("org_type"), pl.col(code).alias("org_code"),
                                pl.col(name).alias("org_name"))
                )
        else:
            table = read_workbook_table(path)
            pairs = (("commissioner", "CCG Code", "CCG Name"), ("provider", "Provider Code", "Provider Name"))
            for org_type, code, name in pairs:
                if code in table.header and name in table.header:
                    ci, ni = table.column(code), table.column(name)
                    rows = [(str(r[ci]).strip(), str(r[ni]).strip()) for r in table.rows if str(r[ci]).strip()]
                    frames.append(pl.DataFrame(
                        {"org_type": [org_type] * len(rows), "org_code": [c for c, _ in rows],
                         "org_name": [n for _, n in rows]}, schema=ORG_SCHEMA))
    if not frames:
        return pl.DataFrame(schema=ORG_SCHEMA)
    return (
        pl.concat(frames, how="vertical")
        .cast(ORG_SCHEMA)  # type: ignore[arg-type]
        .filter(pl.col("org_code").is_not_null() & (pl.col("org_code") != ""))
        .unique(subset=["org_type", "org_code"], keep="first", maintain_order=True)
        .sort("org_type", "org_code")
    )
