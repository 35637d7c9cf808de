"""Readers for NHS England's A&E attendances and emergency admissions statistics (the monthly A&E SitRep).

Two layouts:

* the monthly provider CSV (``Monthly-AE-<Month>-<Year>.csv``, also ``…-revised.csv`` when NHS England
  republishes a month): one row per provider, ``Period`` ``MSitAE-APRIL-2025``, ``Org Code``, ``Parent Org``
  (the NHS England region), ``Org name``, then 18 counts (attendances, attendances over 4 hours, each
  for type 1, type 2 and other departments, with booked appointments apart; patients waiting 4–12 and
  12+ hours from decision to admit to admission; emergency admissions via A&E by type and other emergency
  admissions), and a last ``TOTAL`` (or ``Total``) row holding England's totals. Some editions carry empty
  trailing columns, which are ignored.
* the tidy 2016–2019 series of the NHS-R Community's ``NHSRdatasets`` package (``ae_attendances``,
  April 2016 – March 2019, from the same NHS England publication): ``period`` (first day of the month),
  ``org_code``, ``type`` (``1``, ``2``, ``other``), ``attendances``, ``breaches`` (over 4 hours),
  ``admissions``. It has no England row and no region.

Department types (NHS Data Dictionary, "Emergency Care Department Type"): type 1 is a consultant-led
24-hour service with full resuscitation facilities; type 2 a consultant-led single-specialty department;
"other" covers types 3 and 4 (urgent treatment centres, minor injury units, walk-in centres).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, month_end

__all__ = [
    "AE_MONTHLY_COLUMNS",
    "AE_TIDY_MEASURES",
    "REGION_CODES",
    "read_ae_attendances_tidy",
    "read_ae_monthly",
]

#: Monthly A&E CSV column → measure.
AE_MONTHLY_COLUMNS: dict[str, str] = {
    "A&E attendances Type 1": "attendances_type1",
    "A&E attendances Type 2": "attendances_type2",
    "A&E attendances Other A&E Department": "attendances_other",
    "A&E attendances Booked Appointments Type 1": "booked_attendances_type1",
    "A&E attendances Booked Appointments Type 2": "booked_attendances_type2",
    "A&E attendances Booked Appointments Other Department": "booked_attendances_other",
    "Attendances over 4hrs Type 1": "over_4h_type1",
    "Attendances over 4hrs Type 2": "over_4h_type2",
    "Attendances over 4hrs Other Department": "over_4h_other",
    "Attendances over 4hrs Booked Appointments Type 1": "booked_over_4h_type1",
    "Attendances over 4hrs Booked Appointments Type 2": "booked_over_4h_type2",
    "Attendances over 4hrs Booked Appointments Other Department": "booked_over_4h_other",
    "Patients who have waited 4-12 hs from DTA to admission": "dta_4_to_12h",
    "Patients who have waited 12+ hrs from DTA to admission": "dta_over_12h",
    "Emergency admissions via A&E - Type 1": "emergency_admissions_type1",
    "Emergency admissions via A&E - Type 2": "emergency_admissions_type2",
    "Emergency admissions via A&E - Other A&E department": "emergency_admissions_other",
    "Other emergency admissions": "other_emergency_admissions",
}
_KEYS = {"Period": "period_text", "Org Code": "org_code", "Parent Org": "region_name", "Org name": "org_name"}

#: Tidy 2016–2019 series: (``type`` value, column) → measure.
AE_TIDY_MEASURES: dict[tuple[str, str], str] = {
    (t, col): f"{stem}_{suffix}"
    for t, suffix in (("1", "type1"), ("2", "type2"), ("other", "other"))
    for col, stem in (("attendances", "attendances"), ("breaches", "over_4h"), ("admissions", "emergency_admissions"))
}

#: NHS England's seven regions (since April 2020): the name as in ``Parent Org`` → region code.
REGION_CODES: dict[str, str] = {
    "LONDON": "Y56",
    "SOUTH WEST": "Y58",
    "SOUTH EAST": "Y59",
    "MIDLANDS": "Y60",
    "EAST OF ENGLAND": "Y61",
    "NORTH WEST": "Y62",
    "NORTH EAST AND YORKSHIRE": "Y63",
}


def _region_code_expr(name: pl.Expr) -> pl.Expr:
    """Region code from a published region name (``NHS ENGLAND MIDLANDS``, ``LONDON COMMISSIONING REGION``)."""
    key = (
        name.str.to_uppercase()
        .str.replace("NHS ENGLAND", "", literal=True)
        .str.replace("COMMISSIONING REGION", "", literal=True)
        .str.strip_chars()
    )
    return key.replace_strict(REGION_CODES, default=None, return_dtype=pl.String)


def _period(text: str, path: Path, line: int) -> dt.date:
    parts = text.strip().split("-")
    try:
        if len(parts) != 3 or parts[0].upper() != "MSITAE":
            raise ValueError(text)
        first = dt.datetime.strptime(f"{parts[1].title()} {parts[2]}", "%B %Y").date()
    except ValueError:
        raise FlowFileError(path, "is not 'MSitAE-<MONTH>-<YYYY>'", row=line, column="Period") from None
    return month_end(first.year, first.month)


def _bad_number(path: Path, text: pl.DataFrame, columns: list[str]) -> None:
    """Raise naming the first cell of ``columns`` that is not a number (blank and ``-`` are allowed);
    ``text`` carries each row's line in the file as ``_line``."""
    for name in columns:
        col = pl.col(name).str.strip_chars().str.replace_all(",", "")
        bad = text.filter(col.is_not_null() & ~col.is_in(["", "-"]) & col.cast(pl.Float64, strict=False).is_null())
        if bad.height:
            raise FlowFileError(path, "is not a number", row=int(bad["_line"][0]), column=name)


