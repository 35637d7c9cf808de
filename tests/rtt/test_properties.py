"""Hypothesis properties of the clock engine, and a check against a plain per-pathway reference.

The reference below walks each pathway's events one by one (the obvious, slow way) and is written
from the rules in docs/rtt.md, independently of the vectorised engine, so the two must agree on every
random event table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebacklog.rtt import build_periods, classify_events, ptl_snapshot
from carebacklog.rtt.rules import EFFECTS
from carebacklog.rtt.schema import ACTIVITIES, ACTIVITY_PRECEDENCE, EVENT_SCHEMA, KNOWN_STATUSES

BASE = date(2024, 1, 1)
CENSUS = date(2024, 4, 1)
STATUSES = [None, *sorted(KNOWN_STATUSES)]

event = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.integers(0, 100),
    st.sampled_from(ACTIVITIES),
    st.sampled_from(STATUSES),
    st.sampled_from([None, None, "P2", "P3", "P4"]),
    st.sampled_from([None, None, None, -30, 5]),
)


def _frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    data = [
        (
            f"e{i:03d}",
            pw,
            f"pt{pw}",
            "RBD",
            "110",
            "QVV",
            BASE + timedelta(days=day),
            activity,
            status,
            priority,
            None if osd is None else BASE + timedelta(days=day + osd),
        )
        for i, (pw, day, activity, status, priority, osd) in enumerate(rows)
    ]
    return pl.DataFrame(data, schema=EVENT_SCHEMA, orient="row")


def _reference(events: pl.DataFrame, census: date | None) -> list[tuple[Any, ...]]:
    """Periods by walking each pathway's events in order: (pathway, period, start, stop, outcome)."""
    out: list[tuple[Any, ...]] = []
    rows = [r for r in events.iter_rows(named=True) if census is None or r["event_date"] <= census]
    # Same-day ties after status go by a hash of event_id (docs/rtt.md, "Ordering and ties"), not
    # its text: the order must not depend on how ids happen to be numbered.
    ids = events.get_column("event_id")
    id_hash = dict(zip(ids.to_list(), ids.hash().to_list(), strict=True))
    rows.sort(
        key=lambda r: (
            r["pathway_id"],
            r["event_date"],
            ACTIVITY_PRECEDENCE[r["activity"]],
            127 if r["rtt_status"] is None else r["rtt_status"],
            id_hash[r["event_id"]],
        )
    )
    current: dict[str, list[Any]] = {}
    counts: dict[str, int] = {}

    def ending(r: dict[str, Any]) -> str | None:
        act, status = r["activity"], r["rtt_status"]
        cancel, dna = act == "cancellation", act == "dna"
        if act == "transfer_out" or (status == 21 and not cancel):
            return "transferred"
        if status == 33 and not cancel:
            return "nullified"
        if status in {30, 31, 32, 34, 35, 36} and not cancel and (not dna or status in {34, 36}):
            return "admitted" if act == "admission" and status == 30 else "non_admitted"
        return None

    def starting(r: dict[str, Any]) -> bool:
        return r["activity"] == "referral" or r["rtt_status"] in {11, 12}

    # A day that begins with a period open, on which a start would meet the open period, ends it
    # first (docs/rtt.md): its end events move to the front of the day, the rest keep their order.
    days: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for r in rows:
        days.setdefault((r["pathway_id"], r["event_date"]), []).append(r)
    ordered: list[dict[str, Any]] = []
    is_open: dict[str, bool] = {}
    for (pw, _), day_rows in days.items():
        state = was_open = is_open.get(pw, False)
        meets_open = False
        for r in day_rows:
            if ending(r) is not None:
                state = False
            elif starting(r):
                meets_open |= state
                state = True
        if was_open and meets_open and any(ending(r) is not None for r in day_rows):
            day_rows = [r for r in day_rows if ending(r) is not None] + [
                r for r in day_rows if ending(r) is None
            ]
            state = any(starting(r) for r in day_rows if ending(r) is None)
        is_open[pw] = state
        ordered.extend(day_rows)

    for r in ordered:
        pw, day = r["pathway_id"], r["event_date"]
        open_period = current.get(pw)
        end = ending(r)
        act, status = r["activity"], r["rtt_status"]
        if end is not None:
            if open_period is not None:
                out.append((pw, open_period[0], open_period[1], day, end))
                current.pop(pw)
        elif (act == "referral" or status in {11, 12}) and open_period is None:
            counts[pw] = counts.get(pw, 0) + 1
            osd = r["original_start_date"]
            start = osd if osd is not None and osd <= day else day
            current[pw] = [counts[pw], start]
    out += [(pw, p[0], p[1], None, "open") for pw, p in current.items()]
    return sorted(out, key=lambda t: (t[0], t[1]))


def _tuples(periods: pl.DataFrame) -> list[tuple[Any, ...]]:
    return list(periods.select("pathway_id", "period", "clock_start", "clock_stop", "outcome").iter_rows())


