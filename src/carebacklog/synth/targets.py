"""The published month a synthetic trust must reproduce, as integer counts per cell.

Input is the tidy long table of :func:`carebacklog.published.read_rtt` (columns ``provider_code,
commissioner_code, part, treatment_function, weeks_band, count``). A cell is commissioner x treatment
function x weekly band (Part_1A, Part_1B, Part_2, Part_2A) or commissioner x treatment function (Part_3).
Counts are multiplied by ``scale`` and rounded stochastically (exact when ``scale`` is 1).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["UNKNOWN_COMMISSIONER", "MonthTargets", "month_targets"]

_BAND_PARTS = ("Part_1A", "Part_1B", "Part_2", "Part_2A")
#: Label for rows without a commissioner code while planning (written back as null).
UNKNOWN_COMMISSIONER = "\x00unknown"


@dataclass(frozen=True)
class MonthTargets:
    """Integer targets for one provider's month.

    ``commissioners`` and ``treatment_functions`` are the labels indexed by the ``*_idx`` arrays of each
    part; ``parts[name]`` is a frame with ``cc_idx, tf_idx, band, n`` (``band`` -1 for Part_3).
    """

    provider_code: str
    commissioners: list[str]
    treatment_functions: list[str]
    parts: dict[str, pl.DataFrame]
    top_band: int = 104  # the extract's open-ended band (52, "52 plus", before April 2021)

    def total(self, part: str) -> int:
        return int(self.parts[part]["n"].sum())


def _round_scaled(counts: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    x = counts * scale
    base = np.floor(x)
    return (base + (rng.random(x.shape[0]) < (x - base))).astype(np.int64)


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def month_targets(
    extract: pl.DataFrame,
    provider_code: str,
    *,
    scale: float = 1.0,
    rng: np.random.Generator,
    census_date: dt.date | None = None,
) -> MonthTargets:
    """Cell counts for ``provider_code`` from a tidy published extract.

    Unknown-clock-start counts (null ``weeks_band``) of the banded parts are spread over the cell's known
    bands in proportion (the engine needs a clock start for every pathway). Raises ``ValueError`` naming
    the provider when the extract holds no incomplete pathways for it.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rows = extract.filter(pl.col("provider_code") == provider_code)
    if census_date is not None and "period" in rows.columns:
        # A time series holds several months: keep the census month; refuse a census in another month.
        month = _month_end(census_date)
        periods = sorted(set(rows["period"].drop_nulls().to_list()))
        if periods and month not in periods:
            raise ValueError(
                f"provider {provider_code!r}: the extract holds "
                + ", ".join(p.isoformat() for p in periods)
                + f" but not the census month ending {month.isoformat()}"
            )
        rows = rows.filter(pl.col("period").is_null() | (pl.col("period") == month))
    if rows.filter(pl.col("part") == "Part_2").height == 0:
        raise ValueError(f"provider {provider_code!r}: no Part_2 (incomplete pathway) rows in the extract")
    rows = rows.with_columns(
        pl.col("commissioner_code").fill_null(UNKNOWN_COMMISSIONER),
        pl.col("count").fill_null(0.0).cast(pl.Float64),
    ).filter(pl.col("count") > 0)
    commissioners = sorted(rows["commissioner_code"].unique().to_list())
    tfs = sorted(rows["treatment_function"].unique().to_list())
    cc_map = pl.DataFrame({"commissioner_code": commissioners, "cc_idx": np.arange(len(commissioners))})
    tf_map = pl.DataFrame({"treatment_function": tfs, "tf_idx": np.arange(len(tfs))})
    rows = rows.join(cc_map, on="commissioner_code").join(tf_map, on="treatment_function")
    parts: dict[str, pl.DataFrame] = {}
    for part in (*_BAND_PARTS, "Part_3"):
        p = rows.filter(pl.col("part") == part)
        if part == "Part_3":
            cells = (
                p.group_by("cc_idx", "tf_idx")
                .agg(pl.col("count").sum().alias("x"))
                .with_columns(band=pl.lit(-1, dtype=pl.Int64))
            )
        else:
            known = p.filter(pl.col("weeks_band").is_not_null())
            cells = known.group_by("cc_idx", "tf_idx", "weeks_band").agg(pl.col("count").sum().alias("x"))
            unknown = (
                p.filter(pl.col("weeks_band").is_null())
                .group_by("cc_idx", "tf_idx")
                .agg(pl.col("count").sum().alias("u"))
            )
            cells = (
                cells.join(unknown, on=["cc_idx", "tf_idx"], how="left")
                .with_columns(
                    (
                        pl.col("x")
                        * (1 + pl.col("u").fill_null(0.0) / pl.col("x").sum().over("cc_idx", "tf_idx"))
                    ).alias("x")
                )
                .rename({"weeks_band": "band"})
                .select("cc_idx", "tf_idx", pl.col("band").cast(pl.Int64), "x")
            )
        cells = cells.sort("cc_idx", "tf_idx", "band")
        n = _round_scaled(cells["x"].to_numpy(), scale, rng)
        parts[part] = cells.select(
            pl.col("cc_idx").cast(pl.Int64), pl.col("tf_idx").cast(pl.Int64), pl.col("band").cast(pl.Int64)
        ).with_columns(n=pl.Series(n))
    parts["Part_2A"] = _dta_within_waiting_list(parts["Part_2"], parts["Part_2A"])
    top = 104
    if "top_band" in rows.columns and rows["top_band"].drop_nulls().len():
        top = int(rows["top_band"].drop_nulls().min())  # type: ignore[arg-type]
    return MonthTargets(provider_code, commissioners, tfs, parts, top)


