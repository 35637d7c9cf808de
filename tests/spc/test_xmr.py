"""XmR charts with Making Data Count rules, on hand-made series whose special causes are known."""

from __future__ import annotations

import numpy as np
import pytest

from carebacklog.spc.xmr import LIMIT_FACTOR, xmr_chart

# A stable series: alternating around 50 with no runs, trends or outliers.
STABLE = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50, 52, 48, 51, 49, 50]


def test_limits_are_mean_plus_minus_2_66_mean_moving_range() -> None:
    chart = xmr_chart([10, 12, 11, 13, 12])
    # mean 11.6; moving ranges 2, 1, 2, 1 → mean MR 1.5
    assert chart.mean == pytest.approx(11.6)
    assert chart.mean_moving_range == pytest.approx(1.5)
    assert chart.upper_limit == pytest.approx(11.6 + 2.66 * 1.5)
    assert chart.lower_limit == pytest.approx(11.6 - 2.66 * 1.5)
    assert chart.points["moving_range"].to_list() == [None, 2.0, 1.0, 2.0, 1.0]
    assert LIMIT_FACTOR == 2.66


def test_stable_series_is_common_cause_only() -> None:
    chart = xmr_chart(STABLE)
    assert not chart.points["special_cause"].any()
    assert chart.latest_variation == "common_cause"


def test_single_point_outside_limits_is_concern_when_higher_is_worse() -> None:
    values = [*STABLE[:10], 80, *STABLE[10:]]
    chart = xmr_chart(values, polarity="down")
    flagged = chart.points.filter("outside_limits")["value"].to_list()
    assert flagged == [80.0]
    row = chart.points.row(10, named=True)
    assert row["variation"] == "concern" and row["direction"] == "high"


def test_shift_of_seven_points_above_mean_is_flagged_but_six_is_not() -> None:
    # limits fixed on the stable baseline (mean 50.13); then points just above the mean, inside the limits
    six_high = [51, 52, 51, 52, 51, 52]
    chart6 = xmr_chart([*STABLE, *six_high], baseline_points=len(STABLE), polarity="up")
    assert not chart6.points["shift"].any()
    chart7 = xmr_chart([*STABLE, *six_high, 51], baseline_points=len(STABLE), polarity="up")
    assert chart7.points["shift"].to_list() == [False] * len(STABLE) + [True] * 7
    assert not chart7.points["outside_limits"].any()
    assert set(chart7.points.filter("shift")["variation"].to_list()) == {"improvement"}
    below = xmr_chart([*STABLE, *[49, 48] * 4], baseline_points=len(STABLE), polarity="up")
    assert set(below.points.filter("shift")["variation"].to_list()) == {"concern"}


def test_trend_of_six_rising_points_is_improvement_when_higher_is_better() -> None:
    values = [50, 49, 51, 50, 52, 49, 50, 51, 52, 53, 54, 50, 49, 51]
    chart = xmr_chart(values, polarity="up")
    trend = chart.points["trend"].to_list()
    assert trend[5:11] == [True] * 6  # 49 → 54: six points each higher than the one before
    assert sum(trend) == 6
    assert set(chart.points.filter("trend")["variation"].to_list()) == {"improvement"}


def test_five_rising_points_are_not_a_trend_and_ties_break_trends() -> None:
    chart = xmr_chart([50, 48, 49, 50, 51, 52, 49, 50, 51, 51, 52, 53, 54, 50], polarity="up")
    assert not chart.points["trend"].any()


def test_trend_length_follows_parameter() -> None:
    values = [50, 49, 51, 50, 52, 49, 50, 51, 52, 53, 54, 50, 49, 51]
    assert not xmr_chart(values, trend_points=7).points["trend"].any()


def test_two_of_three_beyond_two_sigma_on_the_same_side() -> None:
    base = [50, 51, 49, 50, 51, 49, 50, 51, 49, 50, 51, 49]
    chart0 = xmr_chart(base)
    two_sigma = chart0.upper_limit - (chart0.upper_limit - chart0.mean) / 3
    # two points between 2 sigma and the limit (not outside), with a point above the mean between them
    near = (two_sigma + chart0.upper_limit) / 2
    chart = xmr_chart([*base, near, 51, near, 50], baseline_points=len(base))
    assert not chart.points["outside_limits"].any()
    flagged = np.flatnonzero(chart.points["two_of_three"].to_numpy()).tolist()
    assert flagged == [12, 14]  # only the points beyond 2 sigma are flagged
    # MDC: all three points must sit on the same side of the mean; a middle point below it breaks the rule
    broken = xmr_chart([*base, near, 49, near, 50], baseline_points=len(base))
    assert not broken.points["two_of_three"].any()


