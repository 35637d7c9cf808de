"""carebacklog.rtt: pathway events in; RTT periods, the PTL, explanations and data issues out.

Public API:

- :func:`read_events`, :func:`read_patients` -> :class:`ReadResult`: the input contract (CSV or
  Parquet), validated, with rejected rows (file, row, column, reason) and a quarantine file;
  :class:`InputFileError` when a whole file cannot be read.
- :func:`classify_events`: the clock rules (docs/rules-rtt.md, rules 1-7): each event's effect on its clock.
- :func:`build_periods`: one row per RTT period (clock start, stop, outcome, DTA, priority).
- :func:`ptl_snapshot`, :func:`ptl_summary` (-> :class:`PtlSummary`): open periods at a census date
  with weeks waited, breach dates, priority due date and booking order; headline counts.
- :func:`weeks_waited_band`, :func:`weeks_waited`, :func:`breach_date`: the band (rule 8), defined once.
- :func:`add_demographics`: age band, sex, ethnic group, IMD quintile from a patients table.
- :func:`explain`, :func:`render_explanation`: one pathway's events, what each did to the clock and
  the rule applied (from the same classification as ``build_periods``).
- :func:`data_quality`: events that break a clock rule or the input contract, with rule and row.
- :func:`ptl_from_files`: events (+ patients) files to a PTL at a census date, with the rejected
  rows: the one path from files to a PTL that every command uses (``rtt/pipeline.py``).
- :func:`monthly_trend`, :func:`covered_trend`: the headline measures month by month (``rtt/trend.py``).
- :func:`generate_events`: a simple synthetic event generator (benchmarks, property tests).
- Constants: :data:`EVENT_SCHEMA`, :data:`EVENT_COLUMNS`, :data:`PERIOD_COLUMNS`, :data:`EFFECTS`,
  :data:`BREACH_WEEKS`, :data:`MAX_BAND`.

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
