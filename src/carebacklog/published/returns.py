"""The monthly RTT return written from our own RTT periods, in NHS England's Full CSV layout.

One row per provider × commissioner × RTT part × reported treatment function (NHS England's grouping,
:mod:`carebacklog.published.tf_grouping`), plus the ``C_999`` "Total" row of each provider × commissioner
× part, in the 121 columns of the published "Full CSV data file" (docs/rules-rtt.md §Published statistics). What each part counts, for
the calendar month ``month`` (rules: NHS England, "Recording and reporting RTT waiting times for
consultant-led elective care"; the clock rules of docs/rules-rtt.md §Clock rules):

- ``Part_1A``: admitted completions, clock stopped (admission with status 30) in the month, by weeks
  waited at the stop;
- ``Part_1B``: non-admitted completions (30 on another activity, 31, 32, 34, 35, 36) in the month;
- ``Part_2``: periods open at the month's last day, by weeks waited on that day;
- ``Part_2A``: the Part_2 periods with a decision to admit recorded by the month's end;
- ``Part_3``: new RTT periods (clock starts) in the month, including periods later nullified by a
  first-appointment DNA (docs/rules-rtt.md §Clock rules, rule 4), published as a total only (no bands).

Weeks waited use :func:`carebacklog.rtt.weeks_waited_band` (rule 8). Nullified and transferred periods
never count as completions; like the engine's PTL at that census, they count in Part_2 at a month end
that falls before their nullifying DNA or transfer (so a month's return does not depend on later events). Cells follow the
published file: Part_1A/1B fill bands, ``Total``, ``Patients with unknown clock start date`` (always 0:
every period built by the engine has a clock start) and ``Total All``; Part_2/2A fill bands and ``Total
All`` and leave ``Total`` and unknown blank; Part_3 fills ``Total All`` only.

Public names: :func:`return_counts`, :func:`monthly_return`, :func:`write_monthly_return`,
:func:`month_bounds`, :func:`period_label`, :func:`organisations_from_published`, :data:`FULL_CSV_COLUMNS`, :data:`PART_DESCRIPTIONS`.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import polars as pl

from carebacklog.published.tf_grouping import (
    TOTAL_CODE,
    treatment_function_group_expr,
    treatment_function_names,
    treatment_function_order,
)

__all__ = [
    "BAND_COLUMNS",
    "FULL_CSV_COLUMNS",
    "ID_COLUMNS",
    "PART_DESCRIPTIONS",
    "month_bounds",
    "monthly_return",
    "organisations_from_published",
    "period_label",
    "return_counts",
    "write_monthly_return",
]

#: Identifier columns of NHS England's Full CSV data file, in order.
ID_COLUMNS: tuple[str, ...] = (
    "Period",
    "Provider Parent Org Code",
    "Provider Parent Name",
    "Provider Org Code",
    "Provider Org Name",
    "Commissioner Parent Org Code",
    "Commissioner Parent Name",
    "Commissioner Org Code",
    "Commissioner Org Name",
    "RTT Part Type",
    "RTT Part Description",
    "Treatment Function Code",
    "Treatment Function Name",
)
#: The 105 weekly bands: ``Gt 00 To 01 Weeks SUM 1`` … ``Gt 103 To 104 Weeks SUM 1``, ``Gt 104 Weeks SUM 1``.
BAND_COLUMNS: tuple[str, ...] = (
    *(f"Gt {k:02d} To {k + 1:02d} Weeks SUM 1" for k in range(104)),
    "Gt 104 Weeks SUM 1",
)
TOTAL, UNKNOWN_START, TOTAL_ALL = "Total", "Patients with unknown clock start date", "Total All"
#: All 121 columns of the Full CSV data file, in the published order.
FULL_CSV_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, *BAND_COLUMNS, TOTAL, UNKNOWN_START, TOTAL_ALL)

#: RTT Part Type → RTT Part Description, as written in the published files.
PART_DESCRIPTIONS: dict[str, str] = {
    "Part_1A": "Completed Pathways For Admitted Patients",
    "Part_1B": "Completed Pathways For Non-Admitted Patients",
    "Part_2": "Incomplete Pathways",
    "Part_2A": "Incomplete Pathways with DTA",
    "Part_3": "New RTT Periods - All Patients",
}
_PART_ORDER = {part: i for i, part in enumerate(PART_DESCRIPTIONS)}
_KEYS = ["provider_code", "commissioner_code", "part", "treatment_function"]


def month_bounds(month: str | date) -> tuple[date, date]:
    """First and last day of ``month`` (``"YYYY-MM"`` or any date in the month)."""
    if isinstance(month, str):
        try:
            year, mon = (int(x) for x in month.strip().split("-")[:2])
            first = date(year, mon, 1)
        except ValueError as exc:
            raise ValueError(f"month must look like YYYY-MM, got {month!r}") from exc
    else:
        first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def period_label(month: str | date) -> str:
    """The file's ``Period`` value, e.g. ``RTT-January-2026``."""
    first, _ = month_bounds(month)
    return f"RTT-{calendar.month_name[first.month]}-{first.year}"


