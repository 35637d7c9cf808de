"""XmR (individuals and moving range) charts with NHS England's "Making Data Count" rules.

Conventions (NHS England and NHS Improvement, "Making Data Count: getting started" (2019) and
"Making Data Count: strengthening your decisions" (2021), and the MDC SPC Excel tool):

- centre line = mean of the points; moving range = |x_i − x_{i−1}|; process limits = mean ± 2.66 × mean
  moving range (2.66 = 3 / d2 with d2 = 1.128 for ranges of 2 points, i.e. ±3 sigma);
- special cause when
  1. a single point is outside the process limits;
  2. a **shift**: a run of 7 or more consecutive points all above or all below the mean (a point on the
     mean breaks the run);
  3. a **trend**: a run of 6 or more consecutive points each higher (or each lower) than the one before
     (an equal value breaks the run). The MDC Excel tool flags 6 (it allows 6 or 7: NHSRplotthedots
     issues #195 and #202, comparing with the NHS England tool); NHSRplotthedots uses 7, so the length is
     a parameter;
  4. two out of three consecutive points beyond the 2-sigma line (mean ± 2/3 × 2.66 × mean moving range),
     all three on the same side of the mean; only the points beyond 2 sigma are flagged (MDC's Single
     Chart tool after the 2023 two-sigma rule change, as described by the MDC team in NHSRplotthedots
     issue #194);
- each special-cause point is improvement or concern by the measure's polarity (``up``: higher is better;
  ``down``: lower is better; ``neutral``: neither). Trend points take the trend's direction; the others the
  side of the mean they sit on; a point flagged both ways shows improvement, as the MDC Single Chart tool
  does (same source). That includes the turning point that ends one trend and starts the opposite one: it
  belongs to both, so it shows improvement (with neutral polarity, a peak points high, a trough low);
- assurance against a target: a target outside the process limits is consistently passed or consistently
  failed (by polarity); a target between the limits is "hit and miss" (the process will sometimes meet it
  and sometimes not).

Public names: :class:`XmrChart`, :func:`xmr_chart`, :data:`MDC_COLOURS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import polars as pl

__all__ = [
    "LIMIT_FACTOR",
    "MDC_COLOURS",
    "MIN_POINTS_FOR_ICONS",
    "SHIFT_POINTS",
    "TREND_POINTS",
    "Assurance",
    "Polarity",
    "XmrChart",
    "xmr_chart",
]

Polarity = Literal["up", "down", "neutral"]
Assurance = Literal["consistently_pass", "consistently_fail", "hit_and_miss"]

# 3 / d2 (d2 = 1.128 for moving ranges of two points): MDC "process limits = mean ± 2.66 × mean MR".
LIMIT_FACTOR = 2.66
# Two-sigma line: two thirds of the way from the mean to the process limit (MDC "2 of 3" rule).
TWO_SIGMA_FACTOR = LIMIT_FACTOR * 2.0 / 3.0
# MDC run lengths: a shift is 7 points one side of the mean; a trend is 6 points rising or falling.
SHIFT_POINTS = 7
TREND_POINTS = 6
# MDC's Single Chart tool shows process limits and the summary icons from 13 points (MDC team,
# NHSRplotthedots issue #194); with fewer, limits are "trial" limits (NHSRplotthedots warns under 12).
MIN_POINTS_FOR_ICONS = 13

# Making Data Count colours (as in the MDC Excel tool and NHSRplotthedots).
MDC_COLOURS: dict[str, str] = {
    "common_cause": "#a6a6a6",  # grey
    "improvement": "#00b0f0",  # blue: special cause, improving
    "concern": "#e46c0a",  # orange: special cause, concerning
    "neutral": "#490092",  # purple: special cause, neither
    "mean": "#000000",
    "limits": "#a6a6a6",
    "target": "#de1b1b",  # red
}


@dataclass(frozen=True)
class XmrChart:
    """An XmR chart: per-point table plus the summary icons' meaning.

    ``points`` has one row per period: ``period, value, mean, moving_range, upper_limit, lower_limit,
    upper_two_sigma, lower_two_sigma, target, outside_limits, shift, trend, two_of_three, special_cause,
    direction ('high' | 'low' | None), variation ('common_cause' | 'improvement' | 'concern' |
    'neutral'), segment`` (1, 2, … after each rebase). The scalar fields describe the last segment.
    """

    points: pl.DataFrame
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    polarity: Polarity
    target: float | None
    assurance: Assurance | None
    latest_variation: str

    def summary(self) -> dict[str, object]:
        """Plain summary (JSON-friendly): the numbers behind the MDC variation and assurance icons."""
        return {
            "mean": self.mean,
            "mean_moving_range": self.mean_moving_range,
            "upper_limit": self.upper_limit,
            "lower_limit": self.lower_limit,
            "polarity": self.polarity,
            "target": self.target,
            "assurance": self.assurance,
            "latest_variation": self.latest_variation,
            "latest_direction": self.points["direction"][-1],  # 'high' | 'low' | None: the MDC icon's arrow
            "special_cause_points": int(self.points["special_cause"].sum()),
            "points": self.points.height,
            "trial_limits": self.points.height < MIN_POINTS_FOR_ICONS,
        }


def _runs(flags: np.ndarray, min_length: int) -> np.ndarray:
    """Mark every element of each run of consecutive equal non-zero values at least ``min_length`` long."""
    out = np.zeros(flags.shape[0], dtype=bool)
    start = 0
    n = flags.shape[0]
    while start < n:
        end = start
        while end + 1 < n and flags[end + 1] == flags[start]:
            end += 1
        if flags[start] != 0 and end - start + 1 >= min_length:
            out[start : end + 1] = True
        start = end + 1
    return out


def _trend(values: np.ndarray, min_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``min_points`` strictly rising values, and points in such a falling run.

    The two are kept apart because one point can be in both: a peak (or trough) that ends a rising run
    and starts a falling one belongs to each trend, and its direction is decided in :func:`_direction`.
    """
    n = values.shape[0]
    rising = np.zeros(n, dtype=bool)
    falling = np.zeros(n, dtype=bool)
    if n < 2:
        return rising, falling
    steps = np.sign(np.diff(values)).astype(np.int8)  # step i joins point i and i+1
    start = 0
    while start < steps.shape[0]:
        end = start
        while end + 1 < steps.shape[0] and steps[end + 1] == steps[start]:
            end += 1
        points_in_run = end - start + 2
        if steps[start] != 0 and points_in_run >= min_points:
            (rising if steps[start] > 0 else falling)[start : end + 2] = True
        start = end + 1
    return rising, falling


