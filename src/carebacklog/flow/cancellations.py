"""Reader for NHS England's quarterly "Cancelled Elective Operations" workbooks (QMCO collection).

Sheet ``Provider``: metadata (``Period: Quarter 1, 2025-26 (April to June 2025)``) above a header row
``Region Code, Region Name, Organisation Code, Organisation Name, Number of last minute elective
operations cancelled for non clinical reasons, Number of patients not treated within 28 days of last
minute elective cancellation``; two England rows come first (``England (Excluding Independent Sector)``
and ``England (Including Independent Sector)``), then NHS trusts and independent-sector providers.
Sheet ``National & Regional``: England (excluding the independent sector) and the seven regions.

Definitions (NHS England, "Cancelled elective operations: guidance"): a last-minute cancellation is one
on the day the patient was due to arrive, after arrival, or on the day of the operation, for non-clinical
reasons; the NHS Constitution pledges that such a patient is offered another binding date within 28 days
or treated at the time and hospital of their choice, and the second count is the patients for whom that
was not done.

England rows are ``level`` ``england``: ``breakdown`` null for the row including the independent sector
(the sum of every provider row), ``excluding independent sector`` for the other; region rows are
``level`` ``region`` with ``breakdown`` ``excluding independent sector``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from carebacklog.flow.sheets import Table, read_sheet, sheet_names, table_from_rows
from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, quarter_end

__all__ = ["CANCELLED_COLUMNS", "EXCLUDING_IS", "read_cancelled_ops"]

CANCELLED_COLUMNS = {
    "Number of last minute elective operations cancelled for non clinical reasons": "last_minute_cancellations",
    "Number of patients not treated within 28 days of last minute elective cancellation": "not_treated_within_28_days",
}
#: ``breakdown`` of England and region rows that leave out independent-sector providers.
EXCLUDING_IS = "excluding independent sector"
_PERIOD = re.compile(r"Quarter\s+([1-4]),\s*(\d{4}-\d{2})")


def _period(table: Table) -> dt.date:
    text = table.metadata.get("Period", "")
    m = _PERIOD.search(text)
    if not m:
        raise FlowFileError(
            table.path, f"metadata 'Period:' is {text!r}, expected e.g. 'Quarter 1, 2025-26 (April to June 2025)'",
            sheet=table.sheet,
        )
    return quarter_end(m.group(2), int(m.group(1)))


def _read(table: Table, provider_sheet: bool) -> pl.DataFrame:
    columns = [(table.index(name), measure) for name, measure in CANCELLED_COLUMNS.items()]
    region_i, region_name_i = table.index("Region Code"), table.index("Region Name")
    code_i = table.index("Organisation Code") if provider_sheet else None
    name_i = table.index("Organisation Name") if provider_sheet else None
    keys = ("level", "org_code", "org_name", "region_code", "region_name", "breakdown", "measure", "value")
    out: dict[str, list[object]] = {k: [] for k in keys}
    for offset, row in enumerate(table.rows):
        region, region_name = table.text(row, region_i), table.text(row, region_name_i)
        code: str | None = table.text(row, code_i) if code_i is not None else region
        name = table.text(row, name_i) if name_i is not None else region_name
        breakdown: str | None = None
        if not name.lower().startswith("england") and (not code or code == "-"):
            if any(table.text(row, i) for i, _ in columns):
                raise FlowFileError(table.path, "has no organisation code", sheet=table.sheet,
                                    row=table.first_row + offset,
                                    column="Organisation Code" if provider_sheet else "Region Code")
            continue  # blank separator or the closing note
        if name.lower().startswith("england"):
            level, code, breakdown = "england", None, None if "including" in name.lower() else EXCLUDING_IS
            region, region_name = "", ""
        elif provider_sheet:
            level, breakdown = "provider", None
        else:
            level, breakdown = "region", EXCLUDING_IS
        for i, measure in columns:
            value = table.number(row, i, offset)
            if value is None:
                continue
            out["level"].append(level)
            out["org_code"].append(code)
            out["org_name"].append(name)
            out["region_code"].append(region or None)
            out["region_name"].append(region_name or None)
            out["breakdown"].append(breakdown)
            out["measure"].append(measure)
            out["value"].append(value)
    return pl.DataFrame(out, schema={k: FLOW_SCHEMA[k] for k in keys})


def read_cancelled_ops(path: str | Path, *, regions: bool = True) -> pl.DataFrame:
    """One quarterly cancelled-operations workbook into the tidy flow table (provider and England rows
    from ``Provider``; with ``regions``, the region rows of ``National & Regional``)."""
    path = Path(path)
    names = sheet_names(path)
    if "Provider" not in names:
        raise FlowFileError(path, f"no sheet 'Provider' (sheets: {names})")
    provider = table_from_rows(path, "Provider", read_sheet(path, "Provider"),
                               ("Region Code", "Organisation Code", "Organisation Name"))
    period = _period(provider)
    frames = [_read(provider, provider_sheet=True)]
    if regions and "National & Regional" in names:
        sheet = "National & Regional"
        national = table_from_rows(path, sheet, read_sheet(path, sheet), ("Region Code", "Region Name"))
        if _period(national) != period:
            raise FlowFileError(path, "sheets 'Provider' and 'National & Regional' are for different quarters")
        frames.append(_read(national, provider_sheet=False).filter(pl.col("level") == "region"))
    out = pl.concat(frames).with_columns(
        publication=pl.lit("cancelled_ops"),
        period=pl.lit(period, pl.Date),
        frequency=pl.lit("quarter"),
        icb_code=pl.lit(None, pl.String),
        source=pl.lit(path.name),
    )
    return out.select(list(FLOW_SCHEMA)).cast(FLOW_SCHEMA)  # type: ignore[arg-type]
