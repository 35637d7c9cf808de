"""National: any provider's published RTT figures (bundled January 2026 Full CSV extract) beside its peers.

Peers are the providers under the same parent organisation (the ICB) in the same file. Aggregates only:
viewers may see these pages. Measures come from ``carebacklog.published.headline_measures``, so they are
NHS England's own definitions (median and 92nd percentile interpolated within weekly bands).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from carebacklog.web import charts
from carebacklog.web.deps import AppState, Auth, Db, State, require_role
from carebacklog.web.overview import specialty_names
from carebacklog.web.render import render
from carebacklog.web.service import get_load

__all__ = ["NATIONAL_EXTRACT", "NationalData", "ProviderFiguresPublic", "national_data", "router"]

router = APIRouter()
Viewer = Annotated[Auth, Depends(require_role("viewer"))]
NATIONAL_EXTRACT = "rtt_full_extract_2026_01.zip"


@dataclass(frozen=True)
class NationalData:
    period: Any
    providers: pl.DataFrame  # one row per provider: parent_code, provider_code, names, measures
    by_specialty: pl.DataFrame  # provider × treatment function measures
    national: dict[str, Any]


def national_data(state: AppState) -> NationalData:
    """The bundled national extract's measures, computed once per process."""

    def compute() -> NationalData:
        from carebacklog.published import headline_measures, read_orgs, read_rtt

        path = resources.files("carebacklog") / "data" / NATIONAL_EXTRACT
        with resources.as_file(path) as file:
            tidy = read_rtt([file])
            orgs = read_orgs([file])
        names = orgs.filter(pl.col("org_type") == "provider").select(
            pl.col("org_code").alias("provider_code"), pl.col("org_name").alias("provider_name")
        )
        parents = orgs.filter(pl.col("org_type") == "provider_parent").select(
            pl.col("org_code").alias("parent_code"), pl.col("org_name").alias("parent_name")
        )
        providers = (
            headline_measures(tidy, by=["parent", "provider"])
            .join(names, on="provider_code", how="left")
            .join(parents, on="parent_code", how="left")
            .sort("provider_name")
        )
        specialty = headline_measures(tidy, by=["provider", "treatment_function"])
        national = headline_measures(tidy).row(0, named=True)
        return NationalData(
            period=national["period"], providers=providers, by_specialty=specialty, national=national
        )

    return state.memo.get(("national",), compute)


class ProviderFiguresPublic(BaseModel):
    provider_code: str
    provider_name: str | None
    parent_code: str | None
    parent_name: str | None
    total: float
    within_18: float
    pct_within_18: float | None
    over_52: float
    over_65: float
    over_78: float
    over_104: float
    median_weeks: float | None
    p92_weeks: float | None


class NationalPublic(BaseModel):
    period: str
    provider: ProviderFiguresPublic
    peers: list[ProviderFiguresPublic]
    england: dict[str, Any]


def _provider(data: NationalData, code: str) -> tuple[dict[str, Any], pl.DataFrame]:
    row = data.providers.filter(pl.col("provider_code") == code)
    if row.height == 0:
        raise HTTPException(404, f"No provider {code!r} in the national extract.")
    selected = row.row(0, named=True)
    peers = data.providers.filter(pl.col("parent_code") == selected["parent_code"]).sort(
        "pct_within_18", descending=True, nulls_last=True
    )
    return selected, peers


def _default_code(state: State, db: Db, data: NationalData) -> str:
    try:
        code = get_load(state, db).provider_code
    except HTTPException:
        code = ""
    if code and data.providers.filter(pl.col("provider_code") == code).height:
        return code
    return str(data.providers.sort("total", descending=True)["provider_code"][0])


@router.get("/national", response_class=HTMLResponse, include_in_schema=False)
def national_page(
    request: Request, state: State, db: Db, auth: Viewer,
    provider: Annotated[str | None, Query(max_length=10, pattern=r"^[A-Z0-9]+$")] = None,
) -> Response:  # fmt: skip
    data = national_data(state)
    code = provider or _default_code(state, db, data)
    selected, peers = _provider(data, code)
    labels = peers["provider_code"].to_list()
    chart = charts.bar_chart(
        labels,
        [v or 0.0 for v in peers["pct_within_18"].to_list()],
        title=f"% within 18 weeks: {selected['provider_name']} and its peers",
        x_title=f"Providers in {selected['parent_name']} (ODS code)", y_title="% within 18 weeks",
        desc=f"Percentage of incomplete pathways within 18 weeks for each provider in {selected['parent_name']}.",
        colours=[charts.ORANGE if c == code else charts.BLUE for c in labels],
    )
    specialties = data.by_specialty.filter(pl.col("provider_code") == code).sort("total", descending=True)
    names = specialty_names()
    specialties = specialties.with_columns(  # names, not codes ("C_110" is Trauma and orthopaedic service)
        pl.col("treatment_function")
        .map_elements(lambda c: names.get(c.removeprefix("C_"), c), return_dtype=pl.String)
        .alias("treatment_function_name")
    )  # fmt: skip
    return render(
        request, state, "national.html", auth, title="National comparison", data=data, selected=selected,
        peers=peers.to_dicts(), specialties=specialties.to_dicts(), chart=chart,
        providers=data.providers.select("provider_code", "provider_name").to_dicts(),
    )  # fmt: skip


@router.get("/api/v1/national/providers/{provider_code}", response_model=NationalPublic, tags=["aggregates"])
def national_api(provider_code: str, state: State, auth: Viewer) -> NationalPublic:
    """A provider's published headline measures, its peers' (same parent organisation) and England's."""
    data = national_data(state)
    selected, peers = _provider(data, provider_code)
    england = {k: v for k, v in data.national.items() if k != "period"}
    return NationalPublic(
        period=str(data.period),
        provider=ProviderFiguresPublic(**selected),
        peers=[ProviderFiguresPublic(**p) for p in peers.to_dicts()],
        england=england,
    )
