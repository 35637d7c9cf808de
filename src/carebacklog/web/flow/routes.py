"""``/urgent-care``: a trust's A&E, bed, diagnostics and cancellation figures beside its peers, with SPC
verdicts, and a bed-flow scenario form (``/urgent-care/scenarios``) calibrated to its published beds.

Aggregates only (viewers may open it). Figures come from :mod:`carebacklog.flow` over the bundled NHS
England series; the simulation is :func:`carebacklog.flow.calibrate_model` then
:func:`carebacklog.flow.compare_scenarios` (docs/flow.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from carebacklog.orgnames import org_name
from carebacklog.web import charts
from carebacklog.web.deps import AppState, Auth, Db, State, require_role
from carebacklog.web.downloads import table_response
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["FlowData", "flow_data", "router"]

router = APIRouter()
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
ProviderQuery = Annotated[str | None, Query(max_length=10, pattern=r"^[A-Za-z0-9]+$")]

#: Headline measures in words, with their units (the trust summary's ``measure`` ids).
MEASURE_NAMES = {
    "pct_within_4h": "A&E: % seen within 4 hours (all types)",
    "pct_within_4h_type1": "A&E: % seen within 4 hours (type 1, major A&E)",
    "pct_dta_over_12h": "A&E: 12-hour waits from decision to admit, per 100 emergency admissions",
    "occupancy_general_acute": "Beds: general and acute occupancy (%)",
    "pct_6_plus_weeks": "Diagnostics: % waiting 6 weeks or more",
    "pct_not_treated_within_28_days": "Cancelled operations: % not treated within 28 days",
}
VARIATION = {"improvement": "improving", "concern": "a concern", "common_cause": "no significant change",
             "neither": "a special cause"}
ASSURANCE = {"consistently_pass": "consistently meets the target", "consistently_fail": "consistently misses the target",
             "hit_and_miss": "may or may not meet the target"}


@dataclass(frozen=True)
class FlowData:
    """The bundled flow series and its provider tables, computed once per process."""

    flow: pl.DataFrame
    ae: pl.DataFrame
    beds: pl.DataFrame
    diagnostics: pl.DataFrame
    providers: pl.DataFrame  # org_code, org_name of every trust with A&E or KH03 rows


def flow_data(state: AppState) -> FlowData:
    """The bundled A&E, KH03, DM01 and cancelled-operations measures by provider (memoised)."""

    def compute() -> FlowData:
        from carebacklog.flow import ae_performance, bed_occupancy, bundled_series, diagnostic_waits

        flow = bundled_series()
        ae = ae_performance(flow, "provider")
        beds = bed_occupancy(flow, "provider")
        names = (pl.concat([ae.select("org_code", "org_name", "period"), beds.select("org_code", "org_name", "period")])
                 .sort("period").group_by("org_code").agg(pl.col("org_name").last())
                 .with_columns(pl.col("org_name").map_elements(org_name, return_dtype=pl.String)).sort("org_name"))
        return FlowData(flow=flow, ae=ae, beds=beds, diagnostics=diagnostic_waits(flow, "provider"), providers=names)

    return state.memo.get(("flow",), compute)


def _code(state: AppState, db: Any, data: FlowData, provider: str | None) -> str:
    if provider:
        code = provider.upper()
        if data.providers.filter(pl.col("org_code") == code).is_empty():
            raise HTTPException(404, f"No trust {code!r} in the bundled A&E and bed statistics.")
        return code
    try:
        loaded = get_load(state, db).provider_code
    except HTTPException:
        loaded = ""
    if loaded and data.providers.filter(pl.col("org_code") == loaded).height:
        return loaded
    return str(data.ae.filter(pl.col("period") == data.ae["period"].max())
               .sort("attendances", descending=True)["org_code"][0])


def _latest_run(series: pl.DataFrame, most: int = 24) -> pl.DataFrame:
    """The latest unbroken run of periods (monthly or quarterly), at most ``most`` of them: a chart's x
    axis is evenly spaced, so a gap of years (the 2016-2019 A&E series beside 2024-25) must not be hidden."""
    periods = series["period"].to_list()
    start = 0
    for i in range(len(periods) - 1, 0, -1):
        gap = (periods[i] - periods[i - 1]).days
        if gap > 100:  # more than a quarter apart
            start = i
            break
    return series[start:].tail(most)


def _series_chart(table: pl.DataFrame, code: str, column: str, *, title: str, desc: str,
                  target: float | None, target_label: str, fmt: str = "%b %Y", y_title: str = "",
                  x_title: str = "Month") -> Any:
    series = _latest_run(table.filter((pl.col("org_code") == code) & pl.col(column).is_not_null()).sort("period"))
    if series.height < 2:
        return None
    labels = [p.strftime(fmt) for p in series["period"].to_list()]
    lines = [charts.Line(title, series[column].to_list())]
    if target is not None:
        lines.append(charts.Line(target_label, [target] * len(labels), colour=charts.ORANGE, dashed=True))
    return charts.line_chart(
        labels, lines, title=title, desc=desc, label_every=max(1, len(labels) // 7),
        x_title=x_title, y_title=y_title or title,
    )  # fmt: skip


def _summary_rows(data: FlowData, code: str) -> list[dict[str, Any]]:
    from carebacklog.flow import trust_summary

    rows = []
    for r in trust_summary(data.flow, code).to_dicts():
        rows.append({**r, "name": MEASURE_NAMES.get(r["measure"], r["measure"]),
                     "variation_text": VARIATION.get(r["variation"] or "", "–"),
                     "assurance_text": ASSURANCE.get(r["assurance"] or "", "no target" if r["target"] is None else "–")})
    return rows


@router.get("/urgent-care", response_class=HTMLResponse, include_in_schema=False)
def urgent_care_page(request: Request, state: State, db: Db, auth: Viewer, provider: ProviderQuery = None) -> Response:
    from carebacklog.flow import AE_FOUR_HOUR_STANDARD, BED_OCCUPANCY_AMBITION

    data = flow_data(state)
    code = _code(state, db, data, provider)
    name = data.providers.filter(pl.col("org_code") == code)["org_name"][0]
    ae_chart = _series_chart(
        data.ae, code, "pct_within_4h", title=f"% of A&E attendances seen within 4 hours, {name}",
        desc="Share of all A&E attendances admitted, transferred or discharged within 4 hours, by month; "
             f"the dashed line is the {AE_FOUR_HOUR_STANDARD:g}% standard.",
        target=AE_FOUR_HOUR_STANDARD, target_label=f"Standard ({AE_FOUR_HOUR_STANDARD:g}%)",
        y_title="% within 4 hours")  # fmt: skip
    bed_chart = _series_chart(
        data.beds, code, "occupancy_general_acute", title=f"General and acute bed occupancy (%), {name}",
        desc="Average share of general and acute beds occupied overnight, by quarter (KH03); the dashed "
             f"line is the {BED_OCCUPANCY_AMBITION:g}% ambition.",
        target=BED_OCCUPANCY_AMBITION, target_label=f"Ambition ({BED_OCCUPANCY_AMBITION:g}%)",
        y_title="% of beds occupied", x_title="Quarter end")  # fmt: skip
    ae_rows = data.ae.filter(pl.col("org_code") == code).sort("period", descending=True).head(14)
    return render(
        request, state, "flow/urgent_care.html", auth, title="Urgent care and hospital flow", code=code,
        name=name, summary=_summary_rows(data, code), ae_chart=ae_chart, bed_chart=bed_chart,
        ae_rows=ae_rows.to_dicts(), providers=data.providers.to_dicts(),
        quarters=_quarters(data, code),
    )  # fmt: skip


def _quarters(data: FlowData, code: str) -> list[dt.date]:
    """Quarters with KH03 beds and all three A&E months for ``code`` (those a model can calibrate to)."""
    beds = set(data.beds.filter(pl.col("org_code") == code)["period"].to_list())
    months = set(data.ae.filter(pl.col("org_code") == code)["period"].to_list())
    usable = []
    for q in sorted(beds, reverse=True):
        if q.month in (3, 6, 9, 12):
            first = dt.date(q.year, q.month - 2, 1)
            if sum(1 for m in months if first <= m <= q) == 3:
                usable.append(q)
    return usable


#: Years simulated per scenario (counts are reported per year).
SIMULATED_YEARS = 3


@dataclass(frozen=True)
class Scenario:
    """The scenario form (query parameters), each bounded before any simulation (422 outside)."""

    electives_per_weekday: Annotated[float, Query(ge=0, le=1000)] = 0.0
    delayed_share: Annotated[float, Query(ge=0, le=1)] = 0.1
    delayed_days: Annotated[float, Query(ge=0, le=100)] = 5.0
    discharge_days: Annotated[float, Query(ge=0, le=100)] = 2.0
    extra_beds: Annotated[int, Query(ge=0, le=2000)] = 0
    ring_fence: Annotated[int, Query(ge=0, le=2000)] = 0


def _simulate(data: FlowData, code: str, quarter: dt.date, s: Scenario) -> tuple[pl.DataFrame, dict[str, float], Any]:
    from carebacklog.flow import calibrate_model, compare_scenarios, discharge_service, extra_beds, ring_fence

    try:
        model, published = calibrate_model(data.flow, code, quarter, electives_per_weekday=s.electives_per_weekday,
                                           delayed_share=s.delayed_share, delayed_days=s.delayed_days)
        scenarios = {}
        if s.discharge_days > 0:
            scenarios[f"Discharge service: delays {s.discharge_days:g} days shorter"] = discharge_service(
                model, s.discharge_days)
        if s.extra_beds > 0:
            scenarios[f"{s.extra_beds} extra beds"] = extra_beds(model, s.extra_beds)
        if s.ring_fence > 0:
            scenarios[f"{s.ring_fence} beds ring-fenced for electives"] = ring_fence(model, s.ring_fence)
        # Three simulated years, the horizon the calibration fits over: near full occupancy one year alone
        # is noisy (for RBD, 336 rather than 328 occupied beds). Counts are shown as a year's average.
        table = compare_scenarios(model, scenarios, SIMULATED_YEARS * 365, seed=0)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    counts = [c for c in ("dta_over_4h", "dta_over_12h", "electives_booked", "electives_cancelled",
                          "emergency_arrivals", "dta_over_12h_change", "electives_cancelled_change") if c in table.columns]
    table = table.with_columns([(pl.col(c) / SIMULATED_YEARS).alias(c) for c in counts])
    return table.with_columns(pl.col("scenario").replace("baseline", "As calibrated")), published, model




@router.get("/urgent-care/scenarios", response_class=HTMLResponse, include_in_schema=False)
def scenarios_page(
    request: Request, state: State, db: Db, auth: Viewer, scenario: Annotated[Scenario, Depends()],
    provider: ProviderQuery = None, quarter: dt.date | None = None,
) -> Response:  # fmt: skip
    data = flow_data(state)
    code = _code(state, db, data, provider)
    name = data.providers.filter(pl.col("org_code") == code)["org_name"][0]
    quarters = _quarters(data, code)
    error, rows, published, model = None, [], None, None
    if not quarters:
        error = f"{name} has no quarter with both KH03 beds and three months of A&E admissions to calibrate to."
    else:
        chosen = quarter if quarter in quarters else quarters[0]
        try:
            table, published, model = _simulate(data, code, chosen, scenario)
            rows = table.to_dicts()
        except HTTPException as exc:
            error = str(exc.detail)
        quarter = chosen
    return render(
        request, state, "flow/scenarios.html", auth, title="Bed-flow scenarios", code=code, name=name,
        quarters=quarters, quarter=quarter, scenario=scenario, rows=rows, published=published, model=model,
        error=error, providers=data.providers.to_dicts(),
    )  # fmt: skip


def _json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in frame.to_dicts()]


MEASURE_TABLES = ("ae", "beds", "diagnostics", "cancellations")


@router.get("/api/v1/flow/summary", tags=["aggregates"])
def summary_api(state: State, db: Db, auth: Viewer, provider: ProviderQuery = None) -> dict[str, Any]:
    """A trust's latest urgent-care, bed, diagnostics and cancellation headlines, rank and SPC verdicts."""
    data = flow_data(state)
    code = _code(state, db, data, provider)
    return {"provider_code": code, "rows": [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in _summary_rows(data, code)]}


