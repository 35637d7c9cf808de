"""``/community``: the published Community Health Services waiting lists and NHS Talking Therapies waits.

Aggregates only (viewers may open it). The figures are :func:`carebacklog.community.chs_measures` over the
bundled 12 CHS months (so England's totals equal NHS England's national rows) and
:func:`carebacklog.community.talking_therapies_standards` over the bundled Talking Therapies measures.
"""

from __future__ import annotations

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

__all__ = ["CommunityData", "community_data", "router"]

router = APIRouter()
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
ProviderQuery = Annotated[str | None, Query(max_length=10, pattern=r"^[A-Za-z0-9]*$")]  # "" = England

AGE_GROUPS = {"adult": "Adults", "cyp": "Children and young people"}


@dataclass(frozen=True)
class CommunityData:
    """The bundled community figures, computed once per process."""

    national: pl.DataFrame  # period × age_group measures
    national_lines: pl.DataFrame  # period × age_group × service_line
    providers: pl.DataFrame  # period × provider × age_group
    provider_lines: pl.DataFrame  # period × provider × age_group × service_line
    provider_names: pl.DataFrame  # org_code, org_name (latest name)
    talking_therapies: pl.DataFrame  # period × England/provider standards


def community_data(state: AppState) -> CommunityData:
    """Measures of the bundled CHS months and Talking Therapies waits (memoised per process)."""

    def compute() -> CommunityData:
        from carebacklog.community import (
            bundled_path,
            chs_measures,
            read_talking_therapies,
            talking_therapies_standards,
        )

        chs = pl.read_parquet(bundled_path("chs_waiting_lists_2024_25.parquet"))
        detail = chs.filter(~pl.col("aggregate"))
        providers = chs_measures(chs.filter(pl.col("org_type") == "Provider"), "provider", by=["age_group"])
        provider_lines = chs_measures(chs.filter(pl.col("org_type") == "Provider"), "provider",
                                      by=["age_group", "service_line"])
        names = (providers.sort("period").group_by("org_code").agg(pl.col("org_name").last())
                 .with_columns(pl.col("org_name").map_elements(org_name, return_dtype=pl.String)).sort("org_name"))
        tt = talking_therapies_standards(read_talking_therapies(bundled_path("talking_therapies_waits.parquet")))
        return CommunityData(
            national=chs_measures(detail, by=["age_group"]).sort("period", "age_group"),
            national_lines=chs_measures(detail, by=["age_group", "service_line"]),
            providers=providers, provider_lines=provider_lines, provider_names=names,
            talking_therapies=tt.sort("period"),
        )

    return state.memo.get(("community",), compute)


def _scope(data: CommunityData, provider: str | None) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """(monthly by age group, by service line, name) for England or one provider."""
    if not provider:
        return data.national, data.national_lines, "England"
    code = provider.upper()
    months = data.providers.filter(pl.col("org_code") == code)
    if months.is_empty():
        raise HTTPException(404, f"No provider {code!r} in the Community Health Services waiting lists.")
    name = data.provider_names.filter(pl.col("org_code") == code)["org_name"][0]
    return months.sort("period", "age_group"), data.provider_lines.filter(pl.col("org_code") == code), name


def _default_provider(state: AppState, db: Any, data: CommunityData) -> str | None:
    try:
        code = get_load(state, db).provider_code
    except HTTPException:
        return None
    return code if data.providers.filter(pl.col("org_code") == code).height else None


def _month_label(period: Any) -> str:
    return period.strftime("%b %Y")


def _chart(monthly: pl.DataFrame, where: str) -> Any:
    periods = sorted(set(monthly["period"].to_list()))
    lines = []
    for group, colour in (("adult", charts.BLUE), ("cyp", charts.ORANGE)):
        values = dict(monthly.filter(pl.col("age_group") == group).select("period", "total").iter_rows())
        lines.append(charts.Line(AGE_GROUPS[group], [values.get(p) for p in periods], colour=colour))
    return charts.line_chart(
        [_month_label(p) for p in periods], lines,
        title=f"People waiting for community health services, {where}, by month",
        x_title="Month end", y_title="People waiting",
        desc="Number of people waiting at each month's end: adults (blue) and children and young people "
             "(orange). The same figures are in the table below.",
        label_every=2,
    )  # fmt: skip


