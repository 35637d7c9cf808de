"""NHS England's percentile of a waiting-time distribution published in weekly bands.

NHS England publishes waits as counts per weekly band (band ``k`` holds waits of more than ``k`` and up to
``k + 1`` weeks) and estimates the median, 92nd and 95th percentile from those counts "from aggregate
data, rather than patient level data" (note 1 of every RTT commissioner/provider workbook's ``Notes``
sheet). The method, reverse-engineered from the published 2014/15 commissioner workbooks, where every
CCG × treatment function row publishes its bands *and* its median and 95th percentile (see
``tests/published/test_agreement_2014_15.py``; docs/published.md):

* patients in a band are spread evenly across its week: the ``j``-th of the ``c`` patients in band ``k``
  sits at ``k + j / c`` weeks;
* the percentile is the wait at (continuous) position ``p`` of the ``N`` pathways with a known clock start,
  found in the band ``k`` whose cumulative count first reaches ``p``:
  ``value = k + (p − C_{k−1}) / c_k`` where ``C_{k−1}`` counts the patients in bands below ``k``;
* position ``p = q · N`` for the 92nd and 95th percentile, and ``p = (N + 1) / 2`` for the median, on the
  same continuous scale. (Where the ``N/2``-th and ``N/2 + 1``-th patients fall in different bands this
  is *not* their average: the 51 published rows where the two differ all follow the continuous position.)

A consequence of the two positions: with a single pathway the median (position 1) lies above the 92nd
and 95th percentile (positions 0.92 and 0.95); from two pathways on they are ordered. NHS England does
not publish percentiles below 50 pathways.

This reproduces every consistent published value of the 18 workbooks (Dec 2014 – May 2015, incomplete,
admitted and non-admitted; 89,896 values) to two decimals.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["MEDIAN", "band_percentile", "percentile_position"]

#: Passing ``q=MEDIAN`` selects NHS England's median position ``(N + 1) / 2``.
MEDIAN = 0.5


def percentile_position(total: npt.ArrayLike, q: float) -> npt.NDArray[np.float64]:
    """Position (1-based, continuous) of the ``q`` percentile among ``total`` pathways.

    NHS England's convention (module docstring): ``(N + 1) / 2`` for the median, ``q · N`` otherwise.
    """
    n = np.asarray(total, dtype=np.float64)
    if q == MEDIAN:
        return np.asarray((n + 1.0) / 2.0)
    return np.asarray(q * n)


def band_percentile(counts_by_band: npt.ArrayLike, q: float) -> npt.NDArray[np.float64] | float:
    """NHS England's interpolated ``q`` percentile (in weeks) of weekly-band counts.

    ``counts_by_band``: counts for bands 0, 1, 2, … (band ``k`` = more than ``k`` up to ``k + 1`` weeks),
    either one distribution (1-D; a float is returned) or one row per group (2-D; an array with one value
    per row is returned). Only pathways with a known clock start belong here. ``q`` is in (0, 1), e.g.
    0.5, 0.92, 0.95. Rows with no pathways give NaN. Vectorised: no Python loop over groups.

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
    position = percentile_position(total, q)
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