def test_point_flagged_both_ways_shows_improvement() -> None:
    # 8 points below the mean (a shift: concern when higher is better) that rise steadily (a trend:
    # improvement); MDC's Single Chart tool shows improvement when both are triggered
    chart = xmr_chart(
        [*STABLE, 44.0, 44.5, 45, 45.5, 46, 46.5, 47, 47.5], baseline_points=len(STABLE), polarity="up"
    )
    tail = chart.points.tail(8)
    assert tail["shift"].all() and tail["trend"].all()
    assert set(tail["variation"]) == {"improvement"}
    assert set(tail["direction"]) == {"high"}
    falling = xmr_chart(
        [*STABLE, 47.5, 47, 46.5, 46, 45.5, 45, 44.5, 44], baseline_points=len(STABLE), polarity="up"
    )
    assert set(falling.points.tail(8)["variation"]) == {"concern"}


def test_two_of_three_needs_the_same_side() -> None:
    base = [50, 51, 49, 50, 51, 49, 50, 51, 49, 50, 51, 49]
    chart0 = xmr_chart(base)
    hi = chart0.mean + 0.9 * (chart0.upper_limit - chart0.mean)
    lo = chart0.mean - 0.9 * (chart0.upper_limit - chart0.mean)
    chart = xmr_chart([*base, hi, 50, lo, 50], baseline_points=len(base))
    assert not chart.points["two_of_three"].any()


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (30.0, "up", "consistently_pass"),  # target below the lower limit, higher is better
        (70.0, "up", "consistently_fail"),
        (50.0, "up", "hit_and_miss"),
        (30.0, "down", "consistently_fail"),
        (70.0, "down", "consistently_pass"),
        (50.0, "neutral", None),
    ],
)
def test_assurance_against_target(target: float, polarity: str, expected: str | None) -> None:
    chart = xmr_chart(STABLE, polarity=polarity, target=target)  # type: ignore[arg-type]
    assert chart.assurance == expected


def test_neutral_polarity_marks_special_causes_as_neutral() -> None:
    chart = xmr_chart([*STABLE, 90], polarity="neutral")
    assert chart.latest_variation == "neutral"


def test_baseline_fixes_limits_on_first_points() -> None:
    values = [*STABLE, 70, 71, 69, 70]
    fixed = xmr_chart(values, baseline_points=len(STABLE))
    assert fixed.mean == pytest.approx(float(np.mean(STABLE)))
    assert fixed.points["outside_limits"].to_list()[-4:] == [True] * 4


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        xmr_chart([1.0])
    with pytest.raises(ValueError, match="finite"):
        xmr_chart([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match="length"):
        xmr_chart([1.0, 2.0], periods=["a"])


def test_summary_names_the_latest_points_icon() -> None:
    summary = xmr_chart([*STABLE, 30], polarity="up", target=40).summary()
    assert summary["latest_variation"] == "concern" and summary["latest_direction"] == "low"
    assert summary["lower_limit"] < 40 < summary["upper_limit"]  # limits 39.65 to 58.10
    assert summary["assurance"] == "hit_and_miss"
    assert summary["special_cause_points"] == 1


def test_short_series_has_trial_limits() -> None:
    assert xmr_chart(STABLE[:12]).summary()["trial_limits"] is True
    assert xmr_chart(STABLE[:13]).summary()["trial_limits"] is False


def test_rebase_recalculates_limits_after_a_step_change() -> None:
    before = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50]
    after = [60, 62, 59, 61, 58, 62, 60, 59, 61, 60]
    periods = [f"m{i:02d}" for i in range(20)]
    one = xmr_chart([*before, *after], periods)
    assert one.points["shift"].all()  # one set of limits: both halves are shifts
    two = xmr_chart([*before, *after], periods, rebase_at=["m10"])
    assert not two.points["special_cause"].any()  # each segment is stable around its own mean
    assert two.points["segment"].to_list() == [1] * 10 + [2] * 10
    assert two.points["mean"].unique().sort().to_list() == [50.2, 60.2]
    assert two.mean == pytest.approx(60.2)  # the summary describes the latest segment
    assert two.points["moving_range"][10] is None  # no moving range across the rebase
    with pytest.raises(ValueError, match="not one of"):
        xmr_chart(before, rebase_at=["x"])
    with pytest.raises(ValueError, match="fewer than 2"):
        xmr_chart(before, list(range(10)), rebase_at=[9])


def test_rebased_chart_draws_each_segments_mean_and_limits() -> None:
    from carebacklog.spc import render_xmr

    values = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50, 60, 62, 59, 61, 58, 62, 60, 59, 61, 60]
    chart = xmr_chart(values, list(range(20)), rebase_at=[10], target=55)
    ax = render_xmr(chart, title="step").axes[0]
    flat = {round(line.get_ydata()[0], 3) for line in ax.get_lines() if len(set(line.get_ydata())) == 1}
    assert {50.2, 60.2, 55.0} <= flat  # both segment means and the target
    assert round(chart.upper_limit, 3) in flat and round(chart.lower_limit, 3) in flat


