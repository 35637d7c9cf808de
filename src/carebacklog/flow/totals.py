"""Each file's own national row against the sum of its provider rows.

Every publication read here prints England's figures as a row of its own (A&E's ``TOTAL`` line, KH03's
``England`` line, DM01's ``Total`` line, cancelled operations' ``England (Including Independent
Sector)`` line). Summing the provider rows must give that row back; a difference means a provider row was
lost or misread (or, for the KH03 panel, rounded by whoever built it). Where a file also has region
rows (KH03's ``Region by Sector``, cancelled operations' ``National & Regional``), :func:`region_check`
does the same per region.
"""

from __future__ import annotations

import polars as pl

__all__ = ["NHS_TRUST_CODE", "NON_ADDITIVE", "national_check", "region_check"]

#: Measures that are shares, not counts: they do not add up across providers and are not checked.
NON_ADDITIVE = ("occupied_share_", "waiting_6_plus_share")


def national_check(flow: pl.DataFrame, *, tolerance: float = 1e-6) -> pl.DataFrame:
    """Compare, per ``publication × source × period × measure``, the provider rows' sum with the England row.

    Returns ``publication, source, period, measure, breakdown, providers, provider_sum, national,
    difference, matches`` (``matches``: ``|difference| <= tolerance × max(1, |national|)``). Rows of a
    breakdown (DM01 tests) are summed over the breakdown and compared with England's all-tests row
    (``breakdown`` ``all (sum of tests)``); England rows with a breakdown of their own (cancelled
    operations excluding the independent sector) are compared with nothing and left out. A source with
    no England row (the tidy 2016–2019 A&E series) gives ``national`` null and ``matches`` null.
    """
    keys = ["publication", "source", "period", "measure"]
    additive = ~pl.any_horizontal(*(pl.col("measure").str.starts_with(p) for p in NON_ADDITIVE))
    rows = flow.filter(additive)
    providers = rows.filter(pl.col("level") == "provider")
    national = (
        rows.filter((pl.col("level") == "england") & pl.col("breakdown").is_null())
        .group_by(keys)
        .agg(pl.col("value").sum().alias("national"))
    )
    whole = (
        providers.filter(pl.col("breakdown").is_null())
        .group_by(keys)
        .agg(pl.len().alias("providers"), pl.col("value").sum().alias("provider_sum"))
        .with_columns(pl.lit(None, pl.String).alias("breakdown"))
    )
    by_part = (
        providers.filter(pl.col("breakdown").is_not_null())
        .group_by(keys)
        .agg(pl.col("org_code").n_unique().alias("providers"), pl.col("value").sum().alias("provider_sum"))
        .with_columns(pl.lit("all (sum of tests)").alias("breakdown"))
    )
    parts = [f for f in (whole, by_part) if f.height]
    if not parts:
        return pl.DataFrame(
            schema={**{k: flow.schema[k] for k in keys}, "breakdown": pl.String, "providers": pl.UInt32,
                    "provider_sum": pl.Float64, "national": pl.Float64, "difference": pl.Float64,
                    "matches": pl.Boolean}
        )
    sums = pl.concat([p.select(*keys, "breakdown", pl.col("providers").cast(pl.UInt32), "provider_sum")
                      for p in parts])
    out = sums.join(national, on=keys, how="left").with_columns(
        (pl.col("provider_sum") - pl.col("national")).alias("difference")
    )
    return out.with_columns(
        (pl.col("difference").abs() <= tolerance * pl.max_horizontal(pl.lit(1.0), pl.col("national").abs())).alias(
            "matches"
        )
    ).sort([*keys, "breakdown"], nulls_last=False)


#: ODS codes of NHS trusts (three characters, R… or T…): the providers of "excluding independent sector".
NHS_TRUST_CODE = r"^[RT][A-Z0-9]{2}$"


def region_check(flow: pl.DataFrame, *, tolerance: float = 1e-6) -> pl.DataFrame:
    """Compare each file's region rows with the sum of its providers in that region.

    Region rows published "excluding independent sector" (cancelled operations) are compared with NHS
    trusts only (:data:`NHS_TRUST_CODE`). Returns ``publication, source, period, region_code, measure,
    providers, provider_sum, regional, difference, matches``.
    """
    keys = ["publication", "source", "period", "region_code", "measure"]
    additive = ~pl.any_horizontal(*(pl.col("measure").str.starts_with(p) for p in NON_ADDITIVE))
    rows = flow.filter(additive)
    regions = rows.filter(pl.col("level") == "region").select(
        *keys, pl.col("breakdown").is_not_null().alias("_nhs_only"), pl.col("value").alias("regional")
    )
    providers = rows.filter((pl.col("level") == "provider") & pl.col("breakdown").is_null())
    sums = [
        frame.group_by(keys).agg(pl.len().cast(pl.UInt32).alias("providers"), pl.col("value").sum().alias("provider_sum"))
        .with_columns(pl.lit(nhs_only).alias("_nhs_only"))
        for nhs_only, frame in (
            (False, providers),
            (True, providers.filter(pl.col("org_code").str.contains(NHS_TRUST_CODE))),
        )
    ]
    out = regions.join(pl.concat(sums), on=[*keys, "_nhs_only"], how="left").with_columns(
        (pl.col("provider_sum") - pl.col("regional")).alias("difference")
    )
    return (
        out.with_columns(
            (pl.col("difference").abs() <= tolerance * pl.max_horizontal(pl.lit(1.0), pl.col("regional").abs()))
            .fill_null(False)
            .alias("matches")
        )
        .drop("_nhs_only")
        .sort(keys)
    )
