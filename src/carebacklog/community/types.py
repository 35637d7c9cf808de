"""Waiting-list types as configuration: what starts and what stops each clock, and its standards.

A community or mental-health waiting list is not an RTT pathway: there is no clock stop at definitive
treatment, and each service measures its own interval. A :class:`WaitType` names the two milestones its
clock runs between (:data:`MILESTONES`: ``referral``, ``first_contact``, ``second_contact``,
``first_treatment``) and the standards it is judged against (:class:`Standard`: within ``days`` of the
start, a target percentage where one is published, optionally for one priority only). The standard types
are in ``data/community/waiting_list_types.json`` (sources cited there and in docs/community.md); a trust
can load its own file with :func:`load_wait_types`.

"Within N weeks" means at most ``7·N`` days (the CHS workbooks' bands: 0–18 weeks is 0–126 days; over 52
weeks is 365 days or more), as for the RTT 18 weeks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from carebacklog.community.errors import CommunityFileError

__all__ = ["MILESTONES", "Standard", "WaitType", "load_wait_types", "standard_wait_types", "wait_type"]

#: The milestones a clock can start or stop at (derived from the events by :mod:`carebacklog.community.clock`).
MILESTONES: Final[tuple[str, ...]] = ("referral", "first_contact", "second_contact", "first_treatment")


@dataclass(frozen=True)
class Standard:
    """Seen within ``days`` of the clock start; ``target_pct`` of people (None: no published target)."""

    name: str
    days: int
    target_pct: float | None = None
    priority: str | None = None  # the standard applies to this priority only (e.g. 'urgent')
    source: str = ""

    @property
    def weeks(self) -> float:
        return self.days / 7


@dataclass(frozen=True)
class WaitType:
    """One kind of waiting list: clock start and stop milestones, standards and long-wait thresholds."""

    id: str
    name: str
    clock_start: str
    clock_stop: str
    standards: tuple[Standard, ...]
    long_waits_weeks: tuple[int, ...] = (18, 52, 104)
    source: str = ""


def _fail(path: Path | str, key: str, why: str) -> CommunityFileError:
    return CommunityFileError(f"{path}: waiting-list type {key!r}: {why}")


def _standard(path: Path | str, key: str, raw: Any) -> Standard:
    if not isinstance(raw, dict) or "name" not in raw:
        raise _fail(path, key, "each standard needs a 'name'")
    if ("weeks" in raw) == ("days" in raw):
        raise _fail(path, key, f"standard {raw['name']!r}: give exactly one of 'weeks' or 'days'")
    length = raw.get("weeks", raw.get("days"))
    if not isinstance(length, (int, float)) or isinstance(length, bool) or length <= 0:
        raise _fail(path, key, f"standard {raw['name']!r}: the length must be a positive number")
    days = round(length * 7) if "weeks" in raw else round(length)
    target = raw.get("target_pct")
    if target is not None and (not isinstance(target, (int, float)) or not 0 < target <= 100):
        raise _fail(path, key, f"standard {raw['name']!r}: 'target_pct' must be in (0, 100] or null")
    priority = raw.get("priority")
    if priority is not None and not isinstance(priority, str):
        raise _fail(path, key, f"standard {raw['name']!r}: 'priority' must be text")
    return Standard(str(raw["name"]), days, None if target is None else float(target), priority,
                    str(raw.get("source", "")))


def parse_wait_types(data: Any, source: Path | str = "<config>") -> dict[str, WaitType]:
    """Validate a mapping ``id → {name, clock_start, clock_stop, standards, long_waits_weeks, source}``."""
    if not isinstance(data, dict) or not data:
        raise CommunityFileError(f"{source}: expected an object of waiting-list types")
    types: dict[str, WaitType] = {}
    for key, raw in data.items():
        if not isinstance(raw, dict):
            raise _fail(source, key, "expected an object")
        start, stop = raw.get("clock_start"), raw.get("clock_stop")
        for role, value in (("clock_start", start), ("clock_stop", stop)):
            if value not in MILESTONES:
                raise _fail(source, key, f"{role!r} must be one of {', '.join(MILESTONES)}")
        if start == stop or stop == "referral":
            raise _fail(source, key, "the clock must stop at a later milestone than it starts")
        standards = raw.get("standards", [])
        if not isinstance(standards, list):
            raise _fail(source, key, "'standards' must be a list")
        long_waits = raw.get("long_waits_weeks", [18, 52, 104])
        if not isinstance(long_waits, list) or not all(isinstance(w, int) and w > 0 for w in long_waits):
            raise _fail(source, key, "'long_waits_weeks' must be a list of positive whole weeks")
        types[key] = WaitType(
            id=key,
            name=str(raw.get("name", key)),
            clock_start=str(start),
            clock_stop=str(stop),
            standards=tuple(_standard(source, key, s) for s in standards),
            long_waits_weeks=tuple(long_waits),
            source=str(raw.get("source", "")),
        )
    return types


def load_wait_types(path: str | Path) -> dict[str, WaitType]:
    """Read and validate a JSON file of waiting-list types (same layout as the bundled one)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommunityFileError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise CommunityFileError(f"{path}: row {exc.lineno}: not valid JSON ({exc.msg})") from None
    return parse_wait_types(data, path)


@cache
def standard_wait_types() -> dict[str, WaitType]:
    """The bundled standard types (``data/community/waiting_list_types.json``)."""
    text = resources.files("carebacklog").joinpath("data/community/waiting_list_types.json").read_text("utf-8")
    return parse_wait_types(json.loads(text), "waiting_list_types.json")


def wait_type(key: str | WaitType) -> WaitType:
    """A bundled type by id (or the type itself)."""
    if isinstance(key, WaitType):
        return key
    types = standard_wait_types()
    if key not in types:
        raise CommunityFileError(f"unknown waiting-list type {key!r}; use one of {', '.join(types)}")
    return types[key]
