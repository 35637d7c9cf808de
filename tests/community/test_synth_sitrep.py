"""A synthetic provider calibrated to a published CHS month; patient-level waits counted as the SitRep does."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.community import build_waits
from carebacklog.community.sitrep import band_of_days, waits_to_chs_bands
from carebacklog.community.synth import synthesise_chs_provider

JULY_2025 = dt.date(2025, 7, 31)
KEYS = ["age_group", "service_line", "band"]


def test_band_edges_are_the_workbooks_day_ranges() -> None:
    days = pl.DataFrame({"d": [0, 7, 8, 14, 15, 28, 29, 84, 85, 126, 127, 364, 365, 728, 729]})
    got = days.select(band_of_days(pl.col("d"))).to_series().to_list()
    assert got == ["0-1", "0-1", ">1-2", ">1-2", ">2-4", ">2-4", ">4-12", ">4-12", ">12-18", ">12-18",
                   ">18-52", ">18-52", ">52-104", ">52-104", ">104"]
    old = days.select(band_of_days(pl.col("d"), 52)).to_series().to_list()
    assert old[-3:] == [">52", ">52", ">52"]


@pytest.mark.parametrize(("provider", "period"), [("RYG", JULY_2025), ("RDR", JULY_2025), ("RYG", dt.date(2024, 8, 31))])
def test_engine_output_reproduces_the_published_bands_by_service_line(chs_12_months, provider, period) -> None:
    synth = synthesise_chs_provider(chs_12_months, provider, period, rng=np.random.default_rng(19))
    assert synth.census_date == period
    waits = build_waits(synth.events, "community_health_services", synth.census_date)
    assert (waits["status"] == "open").all()
    top = int(synth.target["top_band_from"][0])
    ours = waits_to_chs_bands(waits, synth.census_date, top_band_from=top)
    published = synth.target.filter(pl.col("band") != "total").select(*KEYS, "count")
    both = published.join(ours.filter(pl.col("band") != "total").select(*KEYS, pl.col("count").alias("ours")),
                          on=KEYS, how="full", coalesce=True).fill_null(0.0)
    assert both.height > 20
    assert (both["count"] == both["ours"]).all(), both.filter(pl.col("count") != pl.col("ours"))
    # Totals too, apart from people the workbook counts in no band.
    totals = synth.target.filter(pl.col("band") == "total").select("age_group", "service_line", "count")
    our_totals = ours.filter(pl.col("band") == "total").select("age_group", "service_line", pl.col("count").alias("ours"))
    gap = totals.join(our_totals, on=["age_group", "service_line"], how="left").fill_null(0.0).join(
        synth.unplaced.rename({"count": "unplaced"}), on=["age_group", "service_line"], how="left").fill_null(0.0)
    assert (gap["count"] == gap["ours"] + gap["unplaced"]).all()


def test_scale_and_unknown_provider(chs_12_months) -> None:
    half = synthesise_chs_provider(chs_12_months, "RYG", JULY_2025, rng=np.random.default_rng(1), scale=0.5)
    full = synthesise_chs_provider(chs_12_months, "RYG", JULY_2025, rng=np.random.default_rng(1))
    assert abs(half.events.height - full.events.height / 2) < 40
    with pytest.raises(ValueError, match="no published rows"):
        synthesise_chs_provider(chs_12_months, "ZZZ", JULY_2025, rng=np.random.default_rng(1))


def test_same_seed_same_provider(chs_12_months) -> None:
    a = synthesise_chs_provider(chs_12_months, "RYG", JULY_2025, rng=np.random.default_rng(5)).events
    b = synthesise_chs_provider(chs_12_months, "RYG", JULY_2025, rng=np.random.default_rng(5)).events
    assert a.equals(b)
