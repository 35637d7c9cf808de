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
"""

from carebacklog.spc.chart import render_xmr, save_xmr
from carebacklog.spc.series import DEFAULT_POLARITY, default_polarity, measure_series, read_series_csv
from carebacklog.spc.xmr import LIMIT_FACTOR, MDC_COLOURS, SHIFT_POINTS, TREND_POINTS, XmrChart, xmr_chart

__all__ = [
    "DEFAULT_POLARITY",
    "LIMIT_FACTOR",
    "MDC_COLOURS",
    "SHIFT_POINTS",
    "TREND_POINTS",
    "XmrChart",
    "default_polarity",
    "measure_series",
    "read_series_csv",
    "render_xmr",
    "save_xmr",
    "xmr_chart",
]
