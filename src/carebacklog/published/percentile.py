"""NHS England's percentile of a waiting-time distribution published in weekly bands.

NHS England publishes waits as counts per weekly band (band ``k`` holds waits of more than ``k`` and up to
``k + 1`` weeks) and estimates the median, 92nd and 95th percentile from those counts "from aggregate
data, rather than patient level data" (note 1 of every RTT commissioner/provider workbook's ``Notes``
sheet). The method, reverse-engineered from published workbooks that give both the bands and the
percentiles of each row (docs/published.md):

* patients in a band are spread evenly across its week: the ``j``-th of the ``c`` patients in band ``k``
  sits at ``k + j / c`` weeks;
* the percentile is the wait at (continuous) position ``p`` of the ``N`` pathways with a known clock start,
  found in the band ``k`` whose cumulative count first reaches ``p``:
  ``value = k + (p − C_{k−1}) / c_k`` where ``C_{k−1}`` counts the patients in bands below ``k``;
* the position has changed once. **Current rule** (:data:`CURRENT_RULE`, the default): ``p = q · N`` for
  every percentile, the median included (``p = 0.5 · N``); it reproduces NHS England's December 2024
  commissioner workbooks (e.g. 23 pathways, 11 in bands below band 9 and 3 in it: median position 11.5,
  9 + 0.5 / 3 = 9.17 weeks, as published). **2014/15 rule** (:data:`RULE_2014_15`): ``p = q · N`` for the
  92nd and 95th percentile but ``p = (N + 1) / 2`` for the median, on the same continuous scale; it
  reproduces every consistent published value of the 18 commissioner workbooks of December 2014 – May
  2015 (89,896 values, ``tests/published/test_agreement_2014_15.py``), where the (N + 1) / 2 position
  gives 9.33 weeks in the example above. Where the ``N/2``-th and ``N/2 + 1``-th patients fall in
  different bands neither rule is their average: the published values follow the continuous position.

:func:`rule_for_period` picks the rule of a publication by its period: the 2014/15 rule before
:data:`CURRENT_RULE_FROM` (October 2015), the current rule from then on. The evidence brackets the change
between May 2015 (last month published with the old rule that we hold) and December 2024 (first month
checked with the current one); October 2015 is the month NHS England's RTT statistics were restructured
after the 2015 review of the waiting-time standards (the admitted and non-admitted standards retired,
the incomplete-pathway standard the only one, new RTT periods published from that month), the likeliest
point for a change of method. Months between are not checked against published percentiles.

With the 2014/15 rule and a single pathway the median (position 1) lies above the 92nd and 95th
percentile (positions 0.92 and 0.95); with the current rule percentiles are always ordered. NHS England
does not publish percentiles below 50 pathways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "CURRENT_RULE",
    "CURRENT_RULE_FROM",
    "MEDIAN",
    "PERCENTILE_RULES",
    "RULE_2014_15",
    "band_percentile",
    "percentile_position",
    "rule_for_period",
]

#: The median's ``q``.
MEDIAN = 0.5
#: NHS England's current rule: position ``q · N`` for every percentile, the median included.
CURRENT_RULE = "current"
#: The rule of the 2014/15 publications: the median at ``(N + 1) / 2``, other percentiles at ``q · N``.
RULE_2014_15 = "2014/15"
PERCENTILE_RULES = (CURRENT_RULE, RULE_2014_15)
#: First period (month) published with :data:`CURRENT_RULE`; earlier periods use :data:`RULE_2014_15`.
CURRENT_RULE_FROM = dt.date(2015, 10, 1)


def rule_for_period(period: dt.date) -> str:
    """The percentile rule of NHS England's publication for ``period`` (module docstring)."""
    return RULE_2014_15 if period < CURRENT_RULE_FROM else CURRENT_RULE


def _legacy_mask(rule: str | Sequence[str], rows: int) -> npt.NDArray[np.bool_]:
    rules = np.full(rows, rule, dtype=object) if isinstance(rule, str) else np.asarray(rule, dtype=object)
    if rules.shape != (rows,):
        raise ValueError(f"rule: give one rule or one per row ({rows}), got {rules.shape[0]}")
    unknown = set(rules.tolist()) - set(PERCENTILE_RULES)
    if unknown:
        raise ValueError(f"unknown percentile rule(s) {sorted(unknown)}; use {' or '.join(PERCENTILE_RULES)}")
    return np.asarray(rules == RULE_2014_15, dtype=np.bool_)


def percentile_position(
    total: npt.ArrayLike, q: float, rule: str | Sequence[str] = CURRENT_RULE
) -> npt.NDArray[np.float64]:
    """Position (1-based, continuous) of the ``q`` percentile among ``total`` pathways.

    ``q · N``; with :data:`RULE_2014_15` the median is at ``(N + 1) / 2``. ``rule`` is one rule or one per
    value of ``total``.
    """
    n = np.atleast_1d(np.asarray(total, dtype=np.float64))
    position = q * n
    if q == MEDIAN:
        position = np.where(_legacy_mask(rule, n.shape[0]), (n + 1.0) / 2.0, position)
    else:
        _legacy_mask(rule, n.shape[0])  # still refuse an unknown rule
    return np.asarray(position, dtype=np.float64)


def band_percentile(
    counts_by_band: npt.ArrayLike, q: float, *, rule: str | Sequence[str] = CURRENT_RULE
) -> npt.NDArray[np.float64] | float:
    """NHS England's interpolated ``q`` percentile (in weeks) of weekly-band counts.

    ``counts_by_band``: counts for bands 0, 1, 2, … (band ``k`` = more than ``k`` up to ``k + 1`` weeks),
    either one distribution (1-D; a float is returned) or one row per group (2-D; an array with one value
    per row is returned). Only pathways with a known clock start belong here. ``q`` is in (0, 1), e.g.
    0.5, 0.92, 0.95. ``rule``: :data:`CURRENT_RULE` (default) or :data:`RULE_2014_15`, one for all rows
    or one per row (see :func:`rule_for_period`). Rows with no pathways give NaN. Vectorised: no Python
    loop over groups.

    When the percentile falls in an open-ended top band (``Gt 104 Weeks``, or ``52 plus`` in pre-April
    2021 files) the same interpolation over the band's first week is used, as NHS England's figures do.
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be between 0 and 1 (exclusive), got {q}")
    counts = np.asarray(counts_by_band, dtype=np.float64)
    single = counts.ndim == 1
    if single:
        counts = counts[np.newaxis, :]
    if counts.ndim != 2:
        raise ValueError("counts_by_band must be 1-D (one distribution) or 2-D (one row per group)")
    counts = np.where(np.isnan(counts), 0.0, counts)
    cumulative = np.cumsum(counts, axis=1)
    total = cumulative[:, -1]
    position = percentile_position(total, q, rule)
    # The band holding the percentile: the first whose cumulative count reaches the position.
    band = (cumulative < position[:, np.newaxis]).sum(axis=1)
    band = np.minimum(band, counts.shape[1] - 1)
    rows = np.arange(counts.shape[0])
    in_band = counts[rows, band]
    below = cumulative[rows, band] - in_band
    with np.errstate(divide="ignore", invalid="ignore"):
        value = band + (position - below) / in_band
    value = np.where(total > 0, value, np.nan)
    if single:
        return float(value[0])
    return np.asarray(value, dtype=np.float64)
