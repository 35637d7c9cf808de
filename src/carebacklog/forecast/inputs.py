"""Model inputs from the data the project has: published extracts, the 13-month series, a trust's PTL.

* :func:`inputs_from_tidy` — the tidy table of :func:`carebacklog.published.read_rtt` (one or more
  consecutive months of Full CSV extracts): weekly bins 0–104+ (0–52+ for pre-April-2021 layouts),
  weekly steps, so the starting % within 18 weeks and 52+ counts are NHS England's own figures.
* :func:`inputs_from_series` — the bundled 13-month NHSRtt series (monthly bins 0–12+ by provider name
  and specialty group): monthly bins, monthly steps.
* :func:`inputs_from_ptl` — a trust's own ``ptl_snapshot`` frame plus its recent flows (either the RTT
  periods frame of :func:`carebacklog.rtt.build_periods` or monthly numbers).

Each returns a :class:`~carebacklog.forecast.calibrate.Calibration` for one or many lists.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from carebacklog.forecast.bins import Bins, monthly_bins, weekly_bins
from carebacklog.forecast.calibrate import Calibration, calibrate_series, calibrate_snapshot

__all__ = [
    "BY_CHOICES",
    "SERIES_PATH",
    "Observations",
    "calibrate",
    "inputs_from_ptl",
    "inputs_from_series",
    "inputs_from_tidy",
    "load_observations",
    "national_priors",
    "observations_from_series",
    "observations_from_tidy",
    "read_series",
]

BY_CHOICES = ("national", "provider", "provider,treatment_function")
SERIES_PATH = "rtt_monthly_series_2024_25.parquet"
# Month-of-wait bins in the NHSRtt series: 0 … 12 (12 = 12 months or more).
SERIES_TOP_MONTH = 12
_SERIES_COLUMNS = {"period", "trust", "specialty", "type", "months_waited_id", "value"}
# RTT Part Types (docs/rules-rtt.md §Published statistics): incomplete list, completed admitted / non-admitted, new clock starts.
INCOMPLETE, ADMITTED, NON_ADMITTED, NEW_PERIODS = "Part_2", "Part_1A", "Part_1B", "Part_3"


def _month_end(d: date) -> date:
    first_next = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _consecutive(periods: list[date]) -> bool:
    months = [p.year * 12 + p.month for p in periods]
    return all(b - a == 1 for a, b in itertools.pairwise(months))


def _index(frame: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(distinct keys sorted, frame with an ``_list`` row index)."""
    if not keys:
        key_frame = pl.DataFrame({"scope": ["all"]})
        return key_frame, frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("_list"))
    key_frame = frame.select(keys).unique().sort(keys)
    key_frame = key_frame.with_row_index("_list").with_columns(pl.col("_list").cast(pl.Int64))
    joined = frame.join(key_frame, on=keys, how="left")
    return key_frame.drop("_list"), joined