def _fill(spare: np.ndarray, group: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Allocate ``want[g]`` units over rows of group ``g`` up to each row's ``spare`` (rows in order)."""
    order = np.argsort(group, kind="stable")
    g = group[order]
    s = spare[order]
    before = np.cumsum(s) - s
    first = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if g.size else np.zeros(0, np.int64)
    base = np.repeat(before[first], np.diff(np.r_[first, g.size]))
    alloc = np.clip(want[g] - (before - base), 0, s)
    out = np.zeros_like(spare)
    out[order] = alloc
    return out


def _dta_within_waiting_list(p2: pl.DataFrame, p2a: pl.DataFrame) -> pl.DataFrame:
    """Part_2A on Part_2's cells, never more DTA pathways in a cell than pathways.

    Published commissioner splits of Part_2A and Part_2 do not always nest; DTA counts beyond a cell's
    waiting list move to other commissioners' cells of the same treatment function and band, then of the
    same treatment function, then anywhere, so the provider's DTA share is kept.
    """
    cells = p2.join(p2a.rename({"n": "dta"}), on=["cc_idx", "tf_idx", "band"], how="left").with_columns(
        pl.col("dta").fill_null(0)
    )
    n = cells["n"].to_numpy()
    dta = np.minimum(cells["dta"].to_numpy(), n)
    over = p2a.join(p2.rename({"n": "n2"}), on=["cc_idx", "tf_idx", "band"], how="left").with_columns(
        extra=pl.col("n") - pl.min_horizontal("n", pl.col("n2").fill_null(0))
    )
    tf, band = cells["tf_idx"].to_numpy(), cells["band"].to_numpy()
    o_tf, o_band, extra = over["tf_idx"].to_numpy(), over["band"].to_numpy(), over["extra"].to_numpy()
    for key, o_key in (
        (tf * 106 + band, o_tf * 106 + o_band),
        (tf, o_tf),
        (np.zeros_like(tf), np.zeros_like(o_tf)),
    ):
        size = int(max(key.max(initial=0), o_key.max(initial=0))) + 1
        want = np.bincount(o_key, extra, minlength=size).astype(np.int64)
        add = _fill(n - dta, key, want)
        dta += add
        extra = extra.astype(np.float64)
        # What was placed leaves the leftover of each group, spread back over its rows in proportion.
        placed = np.bincount(key, add, minlength=size)
        left = np.maximum(want - placed, 0)
        share = np.where(want[o_key] > 0, extra / np.maximum(want[o_key], 1), 0.0)
        extra = np.round(share * left[o_key]).astype(np.int64)
    return cells.select("cc_idx", "tf_idx", "band").with_columns(n=pl.Series(dta)).filter(pl.col("n") > 0)
