"""A synthetic community provider calibrated to a published CHS month.

:func:`synthesise_chs_provider` turns one provider's published waiting list (Tables 4a–4h of a CHS
workbook, read by :func:`carebacklog.community.chs.read_chs`) into patient-level events: one ``referral``
per person waiting, with a referral date drawn uniformly within the days of their band, so that the clock
engine (:func:`carebacklog.community.clock.build_waits`, type ``community_health_services``) at the
month's end, counted with :func:`carebacklog.community.sitrep.waits_to_chs_bands`, reproduces the
provider's published bands by service line exactly. The open top band (over 104 weeks, or over 52 weeks
before December 2024) has no upper edge; its waits are spread over the year after its lower edge, an
assumption, not a published figure. People in the total (Table 4) but in no band ("the sum of weekly
breakdowns may not match the total") cannot be placed and are reported in ``unplaced``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carebacklog.community.clock import EVENT_SCHEMA

__all__ = ["SynthProvider", "synthesise_chs_provider"]

#: Spread of the open top band beyond its lower edge (days): an assumption, see the module docstring.
OPEN_BAND_SPREAD_DAYS = 365


@dataclass(frozen=True)
class SynthProvider:
    """Events of the synthetic provider, the published rows it was calibrated to, and what it could not place."""

    events: pl.DataFrame  # EVENT_SCHEMA: one referral event per person waiting at the census
    census_date: dt.date
    target: pl.DataFrame  # the provider's published band and total rows (CHS_SCHEMA)
    unplaced: pl.DataFrame  # age_group, service_line, count: in the total but in no band


def synthesise_chs_provider(
    tidy: pl.DataFrame, provider_code: str, period: dt.date, *, rng: np.random.Generator, scale: float = 1.0
) -> SynthProvider:
    """Patient-level referrals reproducing ``provider_code``'s published CHS bands in ``period``.

    ``tidy``: :func:`~carebacklog.community.chs.read_chs` output (or the bundled table); ``period`` any day
    of the month (the census is the month's last day). ``scale`` multiplies every band's count (rounded
    half to even), for a smaller or larger demo list. Raises ``ValueError`` if the provider has no rows.
    """
    census = pl.Series([period]).dt.month_end().item()
    rows = tidy.filter(
        (pl.col("org_type") == "Provider") & (pl.col("org_code") == provider_code) & (pl.col("period") == census)
    )
    if rows.height == 0:
        raise ValueError(f"no published rows for provider {provider_code!r} in {census:%B %Y}")
    bands = rows.filter(pl.col("band") != "total")
    counts = np.rint(bands["count"].to_numpy() * scale).astype(np.int64)
    lo_days = np.where(bands["weeks_from"].to_numpy() == 0, 0, bands["weeks_from"].to_numpy() * 7 + 1)
    upper = bands["weeks_to"].to_numpy(allow_copy=True)
    hi_days = np.where(bands["weeks_to"].is_null().to_numpy(), lo_days + OPEN_BAND_SPREAD_DAYS - 1,
                       np.nan_to_num(upper.astype(np.float64)) * 7).astype(np.int64)
    which = np.repeat(np.arange(bands.height), counts)
    days = rng.integers(lo_days[which], hi_days[which] + 1)
    n = which.size
    ids = [f"{provider_code}-{k:07d}" for k in range(1, n + 1)]
    events = pl.DataFrame(
        {
            "referral_id": ids,
            "patient_id": ids,
            "provider_code": [provider_code] * n,
            "icb_code": [None] * n,
            "service_line": bands["service_line"].gather(which),
            "age_group": bands["age_group"].gather(which),
            "priority": [None] * n,
            "event": ["referral"] * n,
            "_days": days,
        },
    )
    events = events.select(
        pl.exclude("_days"), event_date=pl.lit(census, pl.Date) - pl.duration(days=pl.col("_days"))
    ).cast(EVENT_SCHEMA)  # type: ignore[arg-type]
    totals = rows.filter(pl.col("band") == "total").select("age_group", "service_line", pl.col("count").alias("total"))
    placed = bands.group_by("age_group", "service_line").agg(pl.col("count").sum().alias("banded"))
    unplaced = (
        totals.join(placed, on=["age_group", "service_line"], how="left")
        .select("age_group", "service_line",
                count=(pl.col("total") - pl.col("banded").fill_null(0.0)) * scale)
        .filter(pl.col("count") > 0)
        .sort("age_group", "service_line")
    )
    return SynthProvider(events, census, rows, unplaced)