def _scatter(shape: tuple[int, ...], index: tuple[NDArray[np.int64], ...], values: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.zeros(shape)
    np.add.at(out, index, values)
    return out


def read_series(path: str | Path | None = None) -> pl.DataFrame:
    """The 13-month NHSRtt series (bundled by default); checks its columns, naming any missing."""
    if path is None:
        with resources.as_file(resources.files("carebacklog") / "data" / SERIES_PATH) as p:
            frame = pl.read_parquet(p)
    else:
        frame = pl.read_parquet(path)
    missing = _SERIES_COLUMNS - set(frame.columns)
    if missing:
        raise ValueError(f"{path or SERIES_PATH}: not a monthly RTT series, missing columns {sorted(missing)}")
    return frame


@dataclass(frozen=True)
class Observations:
    """Observed months of L lists on common bins: what calibration and back-tests read.

    ``incomplete``/``completed`` (L, K, B) by bin, ``starts`` (L, K) clock starts in each month,
    ``unknown_start`` (L, K) incomplete pathways with an unknown clock start; ``periods`` the K month ends.
    """

    keys: pl.DataFrame
    bins: Bins
    step_weeks: float
    periods: list[date]
    incomplete: NDArray[np.float64]
    completed: NDArray[np.float64]
    starts: NDArray[np.float64]
    unknown_start: NDArray[np.float64]

    def first(self, months: int) -> Observations:
        """The first ``months`` months only (training window of a back-test)."""
        if not 1 <= months <= len(self.periods):
            raise ValueError(f"months must be between 1 and {len(self.periods)}, got {months}")
        return replace(
            self,
            periods=self.periods[:months],
            incomplete=self.incomplete[:, :months],
            completed=self.completed[:, :months],
            starts=self.starts[:, :months],
            unknown_start=self.unknown_start[:, :months],
        )


def calibrate(obs: Observations) -> Calibration:
    """One month: :func:`calibrate_snapshot` with national renege priors; more: :func:`calibrate_series`."""
    if len(obs.periods) == 1:
        renege, _ = national_priors(obs.bins, obs.step_weeks)
        return calibrate_snapshot(
            obs.keys, obs.bins, obs.step_weeks, obs.periods[0], obs.incomplete[:, 0], obs.completed[:, 0],
            obs.starts[:, 0], renege, unknown_start=obs.unknown_start[:, -1],
        )
    return calibrate_series(
        obs.keys, obs.bins, obs.step_weeks, obs.periods, obs.incomplete, obs.completed, obs.starts,
        unknown_start=obs.unknown_start[:, -1],
    )


def observations_from_series(series: pl.DataFrame, by: str = "national") -> Observations:
    """The monthly-bin series by ``by`` (national, provider or provider,treatment_function).

    Keys are ``provider`` (the trust's name, as the series has no codes) and ``treatment_function``
    (the series' specialty group).
    """
    if by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}, got {by!r}")
    frame = series.rename({"trust": "provider", "specialty": "treatment_function"})
    if by == "provider,treatment_function":
        frame = frame.filter(pl.col("treatment_function") != "Total")
        keys = ["provider", "treatment_function"]
    else:
        frame = frame.filter(pl.col("treatment_function") == "Total")
        keys = ["provider"] if by == "provider" else []
    periods = sorted(frame["period"].unique().to_list())
    if not _consecutive(periods):
        raise ValueError("the monthly series must hold consecutive months")
    key_frame, frame = _index(frame, keys)
    L, K, B = key_frame.height, len(periods), SERIES_TOP_MONTH + 1
    frame = frame.with_columns(
        pl.col("period").replace_strict(periods, list(range(K)), return_dtype=pl.Int64).alias("_k"),
        pl.col("months_waited_id").cast(pl.Int64).clip(0, SERIES_TOP_MONTH).alias("_b"),
    )
    arrays = {}
    for kind in ("Incomplete", "Complete", "Referrals"):
        part = frame.filter(pl.col("type") == kind)
        idx = tuple(part[c].to_numpy() for c in ("_list", "_k", "_b"))
        arrays[kind] = _scatter((L, K, B), idx, part["value"].to_numpy().astype(np.float64))
    bins = monthly_bins(SERIES_TOP_MONTH)
    return Observations(
        key_frame, bins, float(bins.widths[0]), [_month_end(p) for p in periods],
        arrays["Incomplete"], arrays["Complete"], arrays["Referrals"].sum(axis=2), np.zeros((L, K)),
    )


def inputs_from_series(series: pl.DataFrame, by: str = "national") -> Calibration:
    """Calibrate from the monthly-bin series (monthly bins, monthly steps)."""
    return calibrate(observations_from_series(series, by))


@functools.lru_cache(maxsize=8)
def _national_monthly() -> Calibration:
    return inputs_from_series(read_series(), "national")


