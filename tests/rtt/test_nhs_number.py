"""The NHS number Modulus 11 rule, on numbers worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from carebacklog.rtt.nhs_number import is_valid_nhs_number, nhs_check_digit, normalise_nhs_number


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),  # NHS Digital's published example: 9×10+4×9+3×8+4×7+7×6+6×5+5×4+9×3+1×2 = 299
        ("943 476 5919", True),  # grouped as printed on letters
        ("943-476-5919", True),
        ("9434765918", False),  # wrong check digit
        ("9434765910", False),
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven
        ("94347659l9", False),  # a letter
        ("", False),
        (None, False),
    ],
)
def test_modulus_11(number: str | None, valid: bool) -> None:
    assert is_valid_nhs_number(number) is valid
    frame = pl.DataFrame({"n": [number]}, schema={"n": pl.String})
    result = frame.select(normalise_nhs_number(pl.col("n"))).item()
    assert (result is not None) is valid
    if valid:
        assert result == "9434765919"


def test_a_remainder_of_one_means_no_number_is_issued() -> None:
    # 100000001: 1×10 + 1×2 = 12, remainder 1, check digit 11 - 1 = 10: no valid number starts so.
    assert nhs_check_digit("100000001") is None
    assert not any(is_valid_nhs_number(f"100000001{d}") for d in range(10))
    assert nhs_check_digit("000000000") == 0  # check 11 becomes 0
    with pytest.raises(ValueError, match="nine digits"):
        nhs_check_digit("12345")


def test_the_patients_reader_keeps_the_row_and_drops_a_failing_number(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from carebacklog.rtt.pipeline import read_patients_file

    path = tmp_path / "patients.csv"
    path.write_text(
        "patient_id,sex,nhs_number,family_name,given_name\n"
        "P1,F,943 476 5919,Smith,Jo\nP2,M,9434765918,Jones,Al\nP3,M,,Brown,Sam\n"
    )
    lines: list[str] = []
    quarantine = tmp_path / "rejected.csv"
    result = read_patients_file(path, quarantine, report=lines.append)
    assert result.events["nhs_number"].to_list() == ["9434765919", None, None]
    assert result.events["family_name"].to_list() == ["Smith", "Jones", "Brown"]  # nothing good is lost
    assert result.rejected.height == 0 and result.cleared is not None and result.cleared["row"].to_list() == [2]
    said = "\n".join(lines)
    assert "row 2, column nhs_number" in said and "9434765918" not in said  # never the value
    kept = pl.read_csv(quarantine, infer_schema_length=0)
    assert kept["column"].to_list() == ["nhs_number"] and "Modulus 11" in kept["reason"][0]


def test_synthetic_patients_have_distinct_valid_numbers_from_the_test_range() -> None:
    from carebacklog.synth import demo_trust

    patients = demo_trust(5, scale=0.05).patients
    numbers = patients["nhs_number"]
    assert numbers.n_unique() == patients.height and numbers.str.starts_with("999").all()
    assert all(is_valid_nhs_number(n) for n in numbers.to_list())
    again = demo_trust(5, scale=0.05).patients
    assert again["nhs_number"].equals(numbers) and again["family_name"].equals(patients["family_name"])