def _numbers(columns: list[str]) -> list[pl.Expr]:
    return [
        pl.col(c).str.strip_chars().str.replace_all(",", "").replace({"": None, "-": None}).cast(pl.Float64)
        for c in columns
    ]


def _read_text(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FlowFileError(path, f"cannot read as CSV ({type(exc).__name__})") from exc
    return frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})


def read_ae_monthly(path: str | Path) -> pl.DataFrame:
    """One monthly A&E provider CSV into the tidy flow table (provider rows and the England total row)."""
    path = Path(path)
    text = _read_text(path)
    missing = [c for c in (*_KEYS, *AE_MONTHLY_COLUMNS) if c not in text.columns]
    if missing:
        raise FlowFileError(path, f"header lacks column(s) {missing} (renamed or missing)", row=1)
    text = (
        text.select(*_KEYS, *AE_MONTHLY_COLUMNS)
        .with_row_index("_line", offset=2)  # the line in the file (the header is line 1)
        .filter(pl.any_horizontal(pl.col(list(_KEYS)).str.strip_chars().fill_null("") != ""))
    )
    _bad_number(path, text, list(AE_MONTHLY_COLUMNS))
    is_total = pl.col("Org Code").str.strip_chars().str.to_uppercase() == "TOTAL"
    no_code = text.filter(~is_total.fill_null(False) & pl.col("Org Code").str.strip_chars().fill_null("").eq(""))
    if no_code.height:
        raise FlowFileError(path, "has no org code", row=int(no_code["_line"][0]), column="Org Code")
    periods = (
        text.filter(~is_total)
        .group_by("Period", maintain_order=True)
        .agg(pl.col("_line").first())
    )
    if periods.height != 1:
        raise FlowFileError(path, f"expected one month, found {periods.height} different periods", column="Period")
    period = _period(periods["Period"][0], path, int(periods["_line"][0]))
    wide = text.rename(_KEYS).with_columns(
        *_numbers(list(AE_MONTHLY_COLUMNS)),
        pl.col("org_code", "org_name", "region_name").str.strip_chars(),
    )
    wide = wide.with_columns(
        level=pl.when(pl.col("org_code").str.to_uppercase() == "TOTAL")
        .then(pl.lit("england"))
        .otherwise(pl.lit("provider")),
    ).with_columns(
        org_code=pl.when(pl.col("level") == "england").then(None).otherwise(pl.col("org_code")),
        org_name=pl.when(pl.col("level") == "england").then(pl.lit("England")).otherwise(pl.col("org_name")),
        region_name=pl.when(pl.col("level") == "england").then(None).otherwise(pl.col("region_name")),
    )
    wide = wide.with_columns(
        region_code=_region_code_expr(pl.col("region_name")),
    )
    long = wide.unpivot(
        index=["level", "org_code", "org_name", "region_code", "region_name"],
        on=list(AE_MONTHLY_COLUMNS),
        variable_name="measure",
        value_name="value",
    ).filter(pl.col("value").is_not_null())
    return _finish(long.with_columns(pl.col("measure").replace_strict(AE_MONTHLY_COLUMNS)), period, path)