def national_priors(bins: Bins, step_weeks: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-step renege rates and treatment propensities (B,) on ``bins`` from England's 13 months.

    Calibrated on the bundled series (national, monthly bins) and converted to a weekly hazard
    -ln(1 - r) / (52/12) per month of wait, then to the step: 1 - exp(-hazard × step_weeks). Used
    where one month of data cannot reveal reneges (the residual needs two consecutive months).
    """
    nat = _national_monthly()
    width = float(nat.bins.widths[0])
    hazard = -np.log1p(-nat.renege[0]) / width
    mid = bins.lower + np.append(np.diff(bins.lower), width) / 2.0
    month = np.clip((mid // width).astype(int), 0, nat.bins.size - 1)
    renege = 1.0 - np.exp(-hazard[month] * step_weeks)
    return renege, nat.profile[0][month]


def _bins_for(tidy: pl.DataFrame) -> Bins:
    top = tidy["top_band"].drop_nulls().max() if "top_band" in tidy.columns else None
    return weekly_bins(int(top) if isinstance(top, int) else 104)


def observations_from_tidy(tidy: pl.DataFrame, by: str = "national") -> Observations:
    """Published months (the :func:`carebacklog.published.read_rtt` table) on weekly bins, weekly steps.

    Keys are ``provider_code`` and/or ``treatment_function`` as in the files. Incomplete = Part_2,
    completed = Part_1A + Part_1B (known clock starts, by band at the stop), starts = Part_3.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}, got {by!r}")
    keys = {"national": [], "provider": ["provider_code"]}.get(by, ["provider_code", "treatment_function"])
    if tidy.height == 0:
        raise ValueError("the published files hold no rows")
    bins = _bins_for(tidy)
    periods = sorted(tidy["period"].unique().to_list())
    if not _consecutive(periods):
        raise ValueError(f"published files must be consecutive months, got {[p.isoformat() for p in periods]}")
    top = bins.size - 1
    frame = tidy.filter(pl.col("part").is_in([INCOMPLETE, ADMITTED, NON_ADMITTED, NEW_PERIODS]))
    key_frame, frame = _index(frame, keys)
    L, K, B = key_frame.height, len(periods), bins.size
    frame = frame.with_columns(
        pl.col("period").replace_strict(periods, list(range(K)), return_dtype=pl.Int64).alias("_k"),
        pl.col("weeks_band").cast(pl.Int64).clip(0, top).alias("_b"),
    )

    def cube(parts: list[str]) -> NDArray[np.float64]:
        part = frame.filter(pl.col("part").is_in(parts) & pl.col("_b").is_not_null())
        idx = tuple(part[c].to_numpy() for c in ("_list", "_k", "_b"))
        return _scatter((L, K, B), idx, part["count"].to_numpy().astype(np.float64))

    def flat(parts: list[str], unknown_only: bool) -> NDArray[np.float64]:
        part = frame.filter(pl.col("part").is_in(parts))
        if unknown_only:
            part = part.filter(pl.col("_b").is_null())
        idx = (part["_list"].to_numpy(), part["_k"].to_numpy())
        return _scatter((L, K), idx, part["count"].to_numpy().astype(np.float64))

    return Observations(
        key_frame, bins, 1.0, periods, cube([INCOMPLETE]), cube([ADMITTED, NON_ADMITTED]),
        flat([NEW_PERIODS], unknown_only=False), flat([INCOMPLETE], unknown_only=True),
    )


def inputs_from_tidy(tidy: pl.DataFrame, by: str = "national") -> Calibration:
    """Calibrate from published extracts: one month uses its own flows as run-rates and
    :func:`national_priors` for reneges; two or more consecutive months use the residual estimator."""
    return calibrate(observations_from_tidy(tidy, by))


