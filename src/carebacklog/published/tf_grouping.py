"""NHS England's RTT reporting grouping of treatment functions.

The monthly RTT return does not report every treatment function code of the NHS Data Dictionary: it
reports 18 named treatment functions (``C_100`` … ``C_502``, some of them rolling up related detailed
codes) and five "Other" groups ``X02``–``X06``, plus the ``C_999`` total.

Source: NHS England, "Recording and reporting referral to treatment (RTT) waiting times for consultant-led
elective care", the treatment function reporting list in force for RTT returns from April 2021 (the
RTT/WLMDS treatment-function changes of 2021-22: 108, 111 and 115 report in 110; 144 and 145 in 140; 172
and 173 in 170; all other codes in one of the five "Other" groups). The same code lists are used by NHS
England regional WLMDS reporting. Names are those of the published Full CSV extracts
(``data/rtt_treatment_function_codes.csv``).

Public names: :data:`REPORTED_CODES`, :data:`OTHER_GROUPS`, :func:`group_treatment_function`,
:func:`treatment_function_group_expr`, :func:`treatment_function_names`.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files

import polars as pl

__all__ = [
    "OTHER_GROUPS",
    "REPORTED_CODES",
    "TOTAL_CODE",
    "group_treatment_function",
    "treatment_function_group_expr",
    "treatment_function_names",
    "treatment_function_order",
]

TOTAL_CODE = "C_999"

# Reported treatment functions and the detailed codes that roll up into each (NHS England RTT reporting
# list from April 2021). Key: reported code; value: detailed Data Dictionary codes reported under it.
REPORTED_CODES: dict[str, tuple[str, ...]] = {
    "C_100": ("100",),  # General Surgery
    "C_101": ("101",),  # Urology
    "C_110": ("110", "108", "111", "115"),  # T&O, incl. spinal surgery, orthopaedics, trauma surgery
    "C_120": ("120",),  # Ear Nose and Throat
    "C_130": ("130",),  # Ophthalmology
    "C_140": ("140", "144", "145"),  # Oral Surgery, incl. maxillofacial and oral & maxillofacial
    "C_150": ("150",),  # Neurosurgical
    "C_160": ("160",),  # Plastic Surgery
    "C_170": ("170", "172", "173"),  # Cardiothoracic, incl. cardiac and thoracic surgery
    "C_300": ("300",),  # General Internal Medicine
    "C_301": ("301",),  # Gastroenterology
    "C_320": ("320",),  # Cardiology
    "C_330": ("330",),  # Dermatology
    "C_340": ("340",),  # Respiratory Medicine
    "C_400": ("400",),  # Neurology
    "C_410": ("410",),  # Rheumatology
    "C_430": ("430",),  # Elderly Medicine
    "C_502": ("502",),  # Gynaecology
}


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The five "Other" groups (same source). X06 "Other - Other Services" also takes any code not listed.
OTHER_GROUPS: dict[str, tuple[str, ...]] = {
    "X02": _codes(  # Other - Medical Services
        "180 190 191 192 200 302 303 304 305 306 307 308 309 310 311 313 314 315 316 317 "
        "318 319 322 323 324 325 326 327 328 329 331 333 335 341 342 343 344 345 346 347 "
        "348 350 352 360 361 370 371 401 420 422 424 431 450 451 460 461 501 503 504 505 "
        "834"
    ),
    "X03": _codes(  # Other - Mental Health Services
        "656 700 710 711 712 713 715 720 721 722 723 724 725 726 727 730"
    ),
    "X04": _codes(  # Other - Paediatric Services
        "142 171 211 212 213 214 215 216 217 218 219 220 221 222 223 230 240 241 242 250 "
        "251 252 253 254 255 256 257 258 259 260 261 262 263 264 270 280 290 291 321 421"
    ),
    "X05": _codes(  # Other - Surgical Services
        "102 103 104 105 106 107 109 113 141 143 161 174"
    ),
    "X06": _codes(  # Other - Other Services
        "560 650 651 652 653 654 655 657 658 659 660 661 662 663 670 673 675 677 800 811 812 822 840 920"
    ),
}
_DEFAULT_GROUP = "X06"


@lru_cache(maxsize=1)
def _detail_to_group() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group, codes in (*REPORTED_CODES.items(), *OTHER_GROUPS.items()):
        for code in codes:
            if code in mapping:  # pragma: no cover - guarded by a test
                raise ValueError(f"treatment function {code} is in two reporting groups")
            mapping[code] = group
    # Already-grouped codes map to themselves, so grouping is idempotent.
    for group in (*REPORTED_CODES, *OTHER_GROUPS):
        mapping[group] = group
    return mapping


def _normalise(code: str) -> str:
    text = code.strip().upper()
    if text.startswith("C_") and text != TOTAL_CODE:
        return text if text in REPORTED_CODES else text[2:]
    return text


def group_treatment_function(code: str | int | None) -> str:
    """Reported code (``C_110``, ``X02`` …) for one treatment function code (``"108"``, ``110``, ``"C_110"``).

    Codes not in NHS England's list report in ``X06`` (Other - Other Services); a missing code too.
    ``C_999`` is a total, not a treatment function, and is refused.
    """
    if code is None:
        return _DEFAULT_GROUP
    text = _normalise(str(code))
    if text == TOTAL_CODE:
        raise ValueError("C_999 is the all-treatment-function total, not a treatment function")
    if text.isdigit() and len(text) < 3:
        text = text.zfill(3)
    return _detail_to_group().get(text, _DEFAULT_GROUP)


def treatment_function_group_expr(column: str | pl.Expr = "treatment_function") -> pl.Expr:
    """Vectorised :func:`group_treatment_function` for a Polars column of codes (any of the accepted forms)."""
    expr = pl.col(column) if isinstance(column, str) else column
    text = expr.cast(pl.String).str.strip_chars().str.to_uppercase()
    detail = (
        pl.when(text.is_in(list(REPORTED_CODES)))
        .then(text)
        .when(text.str.starts_with("C_"))
        .then(text.str.slice(2))
        .otherwise(text)
    )
    detail = pl.when(detail.str.contains(r"^\d{1,2}$")).then(detail.str.zfill(3)).otherwise(detail)
    return detail.replace_strict(_detail_to_group(), default=_DEFAULT_GROUP, return_dtype=pl.String)


@lru_cache(maxsize=1)
def treatment_function_names() -> dict[str, str]:
    """Reported code → name as written in NHS England's Full CSV extracts (incl. ``C_999`` "Total")."""
    path = files("carebacklog") / "data" / "rtt_treatment_function_codes.csv"
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {row["Treatment Function Code"]: row["Treatment Function Name"] for row in rows}


def treatment_function_order() -> list[str]:
    """Reported codes in the order NHS England lists them: ``C_100`` … ``C_502``, ``X02`` … ``X06``, ``C_999``."""
    return [*REPORTED_CODES, *OTHER_GROUPS, TOTAL_CODE]
