"""The tidy long table every published-file reader produces (docs/architecture.md contract)."""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl

__all__ = [
    "CURRENT_TOP_BAND",
    "LEGACY_TOP_BAND",
    "PARTS",
    "TIDY_SCHEMA",
    "TOTAL_TREATMENT_FUNCTIONS",
    "empty_tidy",
    "month_end",
]

#: RTT Part Types of the monthly return (NHS England, "RTT monthly data collection" guidance).
PARTS = ("Part_1A", "Part_1B", "Part_2", "Part_2A", "Part_3")

#: Open-ended top band of the Full CSV extract from April 2021 (``Gt 104 Weeks SUM 1``; PRN01045 v3.0
#: "changes to the monthly aggregate data return from April 2021").
CURRENT_TOP_BAND = 104
#: Open-ended top band of files before April 2021 (``52 plus`` / ``Gt 52 Weeks SUM 1``).
LEGACY_TOP_BAND = 52

#: Treatment-function codes of the pre-computed "Total" roll-up rows: ``C_999`` in the Full CSV extract and
#: the New Periods workbook, ``IP999``/``AP999``/``NP999`` in the 2014/15 commissioner workbooks.
TOTAL_TREATMENT_FUNCTIONS = ("C_999", "IP999", "AP999", "NP999")

#: Column order and types of the tidy table. ``top_band`` (beyond the architecture contract's eight
#: columns) is the open-ended top band of the row's source layout: 104 for current files, 52 for files
#: before April 2021 where band 52 means "52 weeks or more". Measures use it to leave thresholds the
#: file cannot answer (e.g. over 65 weeks in a 2014 file) as null rather than wrongly zero.
TIDY_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "provider_parent_code": pl.String(),
    "provider_code": pl.String(),
    "commissioner_parent_code": pl.String(),
    "commissioner_code": pl.String(),
    "part": pl.String(),
    "treatment_function": pl.String(),
    "weeks_band": pl.Int16(),
    "count": pl.Float64(),
    "top_band": pl.Int16(),
}


def empty_tidy() -> pl.DataFrame:
    """A tidy table with no rows."""
    return pl.DataFrame(schema=TIDY_SCHEMA)


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month: the ``period`` of a monthly RTT file."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])
