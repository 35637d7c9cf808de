"""Workforce: clock stops a week into theatre and clinic sessions and staff, and back, against hand-worked
examples; and the commands a planner runs on a capacity plan."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.flow.tidy import FlowFileError
from carebacklog.flow.workforce import (
    admitted_share_from_published,
    capacity_from_staff,
    load_workforce_assumptions,
    parse_workforce_assumptions,
    sessions_and_staff,
)

REPO = Path(__file__).resolve().parents[2]
RBD = REPO / "src" / "carebacklog" / "data" / "rtt_full_extract_2024_11_RBD.csv"
runner = CliRunner()

#: A small, round set of assumptions to work by hand.
SIMPLE = {
    "job_plan_weeks": {"consultant": 52, "anaesthetist": 52, "theatre_team": 52, "nursing": 52},
    "sessions_per_wte_week": {"consultant": 5, "anaesthetist": 10, "theatre_team": 10, "nursing": 10},
    "theatre_session_staff": {"consultant": 1, "anaesthetist": 1, "theatre_team": 4},
    "clinic_session_staff": {"consultant": 1, "nursing": 1},
    "default": {"admitted_share": 0.5, "cases_per_theatre_session": 2, "patients_per_clinic_session": 10,
                "attendances_per_non_admitted_stop": 2, "attendances_per_admitted_stop": 2},
}


def test_hand_worked_sessions_and_staff() -> None:
    a = parse_workforce_assumptions(SIMPLE)
    (row,) = sessions_and_staff(pl.DataFrame({"extra_per_week": [40.0]}), a).to_dicts()
    # 40 stops: 20 admitted / 2 a session = 10 theatre sessions; 40 x 2 attendances / 10 = 8 clinics
    assert row["theatre_sessions_per_week"] == pytest.approx(10)
    assert row["clinic_sessions_per_week"] == pytest.approx(8)
    # consultants sit in both: 18 sessions / 5 a WTE; anaesthetists 10 / 10; theatre team 40 / 10; nurses 8 / 10
    assert row["consultant_wte"] == pytest.approx(3.6)
    assert row["anaesthetist_wte"] == pytest.approx(1.0)
    assert row["theatre_team_wte"] == pytest.approx(4.0)
    assert row["nursing_wte"] == pytest.approx(0.8)
    assert row["total_wte"] == pytest.approx(9.4)


def test_leave_takes_sessions_out_of_the_year() -> None:
    data = json.loads(json.dumps(SIMPLE))
    data["job_plan_weeks"]["consultant"] = 39  # three quarters of the year
    (row,) = sessions_and_staff(pl.DataFrame({"extra_per_week": [40.0]}), parse_workforce_assumptions(data)).to_dicts()
    assert row["consultant_wte"] == pytest.approx(3.6 / 0.75)


def test_the_reverse_finds_the_binding_staff_group() -> None:
    a = parse_workforce_assumptions(SIMPLE)
    staff = pl.DataFrame({"role": ["consultant", "anaesthetist", "theatre_team", "nursing"],
                          "wte": [3.6, 2.0, 4.0, 5.0]})
    (row,) = capacity_from_staff(staff, a).to_dicts()
    # per stop a week: consultant 0.45 sessions, anaesthetist 0.25, theatre team 1.0, nurse 0.2;
    # available 18, 20, 40, 50 -> 40, 80, 40, 250 stops: consultants and the theatre team both give 40
    assert row["clock_stops_per_week"] == pytest.approx(40)
    assert row["binding_role"] in ("consultant", "theatre_team")
    fewer_nurses = capacity_from_staff(staff.with_columns(
        pl.when(pl.col("role") == "nursing").then(0.5).otherwise(pl.col("wte")).alias("wte")), a).row(0, named=True)
    assert fewer_nurses["binding_role"] == "nursing" and fewer_nurses["clock_stops_per_week"] == pytest.approx(25)


def test_round_trip_staff_for_a_plan_deliver_the_plan() -> None:
    a = load_workforce_assumptions()
    plan = pl.DataFrame({"treatment_function": ["C_110", "C_130", "C_999X"], "extra_per_week": [30.0, 50.0, 10.0]})
    need = sessions_and_staff(plan, a)
    staff = need.unpivot(index="treatment_function", on=[f"{r}_wte" for r in
                                                         ("consultant", "anaesthetist", "theatre_team", "nursing")],
                         variable_name="role", value_name="wte").with_columns(
        pl.col("role").str.strip_suffix("_wte"))
    back = capacity_from_staff(staff, a).sort("treatment_function")
    assert back["clock_stops_per_week"].to_list() == pytest.approx([30.0, 50.0, 10.0])


def test_specialties_differ_as_their_lists_do() -> None:
    a = load_workforce_assumptions()
    plan = pl.DataFrame({"treatment_function": ["C_110", "C_130"], "extra_per_week": [10.0, 10.0]})
    ortho, eyes = sessions_and_staff(plan, a, admitted_shares={"C_110": 0.5, "C_130": 0.5}).to_dicts()
    assert ortho["theatre_sessions_per_week"] > eyes["theatre_sessions_per_week"]  # fewer hips than cataracts a list


def test_admitted_share_from_the_trusts_published_month() -> None:
    from carebacklog.published import read_rtt

    shares = admitted_share_from_published(read_rtt([RBD]))
    total = shares.select(pl.col("admitted").sum(), pl.col("non_admitted").sum()).row(0)
    assert total == (1544.0, 2925.0)  # Part_1A and Part_1B of RBD, November 2024
    assert shares["admitted_share"].drop_nulls().is_between(0, 1).all()


@pytest.mark.parametrize(("change", "message"), [
    ({"default": {"admitted_share": 1.5}}, "default.admitted_share"),
    ({"sessions_per_wte_week": {"consultant": 7}}, "every staff group"),
    ({"clinic_session_staff": {"porter": 1}}, "porter"),
])
def test_bad_assumptions_name_the_key(change: dict, message: str) -> None:
    data = {**SIMPLE, **{k: ({**SIMPLE[k], **v} if k == "default" else v) for k, v in change.items()}}
    with pytest.raises(FlowFileError, match=message):
        parse_workforce_assumptions(data)


def test_cli_staffs_a_plan_and_checks_the_staff_against_it(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    pl.DataFrame({"provider_code": ["RBD"] * 4, "treatment_function": ["C_110", "C_130"] * 2,
                  "month": ["2025-01", "2025-01", "2025-02", "2025-02"], "extra_per_week": [5.0, 8.0, 6.0, 9.0],
                  "capacity_per_week": [40.0, 60.0, 41.0, 61.0]}).write_csv(plan)
    need = runner.invoke(app, ["flow", "workforce", str(plan), "--from", str(RBD), "--format", "json"])
    assert need.exit_code == 0, need.output
    rows = {r["treatment_function"]: r for r in json.loads(need.stdout)}
    assert rows["C_110"]["clock_stops_per_week"] == 6.0  # the last month by default
    assert "15.0 extra clock stops a week need" in need.stderr
    staff = tmp_path / "staff.csv"
    pl.DataFrame({"treatment_function": ["C_110"] * 4 + ["C_130"] * 4,
                  "role": ["consultant", "anaesthetist", "theatre_team", "nursing"] * 2,
                  "wte": [1.0, 1.0, 4.0, 2.0, 5.0, 3.0, 12.0, 6.0]}).write_csv(staff)
    check = runner.invoke(app, ["flow", "capacity", str(staff), "--plan", str(plan), "--format", "json"])
    assert check.exit_code == 0, check.output
    result = {r["treatment_function"]: r for r in json.loads(check.stdout)}
    assert result["C_110"]["gap_per_week"] < 0 and "short in: C_110" in check.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("treatment_function,role,wte\nC_110,surgeon,1\n")
    refused = runner.invoke(app, ["flow", "capacity", str(bad)])
    assert refused.exit_code == 2 and "surgeon" in refused.stderr
