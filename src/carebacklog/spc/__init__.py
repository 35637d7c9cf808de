"""Statistical process control: XmR charts with NHS England's "Making Data Count" rules.

Public API:

- :func:`xmr_chart` (values, periods, polarity, target) → :class:`XmrChart` with the per-point table
  (mean, moving range, process limits, special-cause flags: outside limits, shift, trend, two of three;
  improvement / concern by polarity) and the assurance against a target.
- :func:`render_xmr` / :func:`save_xmr`: the chart in MDC colours (matplotlib Figure; PNG or SVG file).
- :func:`read_series_csv` / :func:`measure_series`: the monthly series from a ``period,value`` CSV or from
  NHS England's published extracts; :data:`DEFAULT_POLARITY` by headline measure,
  :func:`default_polarity` by measure and RTT part.
- :data:`MDC_COLOURS`, :data:`SHIFT_POINTS`, :data:`TREND_POINTS`, :data:`LIMIT_FACTOR`.

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
