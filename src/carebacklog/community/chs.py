"""Reader for NHS England's Community Health Services (CHS) waiting-list workbooks (CHS SitRep).

NHS England, "Community Health Services Waiting Lists" (monthly, provider basis, "unvalidated
management information"). Each workbook holds:

* ``Cover page``: ``Title:``, ``Period:`` (the financial year), ``Published:`` (``dd/mm/yyyy`` text, or an
  Excel date in some months), ``Revised:`` …
* ``Table 1``: organisations that did not submit, by month, for England, each region and each ICB (names
  only); its title gives the number of organisations in scope ("Number of organisations of 145 in scope
  that did not submit …").
* ``Table 2``: the national series of the financial year by service line (``Apr-25`` …); a later workbook
  may **revise** an earlier month (November 2024's England total is 1,055,712 in the November and March
  workbooks but 1,059,725 in the December–February ones).
* ``Table 3``: the national overview: total waiting list and each weeks band, for England, adult services,
  children and young people's (CYP) services and each service line.
* ``Table 4`` (total waiting list) and ``Table 4a`` … ``4g`` (one weeks band each: 0–1, >1–2, >2–4, >4–12,
  >12–18, >18–52 weeks, and over 52 weeks). From the **December 2024** workbook the last band is split:
  ``Table 4g`` is >52–104 weeks and ``Table 4h`` over 104 weeks. Rows: ``National`` (blank code), 7
  ``Region`` rows (Y56 …), 42 ``ICB`` rows (Q… codes, providers aggregated to their host ICB) and one row per
  ``Provider`` (ODS code); columns: ``Organisation Type, Organisation Code, Organisation Name`` then one
  column per service line, ``(A) …`` for adults and ``(CYP) …`` for children and young people.

Traps handled: the header row is found by searching for ``Organisation Type`` (row 5 in most months, row 6
in January 2025, which carries one more note line); openpyxl's read-only mode reports a wrong sheet size,
so dimensions are reset; a blank cell means "no organisation submitted" and is kept apart from 0 (blank
cells give no row; a submitted 0 gives a row with count 0); adult safeguarding, looked-after children
teams and CYP safeguarding are "only published at national level" (their provider cells are blank): the
national cell is then the detail; bands need not add up to the total ("the sum of weekly breakdowns may
not match the total waiting list"), so the total is its own ``band = 'total'`` row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from carebacklog.community.errors import CommunityFileError, place

__all__ = [
    "AGE_GROUPS",
    "BAND_EDGES",
    "CHS_SCHEMA",
    "OVERVIEW_SCHEMA",
    "ChsWorkbook",
    "chs_national_check",
    "chs_revisions",
    "read_chs",
    "read_chs_non_submitters",
    "read_chs_overview",
    "read_chs_series",
    "read_chs_workbook",
]

#: Service-column prefixes → age group ("(A) " adult services, "(CYP) " children and young people).
AGE_GROUPS: Final[dict[str, str]] = {"(A) ": "adult", "(CYP) ": "cyp"}
ORG_TYPES: Final[tuple[str, ...]] = ("National", "Region", "ICB", "Provider")

#: Band label → (weeks_from, weeks_to); ``weeks_to`` None = open-ended. A wait of ``d`` days is in the band
#: when ``7·weeks_from < d ≤ 7·weeks_to`` (the first band also holds day 0): 0–1 weeks is 0–7 days, >1–2 is
#: 8–14 days, >52–104 is 365–728 days (the workbooks' own day ranges).
BAND_EDGES: Final[dict[str, tuple[int, int | None]]] = {
    "0-1": (0, 1),
    ">1-2": (1, 2),
    ">2-4": (2, 4),
    ">4-12": (4, 12),
    ">12-18": (12, 18),
    ">18-52": (18, 52),
    ">52": (52, None),
    ">52-104": (52, 104),
    ">104": (104, None),
}

#: The tidy long table of :func:`read_chs`.
CHS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "period": pl.Date(),  # the month's last day
    "org_type": pl.String(),  # National | Region | ICB | Provider
    "org_code": pl.String(),  # null for National
    "org_name": pl.String(),
    "age_group": pl.String(),  # adult | cyp
    "service_line": pl.String(),  # the column's name without its (A)/(CYP) prefix
    "band": pl.String(),  # 'total' (Table 4) or a BAND_EDGES label (Tables 4a–4h)
    "weeks_from": pl.Int16(),  # null for 'total'
    "weeks_to": pl.Int16(),  # null for 'total' and for an open-ended band
    "count": pl.Float64(),
    "top_band_from": pl.Int16(),  # lower edge of the file's open top band: 52 to Nov 2024, then 104
    "aggregate": pl.Boolean(),  # True: a roll-up of other rows (National/Region/ICB); False: the detail
}

#: Table 3 (national overview) and Table 2 (national series) rows.
OVERVIEW_SCHEMA: Final[dict[str, pl.DataType]] = {
    "period": pl.Date(),
    "age_group": pl.String(),  # null for England
    "service_line": pl.String(),  # null for England / Adult services / CYP services
    "band": pl.String(),
    "weeks_from": pl.Int16(),
    "weeks_to": pl.Int16(),
    "count": pl.Float64(),
}
SERIES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "period": pl.Date(),
    "age_group": pl.String(),
    "service_line": pl.String(),
    "count": pl.Float64(),
    "published": pl.Date(),
    "source": pl.String(),
}
NON_SUBMITTER_SCHEMA: Final[dict[str, pl.DataType]] = {
    "period": pl.Date(),
    "org_type": pl.String(),  # National | Region | ICB
    "org_name": pl.String(),
    "non_submitters": pl.Int32(),
    "in_scope": pl.Int32(),  # organisations in scope in the workbook's month
}

_BAND_TITLE = re.compile(r"^Number waiting (?:(0)-(1)|>(\d+)-(\d+)|over (\d+)) weeks")
_TOTAL_TITLE = "Total waiting list by service"
_TITLE_PERIOD = re.compile(r",\s*([A-Za-z]+)\s+(\d{4})\s*$")
_OVERVIEW_BAND = re.compile(r"^Waiting (?:(0)-(1)|>(\d+)-(\d+)|>(\d+)|over (\d+)) weeks$")
_MONTH_HEADER = re.compile(r"^([A-Za-z]{3})-(\d{2})$")
_IN_SCOPE = re.compile(r"of (\d+) in scope")
_TOTAL_LINES: Final[dict[str, str | None]] = {"England": None, "Adult services": "adult", "CYP services": "cyp"}
_HEADER_SEARCH_ROWS = 30


def _label(lo: int, hi: int | None) -> str:
    if lo == 0 and hi == 1:
        return "0-1"
    return f">{lo}" if hi is None else f">{lo}-{hi}"


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _split_service(path: Path, sheet: str, row: int, header: str) -> tuple[str, str]:
    for prefix, group in AGE_GROUPS.items():
        if header.startswith(prefix):
            return group, header[len(prefix) :].strip()
    raise CommunityFileError(
        f"{place(path, sheet, row, header)}: a service column must start with '(A) ' or '(CYP) '"
    )


def _number(value: Any, path: Path, sheet: str, row: int, column: str) -> float:
    """A count cell: a number, or NaN for a blank ("no organisation submitted")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return np.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommunityFileError(f"{place(path, sheet, row, column)}: not a count (expected a number or blank)")
    if value < 0:
        raise CommunityFileError(f"{place(path, sheet, row, column)}: a count cannot be negative")
    return float(value)


