"""NHS numbers: the Modulus 11 check (NHS Data Dictionary, "NHS Number").

An NHS number is ten digits; the tenth is a check digit. Multiply the first nine digits by the weights
10, 9, …, 2, add the products, and take the remainder on dividing by 11; the check digit is 11 minus the
remainder, where 11 becomes 0 and 10 means the number is not valid (no such number is issued). Numbers
are often written in groups (``943 476 5919``): spaces and hyphens are ignored.

:func:`normalise_nhs_number` is the Polars expression the patients reader uses (valid numbers as ten
digits, anything else null); :func:`is_valid_nhs_number` and :func:`nhs_check_digit` are the scalar forms.
"""

from __future__ import annotations

import polars as pl

__all__ = ["is_valid_nhs_number", "nhs_check_digit", "nhs_number_digits", "normalise_nhs_number"]

_WEIGHTS = tuple(range(10, 1, -1))


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit of nine digits, or None when no valid number starts with them."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"expected nine digits, not {first_nine!r}")
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True)) % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(text: str | None) -> bool:
    """Whether ``text`` (spaces and hyphens allowed) is ten digits that pass the Modulus 11 check."""
    if text is None:
        return False
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def nhs_number_digits(column: pl.Expr) -> pl.Expr:
    """``column`` with spaces and hyphens removed (still text)."""
    return column.cast(pl.String).str.replace_all(r"[ \-]", "")


def normalise_nhs_number(column: pl.Expr) -> pl.Expr:
    """Valid NHS numbers as ten digits; null for empty, malformed or failing values (vectorised)."""
    digits = nhs_number_digits(column)
    well_formed = digits.str.contains(r"^[0-9]{10}$")
    total = pl.sum_horizontal(
        [digits.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_WEIGHTS)]
    )
    check = 11 - total % 11
    expected = pl.when(check == 11).then(0).otherwise(check)
    given = digits.str.slice(9, 1).cast(pl.Int64, strict=False)
    valid = well_formed & (expected != 10) & (expected == given)
    return pl.when(valid).then(digits).otherwise(None)
