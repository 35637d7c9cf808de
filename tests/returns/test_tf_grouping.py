"""NHS England's RTT treatment-function grouping (reporting list from April 2021)."""

from __future__ import annotations

import polars as pl
import pytest

from carebacklog.published.tf_grouping import (
    OTHER_GROUPS,
    REPORTED_CODES,
    group_treatment_function,
    treatment_function_group_expr,
    treatment_function_names,
    treatment_function_order,
)


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("110", "C_110"),
        ("108", "C_110"),  # spinal surgery service rolls up into T&O
        ("111", "C_110"),
        ("115", "C_110"),
        ("144", "C_140"),  # maxillofacial surgery into oral surgery
        ("145", "C_140"),
        ("172", "C_170"),
        ("173", "C_170"),
        ("174", "X05"),  # cardiothoracic transplantation is an "Other - Surgical" service
        ("103", "X05"),  # breast surgery
        ("303", "X02"),  # clinical haematology
        ("710", "X03"),  # adult mental illness
        ("420", "X02"),  # paediatrics reports in Other - Medical, not Paediatric
        ("171", "X04"),  # paediatric surgery
        ("321", "X04"),  # paediatric cardiology
        ("650", "X06"),  # physiotherapy
        ("999", "X06"),  # unknown code: Other - Other Services
        ("C_110", "C_110"),
        ("X03", "X03"),
        (110, "C_110"),
        (" 502 ", "C_502"),
        (None, "X06"),
    ],
)
def test_codes_group_as_nhs_england_reports_them(code: str | int | None, group: str) -> None:
    assert group_treatment_function(code) == group


def test_total_code_is_not_a_treatment_function() -> None:
    with pytest.raises(ValueError, match="C_999"):
        group_treatment_function("C_999")


def test_no_code_is_in_two_groups() -> None:
    seen: list[str] = [c for codes in (*REPORTED_CODES.values(), *OTHER_GROUPS.values()) for c in codes]
    assert len(seen) == len(set(seen))


def test_vectorised_grouping_agrees_with_scalar() -> None:
    codes = ["110", "108", "C_140", "145", "420", "710", "999", "X05", "100", "172"]
    grouped = pl.DataFrame({"treatment_function": codes}).select(treatment_function_group_expr())
    assert grouped.to_series().to_list() == [group_treatment_function(c) for c in codes]


def test_every_reported_code_has_its_published_name() -> None:
    names = treatment_function_names()
    for code in treatment_function_order():
        assert code in names
    assert names["X02"] == "Other - Medical Services"
    assert names["C_110"] == "Trauma and Orthopaedic Service"
    assert names["C_999"] == "Total"


def test_grouping_covers_every_code_in_the_published_extract() -> None:
    from importlib.resources import files

    path = files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"
    published = pl.read_csv(str(path), infer_schema_length=0)["Treatment Function Code"].unique().to_list()
    assert set(published) <= set(treatment_function_order())
