"""Server-rendered pages: overview (aggregates), PTL and pathway (patient level, audited)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from pydantic import ValidationError

from carebacklog.rtt.bookings import next_breach
from carebacklog.store import delete_view, list_views, record_audit, save_view
from carebacklog.web import charts
from carebacklog.web.deps import Auth, Db, Now, State, require_role
from carebacklog.web.downloads import xlsx_response
from carebacklog.web.overview import specialty_names
from carebacklog.web.ptl_columns import OPTIONAL_COLUMNS, chosen_columns
from carebacklog.web.ptl_view import (
    BREACH_TARGETS,
    NO_PRIORITY,
    PRIORITY_FILTERS,
    SORT_KEYS,
    PtlQuery,
    select_ptl,
)
from carebacklog.web.render import render
from carebacklog.web.security import check_csrf
from carebacklog.web.service import (
    SnapshotHistory,
    get_load,
    overview_data,
    pathway_record,
    ptl_page,
    snapshot_history,
)

__all__ = ["CSV_COLUMNS", "PTL_COLUMNS", "parse_ptl_query", "router"]

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
PtlUser = Annotated[Auth, Depends(require_role("ptl"))]

#: Columns of the PTL table and CSV export (patient-level, pseudonymised identifiers only).
PTL_COLUMNS = [
    "booking_rank", "pathway_id", "period", "patient_id", "treatment_function", "priority", "clock_start",
    "weeks_waited", "days_waited", "has_dta", "breach_18_date", "breach_52_date", "priority_due_date",
    "age_band", "sex", "ethnic_group", "imd_quintile",
]  # fmt: skip
CSV_COLUMNS = [
    *PTL_COLUMNS,
    "commissioner_code",
    "dta_date",
    "breach_65_date",
    "breach_78_date",
    "breach_104_date",
    "booked",
    "booked_date",
    "booking_type",
    "booked_after_breach",
    "hospital_cancellations",
    "nhs_number",
    "family_name",
    "given_name",
]


#: Filters that take several values (repeated parameters).
MULTI_VALUED = ("treatment_function", "priority")
#: Query-string parameters of the PTL page that are not filters.
PAGE_ONLY_PARAMS = frozenset({"cols", "view_error", "saved"})
#: Why a view could not be saved (the code in ``view_error=``), as the form says it.
VIEW_ERRORS = {"name": "Enter a name for this view, up to 80 characters"}


def parse_ptl_query(request: Request) -> PtlQuery:
    """The PTL query from a page's query string (empty form fields mean "any")."""
    # ``cols`` (the column chooser) and ``back`` shape the page, not the query
    raw: dict[str, Any] = {k: v for k, v in request.query_params.items() if v != "" and k not in PAGE_ONLY_PARAMS}
    for name in MULTI_VALUED:  # repeated parameters: every value
        values = [v for v in request.query_params.getlist(name) if v != ""]
        if values:
            raw[name] = values
    try:
        return PtlQuery.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc


