"""Patient characteristics for equity breakdowns: age band, sex, ethnic group, IMD quintile.

Unknown values are kept as the explicit value ``"Unknown"`` (or null for numbers), never dropped,
so a breakdown always adds up to the whole waiting list.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

__all__ = [
    "AGE_BANDS",
    "ETHNIC_GROUPS",
    "UNKNOWN",
    "add_demographics",
]

UNKNOWN: Final[str] = "Unknown"

#: NHS Data Dictionary "Ethnic Category" (2001 census classification) letter -> broad group, the
#: 5 + 1 groups NHS England uses in its waiting-list inequalities breakdowns. Z "not stated" and 99
#: "not known" go to "Not stated / unknown", as does any unrecognised code.
ETHNIC_GROUPS: Final[dict[str, str]] = {
    "A": "White",
    "B": "White",
    "C": "White",
    "D": "Mixed",
    "E": "Mixed",
    "F": "Mixed",
    "G": "Mixed",
    "H": "Asian or Asian British",
    "J": "Asian or Asian British",
    "K": "Asian or Asian British",
    "L": "Asian or Asian British",
    "M": "Black or Black British",
    "N": "Black or Black British",
    "P": "Black or Black British",
    "R": "Other ethnic group",
    "S": "Other ethnic group",
}
NOT_STATED: Final[str] = "Not stated / unknown"

#: Age bands (lower bound, label). 0-17 are children (NHS England reports children's waits apart);
#: adult bands follow the ten-year bands of NHS England's waiting-list inequalities analysis, with
#: 80 and over together.
AGE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "0-17"),
    (18, "18-29"),
    (30, "30-39"),
    (40, "40-49"),
    (50, "50-59"),
    (60, "60-69"),
    (70, "70-79"),
    (80, "80+"),
)

#: Person stated gender (NHS Data Dictionary: 1 male, 2 female, 9 indeterminate, 0/X not known) and
#: the common word forms, mapped to the labels the breakdowns use.
_SEX: Final[dict[str, str]] = {
    "1": "Male",
    "M": "Male",
    "MALE": "Male",
    "2": "Female",
    "F": "Female",
    "FEMALE": "Female",
    "9": "Indeterminate",
    "I": "Indeterminate",
    "INDETERMINATE": "Indeterminate",
}


def _age_band(age: pl.Expr) -> pl.Expr:
    expr: pl.Expr = pl.lit(UNKNOWN)
    for lower, label in AGE_BANDS:
        expr = pl.when(age >= lower).then(pl.lit(label)).otherwise(expr)
    return pl.when(age.is_null()).then(pl.lit(UNKNOWN)).otherwise(expr)


def _age_at(birth: pl.Expr, on: date) -> pl.Expr:
    """Whole years between birth date and ``on`` (birthday not yet reached this year counts one less)."""
    before_birthday = (birth.dt.month() > on.month) | (
        (birth.dt.month() == on.month) & (birth.dt.day() > on.day)
    )
    return (pl.lit(on.year) - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int16)


def add_demographics(ptl: pl.DataFrame, patients: pl.DataFrame, census_date: date) -> pl.DataFrame:
    """Join patient characteristics onto PTL rows by ``patient_id``.

    Adds ``age`` (whole years at the census), ``age_band``, ``sex`` (Male / Female / Indeterminate /
    Unknown), ``ethnic_category`` (the letter as given, "Unknown" when missing), ``ethnic_group``,
    ``imd_decile`` (1 most deprived) and ``imd_quintile`` (deciles 1-2 -> quintile 1, most deprived).
    Rows whose patient is not in ``patients`` are kept with unknown values.
    """
    cols = {"patient_id", "birth_date", "sex", "ethnic_category", "imd_decile"}
    people = patients.select([c for c in patients.columns if c in cols])
    for name, dtype in (
        ("birth_date", pl.Date()),
        ("sex", pl.String()),
        ("ethnic_category", pl.String()),
        ("imd_decile", pl.Int8()),
    ):
        if name not in people.columns:
            people = people.with_columns(pl.lit(None, dtype).alias(name))
    if people.schema["birth_date"] == pl.String:  # a patients table read without read_patients
        people = people.with_columns(
            pl.col("birth_date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        )
    elif people.schema["birth_date"] != pl.Date:
        people = people.with_columns(pl.col("birth_date").cast(pl.Date))
    people = people.unique("patient_id", keep="first", maintain_order=True)
    joined = ptl.join(people, on="patient_id", how="left", maintain_order="left")
    age = _age_at(pl.col("birth_date"), census_date)
    category = pl.col("ethnic_category").str.strip_chars().str.to_uppercase()
    decile = pl.col("imd_decile").cast(pl.Int8, strict=False)
    decile = pl.when(decile.is_between(1, 10)).then(decile)
    return joined.with_columns(
        age=age,
        age_band=_age_band(age),
        sex=pl.col("sex")
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(_SEX, default=UNKNOWN, return_dtype=pl.String)
        .fill_null(UNKNOWN),
        ethnic_category=pl.when(category.is_null() | (category == ""))
        .then(pl.lit(UNKNOWN))
        .otherwise(category),
        ethnic_group=category.replace_strict(
            ETHNIC_GROUPS, default=NOT_STATED, return_dtype=pl.String
        ).fill_null(NOT_STATED),
        imd_decile=decile,
        imd_quintile=((decile + 1) // 2).cast(pl.Int8),
    ).drop("birth_date")
