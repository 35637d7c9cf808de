"""Which way is better depends on the RTT part: a longer waiting list is worse, more treated is better."""

import pytest

from carebacklog.spc.series import default_polarity


@pytest.mark.parametrize(
    ("measure", "part", "expected"),
    [
        ("total", "incomplete", "down"),  # a growing waiting list is a concern
        ("over_52", "dta", "down"),
        ("total", "admitted", "up"),  # more admitted clock stops are an improvement
        ("within_18", "nonadmitted", "up"),
        ("median_weeks", "admitted", "down"),  # shorter completed waits are better
        ("total", "new", "neutral"),  # clock starts are demand: neither
        ("pct_within_18", "incomplete", "up"),
    ],
)
def test_default_polarity_follows_the_part(measure: str, part: str, expected: str) -> None:
    assert default_polarity(measure, part) == expected
