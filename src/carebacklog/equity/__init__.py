"""Health-inequality breakdowns of a patient-level waiting list (PTL).

Public API:

- :func:`equity_breakdown` (ptl, by) → headline measures per IMD quintile, ethnic group, age band, sex
  (and combinations, incl. treatment function): total, share of the list, within 18 weeks (n, %), over
  52 weeks (n, %, per 1,000), median and 92nd percentile (NHS England's band method, and exact days).
  Unknown categories are shown, never dropped.
- :func:`deprivation_gap` (ptl, level, by=None) → most (IMD Q1) minus least (Q5) deprived: difference in
  % within 18 weeks and in the 52+ rate, with Newcombe hybrid score confidence intervals; optionally per
  group (e.g. treatment function).
- :func:`newcombe_interval`, :func:`wilson_interval`: the interval methods.
- :func:`load_ptl`: a PTL from a PTL file, or from events (+ patients) through the clock engine.
- :data:`BREAKDOWN_DIMENSIONS`, :data:`EQUITY_MEASURES`, :data:`UNKNOWN`.

See docs/equity.md.

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