def return_counts(periods: pl.DataFrame, month: str | date) -> pl.DataFrame:
    """The return's counts in long form, before layout: one row per provider × commissioner × part ×
    reported treatment function × weeks band (null for Part_3) with ``count`` (Int64, > 0).

    ``periods`` is :func:`carebacklog.rtt.build_periods` output built with ``census_date`` = the month's
    last day (as ``carebacklog rtt return`` does). Periods built from a longer history give the same
    counts for clock starts and stops (a stop, nullification or transfer after the month end leaves the
    period open at the month end), but a period's latest treatment function, commissioner or decision to
    admit may then be one recorded after the month.
    """
    from carebacklog.rtt import weeks_waited_band

    first, last = month_bounds(month)
    first_lit, last_lit = pl.lit(first, pl.Date), pl.lit(last, pl.Date)
    base = periods.with_columns(treatment_function=treatment_function_group_expr("treatment_function"))

    def days_to(end: pl.Expr) -> pl.Expr:
        return (end - pl.col("clock_start")).dt.total_days()

    stopped_in_month = pl.col("clock_stop").is_between(first_lit, last_lit)
    completed = base.filter(pl.col("outcome").is_in(["admitted", "non_admitted"]) & stopped_in_month).select(
        *_KEYS[:2],
        pl.when(pl.col("outcome") == "admitted")
        .then(pl.lit("Part_1A"))
        .otherwise(pl.lit("Part_1B"))
        .alias("part"),
        "treatment_function",
        weeks_waited_band(days_to(pl.col("clock_stop"))).alias("weeks_band"),
    )
    open_at_end = base.filter(
        (pl.col("clock_start") <= last_lit)
        # open until its stop: a period nullified or transferred later was open on this day
        & (pl.col("clock_stop").is_null() | (pl.col("clock_stop") > last_lit))
    ).with_columns(weeks_band=weeks_waited_band(days_to(last_lit)))
    incomplete = open_at_end.select(
        *_KEYS[:2], pl.lit("Part_2").alias("part"), "treatment_function", "weeks_band"
    )
    with_dta = open_at_end.filter(
        pl.col("has_dta") & (pl.col("dta_date").is_null() | (pl.col("dta_date") <= last_lit))
    ).select(*_KEYS[:2], pl.lit("Part_2A").alias("part"), "treatment_function", "weeks_band")
    new_periods = base.filter(pl.col("clock_start").is_between(first_lit, last_lit)).select(
        *_KEYS[:2],
        pl.lit("Part_3").alias("part"),
        "treatment_function",
        pl.lit(None, pl.Int16).alias("weeks_band"),
    )
    rows = pl.concat([completed, incomplete, with_dta, new_periods], how="vertical_relaxed")
    return (
        rows.group_by([*_KEYS, "weeks_band"])
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .sort([*_KEYS, "weeks_band"], nulls_last=True)
    )


def _default_organisations() -> pl.DataFrame:
    """Provider names from the bundled ODS trust list (``data/nhs_trusts_etr_with_latlon.csv``)."""
    from importlib.resources import files

    path = files("carebacklog") / "data" / "nhs_trusts_etr_with_latlon.csv"
    trusts = pl.read_csv(path.read_bytes(), columns=["org_code", "org_name"], infer_schema_length=0)
    return trusts.with_columns(parent_code=pl.lit(None, pl.String), parent_name=pl.lit(None, pl.String))


def organisations_from_published(tidy: pl.DataFrame, orgs: pl.DataFrame) -> pl.DataFrame:
    """Names and parents (ICBs) of providers and commissioners from a published month, for ``organisations``.

    ``tidy`` is :func:`carebacklog.published.read_rtt` output (child → parent codes) and ``orgs``
    :func:`carebacklog.published.read_orgs` output (code → name per organisation type). Returns ``org_code,
    org_name, parent_code, parent_name``, one row per provider or commissioner code.
    """
    frames = []
    for child, parent in (("provider", "provider_parent"), ("commissioner", "commissioner_parent")):
        pairs = tidy.select(
            pl.col(f"{child}_code").alias("org_code"), pl.col(f"{parent}_code").alias("parent_code")
        ).unique("org_code", keep="first")
        names = orgs.filter(pl.col("org_type") == child).select("org_code", "org_name")
        parents = orgs.filter(pl.col("org_type") == parent).select(
            pl.col("org_code").alias("parent_code"), pl.col("org_name").alias("parent_name")
        )
        frames.append(
            pairs.filter(pl.col("org_code").is_not_null())
            .join(names, on="org_code", how="left")
            .join(parents, on="parent_code", how="left")
            .select("org_code", "org_name", "parent_code", "parent_name")
        )
    return pl.concat(frames).unique("org_code", keep="first", maintain_order=True)