# A rise of 6 points (50 → 60) then a fall of 6 points (60 → 50) sharing the 60, then common cause.
# Hand-worked: mean 760/14 = 54.29, mean moving range 28/13 = 2.15, limits 48.56 to 60.02 (the 60 is
# inside), 2-sigma line 58.11 (only the 60 beyond it), no 7 points on one side: only the trend rule fires.
PEAK = [50, 52, 54, 56, 58, 60, 58, 56, 54, 52, 50, 53, 55, 52]


def test_point_ending_one_trend_and_starting_the_opposite_shows_improvement() -> None:
    chart = xmr_chart(PEAK, polarity="up")
    points = chart.points
    assert points["trend"].to_list() == [True] * 11 + [False] * 3
    assert not (points["shift"] | points["outside_limits"] | points["two_of_three"]).any()
    # the 60 (point 6) is in the rising trend (improvement) and the falling one (concern): improvement
    assert points["variation"].to_list() == ["improvement"] * 6 + ["concern"] * 5 + ["common_cause"] * 3
    assert points["direction"][5] == "high"


def test_turning_point_follows_polarity_and_neutral_points_the_way_it_sticks_out() -> None:
    down = xmr_chart(PEAK, polarity="down").points
    # lower is better: the rise is concern, the fall improvement, and the peak (in both) improvement
    assert down["variation"].to_list() == ["concern"] * 5 + ["improvement"] * 6 + ["common_cause"] * 3
    assert down["direction"][5] == "low"
    neutral = xmr_chart(PEAK, polarity="neutral").points
    assert neutral["variation"].to_list()[:11] == ["neutral"] * 11
    assert neutral["direction"].to_list()[4:7] == ["high", "high", "low"]  # the peak points high
    trough = [110 - v for v in PEAK]  # 60 … 50 … 60: the 50 ends a fall and starts a rise
    up = xmr_chart(trough, polarity="up").points
    assert up["variation"].to_list() == ["concern"] * 5 + ["improvement"] * 6 + ["common_cause"] * 3
    assert up["direction"][5] == "high"
    assert xmr_chart(trough, polarity="neutral").points["direction"][5] == "low"


def test_a_run_too_short_to_be_a_trend_lends_its_end_point_no_direction() -> None:
    # limits fixed on STABLE (mean 50.13, 2-sigma line 54.2): 49 → 51 is 5 rising points (no trend);
    # 51 → 50.0 is 6 falling points (a trend), 6 of them above the mean (no shift). The 51 is only in
    # the falling trend, so it is concern when higher is better, like the rest of the fall
    tail = [49, 49.5, 50, 50.5, 51, 50.8, 50.6, 50.4, 50.2, 50.0, 51]
    chart = xmr_chart([*STABLE, *tail], baseline_points=len(STABLE), polarity="up")
    points = chart.points.tail(len(tail))
    assert points["trend"].to_list() == [False] * 4 + [True] * 6 + [False]
    assert points["variation"].to_list() == ["common_cause"] * 4 + ["concern"] * 6 + ["common_cause"]


def test_shift_above_then_shift_below_each_keep_their_side() -> None:
    # no point can be above and below the mean at once, so shifts never overlap: back-to-back shifts
    # meet without sharing a point, and a point on the mean between them belongs to neither
    above, below = [51, 52, 51, 52, 51, 52, 51], [49, 48, 49, 48, 49, 48, 49]
    chart = xmr_chart([*STABLE, *above, *below], baseline_points=len(STABLE), polarity="up")
    tail = chart.points.tail(14)
    assert tail["shift"].all() and not tail["trend"].any()
    assert tail["variation"].to_list() == ["improvement"] * 7 + ["concern"] * 7
    on_mean = float(np.mean(STABLE))
    split = xmr_chart([*STABLE, *above, on_mean, *below], baseline_points=len(STABLE), polarity="up")
    tail = split.points.tail(15)
    assert tail["shift"].to_list() == [True] * 7 + [False] + [True] * 7
    assert tail["variation"][7] == "common_cause"


def test_shift_above_that_starts_a_falling_trend_shows_improvement_until_it_crosses_the_mean() -> None:
    # 7 points above the mean (shift, improvement when higher is better); the 7th, 53.5, starts a fall
    # of 6 points to 48.5 (trend, concern). The 4 points both in the shift and the fall show improvement;
    # the 2 below the mean are only in the falling trend: concern.
    values = [*STABLE, 51, 52, 51, 52, 51, 52, 53.5, 52.5, 51.5, 50.5, 49.5, 48.5]
    tail = xmr_chart(values, baseline_points=len(STABLE), polarity="up").points.tail(12)
    assert tail["shift"].to_list() == [True] * 10 + [False] * 2
    assert tail["trend"].to_list() == [False] * 6 + [True] * 6
    assert tail["variation"].to_list() == ["improvement"] * 10 + ["concern"] * 2
