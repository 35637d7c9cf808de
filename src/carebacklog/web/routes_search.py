"""Finding a patient: by NHS number, local patient id or pathway id (the PTL role; every search audited).

The query is matched exactly (after trimming; NHS numbers also without their spaces or hyphens) against
the current snapshot: its open pathways (the PTL, with who each patient is) and, for a pathway id, its
closed periods too. The audit entry records who searched, for what and how many pathways matched.
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from carebacklog.rtt.nhs_number import is_valid_nhs_number
from carebacklog.store import pathway_periods, record_audit
from carebacklog.web.deps import Auth, Db, Now, State, require_role
from carebacklog.web.overview import specialty_names
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["find_pathways", "router"]

router = APIRouter(include_in_schema=False)
PtlUser = Annotated[Auth, Depends(require_role("ptl"))]


def find_pathways(ptl: pl.DataFrame, query: str) -> tuple[str, pl.DataFrame]:
    """(what the query was taken as, the PTL rows it matches): an NHS number, a patient id or a pathway id."""
    text = query.strip()
    digits = text.replace(" ", "").replace("-", "")
    if is_valid_nhs_number(digits) and "nhs_number" in ptl.columns:
        found = ptl.filter(pl.col("nhs_number") == digits)
        if found.height:
            return "nhs_number", found
    for column in ("pathway_id", "patient_id"):
        found = ptl.filter(pl.col(column) == text)
        if found.height:
            return column, found
    return "none", ptl.clear()


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    state: State,
    db: Db,
    now: Now,
    auth: PtlUser,
    q: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    load = get_load(state, db)
    context: dict[str, Any] = {"q": q, "rows": None, "closed": None, "error": ""}
    if q.strip():
        kind, found = find_pathways(state.ptl_cache.frame(load.id), q)
        closed = None
        if kind == "none":  # a pathway that has left the list still has its periods
            periods = pathway_periods(state.engine, load.id, q.strip())
            if periods.height:
                kind, closed = "pathway_id", periods.to_dicts()
        record_audit(
            db, user=auth.user, action="search", object_type="patient_search", object_id=None,
            detail={"query": q.strip(), "matched_as": kind, "pathways": found.height + len(closed or [])},
            now=now,
        )  # fmt: skip
        if kind == "none":
            context["error"] = "No pathway, patient or NHS number matches that in this snapshot"
        context |= {"rows": found.sort("booking_rank").to_dicts(), "closed": closed, "kind": kind}
    return render(
        request, state, "search.html", auth, title="Find a patient", names=specialty_names(), load=load,
        **context,
    )  # fmt: skip
