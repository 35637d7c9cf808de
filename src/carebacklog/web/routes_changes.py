"""The "changes since" view: what happened on the PTL between an earlier snapshot and the newest one.

Patient level (the PTL role), every view audited. The figures come from
:func:`carebacklog.trust.compare_snapshots`, memoised per pair of snapshots and horizon (a snapshot
never changes once written).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from carebacklog.store import list_loads, record_audit
from carebacklog.trust import CHANGE_KINDS, CHANGE_SCHEMA, Comparison, compare_snapshots, pick_snapshots
from carebacklog.web.deps import Auth, Db, Now, State, require_role
from carebacklog.web.downloads import table_response
from carebacklog.web.overview import specialty_names
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["KIND_LABELS", "ChangesQuery", "router"]

router = APIRouter(include_in_schema=False)
PtlUser = Annotated[Auth, Depends(require_role("ptl"))]

#: How each kind of change reads on the page.
KIND_LABELS = {
    "joined": "Joined the list",
    "stopped": "Clock stopped",
    "removed": "Removed without a recorded stop",
    "moved_band": "Moved band",
    "will_breach": "About to breach",
}
OUTCOME_LABELS = {
    "admitted": "treated as an inpatient or day case",
    "non_admitted": "treated or discharged in clinic",
    "nullified": "clock nullified",
    "transferred": "transferred to another provider",
}
PAGE_SIZE = 100
MAX_PAGE = 100_000


class ChangesQuery(BaseModel):
    """The page's query string: which earlier snapshot, how far to look ahead, which kind, which page."""

    since: dt.date | None = Field(default=None, description="Earlier census date (default: the one before).")
    horizon: int = Field(default=4, ge=0, le=104, description="Weeks ahead for pathways about to breach.")
    kind: str | None = Field(default=None, pattern="^(" + "|".join(CHANGE_KINDS) + ")$")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


def _query(
    since: Annotated[str | None, Query()] = None,
    horizon: Annotated[int, Query(ge=0, le=104)] = 4,
    kind: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> ChangesQuery:
    try:
        return ChangesQuery.model_validate(
            {"since": since or None, "horizon": horizon, "kind": kind or None, "page": page}
        )
    except ValidationError as exc:  # a 422 naming the parameter, as for any other bad query
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc


Changes = Annotated[ChangesQuery, Depends(_query)]


def _comparison(state: State, db: Db, query: ChangesQuery) -> tuple[list[Any], Comparison | None, str]:
    """The provider's snapshots and the comparison asked for (None with a reason when there is none)."""
    load = get_load(state, db)
    loads = list_loads(db, load.provider_code)
    try:
        before, after = pick_snapshots(loads, query.since)
    except LookupError as exc:
        return loads, None, str(exc)
    key = ("changes", before.id, after.id, query.horizon)
    found = state.memo.get(
        key,
        lambda: compare_snapshots(
            state.engine, load.provider_code, since=before.census_date, horizon_weeks=query.horizon
        ),
    )
    return loads, found, ""


def _detail(row: dict[str, Any]) -> str:
    kind = row["kind"]
    if kind == "stopped":
        outcome = OUTCOME_LABELS.get(row["outcome"] or "", row["outcome"] or "")
        return f"{outcome}, {row['clock_stop']:%d %b %Y}"
    if kind == "moved_band":
        return f"{row['band_before']} → {row['band_after']} weeks"
    if kind == "will_breach":
        return f"{row['breach_weeks']} weeks on {row['breach_date']:%d %b %Y}"
    if kind == "removed":
        return f"was in band {row['band_before']} weeks"
    return f"band {row['band_after']} weeks"


def _audit(db: Db, auth: Auth, now: dt.datetime, comparison: Comparison, query: ChangesQuery, what: str) -> None:
    record_audit(
        db, user=auth.user, action=what, object_type="changes", object_id=str(comparison.after.id),
        detail={"since_load": comparison.before.id, "horizon": query.horizon, "kind": query.kind,
                "page": query.page},
        now=now,
    )  # fmt: skip


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, state: State, db: Db, now: Now, auth: PtlUser, query: Changes) -> Response:
    loads, comparison, reason = _comparison(state, db, query)
    context: dict[str, Any] = {"loads": loads, "comparison": comparison, "reason": reason, "query": query}
    if comparison is not None:
        _audit(db, auth, now, comparison, query, "view_changes")
        table = comparison.changes
        if query.kind:
            table = table.filter(pl.col("kind") == query.kind)
        pages = max(1, -(-table.height // PAGE_SIZE))
        page = min(query.page, pages)
        rows = table.slice((page - 1) * PAGE_SIZE, PAGE_SIZE).to_dicts()
        for row in rows:
            row["detail"] = _detail(row)

        def link(**changes: Any) -> str:
            data = {"since": comparison.before.census_date.isoformat(), "horizon": query.horizon,
                    "kind": query.kind, "page": page} | changes  # fmt: skip
            return "?" + urlencode({k: v for k, v in data.items() if v not in (None, "", 1) or k == "horizon"})

        since_items = [
            {"value": x.census_date.isoformat(), "text": f"{x.census_date.day} {x.census_date:%B %Y}",
             "selected": x.id == comparison.before.id}
            for x in loads if x.census_date < comparison.after.census_date
        ]  # fmt: skip
        context |= {
            "since_items": since_items, "rows": rows, "page": page, "pages": pages, "matching": table.height, "link": link,
            "names": specialty_names(), "kinds": KIND_LABELS,
        }  # fmt: skip
    return render(request, state, "changes.html", auth, title="Changes since", **context)


def _changes_download(state: State, db: Db, now: dt.datetime, auth: Auth, query: ChangesQuery, fmt: str) -> Response:
    _, comparison, _reason = _comparison(state, db, query)
    if comparison is None:  # nothing to compare yet: the columns, no rows
        return table_response(pl.DataFrame(schema=CHANGE_SCHEMA), "changes", fmt)  # type: ignore[arg-type]
    _audit(db, auth, now, comparison, query, "export_changes")
    table = comparison.changes
    if query.kind:
        table = table.filter(pl.col("kind") == query.kind)
    names = specialty_names()
    table = table.with_columns(
        pl.col("treatment_function")
        .replace_strict(names, default=None, return_dtype=pl.String)
        .alias("treatment_function_name")
    )
    before, after = comparison.before, comparison.after
    stem = f"changes_{after.provider_code}_{before.census_date}_{after.census_date}"
    return table_response(table, stem, fmt)  # type: ignore[arg-type]


@router.get("/changes.csv")
def changes_csv(state: State, db: Db, now: Now, auth: PtlUser, query: Changes) -> Response:
    return _changes_download(state, db, now, auth, query, "csv")


@router.get("/changes.xlsx")
def changes_xlsx(state: State, db: Db, now: Now, auth: PtlUser, query: Changes) -> Response:
    return _changes_download(state, db, now, auth, query, "xlsx")
