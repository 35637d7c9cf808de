"""JSON API under /api/v1, mirroring the pages: overview (viewer), PTL and pathways (ptl, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from carebacklog.store import record_audit
from carebacklog.web.deps import Auth, Db, Now, State, require_role
from carebacklog.web.overview import specialty_names
from carebacklog.web.ptl_view import PtlQuery
from carebacklog.web.schemas import (
    HeadlinePublic,
    LoadPublic,
    OverviewPublic,
    PathwayPublic,
    PtlPagePublic,
    PtlRowPublic,
    PublishedMonthPublic,
    SpecialtyPublic,
    TrendPointPublic,
)
from carebacklog.web.service import get_load, overview_data, pathway_record, ptl_page

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
PtlUser = Annotated[Auth, Depends(require_role("ptl"))]
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in (problem+json)"},
    403: {"description": "Role does not allow this (problem+json)"},
    422: {"description": "Invalid parameters (problem+json)"},
}


@router.get("/overview", response_model=OverviewPublic, tags=["aggregates"], responses=_PROBLEMS)
def api_overview(state: State, db: Db, auth: Viewer) -> OverviewPublic:
    """Headline measures, weeks-waited distribution, treatment functions and monthly trend (no patient data)."""
    load = get_load(state, db)
    data = overview_data(state, load)
    names = specialty_names()
    specialties = [
        SpecialtyPublic(**{**row, "name": row["name"] or names.get(row["treatment_function"], "")})
        for row in data.specialties.to_dicts()
    ]
    return OverviewPublic(
        load=LoadPublic.model_validate(load),
        headline=HeadlinePublic(**data.headline.__dict__),
        weeks_waited_counts=data.weeks,
        specialties=specialties,
        trend=[TrendPointPublic(**row) for row in data.trend.to_dicts()],
        published_trend=[PublishedMonthPublic(**row) for row in data.published.to_dicts()],
        spc=data.spc.summary() if data.spc is not None else None,
    )


def _page_url(request: Request, page: int) -> str:
    return str(request.url.include_query_params(page=page))


@router.get("/ptl", response_model=PtlPagePublic, tags=["patient level"], responses=_PROBLEMS)
def api_ptl(
    request: Request, query: Annotated[PtlQuery, Query()], state: State, db: Db, now: Now, auth: PtlUser
) -> PtlPagePublic:
    """One page of the PTL, filtered and sorted (default: booking order). Each call is audited."""
    load = get_load(state, db)
    page = ptl_page(state, load, query)
    record_audit(
        db, user=auth.user, action="view_ptl", object_type="ptl", object_id=str(load.id),
        detail={"filters": query.filters(), "sort": query.sort, "order": query.order, "page": query.page,
                "rows": page.rows.height, "via": "api"},
        now=now,
    )  # fmt: skip
    return PtlPagePublic(
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        pages=page.pages,
        next=_page_url(request, page.page + 1) if page.page < page.pages else None,
        previous=_page_url(request, page.page - 1) if page.page > 1 else None,
        census_date=load.census_date,
        items=[PtlRowPublic(**row) for row in page.rows.to_dicts()],
    )


@router.get(
    "/pathways/{pathway_id}", response_model=PathwayPublic, tags=["patient level"], responses=_PROBLEMS
)
def api_pathway(pathway_id: str, state: State, db: Db, now: Now, auth: PtlUser) -> PathwayPublic:
    """One pathway: its periods, events and the engine's explanation of each event. Each call is audited."""
    load = get_load(state, db)
    record = pathway_record(state, load, pathway_id)
    record_audit(
        db, user=auth.user, action="view_pathway", object_type="pathway", object_id=pathway_id,
        detail={"via": "api"}, now=now,
    )  # fmt: skip
    return PathwayPublic.model_validate(
        {
            "pathway_id": pathway_id,
            "ptl": record.ptl,
            "periods": record.periods.to_dicts(),
            "events": record.events.to_dicts(),
            "explanation": record.explanation,
        }
    )