def _org_columns(frame: pl.DataFrame, orgs: pl.DataFrame, code: str, prefix: str) -> pl.DataFrame:
    renamed = orgs.select(
        pl.col("org_code").alias(code),
        pl.col("org_name").alias(f"{prefix} Org Name"),
        pl.col("parent_code").alias(f"{prefix} Parent Org Code"),
        pl.col("parent_name").alias(f"{prefix} Parent Name"),
    ).unique(code, keep="first")
    return frame.join(renamed, on=code, how="left", maintain_order="left")


def monthly_return(
    periods: pl.DataFrame, month: str | date, *, organisations: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The monthly RTT return for ``month`` in the Full CSV layout (all 121 columns, in order).

    ``organisations`` (optional): ``org_code, org_name, parent_code, parent_name`` for providers and
    commissioners (parent = ICB); by default provider names come from the bundled ODS trust list and the
    other name and parent cells are left blank. A period with no commissioner is written with a blank
    commissioner code. Rows in NHS England's order: provider parent, provider, commissioner parent (blank
    first), commissioner, part (1A, 1B, 2, 2A, 3), treatment function (``C_100`` … ``X06``, then ``C_999``).
    """
    counts = return_counts(periods, month)
    band_exprs = [
        pl.col("count").filter(pl.col("weeks_band") == k).sum().alias(column)
        for k, column in enumerate(BAND_COLUMNS)
    ]
    detail = counts.group_by(_KEYS).agg(*band_exprs, pl.col("count").sum().alias(TOTAL_ALL))
    totals = (
        detail.group_by(_KEYS[:3])
        .agg(pl.col([*BAND_COLUMNS, TOTAL_ALL]).sum())
        .with_columns(treatment_function=pl.lit(TOTAL_CODE))
        .select(detail.columns)
    )
    wide = pl.concat([detail, totals])
    part = pl.col("part")
    is_completed = part.is_in(["Part_1A", "Part_1B"])
    wide = wide.with_columns(
        [pl.when(part == "Part_3").then(None).otherwise(pl.col(c)).alias(c) for c in BAND_COLUMNS],
    ).with_columns(
        pl.when(is_completed).then(pl.col(TOTAL_ALL)).otherwise(None).alias(TOTAL),
        pl.when(is_completed).then(pl.lit(0, pl.Int64)).otherwise(None).alias(UNKNOWN_START),
    )
    names = treatment_function_names()
    order = {code: i for i, code in enumerate(treatment_function_order())}
    wide = wide.with_columns(
        pl.lit(period_label(month)).alias("Period"),
        pl.col("part").alias("RTT Part Type"),
        pl.col("part")
        .replace_strict(PART_DESCRIPTIONS, return_dtype=pl.String)
        .alias("RTT Part Description"),
        pl.col("treatment_function").alias("Treatment Function Code"),
        pl.col("treatment_function")
        .replace_strict(names, default="", return_dtype=pl.String)
        .alias("Treatment Function Name"),
        pl.col("provider_code").alias("Provider Org Code"),
        pl.col("commissioner_code").alias("Commissioner Org Code"),
        _sort_part=pl.col("part").replace_strict(_PART_ORDER, return_dtype=pl.Int8),
        _sort_tf=pl.col("treatment_function").replace_strict(
            order, default=len(order), return_dtype=pl.Int16
        ),
    )
    orgs = _default_organisations() if organisations is None else organisations
    wide = _org_columns(wide, orgs, "provider_code", "Provider")
    wide = _org_columns(wide, orgs, "commissioner_code", "Commissioner")
    # NHS England's row order (checked on the January 2026 national file): provider parent, provider,
    # commissioner parent (blank first), commissioner, then part and treatment function.
    rows = ["Provider Parent Org Code", "provider_code", "Commissioner Parent Org Code", "commissioner_code"]
    return wide.sort([*rows, "_sort_part", "_sort_tf"], nulls_last=False).select(FULL_CSV_COLUMNS)


def write_monthly_return(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write the return as CSV (blank cells for nulls, as NHS England publishes)."""
    target = Path(path)
    frame.select(FULL_CSV_COLUMNS).write_csv(target)
    return target
