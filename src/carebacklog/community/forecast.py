"""Forecasts of a community waiting list on the published coarse weeks bands, back-tested against "no change".

The CHS workbooks give, each month, the people waiting in bands of 0–1, >1–2, >2–4, >4–12, >12–18,
>18–52 and over 52 weeks (>52–104 and >104 from December 2024, merged here so every month has the same
bands). The model is a stock-flow model on those bin edges:

1. spread each band's count evenly over its weeks (the open top band over ``OPEN_TOP_WEEKS`` weeks);
2. a month later everyone has waited ``WEEKS_PER_MONTH`` weeks longer: shift the weekly profile;
3. some leave each band in the month (seen for their first contact, discharged or removed at
   validation: the published counts cannot tell these exits apart, so validation is inside the exit
   rate): the **stay rate** of a band is what was observed there a month later over what the shift
   alone would have put there, averaged over the last ``months`` transitions;
4. new referrals fill the bands below one month: the model carries forward their average over the
   same months.

"No change" (the benchmark) says next month's bands are this month's. :func:`backtest_bands` runs both
from every origin with enough history and compares the list size (absolute percentage error), the share
within 18 weeks and the count over 52 weeks (absolute error) with what was published.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["BANDS", "BandForecast", "backtest_bands", "backtest_bands_summary", "band_matrix", "forecast_bands"]

#: The bands the model runs on (lower edge, upper edge in weeks; the last is open).
BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("0-1", 0, 1), (">1-2", 1, 2), (">2-4", 2, 4), (">4-12", 4, 12), (">12-18", 12, 18), (">18-52", 18, 52),
    (">52", 52, None),
)
WEEKS_PER_MONTH = 365.25 / 12 / 7
OPEN_TOP_WEEKS = 52.0  # spread of the open top band beyond 52 weeks (an assumption; 52-104 holds most)
_GRID = 52 + int(OPEN_TOP_WEEKS) + 12  # weekly grid long enough to shift the top band a year


def band_matrix(tidy: pl.DataFrame, by: Sequence[str] = ("org_code",)) -> pl.DataFrame:
    """One row per ``by`` group × month with a column per model band (people waiting), from
    :func:`carebacklog.community.read_chs`'s detail rows (``aggregate`` false). Over 52 weeks is
    >52 (to November 2024) or >52–104 plus >104 (from December 2024)."""
    detail = tidy.filter(~pl.col("aggregate") & (pl.col("band") != "total"))
    merged = detail.with_columns(band=pl.when(pl.col("band").is_in([">52-104", ">104"])).then(pl.lit(">52"))
                                 .otherwise(pl.col("band")))
    wide = (merged.group_by([*by, "period", "band"]).agg(pl.col("count").sum())
            .pivot(on="band", index=[*by, "period"], values="count"))
    for name, _lo, _hi in BANDS:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(name))
    return wide.select(*by, "period", *[pl.col(n).fill_null(0.0) for n, _lo, _hi in BANDS]).sort(*by, "period")


def _weekly(counts: np.ndarray) -> np.ndarray:
    grid = np.zeros(_GRID)
    for value, (_name, lo, hi) in zip(counts, BANDS, strict=True):
        upper = lo + OPEN_TOP_WEEKS if hi is None else hi
        grid[int(lo):int(upper)] += value / (upper - lo)
    return grid


def _banded(grid: np.ndarray) -> np.ndarray:
    out = []
    for _name, lo, hi in BANDS:
        out.append(grid[int(lo):].sum() if hi is None else grid[int(lo):int(hi)].sum())
    return np.array(out)


def _shift(grid: np.ndarray, weeks: float) -> np.ndarray:
    """The weekly profile ``weeks`` later (linear interpolation between whole-week shifts); whoever
    passes the end of the grid stays in its last week (all of it is in the open top band)."""
    whole, frac = int(weeks), weeks - int(weeks)
    n = len(grid)
    out = np.zeros(n + whole + 2)
    out[whole:whole + n] += (1 - frac) * grid
    out[whole + 1:whole + 1 + n] += frac * grid
    out[n - 1] = out[n - 1:].sum()
    return out[:n]


#: Bands filled by new referrals within a month (their upper edge is at most a month).
_NEW = np.array([hi is not None and hi <= WEEKS_PER_MONTH for _n, _lo, hi in BANDS])


@dataclass(frozen=True)
class BandForecast:
    """Stay rates per band and the monthly inflow of new referrals, fitted on consecutive months."""

    stay: np.ndarray
    inflow: np.ndarray

    @classmethod
    def fit(cls, history: np.ndarray, months: int = 3) -> BandForecast:
        """Fit on the last ``months`` transitions of ``history`` (rows: months in order; columns: bands)."""
        if len(history) < 2:
            raise ValueError("need at least two consecutive months to fit stay rates")
        rows = history[-(months + 1):]
        observed, expected, inflows = np.zeros(len(BANDS)), np.zeros(len(BANDS)), []
        for before, after in itertools.pairwise(rows):
            expected += _banded(_shift(_weekly(before), WEEKS_PER_MONTH))
            observed += after
            inflows.append(np.where(_NEW, after, 0.0))
        # a ratio of sums over the months, not a mean of monthly ratios: one odd month weighs less
        with np.errstate(divide="ignore", invalid="ignore"):
            stay = np.where(expected > 0, observed / expected, 1.0)
        return cls(stay=np.clip(stay, 0.0, 1.5), inflow=np.mean(np.array(inflows), axis=0))

    def step(self, counts: np.ndarray) -> np.ndarray:
        """The bands a month after ``counts``."""
        aged = _banded(_shift(_weekly(counts), WEEKS_PER_MONTH)) * self.stay
        return np.where(_NEW, self.inflow, aged)

    def project(self, counts: np.ndarray, horizon: int) -> np.ndarray:
        """Bands for each of the next ``horizon`` months (rows)."""
        out, current = [], counts.astype(float)
        for _ in range(horizon):
            current = self.step(current)
            out.append(current)
        return np.array(out)


def forecast_bands(history: pl.DataFrame, *, horizon: int = 3, months: int = 3) -> pl.DataFrame:
    """Forecast one list's bands (``band_matrix`` rows of one group, in month order) ``horizon`` months on.

    Columns: ``period`` (month end), ``horizon``, the band columns, ``total``, ``pct_within_18`` and
    ``over_52``.
    """
    if horizon < 1 or horizon > 24:
        raise ValueError("horizon must be 1 to 24 months")
    names = [n for n, _lo, _hi in BANDS]
    ordered = history.sort("period")
    model = BandForecast.fit(ordered.select(names).to_numpy().astype(float), months)
    projected = model.project(np.array(ordered.select(names).row(-1), dtype=float), horizon)
    last: dt.date = ordered["period"][-1]
    periods = [_month_end(last, h) for h in range(1, horizon + 1)]
    frame = pl.DataFrame(projected, schema=names, orient="row").with_columns(
        period=pl.Series(periods), horizon=pl.Series(range(1, horizon + 1)))
    return _measures(frame).select("period", "horizon", *names, "total", "pct_within_18", "over_52")


def _measures(frame: pl.DataFrame) -> pl.DataFrame:
    names = [n for n, _lo, _hi in BANDS]
    within = [n for n, _lo, hi in BANDS if hi is not None and hi <= 18]
    return frame.with_columns(total=pl.sum_horizontal(names)).with_columns(
        pct_within_18=pl.sum_horizontal(within) / pl.col("total") * 100, over_52=pl.col(">52"))


def _month_end(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months + 1
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def backtest_bands(
    matrix: pl.DataFrame, *, horizon: int = 3, months: int = 3, by: Sequence[str] = ("org_code",),
    min_total: float = 100,
) -> pl.DataFrame:
    """Rolling-origin back-test of the band model against "no change" for every group of ``matrix``.

    Groups with fewer than ``min_total`` people at the origin are left out (a handful of people make
    percentage errors meaningless). Columns: ``by``, ``origin``, ``period``, ``horizon``, and for
    ``total``, ``pct_within_18`` and ``over_52`` the ``actual``, ``model`` and ``naive`` values.
    """
    names = [n for n, _lo, _hi in BANDS]
    rows: list[dict[str, object]] = []
    for keys, group in matrix.sort("period").group_by(list(by), maintain_order=True):
        periods = group["period"].to_list()
        values = group.select(names).to_numpy().astype(float)
        for origin in range(1, len(periods) - 1):
            if values[origin].sum() < min_total:
                continue
            model = BandForecast.fit(values[: origin + 1], months)
            steps = min(horizon, len(periods) - 1 - origin)
            projected = model.project(values[origin], steps)
            for h in range(1, steps + 1):
                row: dict[str, object] = dict(zip(by, keys, strict=True))
                row.update(origin=periods[origin], period=periods[origin + h], horizon=h)
                for label, vec in (("actual", values[origin + h]), ("model", projected[h - 1]),
                                   ("naive", values[origin])):
                    total = float(vec.sum())
                    row[f"total_{label}"] = total
                    row[f"pct_within_18_{label}"] = float(vec[:5].sum() / total * 100) if total else None
                    row[f"over_52_{label}"] = float(vec[6])
                rows.append(row)
    return pl.DataFrame(rows)


def backtest_bands_summary(results: pl.DataFrame) -> pl.DataFrame:
    """By horizon: list-size MAPE (%), % within 18 weeks MAE (points) and over-52 MAE (people), model
    against "no change", and the number of forecasts."""
    def ape(kind: str) -> pl.Expr:
        return ((pl.col(f"total_{kind}") - pl.col("total_actual")).abs() / pl.col("total_actual")).mean() * 100

    def ae(measure: str, kind: str) -> pl.Expr:
        return (pl.col(f"{measure}_{kind}") - pl.col(f"{measure}_actual")).abs().mean()

    return (results.filter(pl.col("total_actual") > 0).group_by("horizon").agg(
        model_list_mape=ape("model"), naive_list_mape=ape("naive"),
        model_pct18_mae=ae("pct_within_18", "model"), naive_pct18_mae=ae("pct_within_18", "naive"),
        model_over52_mae=ae("over_52", "model"), naive_over52_mae=ae("over_52", "naive"),
        forecasts=pl.len()).sort("horizon"))
