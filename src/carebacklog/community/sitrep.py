"""Patient-level waits → the CHS SitRep's bands: a provider's own return, in the published table's layout.

NHS England's CHS waiting-list collection counts, per provider and service line, the people still
waiting at the month's end in the bands 0–1, >1–2, >2–4, >4–12, >12–18, >18–52, >52–104 and over 104
weeks (to November 2024 the last two were one band, over 52 weeks). A wait of ``d`` days (census −
referral) is in the band from ``a`` to ``b`` weeks when ``7a < d ≤ 7b``; the first band also holds day
0 (the workbooks' day ranges: 0–7, 8–14, 15–28, 29–84, 85–126, 127–364, 365–728, 729+).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from carebacklog.community.chs import BAND_EDGES, CHS_SCHEMA

__all__ = ["SITREP_BANDS", "band_of_days", "waits_to_chs_bands"]

#: Bands of the current layout (from December 2024) and of the earlier one.
SITREP_BANDS: Final[dict[int, tuple[str, ...]]] = {
    104: ("0-1", ">1-2", ">2-4", ">4-12", ">12-18", ">18-52", ">52-104", ">104"),
    52: ("0-1", ">1-2", ">2-4", ">4-12", ">12-18", ">18-52", ">52"),
}


def band_of_days(days: pl.Expr, top_band_from: int = 104) -> pl.Expr:
    """The CHS band label of a wait in days (see the module docstring)."""
    labels = SITREP_BANDS[top_band_from]
    expr = pl.lit(labels[-1])
    for label in reversed(labels[:-1]):
        upper = BAND_EDGES[label][1]
        assert upper is not None
        expr = pl.when(days <= 7 * upper).then(pl.lit(label)).otherwise(expr)
    return expr


def waits_to_chs_bands(waits: pl.DataFrame, census_date: dt.date, *, top_band_from: int = 104) -> pl.DataFrame:
    """Open waits at ``census_date`` counted as the CHS publication does (:data:`~carebacklog.community.chs.CHS_SCHEMA`).

    ``waits``: :func:`carebacklog.community.clock.build_waits` of the ``community_health_services`` type
    at that census. One row per provider × age group × service line × band with people in it, plus the
    ``total`` rows; ``org_type`` is ``Provider``, ``aggregate`` False.
    """
    if top_band_from not in SITREP_BANDS:
        raise ValueError("top_band_from must be 104 (from December 2024) or 52 (before)")
    period = pl.Series([census_date]).dt.month_end().item()
    open_ = waits.filter(pl.col("status") == "open")
    keys = ["provider_code", "age_group", "service_line"]
    banded = (
        open_.with_columns(band=band_of_days(pl.col("days_waited"), top_band_from))
        .group_by(*keys, "band").agg(pl.len().cast(pl.Float64).alias("count"))
    )
    total = open_.group_by(keys).agg(pl.len().cast(pl.Float64).alias("count")).with_columns(band=pl.lit("total"))
    edges = {b: BAND_EDGES[b] for b in SITREP_BANDS[top_band_from]}
    both = pl.concat([total.select(*keys, "band", "count"), banded.select(*keys, "band", "count")])
    return both.select(
        period=pl.lit(period, pl.Date),
        org_type=pl.lit("Provider"),
        org_code=pl.col("provider_code"),
        org_name=pl.lit(None, pl.String),
        age_group="age_group",
        service_line="service_line",
        band="band",
        weeks_from=pl.col("band").replace_strict({b: e[0] for b, e in edges.items()}, default=None,
                                                 return_dtype=pl.Int16),
        weeks_to=pl.col("band").replace_strict({b: e[1] for b, e in edges.items()}, default=None,
                                               return_dtype=pl.Int16),
        count="count",
        top_band_from=pl.lit(top_band_from, pl.Int16),
        aggregate=pl.lit(False),
    ).cast(CHS_SCHEMA).sort("org_code", "age_group", "service_line", "weeks_from", nulls_last=False)  # type: ignore[arg-type]
