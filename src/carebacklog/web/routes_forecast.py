"""Forecast: a scenario form (referral growth, capacity change, extra capacity, targets) giving projections
with 10th-90th percentile ranges and the optimiser's recommended capacity (``carebacklog.forecast``).

Aggregates only (viewers may use it). The model is calibrated once per load from the trust's own PTL and
RTT periods (``inputs_from_ptl``); each scenario's projection and plan are remembered per process.
The scenario form is a GET form: running a scenario changes nothing, so it needs no CSRF token and its
URL can be shared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carebacklog.forecast import (
    Calibration,
    CapacityPlan,
    Scenario,
    forecast,
    inputs_from_ptl,
    parse_target,
    plan_capacity,
)
from carebacklog.store import Load, periods_frame
from carebacklog.web import charts
from carebacklog.web.deps import AppState, Auth, Db, State, require_role
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["ForecastQuery", "ForecastResult", "router", "run_forecast"]

router = APIRouter()
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
RUNS = 500  # Monte Carlo runs per scenario: stable 10th/90th percentiles in well under a second
SEED = 20241130  # fixed, so the same scenario always gives the same ranges
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class ForecastQuery(BaseModel):
    """A scenario. Targets follow NHS England's planning guidance: 65% within 18 weeks by March 2026 and
    92% by March 2029 (NHS England, "Reforming elective care for patients", January 2025)."""

    model_config = ConfigDict(extra="forbid")

    referral_growth: float = Field(default=3.0, ge=-50, le=50, description="Referral growth, % a year")
    capacity_change: float = Field(default=0.0, ge=-90, le=100, description="Change in today's capacity, %")
    extra_per_week: float = Field(default=0.0, ge=0, le=100_000, description="Extra clock stops a week")
    horizon: int = Field(default=24, ge=3, le=60, description="Months to project")
    interim_pct: float = Field(default=65.0, gt=0, le=100, description="Interim target: % within 18 weeks")
    interim_month: str = Field(
        default="2026-03", pattern=_MONTH, description="Interim target month (YYYY-MM)"
    )
    final_pct: float = Field(default=92.0, gt=0, le=100, description="Final target: % within 18 weeks")
    final_month: str = Field(default="2029-03", pattern=_MONTH, description="Final target month (YYYY-MM)")


class SeriesPoint(BaseModel):
    month: str
    median: float
    p10: float
    p90: float


class ForecastPublic(BaseModel):
    census_date: dt.date
    scenario: ForecastQuery
    total: list[SeriesPoint]
    pct_within_18: list[SeriesPoint]
    over_52: list[SeriesPoint]
    recommended_extra_per_week: float | None = Field(
        description="Least extra clock stops a week meeting both targets"
    )
    capacity_per_week_today: float
    plan_messages: list[str]
    targets: list[dict[str, Any]]


@dataclass(frozen=True)
class ForecastResult:
    frame: pl.DataFrame  # forecast.to_frame(): month, measures with _p10/_p90
    plan: CapacityPlan | None  # None when the targets cannot be planned for (``error`` says why)
    error: str | None


def _calibration(state: AppState, load: Load) -> Calibration:
    def compute() -> Calibration:
        periods = periods_frame(state.engine, load.id)
        return inputs_from_ptl(state.ptl_cache.frame(load.id), load.census_date, periods=periods)

    return state.memo.get(("forecast_inputs", load.id), compute)


def run_forecast(state: AppState, load: Load, query: ForecastQuery) -> ForecastResult:
    """The projection and capacity plan for a scenario (remembered per load and scenario)."""

    def compute() -> ForecastResult:
        cal = _calibration(state, load)
        scenario = Scenario(
            referral_growth=query.referral_growth / 100,
            capacity_change=query.capacity_change / 100,
            extra_capacity=query.extra_per_week,
        )
        projection = forecast(
            cal, query.horizon, rng=np.random.default_rng(SEED), runs=RUNS, scenario=scenario
        )
        base = Scenario(referral_growth=scenario.referral_growth, capacity_change=scenario.capacity_change)
        try:
            targets = [
                parse_target(f"pct18>={query.interim_pct:g}@{query.interim_month}"),
                parse_target(f"pct18>={query.final_pct:g}@{query.final_month}"),
            ]
            plan: CapacityPlan | None = plan_capacity(cal, targets, scenario=base)
            error = None
        except ValueError as exc:
            plan, error = None, str(exc)
        return ForecastResult(frame=projection.to_frame(), plan=plan, error=error)

    return state.fragments.get(("forecast", load.id, query.model_dump_json()), compute)


def _series(frame: pl.DataFrame, name: str) -> list[SeriesPoint]:
    return [
        SeriesPoint(month=r["month"], median=r[name], p10=r[f"{name}_p10"], p90=r[f"{name}_p90"])
        for r in frame.select("month", name, f"{name}_p10", f"{name}_p90").to_dicts()
    ]


def _public(load: Load, query: ForecastQuery, result: ForecastResult) -> ForecastPublic:
    plan = result.plan
    extra = float(plan.extra_per_week[0]) if plan is not None and bool(plan.feasible[0]) else None
    return ForecastPublic(
        census_date=load.census_date,
        scenario=query,
        total=_series(result.frame, "total"),
        pct_within_18=_series(result.frame, "pct_within_18"),
        over_52=_series(result.frame, "over_52"),
        recommended_extra_per_week=extra,
        capacity_per_week_today=float(plan.base_per_week[0]) if plan is not None else 0.0,
        plan_messages=list(plan.messages) if plan is not None else [result.error or ""],
        targets=plan.target_frame().to_dicts() if plan is not None else [],
    )


@dataclass(frozen=True)
class ScenarioForm:
    """The scenario form as submitted: the query when every field is valid, else what was typed and why
    each field was refused (shown on the form with the NHS.UK error summary)."""

    query: ForecastQuery | None
    typed: dict[str, str]
    errors: dict[str, str]


#: How each field's error reads on the form.
_FIELD_LABELS = {
    "referral_growth": "Referral growth", "capacity_change": "Change in capacity",
    "extra_per_week": "Extra clock stops a week", "horizon": "Months to project",
    "interim_pct": "Interim target", "interim_month": "Interim target month", "final_pct": "Final target",
    "final_month": "Final target month",
}  # fmt: skip


def _page_query(request: Request) -> ScenarioForm:
    typed = {k: v for k, v in request.query_params.items() if k in ForecastQuery.model_fields}
    raw = {k: v for k, v in typed.items() if v != ""}
    try:
        return ScenarioForm(ForecastQuery.model_validate(raw), typed, {})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors(include_url=False):
            field = str(e["loc"][0]) if e["loc"] else "form"
            if field not in _FIELD_LABELS:
                raise RequestValidationError(
                    [{**x, "loc": ("query", *x["loc"])} for x in exc.errors(include_url=False)]
                ) from exc
            message = str(e["msg"]).removeprefix("Value error, ")
            if e["type"] in ("float_parsing", "float_type"):
                message = "enter a number, for example 3 or -2.5"
            elif e["type"] in ("int_parsing", "int_type", "int_from_float"):
                message = "enter a whole number of months"
            if field.endswith("_month"):
                message = "enter a month as YYYY-MM, for example 2029-03"
            errors.setdefault(field, f"{_FIELD_LABELS[field]}: {message[:1].lower()}{message[1:]}")
        return ScenarioForm(None, typed, errors)


_METRICS = {"pct18": "{v}% within 18 weeks", "over52": "{v} or fewer waiting over 52 weeks"}


def target_words(text: str) -> str:
    """"pct18>=92@2029-03" → "92% within 18 weeks by March 2029" (other forms are returned as given)."""
    import calendar
    import re

    found = re.fullmatch(r"(\w+)(>=|<=)([\d.]+)@(\d{4})-(\d{2})", text)
    if not found or found.group(1) not in _METRICS:
        return text
    metric, _op, value, year, month = found.groups()
    number = f"{float(value):g}"
    return f"{_METRICS[metric].format(v=number)} by {calendar.month_name[int(month)]} {year}"


def _reaching(query: ForecastQuery, census: dt.date) -> ForecastQuery:
    """The query with a horizon long enough to reach the final target month (at most 60 months)."""
    year, month = (int(x) for x in query.final_month.split("-"))
    months = (year - census.year) * 12 + month - census.month + 1
    return query.model_copy(update={"horizon": max(3, min(60, months))})


def _charts(query: ForecastQuery, frame: pl.DataFrame) -> list[dict[str, Any]]:
    months = frame["month"].to_list()
    every = max(1, len(months) // 8)
    out = []
    for name, title, unit in (
        ("total", "Waiting list", "pathways"),
        ("pct_within_18", "Percentage within 18 weeks", "%"),
        ("over_52", "Waiting over 52 weeks", "pathways"),
    ):
        lines = [charts.Line("Median", frame[name].to_list(), charts.BLUE)]
        if name == "pct_within_18":
            lines.append(
                charts.Line(
                    f"Target {query.final_pct:g}%",
                    [query.final_pct] * len(months),
                    charts.ORANGE,
                    dashed=True,
                )
            )
            lines.append(
                charts.Line(
                    f"Interim {query.interim_pct:g}%",
                    [query.interim_pct] * len(months),
                    charts.PURPLE,
                    dashed=True,
                )
            )
        svg = charts.line_chart(
            months,
            lines,
            bands=[
                charts.Band(
                    "10th to 90th percentile", frame[f"{name}_p10"].to_list(), frame[f"{name}_p90"].to_list()
                )
            ],
            title=f"{title}: projection",
            x_title="Month", y_title=f"{title} ({unit})",
            desc=f"{title} ({unit}) each month: median of {RUNS} simulations, shaded 10th to 90th percentile.",
            label_every=every,
        )
        out.append({"name": name, "title": title, "svg": svg})
    return out


@router.get("/forecast", response_class=HTMLResponse, include_in_schema=False)
def forecast_page(
    request: Request,
    state: State,
    db: Db,
    auth: Viewer,
    form: Annotated[ScenarioForm, Depends(_page_query)],
) -> Response:
    load = get_load(state, db)
    if form.query is None:  # show what was typed, and why it was refused, on the form
        return render(
            request, state, "forecast.html", auth, title="Forecast", load=load, query=ForecastQuery(),
            typed=form.typed,
            errors=form.errors, result=None, charts=[], rows=[], capacity=[], status_code=400,
        )  # fmt: skip
    query = form.query if "horizon" in request.query_params else _reaching(form.query, load.census_date)
    result = run_forecast(state, load, query)
    public = _public(load, query, result)
    return render(
        request, state, "forecast.html", auth, title="Forecast", load=load, query=query, result=public,
        charts=_charts(query, result.frame), rows=result.frame.to_dicts(), typed={}, errors={},
        capacity=result.plan.capacity_frame().to_dicts() if result.plan is not None else [],
        target_words=target_words,
    )  # fmt: skip


@router.get("/api/v1/forecast", response_model=ForecastPublic, tags=["aggregates"])
def forecast_api(
    query: Annotated[ForecastQuery, Query()], state: State, db: Db, auth: Viewer
) -> ForecastPublic:
    """Project the trust's list under a scenario (median and 10th/90th percentiles by month) and the least
    extra clock stops a week that meet the two targets (the optimiser's recommendation)."""
    load = get_load(state, db)
    return _public(load, query, run_forecast(state, load, query))
