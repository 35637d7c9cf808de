"""Who a synthetic patient is: an NHS number from the test range and a made-up name.

NHS numbers beginning 999 are never issued to patients (NHS England keeps the range for testing), so
synthetic numbers are drawn from it, each with its Modulus 11 check digit (``rtt.nhs_number``). Names are
drawn from short lists of common English family and given names (given names by the patient's recorded
sex): plausible on a page, attached to nobody. The draw uses its own random stream (seeded from the
patient ids), so adding identity changes nothing else a synthetic trust holds.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

__all__ = ["FAMILY_NAMES", "GIVEN_NAMES", "synthetic_identity"]

FAMILY_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes",
    "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan",
    "Scott", "Watson", "Davis", "Parker", "James", "Bennett", "Young", "Phillips", "Richardson", "Mitchell",
)  # fmt: skip
GIVEN_NAMES = {
    "F": ("Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia", "Lily", "Freya", "Emily", "Susan",
          "Margaret", "Patricia", "Linda", "Elizabeth", "Sarah", "Karen", "Helen", "Aisha", "Priya"),
    "M": ("Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Muhammad", "Charlie",
          "David", "John", "Michael", "Peter", "Robert", "James", "Paul", "Andrew", "Imran", "Rajesh"),
}  # fmt: skip
_WEIGHTS = np.arange(10, 1, -1)


def _test_range_numbers(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct valid NHS numbers beginning 999, in random order (vectorised Modulus 11)."""
    body = rng.permutation(1_000_000)  # the six digits after the 999 prefix, each once
    digits = (body[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    total = 9 * (10 + 9 + 8) + digits @ _WEIGHTS[3:]
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    keep = check != 10
    numbers = (999_000_000 + body[keep]) * 10 + check[keep]
    return [str(v) for v in numbers[:n]]


def synthetic_identity(patients: pl.DataFrame) -> pl.DataFrame:
    """``patients`` with ``nhs_number``, ``family_name`` and ``given_name`` (deterministic for the ids).

    At most 909,091 patients (the valid numbers the 999 range holds); more raise ``ValueError``.
    """
    n = patients.height
    if n > 909_091:
        raise ValueError(f"the 999 test range holds 909,091 valid NHS numbers, not {n:,}")
    ids = patients.get_column("patient_id")
    seed = int.from_bytes(hashlib.sha256("\n".join(ids.head(1000).to_list()).encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    family = np.asarray(FAMILY_NAMES)[rng.integers(0, len(FAMILY_NAMES), n)]
    sex = patients.get_column("sex") if "sex" in patients.columns else pl.repeat(None, n, dtype=pl.String, eager=True)
    female = (sex == "F").fill_null(False).to_numpy()
    pick = rng.integers(0, len(GIVEN_NAMES["F"]), n)
    given = np.where(female, np.asarray(GIVEN_NAMES["F"])[pick], np.asarray(GIVEN_NAMES["M"])[pick])
    return patients.with_columns(
        nhs_number=pl.Series(_test_range_numbers(n, rng), dtype=pl.String),
        family_name=pl.Series(family, dtype=pl.String),
        given_name=pl.Series(given, dtype=pl.String),
    )