def _finish(long: pl.DataFrame, period: dt.date | pl.Expr, path: Path, frequency: str = "month") -> pl.DataFrame:
    out = long.with_columns(
        publication=pl.lit("ae"),
        period=period if isinstance(period, pl.Expr) else pl.lit(period, pl.Date),
        frequency=pl.lit(frequency),
        icb_code=pl.lit(None, pl.String),
        breakdown=pl.lit(None, pl.String),
        source=pl.lit(path.name),
    )
    for name in FLOW_SCHEMA:
        if name not in out.columns:
            out = out.with_columns(pl.lit(None, pl.String).alias(name))
    return out.select(list(FLOW_SCHEMA)).cast(FLOW_SCHEMA)  # type: ignore[arg-type]


_TIDY_STEMS = {"attendances": "attendances", "breaches": "over_4h", "admissions": "emergency_admissions"}
_TIDY_TYPES = {"1": "type1", "2": "type2", "other": "other"}
_TIDY_COLUMNS = ("period", "org_code", "type", "attendances", "breaches", "admissions")


def read_ae_attendances_tidy(path: str | Path) -> pl.DataFrame:
    """The tidy 2016–2019 A&E series (``NHSRdatasets::ae_attendances`` exported to CSV) into the flow table.

    Every row is a provider row (the series has no England row and no region)."""
    path = Path(path)
    text = _read_text(path)
    missing = [c for c in _TIDY_COLUMNS if c not in text.columns]
    if missing:
        raise FlowFileError(path, f"header lacks column(s) {missing} (renamed or missing)", row=1)
    text = text.with_row_index("_line", offset=2)
    _bad_number(path, text, ["attendances", "breaches", "admissions"])
    dated = text.with_columns(
        pl.col("period").str.strip_chars().str.to_date("%Y-%m-%d", strict=False).alias("_date"),
        pl.col("type").str.strip_chars().str.to_lowercase(),
    )
    bad = dated.filter(pl.col("_date").is_null())
    if bad.height:
        raise FlowFileError(path, "is not a date YYYY-MM-DD", row=int(bad["_line"][0]), column="period")
    bad = dated.filter(~pl.col("type").is_in(["1", "2", "other"]))
    if bad.height:
        raise FlowFileError(path, "is not 1, 2 or other", row=int(bad["_line"][0]), column="type")
    long = (
        dated.with_columns(*_numbers(["attendances", "breaches", "admissions"]))
        .unpivot(index=["_date", "org_code", "type"], on=["attendances", "breaches", "admissions"],
                 variable_name="column", value_name="value")
        .filter(pl.col("value").is_not_null())
        .with_columns(
            measure=pl.col("column").replace_strict(_TIDY_STEMS) + "_" + pl.col("type").replace_strict(_TIDY_TYPES),
            level=pl.lit("provider"),
            org_code=pl.col("org_code").str.strip_chars(),
        )
    )
    return _finish(long, pl.col("_date").dt.month_end(), path)