def _band(days: pl.Expr) -> pl.Expr:
    """Weeks-waited band (docs/rules-rtt.md §Clock rules, rule 8): 0 for ≤ 7 days, else ceil(days / 7) - 1, capped 104."""
    return pl.when(days <= 7).then(0).otherwise(((days + 6) // 7) - 1).clip(0, 104).cast(pl.Int64)


def inputs_from_ptl(
    ptl: pl.DataFrame,
    census_date: date,
    *,
    periods: pl.DataFrame | None = None,
    starts_per_month: float | None = None,
    stops_per_month: float | None = None,
    months: int = 3,
    by: list[str] | None = None,
) -> Calibration:
    """Inputs for a trust's own list: ``ptl`` is a ``ptl_snapshot`` frame (``weeks_waited`` per open
    pathway) at ``census_date``.

    Flows come from ``periods`` (the ``build_periods`` frame: clock starts, and clock stops with
    outcome admitted/non_admitted, counted over the ``months`` whole months up to the census, averaged
    per month; stops by weeks waited at the stop give the treatment profile), or from the two monthly
    numbers ``starts_per_month`` and ``stops_per_month`` (profile and reneges then from
    :func:`national_priors`). ``by`` groups lists, e.g. ``["treatment_function"]``.
    """
    keys = list(by or [])
    if "weeks_waited" not in ptl.columns:
        raise ValueError("ptl must have a weeks_waited column (a ptl_snapshot frame)")
    bins = weekly_bins(104)
    key_frame, stock_rows = _index(ptl, keys)
    L, B = key_frame.height, bins.size
    band = stock_rows["weeks_waited"].cast(pl.Int64).clip(0, 104).to_numpy()
    stock = _scatter((L, B), (stock_rows["_list"].to_numpy(), band), np.ones(len(band)))
    renege, prior_profile = national_priors(bins, 1.0)
    start_first = date(census_date.year, census_date.month, 1)
    window_start = start_first
    for _ in range(months - 1):
        window_start = (window_start - timedelta(days=1)).replace(day=1)
    if periods is not None:
        lo, hi = pl.lit(window_start), pl.lit(census_date)
        frame = periods
        if keys:
            frame = frame.join(key_frame.with_row_index("_list").with_columns(pl.col("_list").cast(pl.Int64)), on=keys, how="inner")
        else:
            frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("_list"))
        started = frame.filter(pl.col("clock_start").is_between(lo, hi))
        starts = np.bincount(started["_list"].to_numpy(), minlength=L).astype(np.float64) / months
        stopped = frame.filter(
            pl.col("clock_stop").is_between(lo, hi) & pl.col("outcome").is_in(["admitted", "non_admitted"])
        ).with_columns(_band((pl.col("clock_stop") - pl.col("clock_start")).dt.total_days()).alias("_b"))
        completed = _scatter(
            (L, B), (stopped["_list"].to_numpy(), stopped["_b"].to_numpy()), np.ones(stopped.height)
        ) / months
        return calibrate_snapshot(key_frame, bins, 1.0, census_date, stock, completed, starts, renege)
    if starts_per_month is None or stops_per_month is None:
        raise ValueError("give either periods or both starts_per_month and stops_per_month")
    # no stops by band: spread the stops by the national propensity times this list's stock
    weights = prior_profile[None, :] * (stock + 1e-9)
    completed = stops_per_month * weights / weights.sum(axis=1, keepdims=True)
    return calibrate_snapshot(
        key_frame, bins, 1.0, census_date, stock, completed, np.full(L, float(starts_per_month)), renege
    )


def load_observations(paths: list[Path] | list[str], by: str = "national") -> Observations:
    """Read FILE arguments: one ``.parquet`` monthly series, or published extracts (via ``read_rtt``)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("give at least one file")
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file")
    if len(paths) == 1 and paths[0].suffix.lower() == ".parquet":
        return observations_from_series(read_series(paths[0]), by)
    if any(p.suffix.lower() == ".parquet" for p in paths):
        raise ValueError("give either one .parquet monthly series or published extracts, not both")
    from carebacklog.published import read_rtt

    return observations_from_tidy(read_rtt(paths), by)
