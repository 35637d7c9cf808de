"""carebacklog.rtt: pathway events in; RTT periods, the PTL, explanations and data issues out.

Public API:

- :func:`read_events`, :func:`read_patients` -> :class:`ReadResult`: the input contract (CSV or
  Parquet), validated, with rejected rows (file, row, column, reason) and a quarantine file;
  :class:`InputFileError` when a whole file cannot be read.
- :func:`classify_events`: the clock rules (design.md 1-7): each event's effect on its clock.
- :func:`build_periods`: one row per RTT period (clock start, stop, outcome, DTA, priority).
- :func:`ptl_snapshot`, :func:`ptl_summary` (-> :class:`PtlSummary`): open periods at a census date
  with weeks waited, breach dates, priority due date and booking order; headline counts.
- :func:`weeks_waited_band`, :func:`weeks_waited`, :func:`breach_date`: the band (rule 8), defined once.
- :func:`add_demographics`: age band, sex, ethnic group, IMD quintile from a patients table.
- :func:`explain`, :func:`render_explanation`: one pathway's events, what each did to the clock and
  the rule applied (from the same classification as ``build_periods``).
- :func:`data_quality`: events that break a clock rule or the input contract, with rule and row.
- :func:`generate_events`: a simple synthetic event generator (benchmarks, property tests).
- Constants: :data:`EVENT_SCHEMA`, :data:`EVENT_COLUMNS`, :data:`PERIOD_COLUMNS`, :data:`EFFECTS`,
  :data:`BREACH_WEEKS`, :data:`MAX_BAND`.

Names are imported on first use (PEP 562), so ``carebacklog --help`` does not pay for Polars.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carebacklog.rtt.bands import BREACH_WEEKS, MAX_BAND, breach_date, weeks_waited, weeks_waited_band
    from carebacklog.rtt.demographics import add_demographics
    from carebacklog.rtt.explain import explain, render_explanation
    from carebacklog.rtt.generate import generate_events
    from carebacklog.rtt.periods import PERIOD_COLUMNS, build_periods
    from carebacklog.rtt.pipeline import ptl_from_files
    from carebacklog.rtt.ptl import PtlSummary, ptl_snapshot, ptl_summary
    from carebacklog.rtt.quality import data_quality
    from carebacklog.rtt.reader import InputFileError, ReadResult, read_events, read_patients
    from carebacklog.rtt.rules import EFFECTS, classify_events
    from carebacklog.rtt.schema import EVENT_COLUMNS, EVENT_SCHEMA

_HOME: dict[str, str] = {
    "BREACH_WEEKS": "bands",
    "MAX_BAND": "bands",
    "breach_date": "bands",
    "weeks_waited": "bands",
    "weeks_waited_band": "bands",
    "add_demographics": "demographics",
    "explain": "explain",
    "render_explanation": "explain",
    "generate_events": "generate",
    "PERIOD_COLUMNS": "periods",
    "build_periods": "periods",
    "ptl_from_files": "pipeline",
    "PtlSummary": "ptl",
    "ptl_snapshot": "ptl",
    "ptl_summary": "ptl",
    "data_quality": "quality",
    "InputFileError": "reader",
    "ReadResult": "reader",
    "read_events": "reader",
    "read_patients": "reader",
    "EFFECTS": "rules",
    "classify_events": "rules",
    "EVENT_COLUMNS": "schema",
    "EVENT_SCHEMA": "schema",
}

__all__ = [
    "BREACH_WEEKS",
    "EFFECTS",
    "EVENT_COLUMNS",
    "EVENT_SCHEMA",
    "MAX_BAND",
    "PERIOD_COLUMNS",
    "InputFileError",
    "PtlSummary",
    "ReadResult",
    "add_demographics",
    "breach_date",
    "build_periods",
    "classify_events",
    "data_quality",
    "explain",
    "generate_events",
    "ptl_from_files",
    "ptl_snapshot",
    "ptl_summary",
    "read_events",
    "read_patients",
    "render_explanation",
    "weeks_waited",
    "weeks_waited_band",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'carebacklog.rtt' has no attribute {name!r}")
    value = getattr(import_module(f"carebacklog.rtt.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