PageQuery = Annotated[PtlQuery, Depends(parse_ptl_query)]


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, state: State, db: Db, auth: Viewer) -> Response:
    load = get_load(state, db)
    data = overview_data(state, load)
    h = data.headline
    specialty_top = data.specialties.head(12)
    weeks_chart = charts.bar_chart(
        [str(i) for i in range(105)],
        data.weeks,
        title="Pathways by weeks waited",
        x_title="Weeks waited (completed weeks)", y_title="Pathways",
        desc=f"Number of open pathways in each weekly band at {load.census_date:%d %B %Y}; bands 0 to 104+.",
        colours=[charts.BLUE if i < 18 else (charts.ORANGE if i < 52 else charts.PURPLE) for i in range(105)],
        label_every=13,
    )
    specialty_chart = charts.bar_chart(
        specialty_top["treatment_function"].to_list(),
        specialty_top["total"].to_list(),
        title="Waiting list by treatment function",
        x_title="Treatment function (code)", y_title="Pathways waiting",
        desc="Open pathways in the 12 largest treatment functions.",
    )
    trend = data.trend
    trend_chart = None
    if trend.height >= 3:
        trend_chart = charts.line_chart(
            [d.strftime("%b %y") for d in trend["month_end"]],
            [charts.Line("Waiting list", trend["list_size"].to_list())],
            title="Waiting list at each month end (this extract)",
            x_title="Month end", y_title="Pathways waiting",
            desc="Open pathways at each month end the extract covers, up to the census date.",
            label_every=2,
        )
    published = data.published
    months = [d.strftime("%b %y") for d in published["month"]]
    published_chart = None
    if published.height >= 2:
        published_chart = charts.line_chart(
            months,
            [charts.Line("Incomplete pathways", published["list_size"].to_list())],
            title="Published waiting list by month",
            x_title="Month", y_title="Incomplete pathways",
            desc="Incomplete RTT pathways of this trust as NHS England published them, each month.",
            label_every=2,
        )
    spc_chart = None
    if data.spc is not None:
        spc_chart = charts.line_chart(
            months,
            _xmr_lines(data.spc.points, "Incomplete pathways"),
            title="Published waiting list: XmR chart",
            x_title="Month", y_title="Incomplete pathways",
            desc="Monthly incomplete pathways with mean and process limits; coloured points are special causes.",
            y_min=None,
            label_every=2,
        )
    history = snapshot_history(state, load)
    return render(
        request, state, "overview.html", auth, title="Overview", load=load, h=h, specialties=data.specialties,
        weeks_chart=weeks_chart, specialty_chart=specialty_chart, trend_chart=trend_chart, trend=trend,
        published=published, published_chart=published_chart, spc=data.spc, spc_chart=spc_chart,
        history=history, history_chart=_history_chart(history),
        history_is_spc=history.spc is not None and history.headlines.height >= SPC_MIN_SNAPSHOTS,
    )  # fmt: skip


def _xmr_lines(points: Any, label: str) -> list[charts.Line]:
    """An XmR chart's lines: the values (special causes coloured), the mean and the process limits."""
    colours = {"improvement": charts.BLUE, "concern": charts.ORANGE}
    markers = [colours.get(v) for v in points["variation"].to_list()]
    return [
        charts.Line(label, points["value"].to_list(), charts.GREY, markers=markers),
        charts.Line("Mean", points["mean"].to_list(), charts.BLUE, dashed=True),
        charts.Line("Upper process limit", points["upper_limit"].to_list(), charts.GREY, dashed=True),
        charts.Line("Lower process limit", points["lower_limit"].to_list(), charts.GREY, dashed=True),
    ]


#: Snapshots needed before the history is drawn as an XmR chart: process limits from fewer points say little
#: (NHS England's Making Data Count guidance asks for about 15 to 20 points).
SPC_MIN_SNAPSHOTS = 15


