"""Equity breakdowns and the deprivation gap on synthetic PTLs with known answers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from carebacklog.equity import deprivation_gap, equity_breakdown, newcombe_interval, wilson_interval
from carebacklog.published import band_percentile


def make_ptl(rows: list[tuple[object, int]], **extra: list[object]) -> pl.DataFrame:
    """A PTL of (imd_quintile, weeks_waited band) rows; days waited = 7 × band + 3."""
    quintiles = [q for q, _ in rows]
    bands = [b for _, b in rows]
    frame = pl.DataFrame(
        {
            "pathway_id": [f"P{i}" for i in range(len(rows))],
            "imd_quintile": pl.Series(quintiles, dtype=pl.Int8),
            "weeks_waited": pl.Series(bands, dtype=pl.Int16),
            "days_waited": pl.Series([7 * b + 3 for b in bands], dtype=pl.Int32),
        }
    )
    return frame.with_columns(**{k: pl.Series(v) for k, v in extra.items()})


KNOWN = make_ptl(
    [(1, b) for b in (0, 1, 2, 3, 4, 5)]
    + [(1, 60)] * 4  # Q1: 6 within 18, 4 over 52
    + [(5, b) for b in (0, 1, 2, 3, 4, 5, 6, 7, 8)]
    + [(5, 70)]  # Q5: 9 within 18, 1 over 52
    + [(None, 20), (None, 2)]  # unknown deprivation
)


def test_breakdown_by_imd_quintile_has_known_answers() -> None:
    table = equity_breakdown(KNOWN, "imd_quintile")
    assert table["imd_quintile"].to_list() == ["1", "5", "Unknown"]
    q1, q5, unknown = table.iter_rows(named=True)
    assert (q1["total"], q1["within_18"], q1["over_52"]) == (10, 6, 4)
    assert q1["pct_within_18"] == pytest.approx(60.0)
    assert q1["pct_over_52"] == pytest.approx(40.0) and q1["over_52_per_1000"] == pytest.approx(400.0)
    assert (q5["total"], q5["within_18"], q5["over_52"]) == (10, 9, 1)
    assert q5["pct_within_18"] == pytest.approx(90.0)
    assert unknown["total"] == 2 and unknown["within_18"] == 1
    assert table["total"].sum() == KNOWN.height
    assert table["share_of_list_pct"].sum() == pytest.approx(100.0)


def test_percentiles_use_nhs_englands_band_method_and_exact_days() -> None:
    table = equity_breakdown(KNOWN, "imd_quintile")
    counts = np.zeros(105)
    for b in (0, 1, 2, 3, 4, 5, 60, 60, 60, 60):
        counts[b] += 1
    q1 = table.row(0, named=True)
    assert q1["median_weeks"] == pytest.approx(float(band_percentile(counts, 0.5)))
    assert q1["p92_weeks"] == pytest.approx(float(band_percentile(counts, 0.92)))
    days = np.array([7 * b + 3 for b in (0, 1, 2, 3, 4, 5, 60, 60, 60, 60)])
    assert q1["median_days"] == pytest.approx(float(np.median(days)))
    assert q1["p92_days"] == pytest.approx(float(np.quantile(days, 0.92)))


def test_unknown_categories_are_shown_not_dropped() -> None:
    ptl = make_ptl(
        [(1, 3), (2, 30), (3, 60)],
        sex=["Female", None, ""],
        ethnic_group=["White", "Asian or Asian British", None],
    )
    by_sex = equity_breakdown(ptl, "sex")
    assert by_sex["sex"].to_list() == ["Female", "Unknown"]
    assert by_sex["total"].to_list() == [1, 2]
    assert equity_breakdown(ptl, ["ethnic_group"])["ethnic_group"].to_list()[-1] == "Unknown"
    # a dimension missing from the PTL entirely is one Unknown group holding everyone
    assert equity_breakdown(ptl, "age_band").select("age_band", "total").rows() == [("Unknown", 3)]


def test_combination_with_treatment_function_uses_reported_grouping() -> None:
    ptl = make_ptl([(1, 3), (1, 30), (5, 60), (5, 1)], treatment_function=["108", "110", "710", "110"])
    table = equity_breakdown(ptl, "imd_quintile,treatment_function")
    assert table.select("imd_quintile", "treatment_function", "total").rows() == [
        ("1", "C_110", 2),
        ("5", "C_110", 1),
        ("5", "X03", 1),
    ]


def test_bad_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown"):
        equity_breakdown(KNOWN, "postcode")


def test_known_gap_figures() -> None:
    gap = deprivation_gap(KNOWN)
    within = gap.filter(pl.col("measure") == "pct_within_18").row(0, named=True)
    assert within["difference_pct_points"] == pytest.approx(-30.0)
    _, lo, hi = newcombe_interval(6, 10, 9, 10)
    assert within["ci_low"] == pytest.approx(100 * lo) and within["ci_high"] == pytest.approx(100 * hi)
    over = gap.filter(pl.col("measure") == "pct_over_52").row(0, named=True)
    assert over["difference_pct_points"] == pytest.approx(30.0)


def test_newcombe_matches_the_published_worked_examples() -> None:
    # Newcombe (1998) Table II, method 10
    for (x1, n1, x2, n2), (lo, hi) in {
        (56, 70, 48, 80): (0.0524, 0.3339),
        (9, 10, 3, 10): (0.1705, 0.8090),
        (6, 7, 2, 7): (0.0582, 0.8062),
        (5, 56, 0, 29): (-0.0381, 0.1926),
    }.items():
        _, low, high = newcombe_interval(x1, n1, x2, n2)
        assert (round(low, 4), round(high, 4)) == (lo, hi)
    assert wilson_interval(0, 10)[0] == 0.0
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def _simulated_ptl(p_within_q1: float, p_within_q5: float, n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[tuple[object, int]] = []
    for quintile, p in ((1, p_within_q1), (2, 0.6), (3, 0.6), (4, 0.6), (5, p_within_q5)):
        within = rng.random(n) < p
        bands = np.where(within, rng.integers(0, 18, n), rng.integers(18, 80, n))
        rows.extend((quintile, int(b)) for b in bands)
    return make_ptl(rows)


def test_injected_gap_is_detected_by_the_interval() -> None:
    ptl = _simulated_ptl(0.55, 0.65, 4000, seed=1)
    row = deprivation_gap(ptl).filter(pl.col("measure") == "pct_within_18").row(0, named=True)
    assert row["significant"]
    assert row["ci_high"] < 0  # the most deprived wait longer
    assert row["ci_low"] < -10.0 < row["ci_high"]  # and the interval covers the true gap of 10 points


def test_no_gap_interval_covers_zero() -> None:
    same = [(q, b) for q in (1, 5) for b in range(0, 80, 2)]  # identical distributions in Q1 and Q5
    row = deprivation_gap(make_ptl(same)).filter(pl.col("measure") == "pct_within_18").row(0, named=True)
    assert row["difference_pct_points"] == 0.0
    assert row["ci_low"] < 0.0 < row["ci_high"] and not row["significant"]
    sampled = _simulated_ptl(0.6, 0.6, 4000, seed=2)
    for row in deprivation_gap(sampled).iter_rows(named=True):
        assert row["ci_low"] <= 0.0 <= row["ci_high"], row


def test_gap_needs_both_quintiles() -> None:
    with pytest.raises(ValueError, match="quintile 5"):
        deprivation_gap(make_ptl([(1, 3), (2, 4)]))


def test_gap_by_treatment_function_finds_the_specialty_with_the_gap() -> None:
    rng = np.random.default_rng(9)
    rows: list[tuple[object, int]] = []
    tfs: list[str] = []
    for tf, p_q1 in (
        ("110", 0.45),
        ("130", 0.60),
        ("420", 0.60),
    ):  # only T&O has a gap (Q5 at 60% everywhere)
        for quintile, p in ((1, p_q1), (5, 0.60)):
            n = 3000
            within = rng.random(n) < p
            bands = np.where(within, rng.integers(0, 18, n), rng.integers(18, 60, n))
            rows.extend((quintile, int(b)) for b in bands)
            tfs.extend([tf] * n)
    rows.append((1, 5))  # a group with quintile 1 only is left out of the gap
    tfs.append("502")
    ptl = make_ptl(rows, treatment_function=tfs)
    gap = deprivation_gap(ptl, by="treatment_function").filter(pl.col("measure") == "pct_within_18")
    assert gap["treatment_function"].to_list() == ["C_110", "C_130", "X02"]
    significant = dict(zip(gap["treatment_function"], gap["significant"], strict=True))
    assert significant == {"C_110": True, "C_130": False, "X02": False}
    with pytest.raises(ValueError, match="deprivation itself"):
        deprivation_gap(ptl, by="imd_quintile")
