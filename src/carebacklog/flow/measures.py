"""Urgent-care and capacity measures and their standards, from the tidy flow table (pure functions).

Each function sums provider rows for each ``period`` × grouping (``by``: ``national``, ``region``,
``icb`` or ``provider``) and derives the published measure, so the national figure is the sum of
providers: :func:`carebacklog.flow.national_check` proves that equals each file's own England row.

* **A&E 4-hour performance** (:func:`ae_performance`): the share of attendances that were admitted,
  transferred or discharged within 4 hours of arrival, all department types and type 1; booked
  appointments count in both numerator and denominator, as in NHS England's "A&E Attendances and
  Emergency Admissions" statistics. The NHS Constitution's standard is 95%; NHS England's "2025/26
  priorities and operational planning guidance" (January 2025) asks for a minimum of 78% of patients
  seen within 4 hours in March 2026 (:data:`AE_FOUR_HOUR_STANDARD`).
* **12-hour waits from decision to admit** ("trolley waits"): patients who waited more than 12 hours from
  the decision to admit to admission, and their share of emergency admissions via A&E.
* **General and acute bed occupancy** (:func:`bed_occupancy`): average occupied ÷ average available
  general & acute beds open overnight (KH03). NHS England's "Delivery plan for recovering urgent and
  emergency care services" (January 2023) set an ambition of 92% or below (:data:`BED_OCCUPANCY_AMBITION`).
* **Diagnostics waiting 6+ weeks** (:func:`diagnostic_waits`): patients waiting 6 weeks or more for one of
  the 15 key tests at month end ÷ all waiting (DM01). The operational standard is no more than 1%
  (:data:`DM01_STANDARD`; NHS England, "Diagnostics Waiting Times and Activity" guidance); the "Delivery
  plan for tackling the COVID-19 backlog of elective care" (February 2022) set the interim ambition of
  95% within 6 weeks by March 2025, i.e. no more than 5% (:data:`DM01_INTERIM_STANDARD`).
* **Cancelled operations** (:func:`cancelled_operations`): last-minute elective cancellations for
  non-clinical reasons, and the patients not treated within 28 days of one (the NHS Constitution's
  28-day pledge), as a share of the cancellations.

:func:`peer_rank` ranks providers against peers of the same kind; :func:`provider_chart` draws the XmR
chart (Making Data Count rules, :func:`carebacklog.spc.xmr_chart`) of one provider's series;
:func:`with_icb` adds each provider's ICB from the ODS trust list.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Literal

import polars as pl

from carebacklog.spc import XmrChart, xmr_chart

__all__ = [
    "AE_CONSTITUTIONAL_STANDARD",
    "AE_FOUR_HOUR_STANDARD",
    "BED_OCCUPANCY_AMBITION",
    "DM01_INTERIM_STANDARD",
    "DM01_STANDARD",
    "GROUPINGS",
    "HEADLINES",
    "ae_performance",
    "bed_occupancy",
    "cancelled_operations",
    "diagnostic_waits",
    "load_trust_icbs",
    "peer_rank",
    "provider_chart",
    "trust_summary",
    "with_icb",
]

#: Minimum share (%) of A&E patients seen within 4 hours in March 2026 (2025/26 planning guidance).
AE_FOUR_HOUR_STANDARD = 78.0
#: The NHS Constitution's 4-hour standard (%).
AE_CONSTITUTIONAL_STANDARD = 95.0
#: General & acute bed occupancy ambition (%, or below): UEC recovery plan, January 2023.
BED_OCCUPANCY_AMBITION = 92.0
#: DM01 operational standard: no more than 1% waiting 6 weeks or more.
DM01_STANDARD = 1.0
#: DM01 interim ambition for March 2025: no more than 5% waiting 6 weeks or more.
DM01_INTERIM_STANDARD = 5.0

Grouping = Literal["national", "region", "icb", "provider"]
#: ``by`` → key columns of the output.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "national": (),
    "region": ("region_code",),
    "icb": ("icb_code",),
    "provider": ("org_code",),
}


def _keys(by: str) -> tuple[str, ...]:
    try:
        return GROUPINGS[by]
    except KeyError:
        raise ValueError(f"unknown grouping {by!r}; use national, region, icb or provider") from None


def _wide(
    flow: pl.DataFrame, publication: str, measures: Sequence[str], by: str, breakdown: bool = False
) -> pl.DataFrame:
    """Provider rows of one publication summed per period × grouping, one column per measure (null where
    no file gave the measure)."""
    keys = list(_keys(by))
    if by == "icb" and "icb_code" in flow.columns and flow["icb_code"].null_count() == flow.height:
        raise ValueError("no ICB codes in the table; add them with with_icb(flow, load_trust_icbs())")
    group = ["period", *keys, *(["breakdown"] if breakdown else [])]
    rows = flow.filter(
        (pl.col("publication") == publication)
        & (pl.col("level") == "provider")
        & pl.col("measure").is_in(list(measures))
        & (pl.col("breakdown").is_not_null() if breakdown else pl.col("breakdown").is_null())
    )
    summed = rows.group_by([*group, "measure"]).agg(pl.col("value").sum())
    if summed.is_empty():
        wide = pl.DataFrame(schema={**{c: flow.schema[c] for c in group}})
    else:
        wide = summed.pivot(on="measure", index=group, values="value")
    for m in measures:
        if m not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(m))
    if by == "provider":
        names = (
            flow.filter((pl.col("publication") == publication) & (pl.col("level") == "provider"))
            .sort("period")
            .group_by("org_code")
            .agg(pl.col("org_name").last(), pl.col("region_code").drop_nulls().last())
        )
        wide = wide.join(names, on="org_code", how="left")
        group = ["period", "org_code", "org_name", "region_code", *group[2:]]
    return wide.select(*group, *measures).sort(group, nulls_last=True)


def _pct(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator * 100.0).otherwise(None)


_AE = (
    "attendances_type1", "attendances_type2", "attendances_other",
    "booked_attendances_type1", "booked_attendances_type2", "booked_attendances_other",
    "over_4h_type1", "over_4h_type2", "over_4h_other",
    "booked_over_4h_type1", "booked_over_4h_type2", "booked_over_4h_other",
    "dta_4_to_12h", "dta_over_12h",
    "emergency_admissions_type1", "emergency_admissions_type2", "emergency_admissions_other",
)  # fmt: skip


def _sum(columns: Sequence[str]) -> pl.Expr:
    return pl.sum_horizontal(pl.col(c).fill_null(0.0) for c in columns)


def ae_performance(flow: pl.DataFrame, by: Grouping | str = "national") -> pl.DataFrame:
    """A&E 4-hour performance (all types and type 1) and 12-hour decision-to-admit waits per period.

    Columns: ``period``, the grouping's keys (provider: ``org_code, org_name, region_code``), then
    ``attendances, over_4h, pct_within_4h, attendances_type1, over_4h_type1, pct_within_4h_type1,
    emergency_admissions_via_ae, dta_4_to_12h, dta_over_12h, pct_dta_over_12h`` (12-hour waits per 100
    emergency admissions via A&E), ``standard`` (78) and ``meets_standard`` (all types). Booked
    appointments (published from 2019) count where given. Files without decision-to-admit counts (the
    2016–2019 series) give those columns null. For providers, ``peer_group`` is ``type 1`` for a
    provider with a type 1 department that month, else ``no type 1``.
    """
    w = _wide(flow, "ae", _AE, by)
    kinds = ("type1", "type2", "other")
    att_all = _sum([f"attendances_{k}" for k in kinds] + [f"booked_attendances_{k}" for k in kinds])
    over_all = _sum([f"over_4h_{k}" for k in kinds] + [f"booked_over_4h_{k}" for k in kinds])
    att_1 = _sum(["attendances_type1", "booked_attendances_type1"])
    over_1 = _sum(["over_4h_type1", "booked_over_4h_type1"])
    admissions = _sum([f"emergency_admissions_{k}" for k in kinds])
    keys = [c for c in w.columns if c not in _AE]
    out = w.select(
        *keys,
        att_all.alias("attendances"),
        over_all.alias("over_4h"),
        att_1.alias("attendances_type1"),
        over_1.alias("over_4h_type1"),
        admissions.alias("emergency_admissions_via_ae"),
        pl.col("dta_4_to_12h"),
        pl.col("dta_over_12h"),
    ).with_columns(
        pct_within_4h=_pct(pl.col("attendances") - pl.col("over_4h"), pl.col("attendances")),
        pct_within_4h_type1=_pct(pl.col("attendances_type1") - pl.col("over_4h_type1"), pl.col("attendances_type1")),
        pct_dta_over_12h=_pct(pl.col("dta_over_12h"), pl.col("emergency_admissions_via_ae")),
        standard=pl.lit(AE_FOUR_HOUR_STANDARD),
    ).with_columns(meets_standard=pl.col("pct_within_4h") >= pl.col("standard"))
    columns = [
        *keys, "attendances", "over_4h", "pct_within_4h", "attendances_type1", "over_4h_type1",
        "pct_within_4h_type1", "emergency_admissions_via_ae", "dta_4_to_12h", "dta_over_12h",
        "pct_dta_over_12h", "standard", "meets_standard",
    ]  # fmt: skip
    if by == "provider":
        out = out.with_columns(
            peer_group=pl.when(pl.col("attendances_type1") > 0).then(pl.lit("type 1")).otherwise(pl.lit("no type 1"))
        )
        columns.append("peer_group")
    return out.select(columns)


def bed_occupancy(flow: pl.DataFrame, by: Grouping | str = "national") -> pl.DataFrame:
    """General & acute (and all-sector) bed occupancy per quarter from KH03.

    Columns: ``period``, keys, ``beds_available_general_acute, beds_occupied_general_acute,
    occupancy_general_acute`` (%), ``beds_available_total, beds_occupied_total, occupancy_total`` (null
    where the source gives no all-sector beds, e.g. the master trust panel), ``ambition`` (92) and
    ``above_ambition``. For providers, ``peer_group`` is ``general & acute`` for a trust with such beds,
    else ``other``.
    """
    measures = ("beds_available_general_acute", "beds_occupied_general_acute", "beds_available_total",
                "beds_occupied_total")
    w = _wide(flow, "kh03", measures, by)
    out = w.with_columns(
        occupancy_general_acute=_pct(pl.col("beds_occupied_general_acute"), pl.col("beds_available_general_acute")),
        occupancy_total=_pct(pl.col("beds_occupied_total"), pl.col("beds_available_total")),
        ambition=pl.lit(BED_OCCUPANCY_AMBITION),
    ).with_columns(above_ambition=pl.col("occupancy_general_acute") > pl.col("ambition"))
    keys = [c for c in w.columns if c not in measures]
    columns = [
        *keys, "beds_available_general_acute", "beds_occupied_general_acute", "occupancy_general_acute",
        "beds_available_total", "beds_occupied_total", "occupancy_total", "ambition", "above_ambition",
    ]  # fmt: skip
    if by == "provider":
        out = out.with_columns(
            peer_group=pl.when(pl.col("beds_available_general_acute") > 0)
            .then(pl.lit("general & acute"))
            .otherwise(pl.lit("other"))
        )
        columns.append("peer_group")
    return out.select(columns)


_NHS_TRUST = r"^[RT][A-Z0-9]{2}$"


def _org_kind(code: pl.Expr) -> pl.Expr:
    """``NHS trust`` for a three-character R…/T… ODS code, else ``independent sector or other``."""
    return pl.when(code.str.contains(_NHS_TRUST)).then(pl.lit("NHS trust")).otherwise(
        pl.lit("independent sector or other")
    )


def diagnostic_waits(flow: pl.DataFrame, by: Grouping | str = "national", *, by_test: bool = False) -> pl.DataFrame:
    """DM01: patients waiting at month end and the share waiting 6+ weeks, all tests or by test.

    Columns: ``period``, keys, (``test`` with ``by_test``), ``waiting_list_total, waiting_6_plus_weeks,
    waiting_13_plus_weeks, pct_6_plus_weeks``, ``standard`` (1), ``interim_standard`` (5),
    ``meets_standard``, ``meets_interim_standard``; for providers ``peer_group`` (``NHS trust`` or
    ``independent sector or other``).
    """
    measures = ("waiting_list_total", "waiting_6_plus_weeks", "waiting_13_plus_weeks")
    w = _wide(flow, "dm01", measures, by, breakdown=by_test)
    if by_test:
        w = w.rename({"breakdown": "test"})
    out = w.with_columns(
        pct_6_plus_weeks=_pct(pl.col("waiting_6_plus_weeks"), pl.col("waiting_list_total")),
        standard=pl.lit(DM01_STANDARD),
        interim_standard=pl.lit(DM01_INTERIM_STANDARD),
    ).with_columns(
        meets_standard=pl.col("pct_6_plus_weeks") <= pl.col("standard"),
        meets_interim_standard=pl.col("pct_6_plus_weeks") <= pl.col("interim_standard"),
    )
    if by == "provider":
        out = out.with_columns(peer_group=_org_kind(pl.col("org_code")))
    return out


def cancelled_operations(flow: pl.DataFrame, by: Grouping | str = "national") -> pl.DataFrame:
    """Last-minute elective cancellations for non-clinical reasons and 28-day breaches, per quarter.

    Columns: ``period``, keys, ``last_minute_cancellations, not_treated_within_28_days,
    pct_not_treated_within_28_days``; for providers ``peer_group`` (``NHS trust`` or ``independent
    sector or other``). National = every provider, independent sector included (the file's
    ``England (Including Independent Sector)`` row); so are regions here, whereas the file's own region
    rows (``level`` ``region``) leave the independent sector out.
    """
    measures = ("last_minute_cancellations", "not_treated_within_28_days")
    w = _wide(flow, "cancelled_ops", measures, by)
    out = w.with_columns(
        pct_not_treated_within_28_days=_pct(pl.col("not_treated_within_28_days"), pl.col("last_minute_cancellations"))
    )
    if by == "provider":
        out = out.with_columns(peer_group=_org_kind(pl.col("org_code")))
    return out


def peer_rank(
    table: pl.DataFrame,
    column: str,
    *,
    higher_is_better: bool,
    peer_group: str | None = "peer_group",
) -> pl.DataFrame:
    """Rank providers on ``column`` among peers each period: ``rank`` (1 = best; ties share the best
    rank), ``peers`` (providers with a value), ``quartile`` (1 = best quarter … 4 = worst) and
    ``percentile`` (100 = best). Peers are the same ``period`` and, if the column exists, the same
    ``peer_group``; rows without a value get nulls.
    """
    over = ["period"] + ([peer_group] if peer_group and peer_group in table.columns else [])
    value = pl.col(column)
    has = value.is_not_null() & value.is_not_nan() if table.schema[column].is_float() else value.is_not_null()
    ranked = table.with_columns(
        pl.when(has).then(value).otherwise(None).alias("_v")
    ).with_columns(
        pl.col("_v").rank("min", descending=higher_is_better).over(over).cast(pl.Int64).alias("rank"),
        pl.col("_v").count().over(over).cast(pl.Int64).alias("peers"),
    )
    return ranked.with_columns(
        pl.when(pl.col("rank").is_not_null())
        .then(((pl.col("rank") - 1) * 4 // pl.col("peers")) + 1)
        .otherwise(None)
        .cast(pl.Int8)
        .alias("quartile"),
        pl.when(pl.col("peers") > 1)
        .then(100.0 * (pl.col("peers") - pl.col("rank")) / (pl.col("peers") - 1))
        .when(pl.col("rank").is_not_null())
        .then(100.0)
        .otherwise(None)
        .alias("percentile"),
    ).drop("_v")


def provider_chart(
    table: pl.DataFrame,
    org_code: str,
    column: str,
    *,
    polarity: Literal["up", "down", "neutral"],
    target: float | None = None,
) -> XmrChart:
    """The XmR chart (Making Data Count rules) of one provider's ``column`` over the periods of ``table``
    (a provider-grouped measures table), in time order; periods without a value are left out."""
    series = table.filter((pl.col("org_code") == org_code) & pl.col(column).is_not_null()).sort("period")
    if series.height < 2:
        raise ValueError(f"provider {org_code!r} has fewer than 2 periods with {column!r}")
    return xmr_chart(series[column].to_numpy(), series["period"].to_list(), polarity=polarity, target=target)


def load_trust_icbs(path: str | Path | None = None) -> pl.DataFrame:
    """``org_code, icb_code, region_code`` of NHS trusts from the ODS trust list (``etr``).

    Default: the bundled ``data/nhs_trusts_etr_with_latlon.csv``. ``icb_code`` is ODS's "high level
    health geography" where it is an ICB code (``Q…``), else null; ``region_code`` its "national
    grouping" (``Y56`` …).
    """
    source = Path(path) if path is not None else resources.files("carebacklog") / "data" / "nhs_trusts_etr_with_latlon.csv"
    trusts = pl.read_csv(source.open("rb"), infer_schema=False)
    return trusts.select(
        pl.col("org_code").str.strip_chars(),
        pl.when(pl.col("high_level_health_geography").str.starts_with("Q"))
        .then(pl.col("high_level_health_geography"))
        .otherwise(None)
        .alias("icb_code"),
        pl.col("national_grouping").alias("region_code"),
    )


def with_icb(flow: pl.DataFrame, icbs: pl.DataFrame) -> pl.DataFrame:
    """The flow table with ``icb_code`` filled for provider rows from ``icbs`` (``org_code, icb_code``
    and optionally ``region_code``, as :func:`load_trust_icbs` gives), and ``region_code`` where the
    file gave none (the KH03 panel, the 2016–2019 A&E series); providers not in ``icbs`` keep nulls
    (independent-sector providers, closed trusts)."""
    lookup = icbs.select(
        "org_code",
        pl.col("icb_code").alias("_icb"),
        (pl.col("region_code") if "region_code" in icbs.columns else pl.lit(None, pl.String)).alias("_region"),
    ).unique("org_code")
    provider = pl.col("level") == "provider"
    return (
        flow.join(lookup, on="org_code", how="left")
        .with_columns(
            pl.when(provider).then(pl.coalesce("icb_code", "_icb")).otherwise("icb_code").alias("icb_code"),
            pl.when(provider).then(pl.coalesce("region_code", "_region")).otherwise("region_code").alias("region_code"),
        )
        .drop("_icb", "_region")
        .select(flow.columns)
    )


#: A trust page's headlines: (publication, measure column, higher is better, target column or None).
HEADLINES: tuple[tuple[str, str, bool, str | None], ...] = (
    ("ae", "pct_within_4h", True, "standard"),
    ("ae", "pct_within_4h_type1", True, "standard"),
    ("ae", "pct_dta_over_12h", False, None),
    ("kh03", "occupancy_general_acute", False, "ambition"),
    ("dm01", "pct_6_plus_weeks", False, "standard"),
    ("cancelled_ops", "pct_not_treated_within_28_days", False, None),
)
_TABLES = {"ae": ae_performance, "kh03": bed_occupancy, "dm01": diagnostic_waits, "cancelled_ops": cancelled_operations}


def _latest_run(series: pl.DataFrame) -> pl.DataFrame:
    """The periods since the last gap in a sorted series (a missing month or quarter starts a new run),
    so an SPC chart never joins, say, 2016–2019 to 2024–2025."""
    periods = series["period"].to_list()
    step = 100 if len(periods) > 1 and (periods[1] - periods[0]).days > 40 else 40
    start = 0
    for i in range(1, len(periods)):
        if (periods[i] - periods[i - 1]).days > step:
            start = i
    return series.slice(start)


def trust_summary(flow: pl.DataFrame, org_code: str) -> pl.DataFrame:
    """One trust's latest urgent-care and capacity headlines, for a page beside its elective measures.

    One row per headline (:data:`HEADLINES`) the table has for ``org_code``: ``publication, measure,
    period`` (latest), ``value``, ``target`` (the standard or ambition, else null), ``meets_target``,
    ``rank``/``peers``/``quartile`` among peers that period, and the XmR chart's ``variation`` and
    ``assurance`` over the trust's latest unbroken run of periods (null with fewer than 2). Empty if the trust is in none
    of the publications.
    """
    rows: list[dict[str, object]] = []
    for publication, column, higher, target_column in HEADLINES:
        table = _TABLES[publication](flow.filter(pl.col("publication") == publication), "provider")
        mine = table.filter((pl.col("org_code") == org_code) & pl.col(column).is_not_null()).sort("period")
        if mine.is_empty():
            continue
        latest = mine.row(-1, named=True)
        ranked = peer_rank(table.filter(pl.col("period") == latest["period"]), column, higher_is_better=higher)
        me = ranked.filter(pl.col("org_code") == org_code).row(0, named=True)
        target = latest[target_column] if target_column else None
        variation = assurance = None
        mine = _latest_run(mine)
        if mine.height >= 2:
            chart = provider_chart(mine, org_code, column, polarity="up" if higher else "down",
                                   target=float(target) if target is not None else None)
            variation, assurance = chart.latest_variation, chart.assurance
        rows.append({
            "publication": publication, "measure": column, "period": latest["period"], "value": latest[column],
            "target": target,
            "meets_target": None if target is None else (latest[column] >= target if higher else latest[column] <= target),
            "rank": me["rank"], "peers": me["peers"], "quartile": me["quartile"],
            "variation": variation, "assurance": assurance,
        })
    schema = {"publication": pl.String, "measure": pl.String, "period": pl.Date, "value": pl.Float64,
              "target": pl.Float64, "meets_target": pl.Boolean, "rank": pl.Int64, "peers": pl.Int64,
              "quartile": pl.Int8, "variation": pl.String, "assurance": pl.String}
    return pl.DataFrame(rows, schema=schema)