@router.get("/api/v1/flow/{measure}", tags=["aggregates"])
def measure_api(
    measure: str, state: State, auth: Viewer, provider: ProviderQuery = None,
    by: Annotated[str, Query(pattern=r"^(national|region|icb|provider)$")] = "national",
) -> dict[str, Any]:  # fmt: skip
    """One measure table (ae, beds, diagnostics or cancellations) by national, region, ICB or provider."""
    from carebacklog.flow import measures as m

    if measure not in MEASURE_TABLES:
        raise HTTPException(404, f"No flow measure {measure!r}; use one of {', '.join(MEASURE_TABLES)}.")
    data = flow_data(state)
    if provider:
        by = "provider"
    flow = m.with_icb(data.flow, m.load_trust_icbs()) if by == "icb" else data.flow
    table = {"ae": m.ae_performance, "beds": m.bed_occupancy, "diagnostics": m.diagnostic_waits,
             "cancellations": m.cancelled_operations}[measure](flow, by)
    if provider:
        table = table.filter(pl.col("org_code") == provider.upper())
        if table.is_empty():
            raise HTTPException(404, f"No {measure} rows for provider {provider!r}.")
    return {"measure": measure, "by": by, "rows": _json_rows(table.sort("period"))}


def _scenario_table(
    state: State, db: Db, scenario: Scenario, provider: str | None, quarter: dt.date | None
) -> tuple[pl.DataFrame, str]:
    data = flow_data(state)
    code = _code(state, db, data, provider)
    quarters = _quarters(data, code)
    if not quarters:
        raise HTTPException(404, f"No quarter to calibrate {code} to.")
    chosen = quarter if quarter in quarters else quarters[0]
    table, _published, _model = _simulate(data, code, chosen, scenario)
    return table, f"bed_scenarios_{code}_{chosen}"


@router.get("/urgent-care/scenarios.csv", include_in_schema=False)
def scenarios_csv(
    state: State, db: Db, auth: Viewer, scenario: Annotated[Scenario, Depends()],
    provider: ProviderQuery = None, quarter: dt.date | None = None,
) -> Response:  # fmt: skip
    """The scenario table as CSV (same query as the page)."""
    return table_response(*_scenario_table(state, db, scenario, provider, quarter), "csv")


@router.get("/urgent-care/scenarios.xlsx", include_in_schema=False)
def scenarios_xlsx(
    state: State, db: Db, auth: Viewer, scenario: Annotated[Scenario, Depends()],
    provider: ProviderQuery = None, quarter: dt.date | None = None,
) -> Response:  # fmt: skip
    """The scenario table as an Excel workbook."""
    return table_response(*_scenario_table(state, db, scenario, provider, quarter), "xlsx")
