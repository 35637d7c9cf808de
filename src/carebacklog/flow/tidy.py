"""The one tidy long table every urgent-care and capacity reader produces, and its error type.

One row per ``publication × period × organisation × measure × breakdown``:

==================  ===========================================================================
column              meaning
==================  ===========================================================================
``publication``     ``ae`` (A&E attendances and emergency admissions), ``kh03`` (beds open
                    overnight), ``dm01`` (diagnostic waiting times and activity),
                    ``cancelled_ops`` (last-minute cancelled elective operations)
``period``          last day of the month (A&E, DM01) or of the quarter (KH03, cancellations)
``frequency``       ``month`` | ``quarter``
``level``           ``provider`` | ``region`` | ``england`` (``england`` = the file's own
                    national total row; never add it to provider rows)
``org_code``        ODS code of the provider or region as published (null for England rows)
``org_name``        name as published (``England``, ``TOTAL`` … for the national row)
``icb_code``        the provider's ICB where the file gives one (none of NHS England's provider
                    files here do; :func:`carebacklog.flow.measures.with_icb` adds it from ODS)
``region_code``     NHS England region code (``Y56`` …) where the file gives it
``region_name``     region name as published (A&E files give the name only, in ``Parent Org``)
``measure``         what is counted (see each reader's ``MEASURES``)
``breakdown``       DM01 diagnostic test name (null = all tests); null elsewhere
``value``           Float64 (counts; KH03 bed numbers are average daily beds, so fractional)
``source``          the file name the row was read from (not the folder)
==================  ===========================================================================

Zero values are kept (a provider with no 12-hour waits reported zero); a blank or ``-`` cell (NHS
England's "not applicable") gives no row.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl

from carebacklog.errors import BadInputError, where

__all__ = [
    "FLOW_SCHEMA",
    "LEVELS",
    "PUBLICATIONS",
    "FlowFileError",
    "empty_flow",
    "month_end",
    "parse_count",
    "quarter_end",
]

PUBLICATIONS = ("ae", "kh03", "dm01", "cancelled_ops")
LEVELS = ("provider", "region", "england")

FLOW_SCHEMA: dict[str, pl.DataType] = {
    "publication": pl.String(),
    "period": pl.Date(),
    "frequency": pl.String(),
    "level": pl.String(),
    "org_code": pl.String(),
    "org_name": pl.String(),
    "icb_code": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "measure": pl.String(),
    "breakdown": pl.String(),
    "value": pl.Float64(),
    "source": pl.String(),
}


class FlowFileError(BadInputError):
    """A published urgent-care or capacity file that cannot be read.

    The message names the file and, where known, the sheet, the row (as numbered in the spreadsheet or
    the line of the CSV) and the column; it never quotes a cell's neighbours.
    """

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        place = str(path)
        if sheet is not None:
            place += f", sheet {sheet!r}"
        rest = where(None, row, column)
        if rest:
            place += f", {rest}"
        super().__init__(f"{place}: {problem}")
        self.path = str(path)
        self.sheet = sheet
        self.row = row
        self.column = column


def empty_flow() -> pl.DataFrame:
    """A tidy flow table with no rows."""
    return pl.DataFrame(schema=FLOW_SCHEMA)


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(financial_year: str, quarter: int) -> dt.date:
    """Last day of quarter ``quarter`` (1–4) of an NHS financial year ``'2024-25'`` (April to March)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", financial_year.strip())
    if not m or quarter not in (1, 2, 3, 4):
        raise ValueError(f"{financial_year!r} quarter {quarter}")
    start = int(m.group(1))
    return month_end(start + 1, 3) if quarter == 4 else month_end(start, 3 + 3 * quarter)


_NOT_APPLICABLE = {"", "-", "*", "..", "n/a", "na"}


def parse_count(value: Any) -> float | None:
    """A cell as a number: ``None`` for blank or ``-`` (not applicable); raises ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text.lower() in _NOT_APPLICABLE:
        return None
    return float(text)