def _find_header(path: Path, sheet: str, rows: list[tuple[Any, ...]], column: int, text: str) -> int:
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if len(row) > column and _text(row[column]) == text:
            return i
    raise CommunityFileError(
        f"{place(path, sheet)}: no header row with {text!r} in column {'AB'[column]} "
        f"in the first {_HEADER_SEARCH_ROWS} rows"
    )


def _period_of_title(path: Path, sheet: str, title: str) -> dt.date:
    m = _TITLE_PERIOD.search(title)
    try:
        if not m:
            raise ValueError
        first = dt.datetime.strptime(f"{m.group(1)} {m.group(2)}", "%B %Y").date()
    except ValueError:
        raise CommunityFileError(
            f"{place(path, sheet, 1, 'A')}: the title does not end with the month (e.g. ', July 2025')"
        ) from None
    return _month_end(first.year, first.month)


def _band_of_title(path: Path, sheet: str, title: str) -> str:
    if title.startswith(_TOTAL_TITLE):
        return "total"
    m = _BAND_TITLE.match(title)
    if not m:
        raise CommunityFileError(
            f"{place(path, sheet, 1, 'A')}: the title names neither the total waiting list nor a weeks band"
        )
    g = m.groups()
    if g[0] is not None:
        return "0-1"
    if g[2] is not None:
        return _label(int(g[2]), int(g[3]))
    return _label(int(g[4]), None)


