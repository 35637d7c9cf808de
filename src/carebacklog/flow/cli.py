"""CLI for urgent care and hospital flow: ``carebacklog flow read|measures|summary|spc|simulate``.

Each command reads the bundled series (A&E, KH03, DM01 and cancelled operations, see docs/flow.md)
unless ``--data FILES…`` is given, in which case those NHS England files are read with
:func:`carebacklog.flow.read_flow`. A file that cannot be read is bad input (exit 2, naming the file and,
where it can, the row and column); the output format rules are those of docs/cli.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carebacklog.clikit import (
    FormatOpt,
    OutOpt,
    check_chart,
    emit,
    fail,
    parse_date,
    report,
    resolve_format,
    write_chart,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = ["measures", "read", "register", "simulate", "spc", "summary"]


class Measure(StrEnum):
    ae = "ae"
    beds = "beds"
    diagnostics = "diagnostics"
    cancellations = "cancellations"


class By(StrEnum):
    national = "national"
    region = "region"
    icb = "icb"
    provider = "provider"


#: The headline column of each measure table, and whether a higher value is better (for ``--peers``).
_HEADLINE: dict[Measure, tuple[str, bool]] = {
    Measure.ae: ("pct_within_4h", True),
    Measure.beds: ("occupancy_general_acute", False),
    Measure.diagnostics: ("pct_6_plus_weeks", False),
    Measure.cancellations: ("pct_not_treated_within_28_days", False),
}

#: ``flow spc`` measures: the measure table each comes from and its polarity.
_SPC: dict[str, tuple[Measure, str]] = {
    "pct_within_4h": (Measure.ae, "up"),
    "pct_within_4h_type1": (Measure.ae, "up"),
    "pct_dta_over_12h": (Measure.ae, "down"),
    "attendances": (Measure.ae, "neutral"),
    "occupancy_general_acute": (Measure.beds, "down"),
    "pct_6_plus_weeks": (Measure.diagnostics, "down"),
    "pct_not_treated_within_28_days": (Measure.cancellations, "down"),
    "last_minute_cancellations": (Measure.cancellations, "down"),
}

DataOpt = Annotated[list[Path] | None, typer.Option(
    "--data", help="NHS England files to read instead of the bundled series (repeatable).",
    show_default=False)]


def _flow(data: list[Path] | None) -> pl.DataFrame:
    from carebacklog.flow.reader import bundled_series, read_flow
    from carebacklog.flow.tidy import FlowFileError

    if not data:
        return bundled_series()
    try:
        return read_flow(data)
    except FlowFileError as exc:
        fail(str(exc))


def _table(flow: pl.DataFrame, measure: Measure, by: By, *, by_test: bool = False) -> pl.DataFrame:
    from carebacklog.flow import measures as m

    if by is By.icb:
        flow = m.with_icb(flow, m.load_trust_icbs())
    if measure is Measure.ae:
        return m.ae_performance(flow, by.value)
    if measure is Measure.beds:
        return m.bed_occupancy(flow, by.value)
    if measure is Measure.diagnostics:
        return m.diagnostic_waits(flow, by.value, by_test=by_test)
    return m.cancelled_operations(flow, by.value)


def read(
    files: Annotated[list[Path], typer.Argument(help="A&E, KH03, DM01 or cancelled-operations files (CSV/XLSX).")],
    out: OutOpt = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Check provider sums against each file's national and regional rows; exit 1 on a difference.")] = False,
    fmt: FormatOpt = None,
) -> None:
    """Read NHS England's flow publications into one tidy table (period, organisation, measure, value)."""
    import polars as pl

    from carebacklog.flow.totals import national_check, region_check

    chosen = resolve_format(fmt, out)
    flow = _flow(files)
    report(f"read {len(files)} file(s): {flow.height:,} rows, "
           f"publications {', '.join(sorted(flow['publication'].unique().to_list()))}")
    if not check:
        emit(flow, chosen, out)
        return
    national = national_check(flow)
    regional = region_check(flow)
    differences = national.filter(~pl.col("matches")).height + regional.filter(~pl.col("matches")).height
    emit(national, chosen, out)
    report(f"national rows checked: {national.height}; regional rows checked: {regional.height}; "
           f"differences: {differences}")
    if differences:
        raise typer.Exit(1)