def _two_of_three(values: np.ndarray, mean: float, two_sigma: float) -> np.ndarray:
    """Points beyond 2 sigma in a window of 3 consecutive points, all on one side of the mean, with 2+ beyond."""
    side = np.sign(values - mean)
    above = values > mean + two_sigma
    below = values < mean - two_sigma
    flagged = np.zeros(values.shape[0], dtype=bool)
    for beyond, sign in ((above, 1), (below, -1)):
        for i in range(values.shape[0] - 2):
            window = beyond[i : i + 3]
            if window.sum() >= 2 and np.all(side[i : i + 3] == sign):
                flagged[i : i + 3] |= window
    return flagged


def _direction(
    values: np.ndarray,
    special: np.ndarray,
    by_side: np.ndarray,
    side: np.ndarray,
    rising: np.ndarray,
    falling: np.ndarray,
    polarity: Polarity,
) -> list[str | None]:
    """Direction ('high' / 'low') of each special-cause point.

    A point collects a sign from every rule that flags it: +1 / −1 from a rising / falling trend it is
    part of, and its side of the mean from the other rules. A point flagged both ways (a rising trend
    below the mean, or the turning point that ends one trend and starts the opposite one) shows
    improvement, as MDC's Single Chart tool does. With neutral polarity a trend's direction wins over the
    side of the mean, and a turning point in two opposite trends points the way it sticks out (a peak is
    'high', a trough 'low')."""
    good = {"up": 1, "down": -1}.get(polarity, 0)
    out: list[str | None] = []
    for i in range(special.shape[0]):
        if not special[i]:
            out.append(None)
            continue
        trend_signs = {1} if rising[i] else set()
        if falling[i]:
            trend_signs.add(-1)
        signs = set(trend_signs)
        if by_side[i]:
            signs.add(int(side[i]))
        signs.discard(0)
        if good and good in signs:
            chosen = good
        elif len(trend_signs) == 2:
            # the step into the point belongs to the run it ends: rising into it makes it a peak
            chosen = 1 if values[i] > values[i - 1] else -1
        elif trend_signs:
            chosen = next(iter(trend_signs))
        else:
            chosen = int(side[i]) or 1
        out.append("high" if chosen > 0 else "low")
    return out


