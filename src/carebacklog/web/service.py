"""What pages and API handlers share: the current load, its cached figures, one pathway's record.

Handlers stay thin: they parse the request, call these, write the audit entry and render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from fastapi import HTTPException
from sqlalchemy.orm import Session

from carebacklog.rtt import EVENT_COLUMNS, EVENT_SCHEMA, explain
from carebacklog.rtt.trend import covered_trend, monthly_trend
from carebacklog.spc import XmrChart, xmr_chart
from carebacklog.store import (
    Load,
    current_load,
    pathway_events,
    pathway_periods,
    periods_frame,
    snapshot_headlines,
)
from carebacklog.web.deps import AppState
from carebacklog.web.overview import Headline, by_specialty, headline, published_trend, weeks_histogram
from carebacklog.web.ptl_view import PtlPage, PtlQuery, query_ptl

__all__ = [
    "OverviewData",
    "PathwayRecord",
    "explain_events",
    "get_load",
    "overview_data",
    "pathway_record",
    "ptl_page",
    "snapshot_history",
]


def get_load(state: AppState, db: Session) -> Load:
    """The load the app shows (``CAREBACKLOG_PROVIDER_CODE`` or the newest); 404 when none is loaded."""
    load = current_load(db, state.settings.provider_code)
    if load is None:
        raise HTTPException(404, "No trust is loaded yet: run `carebacklog demo` or load a trust.")
    return load


@dataclass(frozen=True)
class SnapshotHistory:
    """The provider's headline measures at each loaded census date, and their XmR chart (2+ snapshots)."""

    headlines: pl.DataFrame  # store.snapshot_headlines: one row per census date, oldest first
    spc: XmrChart | None


def snapshot_history(state: AppState, load: Load) -> SnapshotHistory:
    """The headline measures across the provider's snapshots, up to ``load`` (memoised per newest load)."""

    def compute() -> SnapshotHistory:
        frame = snapshot_headlines(state.engine, load.provider_code).filter(
            pl.col("census_date") <= load.census_date
        )
        chart = None
        if frame.height >= 2:
            dates = [d.isoformat() for d in frame["census_date"]]
            chart = xmr_chart(frame["waiting"].cast(pl.Float64).to_list(), dates, polarity="down")
        return SnapshotHistory(frame, chart)

    return state.memo.get(("snapshot_history", load.id), compute)


def ptl_page(state: AppState, load: Load, query: PtlQuery) -> PtlPage:
    frame = state.ptl_cache.frame(load.id, query.sort)
    return query_ptl(frame, query, load.census_date)


@dataclass(frozen=True)
class OverviewData:
    headline: Headline
    specialties: pl.DataFrame
    weeks: list[int]
    trend: pl.DataFrame  # the trust's own month ends the extract covers
    published: pl.DataFrame  # the trust's published list size by month (bundled series)
    spc: XmrChart | None  # of the published list size; None with fewer than two published months


def _spc(published: pl.DataFrame) -> XmrChart | None:
    """XmR chart of the published list size (a falling list is improvement), with MDC's rules."""
    if published.height < 2:
        return None
    months = [d.isoformat() for d in published["month"]]
    return xmr_chart(published["list_size"].to_list(), months, polarity="down")


def overview_data(state: AppState, load: Load) -> OverviewData:
    """The overview's figures for a load (computed once per process and load)."""
    memo = state.ptl_cache

    def compute() -> OverviewData:
        ptl = memo.frame(load.id)
        periods = periods_frame(state.engine, load.id)
        trend = covered_trend(monthly_trend(periods, load.census_date), periods, load.census_date)
        published = published_trend(load.provider_code, load.provider_name)
        return OverviewData(
            headline=headline(ptl),
            specialties=by_specialty(ptl),
            weeks=[int(v) for v in weeks_histogram(ptl)],
            trend=trend,
            published=published,
            spc=_spc(published),
        )

    return state.memo.get(("overview", load.id), compute)


@dataclass(frozen=True)
class PathwayRecord:
    pathway_id: str
    periods: pl.DataFrame
    events: pl.DataFrame
    ptl: dict[str, Any] | None
    explanation: list[dict[str, Any]]


def explain_events(events: pl.DataFrame, pathway_id: str, census_date: dt.date) -> list[dict[str, Any]]:
    """The engine's account of each event (``rtt.explain``): its period, effect, rule and a sentence."""
    if events.height == 0:
        return []
    contract = [c for c in EVENT_COLUMNS if c in events.columns]
    schema: dict[Any, Any] = {c: t for c, t in EVENT_SCHEMA.items() if c in contract}
    return explain(events.select(contract).cast(schema, strict=False), pathway_id, census_date).to_dicts()


def pathway_record(state: AppState, load: Load, pathway_id: str) -> PathwayRecord:
    """One pathway's periods, events, PTL row and explanation; 404 when the load has no such pathway."""
    periods = pathway_periods(state.engine, load.id, pathway_id)
    events = pathway_events(state.engine, load.id, pathway_id)
    if periods.height == 0 and events.height == 0:
        raise HTTPException(404, "There is no pathway with that identifier in the loaded trust.")
    ptl = state.ptl_cache.frame(load.id)
    row = ptl.filter(pl.col("pathway_id") == pathway_id)
    return PathwayRecord(
        pathway_id=pathway_id,
        periods=periods,
        events=events,
        ptl=row.row(0, named=True) if row.height else None,
        explanation=explain_events(events, pathway_id, load.census_date),
    )
