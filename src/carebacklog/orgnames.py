"""Organisation names as people write them: NHS England's files give many in capitals
("DORSET COUNTY HOSPITAL NHS FOUNDATION TRUST"); pages show "Dorset County Hospital NHS Foundation Trust"."""

from __future__ import annotations

import re

__all__ = ["org_name"]

#: Words kept in capitals (acronyms in trust names) and words kept in lower case inside a name.
_UPPER = {"NHS", "ICB", "UK", "CIC", "LLP", "PLC", "ISTC", "GP", "BMI", "UCLH", "CCG", "PCT", "A&E"}
_LOWER = {"and", "of", "the", "for", "in", "on", "at", "with", "upon"}


def _word(word: str, first: bool) -> str:
    if word.strip("(),.").upper() in _UPPER:
        return word.upper()
    lower = word.lower()
    if not first and lower in _LOWER:
        return lower
    # Title-case each part of a hyphenated or apostrophised word: "Stoke-on-Trent", "St George's"
    parts = re.split(r"([-'’])", lower)
    out = []
    for i, part in enumerate(parts):
        if part in ("-", "'", "’") or (i > 0 and parts[i - 1] in ("'", "’") and part in ("s",)) or (i > 0 and parts[i - 1] == "-" and part in _LOWER):
            out.append(part)
        else:
            out.append(part[:1].upper() + part[1:])
    return "".join(out)


def org_name(name: str | None) -> str:
    """``name`` in title case with NHS and similar acronyms in capitals; names already in mixed case are
    returned as given."""
    if not name:
        return ""
    if name != name.upper():
        return name
    words = name.split()
    return " ".join(_word(w, i == 0) for i, w in enumerate(words))
