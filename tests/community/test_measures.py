"""Measures: the coarse-band percentile and % within standard, hand-worked and against NHS England's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carebacklog.community import build_waits, chs_measures, coarse_band_percentile, wait_measures
from carebacklog.published import band_percentile

CHS_EDGES = [0, 1, 2, 4, 12, 18, 52, 104]


def test_with_weekly_bands_it_is_nhs_englands_rtt_percentile() -> None:
    counts = np.random.default_rng(7).integers(0, 40, size=(50, 105)).astype(float)
    for q in (0.5, 0.92, 0.95):
        assert np.allclose(coarse_band_percentile(counts, range(105), q), band_percentile(counts, q))


def test_coarse_band_percentile_hand_worked() -> None:
    # 10 people: 4 in 0-1 weeks, 4 in >4-12 weeks, 2 in >18-52 weeks (other bands empty).
    counts = [4, 0, 0, 4, 0, 2, 0, 0]
    # NHS England's current rule, median at position 0.5 · 10 = 5: 1 person into the 4-12 band of 4
    # → 4 + 1/4 · 8 = 6 weeks (the 2014/15 rule, (N+1)/2 = 5.5, would give 7).
    assert coarse_band_percentile(counts, CHS_EDGES, 0.5) == pytest.approx(6.0)
    # 92nd: position 9.2, 1.2 of the 2 in 18-52 → 18 + 0.6 · 34 = 38.4 weeks.
    assert coarse_band_percentile(counts, CHS_EDGES, 0.92) == pytest.approx(38.4)
    # In the open top band the interpolation spans one week, as NHS England's RTT method does.
    assert coarse_band_percentile([0, 0, 0, 0, 0, 0, 0, 10], CHS_EDGES, 0.5) == pytest.approx(104.5)  # position 5 of 10 → 104 + 5/10
    assert np.isnan(coarse_band_percentile([0] * 8, CHS_EDGES, 0.5))
    with pytest.raises(ValueError, match="ascending"):
        coarse_band_percentile([1, 1], [4, 2], 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        coarse_band_percentile([1, 1], [0, 2], 1.0)


def tidy_rows(rows: list[tuple[str, str, float]], top: int = 104) -> pl.DataFrame:
    """(org_code, band, count) rows of one month, one adult service line."""
    from carebacklog.community.chs import BAND_EDGES, CHS_SCHEMA

    return pl.DataFrame(
        {"period": [dt.date(2025, 7, 31)] * len(rows), "org_type": ["Provider"] * len(rows),
         "org_code": [r[0] for r in rows], "org_name": [r[0] for r in rows], "age_group": ["adult"] * len(rows),
         "service_line": ["Podiatry"] * len(rows), "band": [r[1] for r in rows],
         "weeks_from": [None if r[1] == "total" else BAND_EDGES[r[1]][0] for r in rows],
         "weeks_to": [None if r[1] == "total" else BAND_EDGES[r[1]][1] for r in rows],
         "count": [r[2] for r in rows], "top_band_from": [top] * len(rows), "aggregate": [False] * len(rows)},
        schema=CHS_SCHEMA)


def test_chs_measures_hand_worked() -> None:
    tidy = tidy_rows([("A", "total", 12), ("A", "0-1", 4), ("A", ">4-12", 4), ("A", ">18-52", 1),
                      ("A", ">52-104", 1), ("B", "total", 5), ("B", ">104", 2), ("B", ">12-18", 3)])
    m = {r["org_code"]: r for r in chs_measures(tidy, level="provider").iter_rows(named=True)}
    a, b = m["A"], m["B"]
    assert (a["total"], a["banded"], a["within_18"], a["over_18"], a["over_52"], a["over_104"]) == (12, 10, 8, 2, 1, 0)
    assert a["pct_within_18"] == pytest.approx(80.0) and a["pct_over_52"] == pytest.approx(10.0)
    assert a["median_weeks"] == pytest.approx(4 + 1 / 4 * 8)  # position 0.5 · N (current rule)
    assert (b["over_52"], b["over_104"], b["pct_over_104"]) == (2, 2, 40.0)
    national = chs_measures(tidy).row(0, named=True)
    assert (national["total"], national["banded"], national["over_52"]) == (17, 15, 3)


def test_before_the_split_over_104_is_null_and_over_52_is_open() -> None:
    tidy = tidy_rows([("A", "total", 10), ("A", "0-1", 5), ("A", ">52", 5)], top=52)
    (m,) = chs_measures(tidy).iter_rows(named=True)
    assert m["over_52"] == 5 and m["over_104"] is None and m["pct_over_104"] is None
    # Median position 0.5 · 10 = 5 falls exactly where the 0-1 band ends; the method places it at the
    # start of the next occupied band, the open "over 52" band → 52 weeks.
    assert m["median_weeks"] == pytest.approx(52.0)


def test_unknown_level_or_grouping_is_refused(chs_12_months) -> None:
    with pytest.raises(ValueError, match="unknown level"):
        chs_measures(chs_12_months, level="trust")
    with pytest.raises(ValueError, match="unknown grouping"):
        chs_measures(chs_12_months, by=["sex"])
    with pytest.raises(ValueError, match="include_totals"):
        chs_measures(chs_12_months.filter(~pl.col("aggregate")), level="icb")


def referrals(spec: list[tuple[str, str, str, str | None, str | None]]) -> pl.DataFrame:
    """(referral_id, age_group, referral date, first treatment date, priority) → events."""
    rows = []
    for rid, age, referred, treated, priority in spec:
        rows.append((rid, age, "referral", referred, priority))
        if treated:
            rows.append((rid, age, "treatment_start", treated, priority))
    return pl.DataFrame(
        {"referral_id": [r[0] for r in rows], "age_group": [r[1] for r in rows], "event": [r[2] for r in rows],
         "event_date": [r[3] for r in rows], "priority": [r[4] for r in rows],
         "provider_code": ["RX1"] * len(rows), "service_line": ["Eating disorders"] * len(rows)})


def test_percent_within_each_standard_on_completed_waits() -> None:
    ev = referrals([
        ("1", "adult", "2025-01-01", "2025-02-12", None),  # 42 days: within 6 weeks
        ("2", "adult", "2025-01-01", "2025-02-13", None),  # 43 days: over 6 weeks, within 18
        ("3", "adult", "2025-01-01", "2025-05-08", None),  # 127 days: over 18 weeks
        ("4", "cyp", "2025-01-01", "2025-01-15", None),   # 14 days
        ("5", "cyp", "2025-01-01", None, None),            # still waiting
    ])
    waits = build_waits(ev, "talking_therapies", dt.date(2025, 6, 30))
    m = {r["age_group"]: r for r in wait_measures(waits, "talking_therapies", basis="completed",
                                                  by=["age_group"]).iter_rows(named=True)}
    assert (m["adult"]["total"], m["adult"]["within_42d"], m["adult"]["within_126d"]) == (3, 1, 2)
    assert m["adult"]["pct_within_42d"] == pytest.approx(100 / 3)
    assert m["adult"]["meets_42d"] is False and m["cyp"]["meets_42d"] is True
    assert m["adult"]["over_18_weeks"] == 1 and m["adult"]["median_weeks"] == pytest.approx(43 / 7)
    (open_list,) = wait_measures(waits, "talking_therapies", basis="open").iter_rows(named=True)
    assert (open_list["total"], open_list["basis"], open_list["over_18_weeks"]) == (1, "open", 1)  # 180 days
    window = wait_measures(waits, "talking_therapies", basis="completed",
                           period=(dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
    assert window["total"].item() == 2


def test_a_priority_standard_counts_only_its_priority() -> None:
    ev = referrals([
        ("u1", "cyp", "2025-01-01", "2025-01-08", "urgent"),   # 7 days: within 1 week
        ("u2", "cyp", "2025-01-01", "2025-01-09", "urgent"),   # 8 days: over
        ("r1", "cyp", "2025-01-01", "2025-01-20", "routine"),  # 19 days: within 4 weeks
    ])
    waits = build_waits(ev, "cyp_eating_disorders", dt.date(2025, 3, 31))
    (m,) = wait_measures(waits, "cyp_eating_disorders", basis="completed").iter_rows(named=True)
    assert (m["within_7d"], m["pct_within_7d"], m["meets_7d"]) == (1, 50.0, False)
    assert (m["within_28d"], m["pct_within_28d"], m["meets_28d"]) == (1, 100.0, True)
    with pytest.raises(ValueError, match="basis"):
        wait_measures(waits, "cyp_eating_disorders", basis="snapshot")


def test_hidden_waits_by_provider() -> None:
    ev = pl.DataFrame({
        "referral_id": ["a", "a", "a", "b", "b", "b"],
        "provider_code": ["P1", "P1", "P1", "P2", "P2", "P2"],
        "event": ["referral", "contact", "contact", "referral", "contact", "contact"],
        "event_date": ["2025-01-01", "2025-01-10", "2025-02-20", "2025-01-01", "2025-01-05", "2025-01-19"],
        "service_line": ["CMHT"] * 6, "age_group": ["adult"] * 6})
    waits = build_waits(ev, "hidden_wait", dt.date(2025, 3, 31))
    m = {r["provider_code"]: r for r in wait_measures(waits, "hidden_wait", basis="completed",
                                                      by=["provider_code"]).iter_rows(named=True)}
    assert (m["P1"]["within_28d"], m["P1"]["within_90d"]) == (0, 1)  # 41 days
    assert (m["P2"]["within_28d"], m["P2"]["pct_within_28d"]) == (1, 100.0)  # 14 days
    assert m["P1"]["meets_28d"] is None  # no published target for the hidden wait
