"""Waiting-time bins for the stock-flow model: lower edges in weeks, the last bin open-ended.

Weekly bins follow the published Full CSV extract: band b holds waits of more than b and up to b+1 weeks
(``Gt 00 To 01 Weeks`` … ``Gt 103 To 104 Weeks``), and band 104 holds ``Gt 104 Weeks``. So "within 18
weeks" is bands 0–17 and "over 52 weeks" is bands 52 and above, exactly as NHS England counts them
(docs/rules-rtt.md §Weeks waited). Any other edges work (monthly bins, the community-services SitRep bands); measures at a
threshold that falls inside a bin assume patients spread evenly across the bin, the same assumption
NHS England makes when it interpolates a percentile within a weekly band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MEASURE_THRESHOLDS",
    "WEEKS_PER_MONTH",
    "Bins",
    "compact_bins",
    "monthly_bins",
    "steps_per_month",
    "weekly_bins",
]

# A calendar month in weeks: 365.25 days / 12 / 7 = 4.348 (the Gregorian mean month).
WEEKS_PER_MONTH = 365.25 / 12.0 / 7.0

# Thresholds (weeks) of the headline measures: 18-week standard, 52/65/78/104-week waits (docs/rules-rtt.md §Targets, §Headline measures).
MEASURE_THRESHOLDS = {"within_18": 18.0, "over_52": 52.0, "over_65": 65.0, "over_78": 78.0, "over_104": 104.0}


@dataclass(frozen=True, eq=False)
class Bins:
    """Bins by lower edge (weeks, strictly increasing, first 0); the last bin has no upper edge."""

    lower: NDArray[np.float64]
    name: str = "custom"

    def __post_init__(self) -> None:
        lower = np.asarray(self.lower, dtype=np.float64)
        if lower.ndim != 1 or lower.size < 2 or lower[0] != 0.0 or np.any(np.diff(lower) <= 0):
            raise ValueError("bin edges must start at 0 weeks and increase strictly, with at least 2 bins")
        object.__setattr__(self, "lower", lower)

    @property
    def size(self) -> int:
        return int(self.lower.size)

    @property
    def widths(self) -> NDArray[np.float64]:
        """Width of each closed bin in weeks; the open top bin gets +inf."""
        return np.append(np.diff(self.lower), np.inf)

    def share_below(self, weeks: float) -> NDArray[np.float64]:
        """Per bin, the share of its patients waiting less than ``weeks`` (uniform within the bin)."""
        upper = np.append(self.lower[1:], np.inf)
        inside = np.clip((weeks - self.lower) / (upper - self.lower), 0.0, 1.0)
        return np.where(upper <= weeks, 1.0, inside)

    def measure_weights(self) -> NDArray[np.float64]:
        """(bins, 6) weights: total, within 18, over 52, over 65, over 78, over 104 weeks.

        A threshold beyond the top bin's lower edge cannot be measured on these bins (e.g. 65+ weeks on
        monthly bins that stop at 12+ months): its column is NaN, so the measure comes out as NaN.
        """
        cols = [np.ones(self.size), self.share_below(MEASURE_THRESHOLDS["within_18"])]
        for key in ("over_52", "over_65", "over_78", "over_104"):
            weeks = MEASURE_THRESHOLDS[key]
            col = 1.0 - self.share_below(weeks)
            cols.append(col if weeks <= self.lower[-1] else np.full(self.size, np.nan))
        return np.stack(cols, axis=1)

    def aging_fraction(self, step_weeks: float) -> NDArray[np.float64]:
        """Share of each bin that moves to the next bin in one step (upwind transport; top bin keeps all).

        Exactly 1 when a bin is one step wide (weekly bins with weekly steps, monthly bins with monthly
        steps): the list then ages by a plain shift with no numerical spreading.
        """
        widths = self.widths
        if np.any(widths[:-1] < step_weeks - 1e-9):
            raise ValueError(
                f"every closed bin must be at least one step ({step_weeks:.3f} weeks) wide; "
                f"narrowest is {widths[:-1].min():.3f}"
            )
        frac = np.minimum(1.0, step_weeks / widths)
        frac[-1] = 0.0
        return frac

    def rebin(self, counts: NDArray[np.float64], target: Bins) -> NDArray[np.float64]:
        """Move counts (..., self.size) onto ``target`` bins, splitting a bin evenly by weeks."""
        counts = np.asarray(counts, dtype=np.float64)
        edges = target.lower
        # share of each source bin below each target edge, then difference → share in each target bin
        below = np.stack([self.share_below(e) for e in edges[1:]], axis=1)  # (src, tgt-1)
        cum = counts @ below  # (..., tgt-1): patients below each target upper edge
        total = counts.sum(axis=-1, keepdims=True)
        cum = np.concatenate([np.zeros_like(total), cum, total], axis=-1)
        return np.diff(cum, axis=-1)


def steps_per_month(step_weeks: float) -> float:
    """Model steps in a calendar month: 1 for a month-long step (4 weeks or more), else 4.348 / step.

    A month-long step is *the* month whatever its nominal length in weeks (52/12 for monthly bins,
    4.348 for compact bins), so monthly data step one bin per month with no drift.
    """
    if step_weeks <= 0:
        raise ValueError("step_weeks must be positive")
    return 1.0 if step_weeks >= 4.0 else WEEKS_PER_MONTH / step_weeks


def weekly_bins(max_weeks: int = 104) -> Bins:
    """Weekly bands 0…max_weeks, the last one "over max_weeks" (the published 0–104+ layout)."""
    return Bins(np.arange(max_weeks + 1, dtype=np.float64), name=f"weekly-{max_weeks}")


def monthly_bins(max_months: int = 12) -> Bins:
    """Month-of-wait bins 0…max_months (the last open), each 52/12 weeks wide.

    Width 52/12 puts month 12 at exactly 52 weeks, so "12+ months" is the 52-week measure (as the
    13-month NHSRtt series is read); 18 weeks falls 15% into month 4 and is interpolated.
    """
    return Bins(np.arange(max_months + 1, dtype=np.float64) * 52.0 / 12.0, name=f"monthly-{max_months}")


def compact_bins() -> Bins:
    """Fifteen bins for monthly steps in large sweeps, with edges on every measure threshold.

    Months 0–3 (4.348 weeks each, one step wide), then 18, 26, 35, 44, 52, 58.5, 65, 71.5, 78, 91, 104+.
    The starting 18/52/65/78/104-week figures are exact because each threshold is an edge.
    """
    m = WEEKS_PER_MONTH
    edges = [0.0, m, 2 * m, 3 * m, 18.0, 26.0, 35.0, 44.0, 52.0, 58.5, 65.0, 71.5, 78.0, 91.0, 104.0]
    return Bins(np.asarray(edges), name="compact")