def _band_columns(band: str) -> tuple[int | None, int | None]:
    return (None, None) if band == "total" else BAND_EDGES[band]


def _organisation_sheet(path: Path, sheet: str, rows: list[tuple[Any, ...]]) -> tuple[dt.date, pl.DataFrame]:
    """One of Tables 4, 4a–4h → (period, tidy rows of that band, all organisation levels)."""
    if not rows:
        raise CommunityFileError(f"{place(path, sheet)}: the sheet is empty")
    title = _text(rows[0][0])
    period = _period_of_title(path, sheet, title)
    band = _band_of_title(path, sheet, title)
    h = _find_header(path, sheet, rows, 0, "Organisation Type")
    header = [_text(v) for v in rows[h]]
    if header[1:3] != ["Organisation Code", "Organisation Name"]:
        raise CommunityFileError(
            f"{place(path, sheet, h + 1)}: expected 'Organisation Code' and 'Organisation Name' after "
            f"'Organisation Type'"
        )
    services = [(j, *_split_service(path, sheet, h + 1, name)) for j, name in enumerate(header) if j >= 3 and name]
    org_type: list[str] = []
    org_code: list[str | None] = []
    org_name: list[str] = []
    values: list[list[float]] = []
    for i in range(h + 1, len(rows)):
        row = rows[i]
        kind = _text(row[0]) if row else ""
        if not kind:
            if any(_text(v) for v in row):
                raise CommunityFileError(f"{place(path, sheet, i + 1, 'Organisation Type')}: blank")
            continue
        if kind not in ORG_TYPES:
            raise CommunityFileError(
                f"{place(path, sheet, i + 1, 'Organisation Type')}: not one of {', '.join(ORG_TYPES)}"
            )
        code = _text(row[1]) if len(row) > 1 else ""
        if kind != "National" and not code:
            raise CommunityFileError(f"{place(path, sheet, i + 1, 'Organisation Code')}: blank")
        org_type.append(kind)
        org_code.append(code or None)
        org_name.append(_text(row[2]) if len(row) > 2 else "")
        values.append([
            _number(row[j] if j < len(row) else None, path, sheet, i + 1, header[j]) for j, _, _ in services
        ])
    if org_type.count("National") != 1:
        raise CommunityFileError(
            f"{place(path, sheet, column='Organisation Type')}: expected one 'National' row, "
            f"found {org_type.count('National')}"
        )
    matrix = np.asarray(values, dtype=np.float64).reshape(len(values), len(services))
    kinds = np.asarray(org_type)
    provider = kinds == "Provider"
    national = kinds == "National"
    # Detail: provider cells; for a line no provider publishes (suppressed below national level), the
    # national cell. Everything else is a roll-up of the detail.
    provider_published = (~np.isnan(matrix[provider])).any(axis=0) if provider.any() else np.zeros(len(services), bool)
    detail = provider[:, None] | (national[:, None] & ~provider_published[None, :])
    r, c = np.nonzero(~np.isnan(matrix))
    lo, hi = _band_columns(band)
    frame = pl.DataFrame(
        {
            "period": [period] * len(r),
            "org_type": kinds[r].tolist(),
            "org_code": [org_code[k] for k in r],
            "org_name": [org_name[k] for k in r],
            "age_group": [services[k][1] for k in c],
            "service_line": [services[k][2] for k in c],
            "band": [band] * len(r),
            "weeks_from": [lo] * len(r),
            "weeks_to": [hi] * len(r),
            "count": matrix[r, c],
            "top_band_from": [None] * len(r),
            "aggregate": (~detail[r, c]).tolist(),
        },
        schema=CHS_SCHEMA,
    )
    return period, frame