def measures(
    measure: Annotated[Measure, typer.Argument(help="ae | beds | diagnostics | cancellations")],
    by: Annotated[By, typer.Option(help="national | region | icb | provider")] = By.national,
    provider: Annotated[str | None, typer.Option(help="Only this provider (implies --by provider).")] = None,
    by_test: Annotated[bool, typer.Option("--by-test", help="Diagnostics: one row per test.")] = False,
    peers: Annotated[bool, typer.Option("--peers", help="Add the rank among peers on the headline measure.")] = False,
    since: Annotated[str | None, typer.Option(help="Only periods on or after this date (YYYY-MM-DD).")] = None,
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """A&E 4-hour and 12-hour waits, bed occupancy, DM01 6-week waits or cancelled operations, against standards."""
    import polars as pl

    from carebacklog.flow.measures import peer_rank

    chosen = resolve_format(fmt, out)
    start = parse_date(since, "--since")
    if provider is not None:
        by = By.provider
    table = _table(_flow(data), measure, by, by_test=by_test)
    if peers:
        if by is not By.provider:
            fail("--peers ranks providers: use it with --by provider or --provider")
        column, higher = _HEADLINE[measure]
        table = peer_rank(table, column, higher_is_better=higher,
                          peer_group="peer_group" if "peer_group" in table.columns else None)
    if provider is not None:
        table = table.filter(pl.col("org_code") == provider.upper())
        if table.is_empty():
            fail(f"--provider {provider}: no {measure.value} rows for this provider")
    if start is not None:
        table = table.filter(pl.col("period") >= start)
    emit(table.sort("period"), chosen, out)


def summary(
    provider: Annotated[str, typer.Option(help="Provider (trust) code, e.g. RBD.")],
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """A trust's latest urgent-care, bed, diagnostics and cancellation headlines with rank and SPC variation."""
    from carebacklog.flow.measures import trust_summary

    chosen = resolve_format(fmt, out)
    table = trust_summary(_flow(data), provider.upper())
    if table.is_empty():
        fail(f"--provider {provider}: not in any bundled or given flow publication")
    emit(table, chosen, out)


def spc(
    measure: Annotated[str, typer.Argument(help=f"One of: {', '.join(_SPC)}.")],
    provider: Annotated[str, typer.Option(help="Provider (trust) code, e.g. RBD.")],
    target: Annotated[float | None, typer.Option(help="Target in the measure's units, e.g. 78 (per cent).")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write the XmR chart here (.svg or .png).")] = None,
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """XmR chart (Making Data Count rules) of one provider's flow measure over the months or quarters."""
    from carebacklog.flow.measures import provider_chart

    if measure not in _SPC:
        fail(f"MEASURE {measure!r}: use one of {', '.join(_SPC)}")
    chosen = resolve_format(fmt, out)
    check_chart(chart)
    source, polarity = _SPC[measure]
    table = _table(_flow(data), source, By.provider)
    try:
        result = provider_chart(table, provider.upper(), measure, polarity=polarity,  # type: ignore[arg-type]
                                target=target)
    except ValueError as exc:
        fail(str(exc))
    if chart is not None:
        from carebacklog.spc.chart import save_xmr

        write_chart(chart, lambda temp: save_xmr(result, temp, title=f"{measure} ({provider.upper()})",
                                                 y_label=measure))
    emit(result.points, chosen, out)
    info = result.summary()
    report(f"mean {info['mean']:.4g}, process limits {info['lower_limit']:.4g} to {info['upper_limit']:.4g}; "
           f"latest point: {info['latest_variation']}"
           + (f"; assurance: {info['assurance']}" if info["assurance"] else ""))


def _bounded(value: float, option: str, low: float, high: float) -> float:
    if not low <= value <= high:
        fail(f"{option} {value:g}: must be between {low:g} and {high:g}")
    return value


def simulate(
    provider: Annotated[str, typer.Option(help="Provider (trust) code to calibrate to, e.g. RBD.")],
    quarter: Annotated[str, typer.Option(help="Last day of the KH03 quarter to calibrate to, e.g. 2025-03-31.")],
    electives_per_weekday: Annotated[float, typer.Option(help="Elective admissions per weekday (0-10000).")] = 0.0,
    elective_los: Annotated[float, typer.Option(help="Mean elective length of stay, days (0.1-60).")] = 2.5,
    delayed_share: Annotated[float, typer.Option(
        help="Share of emergency stays medically fit but not discharged (0-1).")] = 0.0,
    delayed_days: Annotated[float, typer.Option(help="Mean extra days of a delayed discharge (0-100).")] = 0.0,
    discharge_days: Annotated[float | None, typer.Option(
        help="Scenario: a discharge service shortening delayed discharges by N days.")] = None,
    ring_fence: Annotated[int | None, typer.Option(help="Scenario: N beds ring-fenced for electives.")] = None,
    extra_beds: Annotated[int | None, typer.Option(help="Scenario: N extra beds.")] = None,
    rebook: Annotated[bool, typer.Option(
        "--rebook", help="Rebook electives cancelled for want of a bed on the next weekday's list.")] = False,
    days: Annotated[int, typer.Option(
        help="Days to simulate (1-3650); counts are totals over them. The default, three years, is the "
             "horizon the calibration fits over.")] = 3 * 365,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same answer).")] = 0,
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Bed-flow simulation of one hospital calibrated to its KH03 beds and A&E admissions, with scenarios."""
    from carebacklog.flow import bedsim
    from carebacklog.flow.calibrate import calibrate_model

    chosen = resolve_format(fmt, out)
    quarter_end = parse_date(quarter, "--quarter", required=True)
    assert quarter_end is not None
    _bounded(electives_per_weekday, "--electives-per-weekday", 0, 10_000)
    _bounded(elective_los, "--elective-los", 0.1, 60)
    _bounded(delayed_share, "--delayed-share", 0, 1)
    _bounded(delayed_days, "--delayed-days", 0, 100)
    _bounded(days, "--days", 1, 3650)
    try:
        model, published = calibrate_model(
            _flow(data), provider.upper(), quarter_end, electives_per_weekday=electives_per_weekday,
            elective_los_days=elective_los, delayed_share=delayed_share, delayed_days=delayed_days, seed=seed)
        if rebook:
            model = replace(model, rebook_cancelled=True)
        scenarios: dict[str, Any] = {}
        if discharge_days is not None:
            _bounded(discharge_days, "--discharge-days", 0, 100)
            scenarios[f"discharge service -{discharge_days:g} days"] = bedsim.discharge_service(model, discharge_days)
        if ring_fence is not None:
            _bounded(ring_fence, "--ring-fence", 1, model.beds)
            scenarios[f"{ring_fence} ring-fenced elective beds"] = bedsim.ring_fence(model, ring_fence)
        if extra_beds is not None:
            _bounded(extra_beds, "--extra-beds", 1, 10_000)
            scenarios[f"{extra_beds} extra beds"] = bedsim.extra_beds(model, extra_beds)
        table = bedsim.compare_scenarios(model, scenarios, days, seed=seed)
    except ValueError as exc:
        fail(str(exc))
    report(f"{provider.upper()} calibrated to the quarter ending {quarter_end:%d %b %Y}: "
           f"{published['beds_available']:.0f} beds available, {published['beds_occupied']:.0f} occupied "
           f"({published['occupancy']:.1f}%), {published['emergency_per_day']:.1f} emergency admissions a day; "
           f"emergency length of stay fitted at {model.emergency_los_days:.2f} days")
    emit(table, chosen, out)


AssumptionsOpt = Annotated[Path | None, typer.Option(
    "--assumptions", help="Workforce assumptions (JSON, the bundled file's layout) instead of the bundled ones.")]
ExtractOpt = Annotated[Path | None, typer.Option(
    "--from", help="A published RTT extract: take each treatment function's admitted share of completed "
    "pathways (Part_1A / Part_1A + Part_1B) from it instead of the assumptions.")]


def _plan_table(path: Path, month: str | None) -> pl.DataFrame:
    import polars as pl

    from carebacklog.files import check_paths

    check_paths([("PLAN", path)], [])
    try:
        plan = pl.read_parquet(path) if path.suffix.lower() == ".parquet" else pl.read_csv(
            path, schema_overrides={"month": pl.String, "treatment_function": pl.String})
    except (OSError, pl.exceptions.PolarsError) as exc:
        fail(f"{path}: cannot read the plan ({exc})")
    for column in ("extra_per_week",):
        if column not in plan.columns:
            fail(f"{path}: no column {column!r}: write the plan with `carebacklog forecast plan ... --out plan.csv`")
    if "month" in plan.columns:
        months = sorted(plan["month"].cast(pl.String).unique().to_list())
        chosen = month or months[-1]
        if chosen not in months:
            fail(f"--month {chosen}: not in the plan ({months[0]} to {months[-1]})")
        plan = plan.filter(pl.col("month").cast(pl.String) == chosen)
    return plan


def _admitted_shares(extract: Path | None, provider: str | None) -> dict[str, float] | None:
    import polars as pl

    from carebacklog.flow.workforce import admitted_share_from_published
    from carebacklog.published import read_rtt

    if extract is None:
        return None
    tidy = read_rtt([extract])
    if provider:
        tidy = tidy.filter(pl.col("provider_code") == provider.upper())
        if tidy.is_empty():
            fail(f"--provider {provider}: not in {extract}")
    shares = admitted_share_from_published(tidy).drop_nulls("admitted_share")
    return dict(shares.select("treatment_function", "admitted_share").iter_rows())


def workforce(
    plan: Annotated[Path, typer.Argument(help="A capacity plan: `carebacklog forecast plan ... --by "
                                         "provider,treatment_function --out plan.csv`.")],
    month: Annotated[str | None, typer.Option(help="The plan's month to staff (YYYY-MM; default: its last).")] = None,
    provider: Annotated[str | None, typer.Option(help="Only this provider's rows of the plan and extract.")] = None,
    extract: ExtractOpt = None,
    assumptions: AssumptionsOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Theatre and clinic sessions and staff (consultant, anaesthetist, theatre team, nursing WTE) a plan needs."""
    import polars as pl

    from carebacklog.flow.workforce import load_workforce_assumptions, sessions_and_staff

    chosen = resolve_format(fmt, out)
    table = _plan_table(plan, month)
    if provider and "provider_code" in table.columns:
        table = table.filter(pl.col("provider_code") == provider.upper())
        if table.is_empty():
            fail(f"--provider {provider}: no rows in {plan}")
    result = sessions_and_staff(table, load_workforce_assumptions(assumptions),
                                admitted_shares=_admitted_shares(extract, provider))
    total = result.select(pl.exclude("treatment_function", "admitted_share").sum())
    report(f"{total['clock_stops_per_week'][0]:,.1f} extra clock stops a week need "
           f"{total['theatre_sessions_per_week'][0]:,.1f} theatre and {total['clinic_sessions_per_week'][0]:,.1f} "
           f"clinic sessions a week: {total['total_wte'][0]:,.1f} WTE ("
           + ", ".join(f"{role.replace('_', ' ')} {total[role + '_wte'][0]:,.1f}"
                       for role in ("consultant", "anaesthetist", "theatre_team", "nursing")) + ")")
    emit(result, chosen, out)


def capacity(
    staff: Annotated[Path, typer.Argument(help="Staff on the elective list: CSV with treatment_function, role "
                                          "(consultant|anaesthetist|theatre_team|nursing), wte.")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="Compare with this capacity plan's clock stops a week (capacity_per_week).")] = None,
    month: Annotated[str | None, typer.Option(help="With --plan: the plan's month (default: its last).")] = None,
    provider: Annotated[str | None, typer.Option(help="Only this provider's rows of the plan and extract.")] = None,
    extract: ExtractOpt = None,
    assumptions: AssumptionsOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """The clock stops a week the staff a trust has can deliver, the group that limits it, and the gap to a plan."""
    import polars as pl

    from carebacklog.flow.workforce import capacity_from_staff, load_workforce_assumptions

    chosen = resolve_format(fmt, out)
    try:
        table = pl.read_csv(staff, schema_overrides={"treatment_function": pl.String, "role": pl.String,
                                                     "wte": pl.Float64})
    except FileNotFoundError:
        fail(f"{staff}: no such file")
    except pl.exceptions.PolarsError as exc:
        fail(f"{staff}: cannot read the staff table ({exc})")
    try:
        result = capacity_from_staff(table, load_workforce_assumptions(assumptions),
                                     admitted_shares=_admitted_shares(extract, provider))
    except ValueError as exc:
        fail(f"{staff}: {exc}")
    if plan is not None:
        wanted = _plan_table(plan, month)
        if provider and "provider_code" in wanted.columns:
            wanted = wanted.filter(pl.col("provider_code") == provider.upper())
        if "capacity_per_week" not in wanted.columns:
            fail(f"{plan}: no capacity_per_week column")
        if "treatment_function" in wanted.columns:
            result = result.join(wanted.select("treatment_function", pl.col("capacity_per_week").alias("plan_per_week")),
                                 on="treatment_function", how="left")
        else:
            result = result.with_columns(plan_per_week=pl.lit(float(wanted["capacity_per_week"].sum())))
        result = result.with_columns(
            gap_per_week=pl.col("clock_stops_per_week") - pl.col("plan_per_week"),
            capacity_change_pct=(pl.col("clock_stops_per_week") / pl.col("plan_per_week") - 1) * 100)
        short = result.filter(pl.col("gap_per_week") < 0)
        report(f"the staff reach the plan in {result.height - short.height} of {result.height} treatment "
               f"function(s); short in: " + (", ".join(f"{r['treatment_function']} ({r['gap_per_week']:,.1f} a week, "
               f"limited by {r['binding_role'].replace('_', ' ')})" for r in short.iter_rows(named=True)) or "none"))
    emit(result, chosen, out)


#: ``flow forecast`` measures: their table and the model the back-tests chose (docs/flow.md, "Forecasts").
_FORECASTS: dict[str, tuple[Measure, str, int, int, float]] = {
    "attendances": (Measure.ae, "ratio", 12, 3, 1.0),
    "pct_within_4h": (Measure.ae, "difference", 12, 3, 0.5),
    "occupancy_general_acute": (Measure.beds, "difference", 4, 1, 0.5),
}


def _forecast_inputs(measure: str, provider: str | None, data: list[Path] | None) -> tuple[Any, pl.DataFrame, pl.DataFrame]:
    import polars as pl

    from carebacklog.flow.forecast import SeasonalModel

    if measure not in _FORECASTS:
        fail(f"MEASURE {measure!r}: use one of {', '.join(_FORECASTS)}")
    table_kind, kind, season, window, damping = _FORECASTS[measure]
    model = SeasonalModel(kind, season, window, damping)  # type: ignore[arg-type]
    flow = _flow(data)
    providers = _table(flow, table_kind, By.provider).select("period", "org_code", pl.col(measure).alias("value"))
    if provider is None:
        one = _table(flow, table_kind, By.national).select("period", pl.col(measure).alias("value"))
    else:
        one = providers.filter(pl.col("org_code") == provider.upper()).drop("org_code")
        if one.is_empty():
            fail(f"--provider {provider}: no {measure} figures for this provider")
    return model, one, providers


def forecast(
    measure: Annotated[str, typer.Argument(help=f"One of: {', '.join(_FORECASTS)}.")],
    provider: Annotated[str | None, typer.Option(help="Provider (trust) code; default England.")] = None,
    horizon: Annotated[int, typer.Option(min=1, max=12, help="Periods ahead (months; quarters for occupancy).")] = 3,
    coverage: Annotated[float, typer.Option(help="Central coverage of the range, 0.5-0.99.")] = 0.8,
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Forecast A&E attendances, 4-hour performance or bed occupancy with winter seasonality and a measured range."""
    import polars as pl

    from carebacklog.flow.forecast import backtest, forecast_series

    chosen = resolve_format(fmt, out)
    _bounded(coverage, "--coverage", 0.5, 0.99)
    model, one, providers = _forecast_inputs(measure, provider, data)
    if horizon > model.season:
        fail(f"--horizon {horizon}: at most {model.season} for {measure} (the forecast reads a season back)")
    # ranges from every provider's back-test over the last two years of origins (not the COVID quarters)
    calibration = backtest(providers, model, horizon=horizon)
    if not calibration.is_empty():
        latest: dt.date = calibration["origin"].max()  # type: ignore[assignment]
        calibration = calibration.filter(pl.col("origin") > latest - dt.timedelta(days=731))
    try:
        result = forecast_series(one, model, horizon=horizon, coverage=coverage, calibration=calibration)
    except ValueError as exc:
        fail(f"{measure} ({provider or 'England'}): {exc}")
    report(f"{measure} for {provider.upper() if provider else 'England'}: seasonal 'no change' adjusted by the "
           f"recent year-on-year change ({model.kind}, window {result['window'][0]}, damping {model.damping:g}); "
           f"{coverage:.0%} ranges from back-test errors")
    emit(result, chosen, out)


def backtest_cmd(
    measure: Annotated[str, typer.Argument(help=f"One of: {', '.join(_FORECASTS)}.")],
    horizon: Annotated[int, typer.Option(min=1, max=12, help="Periods ahead.")] = 3,
    since: Annotated[str | None, typer.Option(help="Only origins after this date (YYYY-MM-DD).")] = None,
    data: DataOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Rolling-origin back-test over every provider: the model against seasonal 'no change', by horizon."""
    import polars as pl

    from carebacklog.flow.forecast import backtest, backtest_summary

    chosen = resolve_format(fmt, out)
    model, _one, providers = _forecast_inputs(measure, None, data)
    start = parse_date(since, "--since")
    results = backtest(providers, model, horizon=min(horizon, model.season))
    if start is not None:
        results = results.filter(pl.col("origin") > start)
    if results.is_empty():
        fail("no origin has enough history for a back-test")
    emit(backtest_summary(results, kind=model.kind), chosen, out)


def register(app: typer.Typer) -> None:
    """Add the ``flow`` commands to their group."""
    app.command("read")(read)
    app.command("measures")(measures)
    app.command("summary")(summary)
    app.command("spc")(spc)
    app.command("simulate")(simulate)
    app.command("workforce")(workforce)
    app.command("capacity")(capacity)
    app.command("forecast")(forecast)
    app.command("backtest")(backtest_cmd)