def _history_chart(history: SnapshotHistory) -> Markup | None:
    """The waiting list at each loaded census date: a line with fewer than :data:`SPC_MIN_SNAPSHOTS`
    snapshots, an XmR chart from then on (None with fewer than two snapshots)."""
    frame = history.headlines
    if frame.height < 2:
        return None
    dates = [f"{d.day} {d:%b %y}" for d in frame["census_date"]]
    every = max(1, len(dates) // 6)
    if history.spc is None or frame.height < SPC_MIN_SNAPSHOTS:
        return charts.line_chart(
            dates,
            [charts.Line("Waiting list", frame["waiting"].to_list(), charts.BLUE)],
            title="Waiting list at each loaded census date",
            x_title="Census date", y_title="Pathways waiting",
            desc="Open pathways in each snapshot this database holds, oldest first.",
            label_every=every,
        )
    return charts.line_chart(
        dates,
        _xmr_lines(history.spc.points, "Waiting list"),
        title="Waiting list at each loaded census date: XmR chart",
        x_title="Census date", y_title="Pathways waiting",
        desc="Open pathways in each snapshot this database holds, with mean and process limits; coloured "
        "points are special causes.",
        y_min=None,
        label_every=every,
    )


def _options(state: State, load_id: int) -> dict[str, list[Any]]:
    def compute() -> dict[str, list[Any]]:
        frame = state.ptl_cache.frame(load_id)
        names = specialty_names()

        def distinct(column: str) -> list[Any]:
            return sorted(v for v in frame[column].unique().to_list() if v is not None)

        return {
            "treatment_function": [
                (c, f"{c} {names.get(c, '')}".strip()) for c in distinct("treatment_function")
            ],
            "ethnic_group": distinct("ethnic_group"),
            "age_band": distinct("age_band"),
            "sex": distinct("sex"),
        }

    return state.memo.get(("options", load_id), compute)


def _link(query: PtlQuery, cols: Sequence[str] = (), **changes: Any) -> str:
    data = query.model_dump()
    data.update(changes)
    defaults = PtlQuery().model_dump()
    kept = {k: v for k, v in data.items() if v is not None and v != defaults.get(k)}
    pairs: list[tuple[str, Any]] = []
    for k, v in kept.items():
        values = v if isinstance(v, list) else [v]
        pairs += [(k, str(x).lower() if isinstance(x, bool) else x) for x in values]
    pairs += [("cols", c) for c in cols]
    return "?" + urlencode(pairs) if pairs else "?"


def _filter_form(state: State, load_id: int, query: PtlQuery, cols: Sequence[str] = ()) -> Markup:
    """The filter form for these filters (memoised: the NHS.UK select macros dominate the page's cost);
    the chosen columns ride along as hidden fields."""
    key = (
        "ptl_form",
        load_id,
        query.model_dump_json(include=set(PtlQuery.model_fields) - {"page", "page_size"}),
        tuple(cols),
    )

    def compute() -> Markup:
        template = state.templates.get_template("ptl_filters.html")
        html = template.render(
            query=query, options=_options(state, load_id), breach_targets=BREACH_TARGETS,
            priorities=PRIORITY_FILTERS, no_priority=NO_PRIORITY, cols=cols,
        )  # fmt: skip
        return Markup(html)

    return state.fragments.get(key, compute)


def _table(
    state: State, load_id: int, query: PtlQuery, cols: Sequence[str], render_table: Callable[[], str]
) -> Markup:
    """The page's table (memoised per load, query and columns: a load's PTL never changes)."""
    key = ("ptl_table", load_id, query.model_dump_json(), tuple(cols))
    return state.fragments.get(key, lambda: Markup(render_table()))


@router.get("/ptl", response_class=HTMLResponse)
def ptl(request: Request, state: State, db: Db, now: Now, auth: PtlUser, query: PageQuery) -> Response:
    load = get_load(state, db)
    page = ptl_page(state, load, query)
    record_audit(
        db, user=auth.user, action="view_ptl", object_type="ptl", object_id=str(load.id),
        detail={"filters": query.filters(), "sort": query.sort, "order": query.order, "page": query.page,
                "rows": page.rows.height},
        now=now,
    )  # fmt: skip

    cols = chosen_columns(request.query_params.getlist("cols"))
    here = "/ptl" + _link(query, cols)

    def render_table() -> str:
        sort_links = {
            key: _link(
                query, cols,
                sort=key, order="desc" if query.sort == key and query.order == "asc" else "asc", page=1,
            )
            for key in SORT_KEYS
        }  # fmt: skip
        return state.templates.get_template("ptl_table.html").render(
            query=query, page=page, rows=page.rows.with_columns(next_breach(load.census_date)).to_dicts(),
            sort_links=sort_links,
            prev_link=_link(query, cols, page=query.page - 1) if query.page > 1 else None,
            next_link=_link(query, cols, page=query.page + 1) if query.page < page.pages else None,
            names=specialty_names(), extra=cols, optional=OPTIONAL_COLUMNS, back=here,
        )  # fmt: skip

    return render(
        request, state, "ptl.html", auth, title="Patient tracking list", load=load, query=query, page=page,
        filter_form=_filter_form(state, load.id, query, cols), table=_table(state, load.id, query, cols, render_table),
        csv_link="/ptl.csv" + _link(query, page=1), cols=cols, optional=OPTIONAL_COLUMNS,
        hidden_filters=[(k, v) for k, v in _link_pairs(query)], wide=True,
        views=list_views(db, auth.user), view_query=_link(query, cols, page=1).lstrip("?"),
        view_error=VIEW_ERRORS.get(request.query_params.get("view_error", ""), ""),
        saved=request.query_params.get("saved") is not None,
    )  # fmt: skip


@router.post("/ptl/views")
def save_ptl_view(
    state: State,
    db: Db,
    now: Now,
    auth: PtlUser,
    name: Annotated[str, Form(max_length=200)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Save the PTL page's query (filters, sort, columns) under a name, for this user only."""
    check_csrf(auth.session.csrf_token, csrf_token)
    target = _back_to_ptl("/ptl?" + query if query else "/ptl")
    kept = target.removeprefix("/ptl").lstrip("?")
    title = " ".join(name.split())
    if not title or len(title) > 80:
        return RedirectResponse(_with(target, "view_error=name"), status_code=303)
    view = save_view(db, auth.user, name=title, query=kept, now=now)
    record_audit(
        db, user=auth.user, action="save_view", object_type="saved_view", object_id=str(view.id),
        detail={"name": title, "query": kept}, now=now,
    )  # fmt: skip
    return RedirectResponse(_with(target, "saved=1"), status_code=303)


@router.post("/ptl/views/{view_id}/delete")
def delete_ptl_view(
    view_id: int, db: Db, now: Now, auth: PtlUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(auth.session.csrf_token, csrf_token)
    if delete_view(db, auth.user, view_id):
        record_audit(
            db, user=auth.user, action="delete_view", object_type="saved_view", object_id=str(view_id), now=now
        )
    return RedirectResponse("/ptl", status_code=303)


def _with(target: str, param: str) -> str:
    return target + ("&" if "?" in target else "?") + param


def _link_pairs(query: PtlQuery) -> list[tuple[str, str]]:
    """The query's non-default filters, sort and page as (name, value) pairs (for hidden form fields)."""
    from urllib.parse import parse_qsl

    return parse_qsl(_link(query, page=1).lstrip("?"))


def _csv_rows(frame_rows: list[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for i, row in enumerate(frame_rows, 1):
        writer.writerow(row)
        if i % 5000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get("/ptl.csv")
def ptl_csv(state: State, db: Db, now: Now, auth: PtlUser, query: PageQuery) -> Response:
    """The whole filtered PTL (every page) in the chosen order, as CSV."""
    load = get_load(state, db)
    selected = select_ptl(state.ptl_cache.frame(load.id, query.sort), query, load.census_date)
    record_audit(
        db, user=auth.user, action="export_ptl", object_type="ptl", object_id=str(load.id),
        detail={"filters": query.filters(), "rows": selected.height}, now=now,
    )  # fmt: skip
    filename = f"ptl_{load.provider_code}_{load.census_date.isoformat()}.csv"
    return StreamingResponse(
        _csv_rows(selected.select(CSV_COLUMNS).to_dicts()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/pathways/{pathway_id}", response_class=HTMLResponse)
def pathway(
    request: Request, pathway_id: str, state: State, db: Db, now: Now, auth: PtlUser, back: str = ""
) -> Response:
    load = get_load(state, db)
    record = pathway_record(state, load, pathway_id)
    record_audit(
        db, user=auth.user, action="view_pathway", object_type="pathway", object_id=pathway_id, now=now
    )
    return render(
        request, state, "pathway.html", auth, title=f"Pathway {pathway_id}", load=load, record=record,
        periods=record.periods.to_dicts(), events=record.events.to_dicts(), names=specialty_names(),
        back=_back_to_ptl(back),
    )  # fmt: skip


def _back_to_ptl(back: str) -> str:
    """Where "Back to the PTL" goes: the PTL page the user came from (filters, sort, page and columns),
    only ever a path of this site's PTL."""
    ours = back == "/ptl" or back.startswith("/ptl?")
    if ours and "//" not in back and "\\" not in back and len(back) <= 2000:
        return back
    return "/ptl"


@router.get("/ptl.xlsx")
def ptl_xlsx(state: State, db: Db, now: Now, auth: PtlUser, query: PageQuery) -> Response:
    """The whole filtered PTL (every page) in the chosen order, as an Excel workbook."""
    load = get_load(state, db)
    selected = select_ptl(state.ptl_cache.frame(load.id, query.sort), query, load.census_date)
    record_audit(
        db, user=auth.user, action="export_ptl", object_type="ptl", object_id=str(load.id),
        detail={"filters": query.filters(), "rows": selected.height, "format": "xlsx"}, now=now,
    )  # fmt: skip
    try:
        return xlsx_response(selected.select(CSV_COLUMNS), f"ptl_{load.provider_code}_{load.census_date}.xlsx")
    except ValueError as exc:  # more rows than a sheet holds
        raise HTTPException(422, str(exc)) from exc