def _overview_sheet(path: Path, sheet: str, rows: list[tuple[Any, ...]], period: dt.date) -> pl.DataFrame:
    h = _find_header(path, sheet, rows, 1, "Total waiting list")
    header = [_text(v) for v in rows[h]]
    columns: list[tuple[int, str]] = []
    for j, name in enumerate(header):
        if j == 1:
            columns.append((j, "total"))
        elif j > 1 and name:
            m = _OVERVIEW_BAND.match(name)
            if not m:
                raise CommunityFileError(f"{place(path, sheet, h + 1, name)}: not a 'Waiting … weeks' band")
            g = m.groups()
            if g[0] is not None:
                columns.append((j, "0-1"))
            elif g[2] is not None:
                columns.append((j, _label(int(g[2]), int(g[3]))))
            else:
                columns.append((j, _label(int(g[4] or g[5]), None)))
    out: dict[str, list[Any]] = {k: [] for k in OVERVIEW_SCHEMA}
    for i in range(h + 1, len(rows)):
        row = rows[i]
        line = _text(row[0]) if row else ""
        if not line:
            continue
        if line in _TOTAL_LINES:
            group, service = _TOTAL_LINES[line], None
        else:
            group, service = _split_service(path, sheet, i + 1, line)
        for j, band in columns:
            value = _number(row[j] if j < len(row) else None, path, sheet, i + 1, header[j] or band)
            if np.isnan(value):
                continue
            lo, hi = _band_columns(band)
            for key, v in zip(OVERVIEW_SCHEMA, (period, group, service, band, lo, hi, value), strict=True):
                out[key].append(v)
    return pl.DataFrame(out, schema=OVERVIEW_SCHEMA)


def _series_sheet(path: Path, sheet: str, rows: list[tuple[Any, ...]], published: dt.date | None) -> pl.DataFrame:
    h = _find_header(path, sheet, rows, 0, "Service")
    header = [_text(v) for v in rows[h]]
    months: list[tuple[int, dt.date]] = []
    for j, name in enumerate(header[1:], start=1):
        if not name:
            continue
        m = _MONTH_HEADER.match(name)
        try:
            if not m:
                raise ValueError
            first = dt.datetime.strptime(f"{m.group(1)} 20{m.group(2)}", "%b %Y").date()
        except ValueError:
            raise CommunityFileError(f"{place(path, sheet, h + 1, name)}: not a month like 'Apr-25'") from None
        months.append((j, _month_end(first.year, first.month)))
    out: dict[str, list[Any]] = {k: [] for k in SERIES_SCHEMA}
    for i in range(h + 1, len(rows)):
        row = rows[i]
        line = _text(row[0]) if row else ""
        if not line:
            continue
        group, service = (_TOTAL_LINES[line], None) if line in _TOTAL_LINES else _split_service(path, sheet, i + 1, line)
        for j, month in months:
            value = _number(row[j] if j < len(row) else None, path, sheet, i + 1, header[j])
            if not np.isnan(value):
                for key, v in zip(SERIES_SCHEMA, (month, group, service, value, published, path.name), strict=True):
                    out[key].append(v)
    return pl.DataFrame(out, schema=SERIES_SCHEMA)


