"""The monthly RTT return written from our own RTT periods."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest

from carebacklog.published.returns import (
    FULL_CSV_COLUMNS,
    month_bounds,
    monthly_return,
    period_label,
    return_counts,
)
from carebacklog.rtt import build_periods


def _load_events_module():  # tests run with --import-mode=importlib: load the helper by path
    path = Path(__file__).with_name("events.py")
    spec = importlib.util.spec_from_file_location("returns_test_events", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ev = _load_events_module()


@pytest.fixture(scope="module")
def periods() -> pl.DataFrame:
    return build_periods(ev.hand_made_events(), census_date=ev.MONTH_END)


def test_layout_is_the_published_121_columns() -> None:
    from importlib.resources import files

    published = (
        (files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv").read_text().splitlines()[0]
    )
    assert list(FULL_CSV_COLUMNS) == published.split(",")
    assert len(FULL_CSV_COLUMNS) == 121


def test_month_helpers() -> None:
    assert period_label("2026-01") == "RTT-January-2026"
    assert month_bounds("2024-02")[1].day == 29
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_bounds("January")


def test_counts_match_the_hand_worked_answer(periods: pl.DataFrame) -> None:
    counts = return_counts(periods, "2026-01")
    got: dict[str, dict[tuple[str, str, int | None], int]] = {}
    for row in counts.iter_rows(named=True):
        assert row["provider_code"] == "RAA"
        key = (row["commissioner_code"], row["treatment_function"], row["weeks_band"])
        got.setdefault(row["part"], {})[key] = row["count"]
    assert got == ev.EXPECTED


def test_full_history_gives_the_same_return_as_the_month_end_census() -> None:
    history = build_periods(ev.hand_made_events())  # includes P6's February treatment
    census = build_periods(ev.hand_made_events(), census_date=ev.MONTH_END)
    assert return_counts(history, "2026-01").equals(return_counts(census, "2026-01"))


def test_wide_rows_cells_and_totals(periods: pl.DataFrame) -> None:
    wide = monthly_return(periods, "2026-01")
    assert wide.columns == list(FULL_CSV_COLUMNS)
    assert set(wide["Period"]) == {"RTT-January-2026"}
    keyed = {
        (r["Commissioner Org Code"], r["RTT Part Type"], r["Treatment Function Code"]): r
        for r in wide.iter_rows(named=True)
    }
    admitted = keyed[("00L", "Part_1A", "C_110")]
    assert admitted["Gt 15 To 16 Weeks SUM 1"] == 1
    assert admitted["Total"] == 1 and admitted["Patients with unknown clock start date"] == 0
    assert admitted["Total All"] == 1
    assert admitted["Treatment Function Name"] == "Trauma and Orthopaedic Service"
    assert admitted["RTT Part Description"] == "Completed Pathways For Admitted Patients"
    waiting = keyed[("00L", "Part_2", "C_999")]
    assert waiting["Total All"] == 2 and waiting["Total"] is None
    assert waiting["Gt 104 Weeks SUM 1"] == 1 and waiting["Gt 34 To 35 Weeks SUM 1"] == 1
    new = keyed[("00L", "Part_3", "C_999")]
    assert new["Total All"] == 2 and new["Gt 00 To 01 Weeks SUM 1"] is None
    # every part of every provider × commissioner has its C_999 row, after the detail rows
    for comm, part, tf in keyed:
        if tf != "C_999":
            assert (comm, part, "C_999") in keyed
    codes = wide.filter((pl.col("Commissioner Org Code") == "00L") & (pl.col("RTT Part Type") == "Part_3"))
    assert codes["Treatment Function Code"].to_list() == ["C_110", "X02", "C_999"]


def test_detail_rows_sum_to_the_total_rows(periods: pl.DataFrame) -> None:
    wide = monthly_return(periods, "2026-01")
    keys = ["Provider Org Code", "Commissioner Org Code", "RTT Part Type"]
    is_total = pl.col("Treatment Function Code") == "C_999"
    detail = wide.filter(~is_total).group_by(keys).agg(pl.col("Total All").sum()).sort(keys)
    totals = wide.filter(is_total).select(*keys, "Total All").sort(keys)
    assert detail.equals(totals)


def test_organisation_names_fill_the_name_columns(periods: pl.DataFrame) -> None:
    orgs = pl.DataFrame(
        {
            "org_code": ["RAA", "00L"],
            "org_name": ["A HOSPITAL NHS TRUST", "NHS NORTHUMBERLAND (SUB ICB LOCATION)"],
            "parent_code": ["QHM", "QHM"],
            "parent_name": ["NHS NORTH EAST AND NORTH CUMBRIA ICB", "NHS NORTH EAST AND NORTH CUMBRIA ICB"],
        }
    )
    wide = monthly_return(periods, "2026-01", organisations=orgs)
    row = wide.filter(pl.col("Commissioner Org Code") == "00L").row(0, named=True)
    assert row["Provider Org Name"] == "A HOSPITAL NHS TRUST"
    assert row["Provider Parent Org Code"] == "QHM"
    assert row["Commissioner Parent Org Code"] == "QHM"
