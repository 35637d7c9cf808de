"""Readers for KH03, NHS England's "Bed Availability and Occupancy Data – Overnight" (quarterly).

Two layouts:

* the quarterly workbook (``Beds-Open-Overnight-Web_File-Q<n>-<yyyy-yy>[revised].xlsx``), sheets
  ``NHS Trust by Sector`` and ``Region by Sector`` (the same columns, ``AT Name`` for the region): metadata (``Period: April to June 2025``) above a two-row header, the group row
  ``Available`` / ``Occupied`` / ``% Occupied`` over ``Year, Period End, Region Code, Org Code, Org Name``
  and the sectors ``Total, General & Acute, Learning Disabilities, Maternity, Mental Illness``. Values are
  the average daily number of beds open overnight in the quarter (so fractional). The first data row is
  England's (no org code). ``-`` in ``% Occupied`` means no beds of that sector (some editions pad it
  with spaces). Trailing empty columns and rows vary between editions and are ignored.
* the master quarterly trust CSV (``master-quarterly-trust.csv``, a trust × quarter panel derived from
  KH03 by a third party, 2018-19 Q1 onward): ``org_code, period`` (``2024-25 Q3``), ``org_name``, and
  ``kh03_avail_ga_avg_beds, kh03_occ_ga_avg_beds, kh03_occ_ga_rate, kh03_avail_mat_avg_beds,
  kh03_occ_mat_avg_beds`` among others; England's row has ``org_code`` ``NAN``. Only the general & acute
  and maternity columns are read: they reconcile with England's row exactly. Its ``…_all_…`` columns do
  not match KH03's total beds (they are rounded and of another sector), and its A&E and cancellation
  columns are quarterly re-aggregations of the other publications; neither is read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from carebacklog.flow.sheets import read_sheet, sheet_names, table_from_rows
from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, month_end

__all__ = [
    "KH03_MASTER_COLUMNS",
    "KH03_REGION_SHEET",
    "KH03_SECTORS",
    "KH03_SHEET",
    "read_kh03",
    "read_kh03_master",
]

KH03_SHEET = "NHS Trust by Sector"
#: The regions' sheet: the same columns with ``AT Name`` (the region's name) for the organisation.
KH03_REGION_SHEET = "Region by Sector"
#: KH03 sector heading → measure suffix.
KH03_SECTORS = {
    "Total": "total",
    "General & Acute": "general_acute",
    "Learning Disabilities": "learning_disabilities",
    "Maternity": "maternity",
    "Mental Illness": "mental_illness",
}
_GROUPS = {"Available": "beds_available", "Occupied": "beds_occupied", "% Occupied": "occupied_share"}
_PERIOD = re.compile(r"^([A-Za-z]+) to ([A-Za-z]+) (\d{4})$")

#: Master quarterly trust CSV column → measure.
KH03_MASTER_COLUMNS = {
    "kh03_avail_ga_avg_beds": "beds_available_general_acute",
    "kh03_occ_ga_avg_beds": "beds_occupied_general_acute",
    "kh03_occ_ga_rate": "occupied_share_general_acute",
    "kh03_avail_mat_avg_beds": "beds_available_maternity",
    "kh03_occ_mat_avg_beds": "beds_occupied_maternity",
}


def _quarter_period(text: str, path: Path, sheet: str) -> dt.date:
    m = _PERIOD.match(text.strip())
    try:
        if not m:
            raise ValueError(text)
        last = dt.datetime.strptime(f"{m.group(2)} {m.group(3)}", "%B %Y").date()
    except ValueError:
        raise FlowFileError(
            path, f"metadata 'Period:' is {text!r}, expected e.g. 'April to June 2025'", sheet=sheet
        ) from None
    return month_end(last.year, last.month)


def read_kh03(path: str | Path, *, regions: bool = True) -> pl.DataFrame:
    """One KH03 quarterly workbook into the tidy flow table: trusts and England from ``NHS Trust by
    Sector``; with ``regions`` (and where the workbook has it), the seven regions from ``Region by Sector``
    (``level`` ``region``; its England line repeats the trusts' sheet's and is not read again).

    Measures ``beds_available_<sector>``, ``beds_occupied_<sector>`` (average daily beds) and
    ``occupied_share_<sector>`` (as published, 0–1) for the sectors of :data:`KH03_SECTORS`.
    """
    path = Path(path)
    period, frame = _kh03_sheet(path, KH03_SHEET, ("Region Code", "Org Code", "Org Name"))
    frames = [frame]
    if regions and KH03_REGION_SHEET in sheet_names(path):
        region_period, region_frame = _kh03_sheet(path, KH03_REGION_SHEET, ("Region Code", "AT Name"))
        if region_period != period:
            raise FlowFileError(path, f"sheets {KH03_SHEET!r} and {KH03_REGION_SHEET!r} are for different quarters")
        frames.append(region_frame.filter(pl.col("level") == "region"))
    return _finish(pl.concat(frames), pl.lit(period, pl.Date), path)


def _kh03_sheet(path: Path, sheet: str, anchors: tuple[str, ...]) -> tuple[dt.date, pl.DataFrame]:
    table = table_from_rows(path, sheet, read_sheet(path, sheet), anchors, group_row=True)
    period = _quarter_period(table.metadata.get("Period", ""), path, sheet)
    columns = []
    for group, stem in _GROUPS.items():
        for sector, suffix in KH03_SECTORS.items():
            columns.append((table.index(f"{group} | {sector}"), f"{stem}_{suffix}"))
    trusts = "Org Code" in anchors
    region_i = table.index("Region Code")
    code_i = table.index("Org Code") if trusts else region_i
    name_i = table.index("Org Name" if trusts else "AT Name")
    keys = ("level", "org_code", "org_name", "region_code", "region_name", "measure", "value")
    out: dict[str, list[object]] = {k: [] for k in keys}
    for offset, row in enumerate(table.rows):
        code, name = table.text(row, code_i), table.text(row, name_i)
        if not code and not name:
            continue
        if not code and name.lower() == "england":
            level = "england"
        elif not code:
            raise FlowFileError(path, "has no code", sheet=sheet, row=table.first_row + offset,
                                column="Org Code" if trusts else "Region Code")
        else:
            level = "provider" if trusts else "region"
        region = table.text(row, region_i) or None
        for i, measure in columns:
            value = table.number(row, i, offset)
            if value is None:
                continue
            out["level"].append(level)
            out["org_code"].append(code or None)
            out["org_name"].append("England" if level == "england" else name)
            out["region_code"].append(None if level == "england" else region)
            out["region_name"].append(name if level == "region" else None)
            out["measure"].append(measure)
            out["value"].append(value)
    return period, pl.DataFrame(out, schema={k: FLOW_SCHEMA[k] for k in keys})


def _finish(frame: pl.DataFrame, period: pl.Expr, path: Path) -> pl.DataFrame:
    out = frame.with_columns(
        publication=pl.lit("kh03"),
        period=period,
        frequency=pl.lit("quarter"),
        source=pl.lit(path.name),
    )
    for name in FLOW_SCHEMA:
        if name not in out.columns:
            out = out.with_columns(pl.lit(None, pl.String).alias(name))
    return out.select(list(FLOW_SCHEMA)).cast(FLOW_SCHEMA)  # type: ignore[arg-type]


_MASTER_KEYS = ("org_code", "period", "org_name")


def read_kh03_master(path: str | Path) -> pl.DataFrame:
    """The master quarterly trust CSV (KH03 general & acute and maternity beds) into the tidy flow table."""
    path = Path(path)
    try:
        text = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FlowFileError(path, f"cannot read as CSV ({type(exc).__name__})") from exc
    text = text.rename({c: c.lstrip("\ufeff").strip() for c in text.columns})
    missing = [c for c in (*_MASTER_KEYS, *KH03_MASTER_COLUMNS) if c not in text.columns]
    if missing:
        raise FlowFileError(path, f"header lacks column(s) {missing} (renamed or missing)", row=1)
    text = text.select(*_MASTER_KEYS, *KH03_MASTER_COLUMNS).with_row_index("_line", offset=2)
    for name in KH03_MASTER_COLUMNS:
        col = pl.col(name).str.strip_chars()
        bad = text.filter(col.is_not_null() & (col != "") & col.cast(pl.Float64, strict=False).is_null())
        if bad.height:
            raise FlowFileError(path, "is not a number", row=int(bad["_line"][0]), column=name)
    parts = pl.col("period").str.strip_chars().str.extract_groups(r"^(\d{4})-(\d{2}) Q([1-4])$")
    text = text.with_columns(_parts=parts)
    bad = text.filter(pl.col("_parts").struct.field("1").is_null())
    if bad.height:
        raise FlowFileError(path, "is not '<yyyy>-<yy> Q<n>'", row=int(bad["_line"][0]), column="period")
    start = pl.col("_parts").struct.field("1").cast(pl.Int32)
    quarter = pl.col("_parts").struct.field("3").cast(pl.Int32)
    year = pl.when(quarter == 4).then(start + 1).otherwise(start)
    month = pl.when(quarter == 4).then(3).otherwise(3 + 3 * quarter)
    is_england = pl.col("org_name").str.strip_chars().str.to_lowercase() == "england"
    no_code = text.filter(~is_england.fill_null(False) & pl.col("org_code").str.strip_chars().fill_null("").eq(""))
    if no_code.height:
        raise FlowFileError(path, "has no org code", row=int(no_code["_line"][0]), column="org_code")
    wide = text.with_columns(
        pl.date(year, month, 1).dt.month_end().alias("_period"),
        pl.when(is_england).then(pl.lit("england")).otherwise(pl.lit("provider")).alias("level"),
        pl.when(is_england).then(None).otherwise(pl.col("org_code").str.strip_chars()).alias("org_code"),
        pl.when(is_england).then(pl.lit("England")).otherwise(pl.col("org_name").str.strip_chars()).alias("org_name"),
        *(pl.col(c).str.strip_chars().replace({"": None}).cast(pl.Float64) for c in KH03_MASTER_COLUMNS),
    )
    long = (
        wide.unpivot(index=["_period", "level", "org_code", "org_name"], on=list(KH03_MASTER_COLUMNS),
                     variable_name="measure", value_name="value")
        .filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
        .with_columns(pl.col("measure").replace_strict(KH03_MASTER_COLUMNS))
    )
    return _finish(long, pl.col("_period"), path)