def _non_submitters_sheet(path: Path, sheet: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    title = _text(rows[0][0]) if rows else ""
    m = _IN_SCOPE.search(title)
    if not m:
        raise CommunityFileError(f"{place(path, sheet, 1, 'A')}: the title does not give the organisations in scope")
    in_scope = int(m.group(1))
    h = _find_header(path, sheet, rows, 0, "Organisation Type")
    header = [_text(v) for v in rows[h]]
    out: dict[str, list[Any]] = {k: [] for k in NON_SUBMITTER_SCHEMA}
    months = []
    for j, name in enumerate(header[2:], start=2):
        if name and (mm := _MONTH_HEADER.match(name)):
            first = dt.datetime.strptime(f"{mm.group(1)} 20{mm.group(2)}", "%b %Y").date()
            months.append((j, _month_end(first.year, first.month)))
    for i in range(h + 1, len(rows)):
        row = rows[i]
        kind, name = (_text(row[0]), _text(row[1])) if len(row) > 1 else ("", "")
        if not name:
            continue
        kind = kind or "National"
        for j, month in months:
            value = _number(row[j] if j < len(row) else None, path, sheet, i + 1, header[j])
            if not np.isnan(value):
                for key, v in zip(NON_SUBMITTER_SCHEMA, (month, kind, name, int(value), in_scope), strict=True):
                    out[key].append(v)
    return pl.DataFrame(out, schema=NON_SUBMITTER_SCHEMA)


def _published_date(path: Path, rows: list[tuple[Any, ...]]) -> dt.date | None:
    for row in rows[:20]:
        if row and _text(row[0]) == "Published:" and len(row) > 1:
            value = row[1]
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            try:
                return dt.datetime.strptime(_text(value), "%d/%m/%Y").date()
            except ValueError:
                raise CommunityFileError(
                    f"{place(path, 'Cover page', None, 'B')}: 'Published:' is not a date dd/mm/yyyy"
                ) from None
    return None


@dataclass(frozen=True)
class ChsWorkbook:
    """One CHS workbook, read: the month, its tables as tidy frames and when it was published."""

    path: Path
    period: dt.date
    published: dt.date | None
    tidy: pl.DataFrame  # Tables 4, 4a–4h, every organisation level (CHS_SCHEMA, ``aggregate`` flag)
    overview: pl.DataFrame  # Table 3 (OVERVIEW_SCHEMA)
    series: pl.DataFrame  # Table 2 (SERIES_SCHEMA)
    non_submitters: pl.DataFrame  # Table 1 (NON_SUBMITTER_SCHEMA)


def _open_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    if not path.exists():
        raise CommunityFileError(f"{path}: no such file")
    if path.suffix.lower() != ".xlsx":
        raise CommunityFileError(f"{path}: expected an .xlsx workbook")
    import openpyxl

    try:
        # A full load fails on these workbooks (a drawing part is missing); read-only mode works.
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise CommunityFileError(f"{path}: cannot open as an Excel workbook ({type(exc).__name__})") from exc
    try:
        sheets: dict[str, list[tuple[Any, ...]]] = {}
        for name in book.sheetnames:
            if name == "Cover page" or name.startswith("Table "):
                ws = book[name]
                ws.reset_dimensions()  # type: ignore[union-attr]  # read-only sheets report A1 only
                sheets[name] = list(ws.iter_rows(values_only=True))
        return sheets
    finally:
        book.close()


def read_chs_workbook(path: str | Path) -> ChsWorkbook:
    """Read one CHS waiting-list workbook (all its tables); raises :class:`CommunityFileError`."""
    path = Path(path)
    sheets = _open_rows(path)
    band_sheets = sorted(n for n in sheets if re.fullmatch(r"Table 4[a-z]?", n))
    if "Table 4" not in band_sheets:
        raise CommunityFileError(f"{path}: no sheet 'Table 4' (is this a CHS waiting-list workbook?)")
    frames = []
    period = None
    for name in band_sheets:
        p, frame = _organisation_sheet(path, name, sheets[name])
        if period is None:
            period = p
        elif p != period:
            raise CommunityFileError(f"{place(path, name, 1, 'A')}: the title's month differs from 'Table 4'")
        frames.append(frame)
    assert period is not None
    tidy = pl.concat(frames, how="vertical")
    bands = set(tidy["band"].unique().to_list())
    top = 104 if ">104" in bands else 52
    tidy = tidy.with_columns(pl.lit(top, pl.Int16).alias("top_band_from"))
    published = _published_date(path, sheets.get("Cover page", []))
    empty = pl.DataFrame(schema=OVERVIEW_SCHEMA)
    overview = _overview_sheet(path, "Table 3", sheets["Table 3"], period) if "Table 3" in sheets else empty
    series = (_series_sheet(path, "Table 2", sheets["Table 2"], published) if "Table 2" in sheets
              else pl.DataFrame(schema=SERIES_SCHEMA))
    non_submitters = (_non_submitters_sheet(path, "Table 1", sheets["Table 1"]) if "Table 1" in sheets
                      else pl.DataFrame(schema=NON_SUBMITTER_SCHEMA))
    return ChsWorkbook(path, period, published, tidy, overview, series, non_submitters)


Workbooks = str | Path | ChsWorkbook | Iterable[str | Path | ChsWorkbook]


def _books(paths: Workbooks) -> list[ChsWorkbook]:
    """Workbooks from paths (read here) or already-read :class:`ChsWorkbook` objects."""
    items = [paths] if isinstance(paths, (str, Path, ChsWorkbook)) else list(paths)
    return [p if isinstance(p, ChsWorkbook) else read_chs_workbook(p) for p in items]


def read_chs(paths: Workbooks, *, include_totals: bool = False) -> pl.DataFrame:
    """CHS workbooks (one per month) → one tidy long table (:data:`CHS_SCHEMA`), sorted.

    ``paths``: workbook paths or :class:`ChsWorkbook` objects already read (each function accepts both).
    One row per month × organisation × service line × band (``band = 'total'`` from Table 4; the weeks
    bands from Tables 4a–4h with ``weeks_from``/``weeks_to`` edges). Blank cells give no row (nothing
    submitted); a submitted zero gives a row with count 0. By default only the detail (``aggregate`` False:
    provider rows, and the national row of a line published nationally only), whose sum is the national
    figure; ``include_totals`` adds the workbooks' own National, Region and ICB rows (``aggregate`` True).
    Two workbooks of the same month are refused (keep the one you mean to use).
    """
    frames = []
    seen: dict[dt.date, Path] = {}
    for book in _books(paths):
        if book.period in seen:
            raise CommunityFileError(f"{book.path}: the same month ({book.period:%B %Y}) as {seen[book.period]}")
        seen[book.period] = book.path
        frames.append(book.tidy if include_totals else book.tidy.filter(~pl.col("aggregate")))
    if not frames:
        return pl.DataFrame(schema=CHS_SCHEMA)
    return pl.concat(frames, how="vertical").sort(
        "period", "org_type", "org_code", "age_group", "service_line", "weeks_from", nulls_last=False
    )


def read_chs_overview(paths: Workbooks) -> pl.DataFrame:
    """Table 3 of each workbook: the published national figures (England, adult, CYP, each line) by band."""
    frames = [b.overview for b in _books(paths)]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=OVERVIEW_SCHEMA)


