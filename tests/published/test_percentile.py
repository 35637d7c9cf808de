"""NHS England's interpolated percentile on small distributions with answers worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebacklog.published import band_percentile


def test_patients_spread_evenly_across_their_band() -> None:
    # 10 patients all in band 3 (3–4 weeks): the j-th sits at 3 + j/10. Median = mean of 5th and 6th.
    assert band_percentile([0, 0, 0, 10], 0.5) == pytest.approx(3.55)
    # 95th percentile at position 0.95 × 10 = 9.5 → 3 + 9.5/10.
    assert band_percentile([0, 0, 0, 10], 0.95) == pytest.approx(3.95)


def test_median_of_an_odd_count_is_the_middle_patient() -> None:
    # 3 in band 0, 2 in band 1: median is the 3rd patient = end of band 0 = 1.0 week.
    assert band_percentile([3, 2], 0.5) == pytest.approx(1.0)


def test_92nd_percentile_position_is_q_times_n() -> None:
    # 50 in band 0, 50 in band 1: position 92 → band 1, 42 of 50 into it.
    assert band_percentile([50, 50], 0.92) == pytest.approx(1 + 42 / 50)


def test_empty_bands_are_skipped() -> None:
    assert band_percentile([4, 0, 0, 4], 0.95) == pytest.approx(3 + (7.6 - 4) / 4)


def test_no_pathways_gives_nan_and_rows_are_independent() -> None:
    values = band_percentile(np.array([[0, 0, 0], [1, 1, 2]]), 0.5)
    assert math.isnan(values[0])
    assert values[1] == pytest.approx(2 + (2.5 - 2) / 2)


def test_q_outside_zero_one_is_rejected() -> None:
    with pytest.raises(ValueError):
        band_percentile([1, 2], 1.0)


@given(st.lists(st.integers(0, 500), min_size=1, max_size=30).filter(lambda c: sum(c) > 0),
       st.sampled_from([0.5, 0.92, 0.95]))
def test_vectorised_rows_equal_single_distributions_and_stay_in_range(counts: list[int], q: float) -> None:
    single = band_percentile(counts, q)
    matrix = band_percentile(np.array([counts, counts[::-1]]), q)
    assert matrix[0] == pytest.approx(single)
    assert 0 <= single <= len(counts)
    # The share of patients below the percentile equals its position (monotone, evenly spread).
    cum = np.concatenate([[0], np.cumsum(counts)])
    k = min(int(single), len(counts) - 1)
    below = cum[k] + (single - k) * counts[k]
    n = sum(counts)
    assert below == pytest.approx((n + 1) / 2 if q == 0.5 else q * n)


def test_median_position_is_continuous_not_the_average_of_two_patients() -> None:
    # Admitted, April 2015, CCG 02R × AP160 (N = 84): the 42nd patient ends band 7, band 8 is empty and
    # the 43rd is in band 9. NHS England published median 9.0625 = 9 + 0.5/8 (position 42.5), not the
    # average of the two patients (8.5625); and 95th percentile 33.4 (position 79.8).
    bands = [12, 6, 4, 3, 7, 2, 2, 6, 0, 8, 2, 2, 1, 5, 1, 2, 0, 6, 1, 1, 0, 0, 1, 0, 1, 2, 2, 0, 2, 0, 0,
             0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert sum(bands) == 84
    assert band_percentile(bands, 0.5) == pytest.approx(9.0625)
    assert band_percentile(bands, 0.95) == pytest.approx(33.4)
