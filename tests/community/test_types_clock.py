"""Waiting-list types as configuration, and the clock engine on hand-worked referrals."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from carebacklog.community import (
    CommunityFileError,
    build_waits,
    completed_waits,
    conform_community_events,
    load_wait_types,
    milestones,
    open_waits,
    read_community_events,
    standard_wait_types,
    wait_type,
)

CENSUS = dt.date(2025, 3, 31)


def events(rows: list[tuple[str, str, str]], **extra: str) -> pl.DataFrame:
    """(referral_id, event, date) rows, one provider and service line unless ``extra`` says otherwise."""
    n = len(rows)
    frame = pl.DataFrame({
        "referral_id": [r[0] for r in rows], "event": [r[1] for r in rows], "event_date": [r[2] for r in rows],
        "provider_code": ["RX1"] * n, "service_line": ["Podiatry"] * n, "age_group": ["adult"] * n,
    })
    return frame.with_columns(*[pl.lit(v).alias(k) for k, v in extra.items()])


def test_the_standard_types_and_their_standards() -> None:
    types = standard_wait_types()
    tt = types["talking_therapies"]
    assert (tt.clock_start, tt.clock_stop) == ("referral", "first_treatment")
    assert [(s.days, s.target_pct) for s in tt.standards] == [(42, 75.0), (126, 95.0)]
    assert [(s.days, s.target_pct) for s in types["early_intervention_psychosis"].standards] == [(14, 60.0)]
    ed = types["cyp_eating_disorders"].standards
    assert [(s.priority, s.days, s.target_pct) for s in ed] == [("urgent", 7, 95.0), ("routine", 28, 95.0)]
    assert (types["hidden_wait"].clock_start, types["hidden_wait"].clock_stop) == ("first_contact", "second_contact")
    assert types["community_mental_health_adult"].standards[0].target_pct is None  # proposed: no threshold
    assert types["community_health_services"].long_waits_weeks == (18, 52, 104)
    assert all(s.source for t in types.values() for s in t.standards)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"clock_start": "referral", "clock_stop": "referral"}, "later milestone"),
        ({"clock_start": "referral", "clock_stop": "seen"}, "'clock_stop' must be one of"),
        ({"clock_start": "referral", "clock_stop": "first_contact",
          "standards": [{"name": "x", "weeks": 6, "days": 42}]}, "exactly one of"),
        ({"clock_start": "referral", "clock_stop": "first_contact",
          "standards": [{"name": "x", "weeks": -1}]}, "positive"),
        ({"clock_start": "referral", "clock_stop": "first_contact",
          "standards": [{"name": "x", "weeks": 6, "target_pct": 150}]}, "target_pct"),
    ],
)
def test_a_bad_type_file_names_the_file_and_type(tmp_path, entry, message) -> None:
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"my_list": entry}))
    with pytest.raises(CommunityFileError, match=message) as info:
        load_wait_types(path)
    assert str(path) in str(info.value) and "'my_list'" in str(info.value)


def test_a_trust_can_load_its_own_types(tmp_path) -> None:
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"msk_triage": {"name": "MSK triage", "clock_start": "referral",
                                               "clock_stop": "first_contact",
                                               "standards": [{"name": "10 days", "days": 10, "target_pct": 90}]}}))
    (msk,) = load_wait_types(path).values()
    assert (msk.id, msk.standards[0].days, msk.standards[0].weeks) == ("msk_triage", 10, 10 / 7)
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops")
    with pytest.raises(CommunityFileError, match="row 2: not valid JSON"):
        load_wait_types(bad)
    with pytest.raises(CommunityFileError, match="unknown waiting-list type"):
        wait_type("rtt")


def test_milestones_hand_worked() -> None:
    ev = events([
        ("A", "contact", "2024-12-20"),  # before the referral: not this referral's contact
        ("A", "referral", "2025-01-01"),
        ("A", "contact", "2025-01-29"),
        ("A", "treatment_start", "2025-02-10"),
        ("A", "contact", "2025-03-01"),
        ("A", "contact", "2025-04-15"),  # after the census
    ])
    (m,) = milestones(conform_community_events(ev), CENSUS).iter_rows(named=True)
    assert m["referral"] == dt.date(2025, 1, 1)
    assert m["first_contact"] == dt.date(2025, 1, 29)
    assert m["second_contact"] == dt.date(2025, 3, 1)
    assert m["first_treatment"] == dt.date(2025, 2, 10)
    assert m["discharge"] is None


def test_clocks_per_type_hand_worked() -> None:
    ev = conform_community_events(events([
        ("A", "referral", "2025-01-01"), ("A", "contact", "2025-01-29"), ("A", "contact", "2025-04-02"),
        ("B", "referral", "2025-01-10"), ("B", "discharge", "2025-02-01"),
        ("C", "referral", "2024-02-01"),
        ("D", "referral", "2025-03-01"), ("D", "contact", "2025-03-10"), ("D", "contact", "2025-03-10"),
    ]))
    chs = {r["referral_id"]: r for r in build_waits(ev, "community_health_services", CENSUS).iter_rows(named=True)}
    assert (chs["A"]["status"], chs["A"]["clock_stop"], chs["A"]["days_waited"]) == ("stopped", dt.date(2025, 1, 29), 28)
    assert (chs["B"]["status"], chs["B"]["ended"], chs["B"]["days_waited"]) == ("ended", dt.date(2025, 2, 1), 22)
    assert (chs["C"]["status"], chs["C"]["days_waited"]) == ("open", 424)  # over 52 weeks at the census
    assert chs["D"]["days_waited"] == 9
    hidden = {r["referral_id"]: r for r in build_waits(ev, "hidden_wait", CENSUS).iter_rows(named=True)}
    assert set(hidden) == {"A", "D"}  # only referrals seen once have a hidden-wait clock
    assert (hidden["A"]["status"], hidden["A"]["days_waited"]) == ("open", 61)  # 2nd contact after census
    assert (hidden["D"]["status"], hidden["D"]["days_waited"]) == ("stopped", 0)  # two contacts that day
    later = {r["referral_id"]: r for r in build_waits(ev, "hidden_wait", dt.date(2025, 4, 30)).iter_rows(named=True)}
    assert (later["A"]["status"], later["A"]["days_waited"]) == ("stopped", 63)  # 29 Jan → 2 Apr
    assert open_waits(build_waits(ev, "community_health_services", CENSUS))["referral_id"].to_list() == ["C"]
    done = completed_waits(build_waits(ev, "community_health_services", CENSUS), dt.date(2025, 3, 1), CENSUS)
    assert done["referral_id"].to_list() == ["D"]


def test_a_discharge_after_the_stop_does_not_end_the_wait() -> None:
    ev = events([("A", "referral", "2025-01-01"), ("A", "treatment_start", "2025-01-20"),
                 ("A", "discharge", "2025-03-01")])
    (w,) = build_waits(ev, "talking_therapies", CENSUS).iter_rows(named=True)
    assert (w["status"], w["clock_stop"], w["ended"], w["days_waited"]) == ("stopped", dt.date(2025, 1, 20), None, 19)


def test_bad_events_name_the_row_and_column(tmp_path) -> None:
    path = tmp_path / "events.csv"
    header = "referral_id,provider_code,service_line,age_group,event,event_date\n"
    path.write_text(header + "A,RX1,MSK,adult,referral,2025-01-01\nB,RX1,MSK,child,referral,2025-01-01\n")
    with pytest.raises(CommunityFileError, match=r"events.csv, row 3, column 'age_group'") as info:
        read_community_events(path)
    assert "child" not in str(info.value)  # never quotes the row
    path.write_text(header + "A,RX1,MSK,adult,seen,2025-01-01\n")
    with pytest.raises(CommunityFileError, match=r"row 2, column 'event'"):
        read_community_events(path)
    path.write_text(header + "A,RX1,MSK,adult,referral,01/01/2025\n")
    with pytest.raises(CommunityFileError, match=r"row 2, column 'event_date': not a date"):
        read_community_events(path)
    path.write_text(header + ",RX1,MSK,adult,referral,2025-01-01\n")
    with pytest.raises(CommunityFileError, match=r"row 2, column 'referral_id': blank"):
        read_community_events(path)
    path.write_text("referral_id,event\nA,referral\n")
    with pytest.raises(CommunityFileError, match="missing column"):
        read_community_events(path)
    path.write_text(header + "A,RX1,MSK,cyp,referral,2025-01-01\n")
    ok = read_community_events(path)
    assert ok["event_date"].to_list() == [dt.date(2025, 1, 1)] and ok["priority"].to_list() == [None]


def test_ptl_breach_dates_and_booking_order() -> None:
    from carebacklog.community import community_ptl

    ev = events([("old", "referral", "2024-03-01"), ("new", "referral", "2025-03-24"),
                 ("seen", "referral", "2025-01-01"), ("seen", "contact", "2025-01-05")])
    ev = ev.with_columns(priority=pl.when(pl.col("referral_id") == "new").then(pl.lit("urgent")))
    ptl = community_ptl(build_waits(ev, "community_health_services", CENSUS), "community_health_services")
    assert ptl["referral_id"].to_list() == ["new", "old"]  # urgent first, then the longest wait
    assert ptl["booking_rank"].to_list() == [1, 2]
    old = ptl.filter(pl.col("referral_id") == "old").row(0, named=True)
    assert (old["days_waited"], old["weeks_waited"], old["chs_band"]) == (395, 56, ">52-104")
    assert old["breach_126d_date"] == dt.date(2024, 7, 6)  # 127 days after the referral: over 18 weeks
    assert old["breach_52_weeks_date"] == dt.date(2025, 3, 1)  # day 365 (2024 was a leap year)
    ed = events([("u", "referral", "2025-03-25")]).with_columns(priority=pl.lit("urgent"))
    (row,) = community_ptl(build_waits(ed, "cyp_eating_disorders", CENSUS), "cyp_eating_disorders").iter_rows(named=True)
    assert row["breach_7d_date"] == dt.date(2025, 4, 2) and row["breach_28d_date"] is None  # routine only