def read_chs_series(paths: Workbooks) -> pl.DataFrame:
    """Table 2 of each workbook (the national series as that workbook published it), with its
    ``published`` date and ``source`` file: the input of :func:`chs_revisions`."""
    frames = [b.series for b in _books(paths)]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=SERIES_SCHEMA)


def read_chs_non_submitters(paths: Workbooks) -> pl.DataFrame:
    """Table 1 of each workbook: organisations that did not submit, by month and England/region/ICB.

    A month appears in every later workbook of the financial year; the latest workbook's figure is kept.
    """
    books = sorted(_books(paths), key=lambda b: b.period)
    frames = [b.non_submitters for b in books]
    if not frames:
        return pl.DataFrame(schema=NON_SUBMITTER_SCHEMA)
    return (
        pl.concat(frames, how="vertical")
        .unique(subset=["period", "org_type", "org_name"], keep="last", maintain_order=True)
        .sort("period", "org_type", "org_name")
    )


def chs_revisions(series: pl.DataFrame) -> pl.DataFrame:
    """Each month × line of the Table 2 series: first and latest published value, and whether it changed.

    Columns: ``period, age_group, service_line, first_count, first_published, latest_count,
    latest_published, revised`` (latest ≠ first), ``n_editions``. Workbooks are ordered by publication date.
    """
    keys = ["period", "age_group", "service_line"]
    ordered = series.sort("published", "source", nulls_last=False)
    return (
        ordered.group_by(keys, maintain_order=True)
        .agg(
            pl.col("count").first().alias("first_count"),
            pl.col("published").first().alias("first_published"),
            pl.col("count").last().alias("latest_count"),
            pl.col("published").last().alias("latest_published"),
            pl.len().alias("n_editions"),
        )
        .with_columns(revised=pl.col("latest_count") != pl.col("first_count"))
        .sort(keys, nulls_last=False)
    )


