"""Explain: one pathway's account agrees with build_periods for every golden pathway."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carebacklog.rtt import build_periods, explain, render_explanation


def _periods_from_explanation(explained: pl.DataFrame) -> list[tuple[int, date, date | None, str]]:
    starts = explained.filter(pl.col("clock_start").is_not_null())
    stops = {r["period"]: r for r in explained.filter(pl.col("outcome").is_not_null()).iter_rows(named=True)}
    out = []
    for row in starts.iter_rows(named=True):
        stop = stops.get(row["period"])
        out.append(
            (
                row["period"],
                row["clock_start"],
                None if stop is None else stop["clock_stop"],
                "open" if stop is None else stop["outcome"],
            )
        )
    return out


def test_explain_agrees_with_build_periods_for_every_golden_pathway(
    golden_events: pl.DataFrame, census: date
) -> None:
    periods = build_periods(golden_events, census)
    for pathway in golden_events.get_column("pathway_id").unique().sort():
        explained = explain(golden_events, pathway, census)
        mine = periods.filter(pl.col("pathway_id") == pathway)
        expected = list(mine.select("period", "clock_start", "clock_stop", "outcome").iter_rows())
        assert _periods_from_explanation(explained) == expected, pathway


def test_explain_names_the_rule_for_each_event(golden_events: pl.DataFrame, census: date) -> None:
    explained = explain(golden_events, "G06", census)
    assert explained.get_column("effect").to_list() == ["start", "nullify", "start", "no_effect"]
    assert explained.get_column("rule").to_list() == [1, 4, 1, 7]
    assert explained.get_column("explanation")[1] == (
        "rule 4: status 33 DNA of first activity nullifies period 1 on 2024-10-01"
    )
    assert explained.get_column("explanation")[0] == "rule 1: referral starts period 1 on 2024-09-02"


def test_explain_lists_events_after_the_census_as_not_counted(
    golden_events: pl.DataFrame, census: date
) -> None:
    explained = explain(golden_events, "G29", census)
    assert explained.get_column("effect").to_list() == ["start", "after_census"]
    text = render_explanation(explained, census)
    assert "not counted: dated after the census date 2025-03-31" in text
    assert "Result: period 1 started 2025-01-10, still open (waiting)." in text


@pytest.mark.parametrize(
    ("pathway", "phrase"),
    [
        ("G12", "original start date carried over on transfer in"),
        ("G27", "start ignored: period 1 is already open (data issue)"),
        ("G28", "status 30 ignored: no period is open (data issue)"),
        ("G01", "status 30 on admission stops period 1 (admitted, Part_1A)"),
        ("G04", "status 11 starts period 2 on 2024-12-02"),
        ("G20", "a cancellation never stops a clock, status 30 ignored"),
    ],
)
def test_render_explanation_reads_as_english(
    golden_events: pl.DataFrame, census: date, pathway: str, phrase: str
) -> None:
    assert phrase in render_explanation(explain(golden_events, pathway, census), census)


def test_unknown_pathway_explains_nothing(golden_events: pl.DataFrame) -> None:
    explained = explain(golden_events, "NOPE")
    assert explained.height == 0
    assert render_explanation(explained) == "No events for this pathway."
