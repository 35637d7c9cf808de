"""Equity: waits and breach rates by IMD quintile, ethnic group, age band and sex, with the deprivation gap.

Aggregates only (viewers may see them). The measures and the gap's confidence intervals are
``carebacklog.equity``'s (``equity_breakdown``, ``deprivation_gap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from carebacklog.store import Load
from carebacklog.web import charts
from carebacklog.web.deps import AppState, Auth, Db, State, require_role
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["DIMENSIONS", "EquityData", "equity_data", "router"]

router = APIRouter()
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
DIMENSIONS = {
    "imd_quintile": "IMD quintile (1 = most deprived)",
    "ethnic_group": "Ethnic group",
    "age_band": "Age band",
    "sex": "Sex",
}


@dataclass(frozen=True)
class EquityData:
    tables: dict[str, pl.DataFrame]
    gap: pl.DataFrame | None
    gap_error: str | None


def equity_data(state: AppState, load: Load) -> EquityData:
    def compute() -> EquityData:
        from carebacklog.equity import deprivation_gap, equity_breakdown

        ptl = state.ptl_cache.frame(load.id)
        tables = {dim: equity_breakdown(ptl, dim) for dim in DIMENSIONS}
        try:
            gap, error = deprivation_gap(ptl), None
        except ValueError as exc:
            gap, error = None, str(exc)
        return EquityData(tables=tables, gap=gap, gap_error=error)

    return state.memo.get(("equity", load.id), compute)


class EquityPublic(BaseModel):
    census_date: str
    breakdowns: dict[str, list[dict[str, Any]]]
    deprivation_gap: list[dict[str, Any]] | None
    deprivation_gap_error: str | None


@router.get("/equity", response_class=HTMLResponse, include_in_schema=False)
def equity_page(request: Request, state: State, db: Db, auth: Viewer) -> Response:
    load = get_load(state, db)
    data = equity_data(state, load)
    sections = []
    for dim, label in DIMENSIONS.items():
        table = data.tables[dim]
        groups = [str(v) for v in table[dim].to_list()]
        chart = charts.bar_chart(
            groups,
            [float(v) for v in table["pct_within_18"].fill_nan(0).fill_null(0).to_list()],
            title=f"% within 18 weeks by {label.lower()}",
            x_title=label, y_title="% within 18 weeks",
            desc=f"Percentage of waiting pathways within 18 weeks in each {label.lower()} group.",
            width=720,
            height=260,
        )
        sections.append({"dim": dim, "label": label, "rows": table.to_dicts(), "chart": chart})
    return render(
        request, state, "equity.html", auth, title="Equity", load=load, sections=sections,
        gap=data.gap.to_dicts() if data.gap is not None else None, gap_error=data.gap_error,
    )  # fmt: skip


@router.get("/api/v1/equity", response_model=EquityPublic, tags=["aggregates"])
def equity_api(state: State, db: Db, auth: Viewer) -> EquityPublic:
    """Headline measures by IMD quintile, ethnic group, age band and sex, and the Q1-Q5 deprivation gap."""
    load = get_load(state, db)
    data = equity_data(state, load)

    def clean(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return frame.fill_nan(None).to_dicts()

    return EquityPublic(
        census_date=load.census_date.isoformat(),
        breakdowns={dim: clean(t) for dim, t in data.tables.items()},
        deprivation_gap=clean(data.gap) if data.gap is not None else None,
        deprivation_gap_error=data.gap_error,
    )