def chs_national_check(tidy: pl.DataFrame, overview: pl.DataFrame | None = None) -> pl.DataFrame:
    """Sum the detail and compare it with the workbook's own national rows.

    ``tidy``: :func:`read_chs` with ``include_totals=True`` (it needs the National rows). For each period ×
    age group × service line × band, ``computed`` (sum of the detail rows) against ``published`` (the
    National row of Table 4 / 4a–4h). With ``overview`` (Table 3), also the totals for England
    (``age_group`` and ``service_line`` null) and for adult and CYP services (``service_line`` null).
    Columns: ``period, age_group, service_line, band, computed, published, difference, equal``.
    """
    keys = ["period", "age_group", "service_line", "band"]
    detail = tidy.filter(~pl.col("aggregate"))
    national = tidy.filter(pl.col("org_type") == "National").group_by(keys).agg(pl.col("count").sum().alias("published"))
    if national.height == 0:
        raise ValueError("chs_national_check needs the National rows: read with include_totals=True")
    lines = detail.group_by(keys).agg(pl.col("count").sum().alias("computed"))
    parts = [lines.join(national, on=keys, how="full", coalesce=True, nulls_equal=True)]
    if overview is not None and overview.height:
        published = overview.filter(pl.col("service_line").is_null()).select(
            *keys, pl.col("count").alias("published"))
        england = detail.group_by("period", "band").agg(pl.col("count").sum().alias("computed")).with_columns(
            pl.lit(None, pl.String).alias("age_group"), pl.lit(None, pl.String).alias("service_line"))
        groups = detail.group_by("period", "age_group", "band").agg(pl.col("count").sum().alias("computed"))
        groups = groups.with_columns(pl.lit(None, pl.String).alias("service_line"))
        computed = pl.concat([england.select(*keys, "computed"), groups.select(*keys, "computed")])
        parts.append(computed.join(published, on=keys, how="full", coalesce=True, nulls_equal=True))
    out = pl.concat([p.select(*keys, "computed", "published") for p in parts], how="vertical")
    return (
        out.with_columns(
            pl.col("computed").fill_null(0.0),
            difference=pl.col("computed").fill_null(0.0) - pl.col("published"),
        )
        .with_columns(equal=pl.col("difference").fill_null(1.0) == 0)
        .sort(keys, nulls_last=False)
    )


def band_order(bands: Sequence[str]) -> list[str]:
    """Band labels in order of their lower edge ('total' first)."""
    return sorted(bands, key=lambda b: (-1, 0) if b == "total" else (BAND_EDGES[b][0], BAND_EDGES[b][1] or 10**6))
