"""NHS England's interpolated percentile on small distributions with answers worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebacklog.published import band_percentile
from carebacklog.published.percentile import (
    CURRENT_RULE,
    CURRENT_RULE_FROM,
    RULE_2014_15,
    percentile_position,
    rule_for_period,
)


def test_patients_spread_evenly_across_their_band() -> None:
    # 10 patients all in band 3 (3–4 weeks): the j-th sits at 3 + j/10. Current rule: median at position
    # 0.5 × 10 = 5 → 3.5; the 2014/15 rule puts it at (10 + 1)/2 = 5.5 → 3.55.
    assert band_percentile([0, 0, 0, 10], 0.5) == pytest.approx(3.5)
    assert band_percentile([0, 0, 0, 10], 0.5, rule=RULE_2014_15) == pytest.approx(3.55)
    # 95th percentile at position 0.95 × 10 = 9.5 → 3 + 9.5/10, under both rules.
    assert band_percentile([0, 0, 0, 10], 0.95) == pytest.approx(3.95)
    assert band_percentile([0, 0, 0, 10], 0.95, rule=RULE_2014_15) == pytest.approx(3.95)


def test_median_of_an_odd_count() -> None:
    # 3 in band 0, 2 in band 1. Current rule: position 2.5, 2.5 of band 0's 3 patients → 2.5/3 weeks.
    # 2014/15 rule: position 3 = the 3rd patient = end of band 0 = 1.0 week.
    assert band_percentile([3, 2], 0.5) == pytest.approx(2.5 / 3)
    assert band_percentile([3, 2], 0.5, rule=RULE_2014_15) == pytest.approx(1.0)


def test_23_pathways_median_a_fraction_of_a_band_apart() -> None:
    # The December 2024 case: 23 pathways, 11 of them in bands below band 9 and 3 in band 9.
    # Current rule (NHS England's December 2024 workbooks): position 11.5 → 9 + 0.5/3 = 9.17 weeks, as
    # published. The 2014/15 rule: position 12 → 9 + 1/3 = 9.33 weeks (what we used to report).
    bands = [2, 1, 0, 3, 1, 0, 2, 1, 1, 3, 4, 0, 5]
    assert sum(bands) == 23 and sum(bands[:9]) == 11
    assert round(band_percentile(bands, 0.5), 2) == 9.17
    assert round(band_percentile(bands, 0.5, rule=RULE_2014_15), 2) == 9.33
    # The 95th percentile is the same under both rules: position 21.85, band 12 (18 below, 5 in it).
    assert band_percentile(bands, 0.95) == band_percentile(bands, 0.95, rule=RULE_2014_15)
    assert band_percentile(bands, 0.95) == pytest.approx(12 + 3.85 / 5)


@pytest.mark.parametrize(
    ("bands", "current", "legacy"),
    [
        ([1], 0.5, 1.0),                    # N = 1: position 0.5 vs 1
        ([1, 1], 1.0, 1.5),                 # N = 2: position 1 ends band 0; 1.5 is half-way into band 1
        ([0, 2, 2], 2.0, 2.25),             # N = 4: position 2 ends band 1; 2.5 → 2 + 0.5/2
        ([5, 0, 0, 4], 4.5 / 5, 1.0),       # N = 9: 4.5 of band 0's 5 patients; the 5th ends band 0
    ],
)
def test_small_band_counts_worked_by_hand(bands: list[int], current: float, legacy: float) -> None:
    assert band_percentile(bands, 0.5) == pytest.approx(current)
    assert band_percentile(bands, 0.5, rule=RULE_2014_15) == pytest.approx(legacy)


def test_rule_is_chosen_by_the_publications_period() -> None:
    assert rule_for_period(dt.date(2014, 12, 31)) == RULE_2014_15
    assert rule_for_period(dt.date(2015, 5, 31)) == RULE_2014_15
    assert rule_for_period(CURRENT_RULE_FROM) == CURRENT_RULE
    assert rule_for_period(dt.date(2024, 12, 31)) == CURRENT_RULE
    assert rule_for_period(dt.date(2026, 1, 31)) == CURRENT_RULE


def test_positions_per_row_and_unknown_rules_refused() -> None:
    assert percentile_position([10, 10], 0.5, [CURRENT_RULE, RULE_2014_15]).tolist() == [5.0, 5.5]
    assert percentile_position([10, 10], 0.95, [CURRENT_RULE, RULE_2014_15]).tolist() == [9.5, 9.5]
    with pytest.raises(ValueError, match="unknown percentile rule"):
        band_percentile([1, 2], 0.5, rule="2019")
    with pytest.raises(ValueError, match="one per row"):
        band_percentile(np.array([[1, 2], [3, 4]]), 0.5, rule=[CURRENT_RULE])


def test_92nd_percentile_position_is_q_times_n() -> None:
    # 50 in band 0, 50 in band 1: position 92 → band 1, 42 of 50 into it.
    assert band_percentile([50, 50], 0.92) == pytest.approx(1 + 42 / 50)


def test_empty_bands_are_skipped() -> None:
    assert band_percentile([4, 0, 0, 4], 0.95) == pytest.approx(3 + (7.6 - 4) / 4)


def test_no_pathways_gives_nan_and_rows_are_independent() -> None:
    values = band_percentile(np.array([[0, 0, 0], [1, 1, 2]]), 0.5)
    assert math.isnan(values[0])
    assert values[1] == pytest.approx(1 + (2 - 1) / 1)  # position 0.5 × 4 = 2 ends band 1


def test_q_outside_zero_one_is_rejected() -> None:
    with pytest.raises(ValueError):
        band_percentile([1, 2], 1.0)


@given(st.lists(st.integers(0, 500), min_size=1, max_size=30).filter(lambda c: sum(c) > 0),
       st.sampled_from([0.5, 0.92, 0.95]), st.sampled_from([CURRENT_RULE, RULE_2014_15]))
def test_vectorised_rows_equal_single_distributions_and_stay_in_range(counts: list[int], q: float,
                                                                      rule: str) -> None:
    single = band_percentile(counts, q, rule=rule)
    matrix = band_percentile(np.array([counts, counts[::-1]]), q, rule=rule)
    assert matrix[0] == pytest.approx(single)
    assert 0 <= single <= len(counts)
    # The share of patients below the percentile equals its position (monotone, evenly spread).
    cum = np.concatenate([[0], np.cumsum(counts)])
    k = min(int(single), len(counts) - 1)
    below = cum[k] + (single - k) * counts[k]
    n = sum(counts)
    assert below == pytest.approx((n + 1) / 2 if q == 0.5 and rule == RULE_2014_15 else q * n)


def test_median_position_is_continuous_not_the_average_of_two_patients() -> None:
    # Admitted, April 2015, CCG 02R × AP160 (N = 84): the 42nd patient ends band 7, band 8 is empty and
    # the 43rd is in band 9. NHS England published median 9.0625 = 9 + 0.5/8 (position 42.5), not the
    # average of the two patients (8.5625); and 95th percentile 33.4 (position 79.8).
    bands = [12, 6, 4, 3, 7, 2, 2, 6, 0, 8, 2, 2, 1, 5, 1, 2, 0, 6, 1, 1, 0, 0, 1, 0, 1, 2, 2, 0, 2, 0, 0,
             0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert sum(bands) == 84
    assert band_percentile(bands, 0.5, rule=RULE_2014_15) == pytest.approx(9.0625)
    assert band_percentile(bands, 0.95, rule=RULE_2014_15) == pytest.approx(33.4)