def _tt_chart(tt: pl.DataFrame) -> Any:
    labels = [_month_label(p) for p in tt["period"].to_list()]
    return charts.line_chart(
        labels,
        [charts.Line("Within 6 weeks", tt["pct_within_6"].to_list(), colour=charts.BLUE),
         charts.Line("Within 18 weeks", tt["pct_within_18"].to_list(), colour=charts.PURPLE),
         charts.Line("6-week standard (75%)", [75.0] * len(labels), colour=charts.BLUE, dashed=True),
         charts.Line("18-week standard (95%)", [95.0] * len(labels), colour=charts.PURPLE, dashed=True)],
        title="NHS Talking Therapies: % of finished courses that started treatment within 6 and 18 weeks",
        x_title="Month", y_title="% of finished courses",
        desc="Percentage of people finishing a course of treatment in the month who waited at most 6 weeks "
             "(blue) and 18 weeks (purple) from referral to first treatment; dashed lines are the standards.",
        label_every=max(1, len(labels) // 8),
    )  # fmt: skip


@router.get("/community", response_class=HTMLResponse, include_in_schema=False)
def community_page(request: Request, state: State, db: Db, auth: Viewer, provider: ProviderQuery = None) -> Response:
    data = community_data(state)
    # no choice yet: the loaded trust if it runs community services; an empty choice is England
    code = provider.upper() if provider else (None if provider == "" else _default_provider(state, db, data))
    monthly, lines, name = _scope(data, code)
    latest = monthly["period"].max()
    now = monthly.filter(pl.col("period") == latest)
    totals: dict[str, float | None] = {
        c: float(now[c].sum()) for c in ("total", "within_18", "over_52", "over_104", "banded")}
    banded, within = totals["banded"], totals["within_18"]
    totals["pct_within_18"] = 100 * within / banded if banded and within is not None else None
    by_line = (lines.filter(pl.col("period") == latest).sort("total", descending=True)
               .with_columns(pl.col("age_group").replace_strict(AGE_GROUPS, default=pl.col("age_group"))))
    tt_scope = data.talking_therapies.filter(
        (pl.col("group_type") == "England") if not code else (pl.col("provider_code") == code))
    tt = tt_scope.filter(pl.col("pct_within_6").is_not_null()).tail(12)
    wide = (monthly.pivot(on="age_group", index="period", values="total", aggregate_function="sum")
            .join(monthly.group_by("period").agg(pl.col("total").sum().alias("all_ages"),
                                                 pl.col("over_52").sum().alias("over_52")), on="period")
            .sort("period"))
    line_rows = by_line.to_dicts()
    return render(
        request, state, "community/community.html", auth, title="Community and mental health waits",
        name=name, code=code, latest=latest, first=monthly["period"].min(), totals=totals,
        by_age=[{**r, "label": AGE_GROUPS.get(r["age_group"], r["age_group"])} for r in now.to_dicts()],
        monthly=wide.to_dicts(), age_groups=AGE_GROUPS, chart=_chart(monthly, name),
        lines=line_rows[:12], more_lines=line_rows[12:], tt=tt.to_dicts(), tt_chart=_tt_chart(tt) if tt.height >= 2 else None,
        providers=data.provider_names.to_dicts(),
    )  # fmt: skip


@router.get("/community.csv", include_in_schema=False)
def community_csv(state: State, auth: Viewer, provider: ProviderQuery = None) -> Response:
    """The monthly measures by age group (England or one provider) as CSV."""
    data = community_data(state)
    monthly, _lines, _name = _scope(data, provider)
    return table_response(monthly, f"community_waits_{(provider or 'england').upper()}", "csv")


@router.get("/community.xlsx", include_in_schema=False)
def community_xlsx(state: State, auth: Viewer, provider: ProviderQuery = None) -> Response:
    """The same table as an Excel workbook."""
    data = community_data(state)
    monthly, _lines, _name = _scope(data, provider)
    return table_response(monthly, f"community_waits_{(provider or 'england').upper()}", "xlsx")


@router.get("/api/v1/community/chs", tags=["aggregates"])
def chs_api(
    state: State, auth: Viewer, provider: ProviderQuery = None,
    by: Annotated[str, Query(pattern=r"^(age_group|service_line)$")] = "age_group",
) -> dict[str, Any]:  # fmt: skip
    """Published CHS waiting-list measures by month for England or one provider, by age group or service line."""
    data = community_data(state)
    monthly, lines, name = _scope(data, provider)
    table = monthly if by == "age_group" else lines.sort("period", "age_group", "service_line")
    return {"organisation": name, "code": provider.upper() if provider else None, "by": by,
            "rows": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                     for r in table.to_dicts()]}


@router.get("/api/v1/community/talking-therapies", tags=["aggregates"])
def talking_therapies_api(state: State, auth: Viewer, provider: ProviderQuery = None) -> dict[str, Any]:
    """NHS Talking Therapies 6- and 18-week standards by month for England or one provider."""
    tt = community_data(state).talking_therapies
    scope = tt.filter(pl.col("provider_code") == provider.upper()) if provider else tt.filter(
        pl.col("group_type") == "England")
    if scope.is_empty():
        raise HTTPException(404, f"No Talking Therapies provider {provider!r}.")
    return {"rows": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                     for r in scope.to_dicts()]}