@settings(max_examples=150, deadline=None)
@given(st.lists(event, max_size=40), st.booleans())
def test_engine_agrees_with_a_per_pathway_reference(rows: list[tuple[Any, ...]], use_census: bool) -> None:
    events = _frame(rows)
    census = CENSUS if use_census else None
    assert _tuples(build_periods(events, census)) == _reference(events, census)


@settings(max_examples=100, deadline=None)
@given(st.lists(event, max_size=40))
def test_clock_stop_is_never_before_clock_start(rows: list[tuple[Any, ...]]) -> None:
    periods = build_periods(_frame(rows))
    stopped = periods.filter(pl.col("clock_stop").is_not_null())
    assert (stopped.get_column("clock_stop") >= stopped.get_column("clock_start")).all()
    numbers = periods.group_by("pathway_id").agg(pl.col("period").sort())
    for pathway_periods in numbers.get_column("period").to_list():
        assert pathway_periods == list(range(1, len(pathway_periods) + 1))


@settings(max_examples=100, deadline=None)
@given(st.lists(event, max_size=40), st.randoms(use_true_random=False))
def test_shuffling_input_rows_changes_nothing(rows: list[tuple[Any, ...]], rnd: Any) -> None:
    events = _frame(rows)
    order = list(range(events.height))
    rnd.shuffle(order)
    shuffled = events[order]
    assert build_periods(shuffled, CENSUS).equals(build_periods(events, CENSUS))
    assert ptl_snapshot(build_periods(shuffled, CENSUS), CENSUS).equals(
        ptl_snapshot(build_periods(events, CENSUS), CENSUS)
    )


def test_shuffling_rows_without_event_ids_changes_nothing() -> None:
    rows = [
        ("A", 0, "referral", 10, None, None),
        ("A", 5, "outpatient", 20, "P3", None),
        ("A", 5, "outpatient", 20, "P2", None),
        ("A", 5, "outpatient", 20, "P4", None),
    ]
    events = _frame(rows).with_columns(event_id=pl.lit(None, pl.String))
    results = {
        build_periods(events[order]).get_column("priority")[0]
        for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1])
    }
    assert len(results) == 1


no_effect = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.integers(0, 100),
    st.sampled_from(["outpatient", "admission", "other", "dna", "cancellation"]),
    st.sampled_from([90, 91, 92, 98, 99]),
    st.just(None),
    st.just(None),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(event, max_size=30), st.lists(no_effect, min_size=1, max_size=10))
def test_adding_events_with_codes_90_to_99_changes_nothing(
    rows: list[tuple[Any, ...]], extra: list[tuple[Any, ...]]
) -> None:
    before = build_periods(_frame(rows), CENSUS).drop("last_activity_date")
    after = build_periods(_frame(rows + extra), CENSUS).drop("last_activity_date")
    assert after.equals(before)


@settings(max_examples=100, deadline=None)
@given(st.lists(event, max_size=40))
def test_open_periods_are_starts_minus_stops_nullified_and_transferred(rows: list[tuple[Any, ...]]) -> None:
    events = _frame(rows)
    effects = classify_events(events, CENSUS).get_column("effect").to_list()
    names = [EFFECTS[e].name for e in effects]
    starts = names.count("start")
    stops = names.count("stop_admitted") + names.count("stop_non_admitted")
    open_expected = starts - stops - names.count("nullify") - names.count("transfer")
    periods = build_periods(events, CENSUS)
    assert periods.height == starts
    assert periods.filter(pl.col("outcome") == "open").height == open_expected
    assert ptl_snapshot(periods, CENSUS).height == open_expected


@settings(max_examples=60, deadline=None)
@given(st.lists(event, max_size=40))
def test_fast_ordering_paths_agree_with_the_exact_sort(rows: list[tuple[Any, ...]]) -> None:
    """Force the rare paths: hash-prefix clashes (2-bit prefix) and full pathway-hash collisions."""
    from carebacklog.rtt import ordering

    events = _frame(rows)
    expected = build_periods(events, CENSUS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ordering, "PREFIX_BITS", 2)
        assert build_periods(events, CENSUS).equals(expected)
    with pytest.MonkeyPatch.context() as patch:
        # Every pathway id has the same length, so this "hash" makes all pathways collide.
        patch.setattr(ordering, "_pathway_hash", lambda ids: ids.str.len_bytes().cast(pl.UInt64))
        assert build_periods(events, CENSUS).equals(expected)
        assert _tuples(build_periods(events, CENSUS)) == _reference(events, CENSUS)


def test_events_spanning_decades_use_the_exact_sort() -> None:
    rows = [("A", 0, "referral", 10, None, None), ("A", 9000, "admission", 30, None, None)]
    rows += [("B", 9000, "outpatient", 30, None, None), ("B", 9000, "referral", None, None, None)]
    periods = build_periods(_frame(rows))
    assert _tuples(periods) == _reference(_frame(rows), None)
    assert periods.get_column("outcome").to_list() == ["admitted", "non_admitted"]
