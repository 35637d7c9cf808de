"""Headline measures on a five-row tidy table with answers worked by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebacklog.published import PART_OF, headline_measures
from carebacklog.published.tidy import TIDY_SCHEMA

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


def tidy(rows: list[tuple]) -> pl.DataFrame:
    cols = list(TIDY_SCHEMA)
    return pl.DataFrame(
        [dict(zip(cols, (r[0], "QE1", r[1], "QE1", r[2], r[3], r[4], r[5], r[6], 104), strict=True))
         for r in rows],
        schema=TIDY_SCHEMA,
    )


ROWS = [
    # period, provider, commissioner, part, tf, band, count
    (JAN, "RAA", "01A", "Part_2", "C_110", 0, 10.0),
    (JAN, "RAA", "01B", "Part_2", "C_110", 17, 5.0),   # 17–18 weeks: still within 18
    (JAN, "RAA", "01A", "Part_2", "C_110", 18, 3.0),
    (JAN, "RAA", "01A", "Part_2", "C_120", 65, 1.0),   # more than 65 weeks: over 52 and 65, not 78
    (JAN, "RBB", "01A", "Part_2", "C_110", 104, 1.0),  # Gt 104 weeks
    (JAN, "RBB", "01A", "Part_1A", "C_110", None, 2.0),  # unknown clock start
    (JAN, "RBB", "01A", "Part_1A", "C_110", 3, 8.0),
    (JAN, "RBB", "01A", "Part_3", "C_110", None, 40.0),
    (FEB, "RAA", "01A", "Part_2", "C_110", 1, 7.0),
]


def test_national_incomplete_measures() -> None:
    m = headline_measures(tidy(ROWS), "incomplete", "national")
    assert m["period"].to_list() == [JAN, FEB]
    jan = m.row(0, named=True)
    assert jan["total"] == 20 and jan["known_start"] == 20
    assert jan["within_18"] == 15 and jan["pct_within_18"] == pytest.approx(75.0)
    assert (jan["over_52"], jan["over_65"], jan["over_78"], jan["over_104"]) == (2, 2, 1, 1)
    # Current rule (a 2026 period): median position 0.5 × 20 = 10, the end of band 0, which holds 10.
    assert jan["median_weeks"] == pytest.approx(1.0)
    # The 2014/15 rule, forced: position (20 + 1) / 2 = 10.5, 0.5 of the 5 in band 17.
    legacy = headline_measures(tidy(ROWS), "incomplete", "national", percentile_rule="2014/15").row(0, named=True)
    assert legacy["median_weeks"] == pytest.approx(17 + 0.5 / 5)
    assert legacy["p92_weeks"] == jan["p92_weeks"]  # only the median's position differs


def test_percentile_rule_follows_each_period() -> None:
    # The same bands published for March 2015 (2014/15 rule) and January 2026 (current rule).
    old = dt.date(2015, 3, 31)
    rows = [(old, *r[1:]) for r in ROWS if r[0] == JAN] + [r for r in ROWS if r[0] == JAN]
    m = headline_measures(tidy(rows), "incomplete", "national")
    assert m["period"].to_list() == [old, JAN]
    assert m["median_weeks"].to_list() == pytest.approx([17.1, 1.0])
    with pytest.raises(ValueError, match="unknown percentile rule"):
        headline_measures(tidy(rows), "incomplete", "national", percentile_rule="(N+1)/2")


def test_counts_are_integers_in_every_part_and_grouping() -> None:
    for part in PART_OF:
        for by in ("national", "provider", "provider,treatment_function", "commissioner"):
            m = headline_measures(tidy(ROWS), part, by)
            for column in ("total", "known_start", "within_18", "over_52", "over_65", "over_78", "over_104"):
                assert m.schema[column] == pl.Int64, (part, by, column)
            for column in ("pct_within_18", "median_weeks", "p92_weeks", "p95_weeks"):
                assert m.schema[column] == pl.Float64, (part, by, column)
    new = headline_measures(tidy(ROWS), "new", "national").row(0, named=True)
    assert new["total"] == 40 and isinstance(new["total"], int)


def test_grouping_by_provider_and_treatment_function() -> None:
    m = headline_measures(tidy(ROWS), "incomplete", "provider,treatment_function")
    assert m.columns[:3] == ["period", "provider_code", "treatment_function"]
    raa = m.filter((pl.col("period") == JAN) & (pl.col("provider_code") == "RAA") & (pl.col("treatment_function") == "C_110"))
    assert raa["total"].item() == 18  # summed over both commissioners


def test_parent_grouping_is_named_parent_code() -> None:
    m = headline_measures(tidy(ROWS), "incomplete", ["parent"])
    assert "parent_code" in m.columns and m["parent_code"].unique().to_list() == ["QE1"]


def test_completed_pathways_exclude_unknown_start_from_percentages() -> None:
    jan = headline_measures(tidy(ROWS), "admitted", "national").row(0, named=True)
    assert jan["total"] == 10 and jan["known_start"] == 8
    assert jan["pct_within_18"] == pytest.approx(100.0)
    assert jan["p95_weeks"] == pytest.approx(3 + 7.6 / 8)


def test_new_clock_starts_total_only() -> None:
    jan = headline_measures(tidy(ROWS), "new", "provider").row(0, named=True)
    assert jan["total"] == 40 and jan["known_start"] is None and jan["median_weeks"] is None


def test_unknown_part_or_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="part"):
        headline_measures(tidy(ROWS), "waiting")
    with pytest.raises(ValueError, match="grouping"):
        headline_measures(tidy(ROWS), "incomplete", "ward")
    assert PART_OF["dta"] == "Part_2A"


def test_a_frame_with_only_the_contract_columns_is_measured_with_104_as_top_band() -> None:
    # Other packages build tidy frames from the architecture contract's eight columns (no top_band).
    frame = tidy(ROWS).drop("top_band")
    jan = headline_measures(frame, "incomplete", "national").row(0, named=True)
    assert jan["over_104"] == 1 and jan["over_65"] == 2


@st.composite
def random_returns(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(st.lists(
        st.tuples(st.sampled_from([JAN, FEB]), st.sampled_from(["RAA", "RBB", "RCC"]), st.sampled_from(["01A", "01B"]),
                  st.just("Part_2"), st.sampled_from(["C_100", "C_110", "X02"]),
                  st.one_of(st.none(), st.integers(0, 104)), st.integers(1, 500).map(float)),
        min_size=1, max_size=60))
    return tidy(rows)


@settings(max_examples=60, deadline=None)
@given(random_returns())
def test_groupings_add_up_and_percentiles_are_ordered(frame: pl.DataFrame) -> None:
    national = headline_measures(frame, "incomplete", "national")
    for by in ("provider", "commissioner", "provider,treatment_function", "parent"):
        grouped = headline_measures(frame, "incomplete", by)
        sums = grouped.group_by("period").agg(pl.col("total", "known_start", "within_18", "over_52").sum()).sort("period")
        assert sums.rows() == national.select("period", "total", "known_start", "within_18", "over_52").rows()
    for row in national.iter_rows(named=True):
        assert row["total"] == frame.filter(pl.col("period") == row["period"])["count"].sum()
        if row["known_start"]:
            assert 0 <= row["pct_within_18"] <= 100
            assert row["p92_weeks"] <= row["p95_weeks"] <= 105
        if row["known_start"] and row["known_start"] >= 2:
            # With one pathway NHS England's median position (N + 1) / 2 = 1 lies beyond 0.92 · N.
            assert row["median_weeks"] <= row["p92_weeks"]


def test_percentiles_can_be_left_blank_below_nhs_englands_50_pathways() -> None:
    from carebacklog.published.measures import PUBLISHED_MIN_PATHWAYS

    m = headline_measures(tidy(ROWS), "incomplete", "provider", min_pathways_for_percentiles=PUBLISHED_MIN_PATHWAYS)
    assert m["median_weeks"].null_count() == m.height  # every provider here has under 50 pathways
    assert m["total"].null_count() == 0
    big = tidy([(JAN, "RAA", "01A", "Part_2", "C_110", 3, 50.0)])
    kept = headline_measures(big, "incomplete", "provider", min_pathways_for_percentiles=50)
    assert kept["median_weeks"].item() == pytest.approx(3 + 25 / 50)  # position 0.5 × 50 = 25