def _segment(
    y: np.ndarray, polarity: Polarity, baseline_points: int | None, shift_points: int, trend_points: int
) -> tuple[dict[str, object], float, float]:
    """Per-point columns and (mean, mean moving range) of one segment (limits recalculated per segment)."""
    base = y if baseline_points is None else y[: max(2, baseline_points)]
    mean = float(base.mean())
    mean_mr = float(np.abs(np.diff(base)).mean())
    upper = mean + LIMIT_FACTOR * mean_mr
    lower = mean - LIMIT_FACTOR * mean_mr
    two_sigma = TWO_SIGMA_FACTOR * mean_mr

    side = np.sign(y - mean).astype(np.int8)
    outside = (y > upper) | (y < lower)
    shift = _runs(side, shift_points)
    rising, falling = _trend(y, trend_points)
    trend = rising | falling
    two_three = _two_of_three(y, mean, two_sigma)
    special = outside | shift | trend | two_three
    direction = _direction(y, special, outside | shift | two_three, side, rising, falling, polarity)
    n = y.shape[0]
    columns: dict[str, object] = {
        "value": y,
        "mean": np.full(n, mean),
        "moving_range": np.concatenate([[np.nan], np.abs(np.diff(y))]),
        "upper_limit": np.full(n, upper),
        "lower_limit": np.full(n, lower),
        "upper_two_sigma": np.full(n, mean + two_sigma),
        "lower_two_sigma": np.full(n, mean - two_sigma),
        "outside_limits": outside,
        "shift": shift,
        "trend": trend,
        "two_of_three": two_three,
        "special_cause": special,
        "direction": direction,
        "variation": [_variation(d, polarity) for d in direction],
    }
    return columns, mean, mean_mr


def xmr_chart(
    values: Sequence[float] | np.ndarray,
    periods: Sequence[object] | None = None,
    *,
    polarity: Polarity = "up",
    target: float | None = None,
    baseline_points: int | None = None,
    shift_points: int = SHIFT_POINTS,
    trend_points: int = TREND_POINTS,
    rebase_at: Sequence[object] = (),
) -> XmrChart:
    """Build an XmR chart of ``values`` (in time order) with MDC's special-cause rules.

    ``baseline_points`` fixes the mean and limits on the first n points of each segment (MDC "fix and
    extend"); by default every point is used. ``rebase_at`` lists periods (as in ``periods``) where a new
    segment starts with its own mean and limits (MDC: recalculate after a sustained, explained change);
    the rules run within each segment and the chart's summary describes the last one. Raises
    ``ValueError`` for fewer than 2 points (in any segment), missing values or an unknown rebase period.
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] < 2:
        raise ValueError("an XmR chart needs at least 2 points")
    if not np.all(np.isfinite(y)):
        raise ValueError("values must all be present and finite")
    if polarity not in ("up", "down", "neutral"):
        raise ValueError(f"polarity must be up, down or neutral, not {polarity!r}")
    labels: list[object] = list(periods) if periods is not None else list(range(1, y.shape[0] + 1))
    if len(labels) != y.shape[0]:
        raise ValueError("periods and values differ in length")
    starts = [0]
    for period in rebase_at:
        if period not in labels:
            raise ValueError(f"rebase period {period!r} is not one of the chart's periods")
        starts.append(labels.index(period))
    bounds = [*sorted(set(starts)), y.shape[0]]

    frames = []
    mean = mean_mr = 0.0
    for number, (lo, hi) in enumerate(pairwise(bounds), start=1):
        if hi - lo < 2:
            raise ValueError(f"segment {number} (from {labels[lo]!r}) has fewer than 2 points")
        columns, mean, mean_mr = _segment(y[lo:hi], polarity, baseline_points, shift_points, trend_points)
        frames.append(
            pl.DataFrame(
                {"period": labels[lo:hi], "segment": [number] * (hi - lo), **columns},
                schema_overrides={"direction": pl.String},
                strict=False,
            )
        )
    points = (
        pl.concat(frames, how="vertical_relaxed")
        .with_columns(pl.col("moving_range").fill_nan(None), target=pl.lit(target, pl.Float64))
        .select(
            "period", "value", "mean", "moving_range", "upper_limit", "lower_limit",
            "upper_two_sigma", "lower_two_sigma", "target", "outside_limits", "shift", "trend",
            "two_of_three", "special_cause", "direction", "variation", "segment",
        )
    )  # fmt: skip
    upper = mean + LIMIT_FACTOR * mean_mr
    lower = mean - LIMIT_FACTOR * mean_mr
    return XmrChart(
        points=points,
        mean=mean,
        mean_moving_range=mean_mr,
        upper_limit=upper,
        lower_limit=lower,
        polarity=polarity,
        target=target,
        assurance=_assurance(target, upper, lower, polarity),
        latest_variation=str(points["variation"][-1]),
    )


def _variation(direction: str | None, polarity: Polarity) -> str:
    if direction is None:
        return "common_cause"
    if polarity == "neutral":
        return "neutral"
    good = "high" if polarity == "up" else "low"
    return "improvement" if direction == good else "concern"


def _assurance(target: float | None, upper: float, lower: float, polarity: Polarity) -> Assurance | None:
    if target is None or polarity == "neutral":
        return None
    if lower < target < upper or target in (lower, upper):
        return "hit_and_miss"
    target_above = target > upper
    if polarity == "up":
        return "consistently_fail" if target_above else "consistently_pass"
    return "consistently_pass" if target_above else "consistently_fail"
