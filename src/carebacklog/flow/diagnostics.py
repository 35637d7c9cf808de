"""Reader for DM01, NHS England's "Monthly Diagnostics Web File – Provider" (``.xls``).

Sheets ``Provider`` (all 15 key tests together) and ``Provider by Test``: metadata (``Period: April
2025``) above a header row ``Regional Team Code, Regional Team Name, Provider Code, Provider Name``
(``Provider by Test`` adds ``Diagnostic ID, Diagnostic Test Name``), ``Total Waiting List, Number
waiting 6+ Weeks, Number waiting 13+ Weeks, Percentage waiting 6+ weeks``, the weekly bands ``0 <01
weeks`` … ``12 <13 weeks``, ``13+ weeks``, then the month's activity (``Planned tests / procedures``,
``Unscheduled tests / procedures``, ``Waiting list tests / procedures (excluding planned)``). The first
data row (``Provider Name`` ``Total``, no code) is England's. In ``Provider by Test`` each provider also
has a ``Total`` test row (its all-tests line, the same as the ``Provider`` sheet's); it is not read
again, and neither is that sheet's England row.

Waiting list: patients waiting for a test at the end of the month, by weeks waited since the request
(NHS England, "Diagnostics Waiting Times and Activity: guidance" (DM01)).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from carebacklog.flow.sheets import Table, read_sheet, sheet_names, table_from_rows
from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, month_end

__all__ = ["DM01_COLUMNS", "DM01_SHEETS", "read_dm01"]

DM01_SHEETS = ("Provider", "Provider by Test")
#: DM01 column → measure (bands: ``waiting_band_00`` = under 1 week … ``waiting_band_13_plus``).
DM01_COLUMNS: dict[str, str] = {
    "Total Waiting List": "waiting_list_total",
    "Number waiting 6+ Weeks": "waiting_6_plus_weeks",
    "Number waiting 13+ Weeks": "waiting_13_plus_weeks",
    "Percentage waiting 6+ weeks": "waiting_6_plus_share",
    **{f"{k:02d} <{k + 1:02d} weeks" if k else "0 <01 weeks": f"waiting_band_{k:02d}" for k in range(13)},
    "13+ weeks": "waiting_band_13_plus",
    "Planned tests / procedures": "activity_planned",
    "Unscheduled tests / procedures": "activity_unscheduled",
    "Waiting list tests / procedures (excluding planned)": "activity_waiting_list",
}
_ANCHORS = ("Regional Team Code", "Provider Code", "Provider Name")
_TEST_COLUMNS = ("Diagnostic ID", "Diagnostic Test Name")


def _period(table: Table) -> dt.date:
    text = table.metadata.get("Period", "")
    try:
        first = dt.datetime.strptime(re.sub(r"\s+", " ", text.strip()), "%B %Y").date()
    except ValueError:
        raise FlowFileError(
            table.path, f"metadata 'Period:' is {text!r}, expected e.g. 'April 2025'", sheet=table.sheet
        ) from None
    return month_end(first.year, first.month)


def _sheet(path: Path, sheet: str, by_test: bool) -> tuple[dt.date, pl.DataFrame]:
    anchors = (*_ANCHORS, *_TEST_COLUMNS) if by_test else _ANCHORS
    table = table_from_rows(path, sheet, read_sheet(path, sheet), anchors)
    period = _period(table)
    columns = [(table.index(name), measure) for name, measure in DM01_COLUMNS.items()]
    region_i, region_name_i = table.index("Regional Team Code"), table.index("Regional Team Name")
    code_i, name_i = table.index("Provider Code"), table.index("Provider Name")
    test_i = table.index("Diagnostic Test Name") if by_test else None
    keys = ("level", "org_code", "org_name", "region_code", "region_name", "breakdown", "measure", "value")
    out: dict[str, list[object]] = {k: [] for k in keys}
    for offset, row in enumerate(table.rows):
        code, name = table.text(row, code_i), table.text(row, name_i)
        if not code and not name:
            continue
        level = "england" if not code and name.lower() in ("total", "england") else "provider"
        if level == "provider" and not code:
            raise FlowFileError(path, "has no provider code", sheet=sheet, row=table.first_row + offset,
                                column="Provider Code")
        test = table.text(row, test_i) if test_i is not None else None
        if by_test and (level == "england" or (test or "").lower() == "total"):
            continue  # the all-tests lines, read from the Provider sheet
        if by_test and not test:
            raise FlowFileError(path, "has no test name", sheet=sheet, row=table.first_row + offset,
                                column="Diagnostic Test Name")
        region = table.text(row, region_i) or None
        region_name = table.text(row, region_name_i) or None
        for i, measure in columns:
            value = table.number(row, i, offset)
            if value is None:
                continue
            out["level"].append(level)
            out["org_code"].append(code or None)
            out["org_name"].append("England" if level == "england" else name)
            out["region_code"].append(region)
            out["region_name"].append(region_name)
            out["breakdown"].append(test)
            out["measure"].append(measure)
            out["value"].append(value)
    return period, pl.DataFrame(out, schema={k: FLOW_SCHEMA[k] for k in keys})


def read_dm01(path: str | Path, *, by_test: bool = True) -> pl.DataFrame:
    """One DM01 provider workbook into the tidy flow table.

    Rows of the ``Provider`` sheet have ``breakdown`` null (all tests); with ``by_test`` (default) the
    ``Provider by Test`` rows follow with ``breakdown`` = the test's name (e.g. ``Magnetic Resonance
    Imaging``). ``waiting_6_plus_share`` is NHS England's published fraction (0–1).
    """
    path = Path(path)
    names = sheet_names(path)
    wanted = DM01_SHEETS if by_test else DM01_SHEETS[:1]
    for sheet in wanted:
        if sheet not in names:
            raise FlowFileError(path, f"no sheet {sheet!r} (sheets: {names})")
    period, frame = _sheet(path, "Provider", by_test=False)
    frames = [frame]
    if by_test:
        test_period, tests = _sheet(path, "Provider by Test", by_test=True)
        if test_period != period:
            raise FlowFileError(path, f"'Provider by Test' is for {test_period}, 'Provider' for {period}")
        frames.append(tests)
    out = pl.concat(frames).with_columns(
        publication=pl.lit("dm01"),
        period=pl.lit(period, pl.Date),
        frequency=pl.lit("month"),
        icb_code=pl.lit(None, pl.String),
        source=pl.lit(path.name),
    )
    return out.select(list(FLOW_SCHEMA)).cast(FLOW_SCHEMA)  # type: ignore[arg-type]
