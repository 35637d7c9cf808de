# The public API of carebacklog.spc: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .chart import render_xmr as render_xmr
from .chart import save_xmr as save_xmr
from .series import DEFAULT_POLARITY as DEFAULT_POLARITY
from .series import default_polarity as default_polarity
from .series import measure_series as measure_series
from .series import read_series_csv as read_series_csv
from .xmr import LIMIT_FACTOR as LIMIT_FACTOR
from .xmr import MDC_COLOURS as MDC_COLOURS
from .xmr import SHIFT_POINTS as SHIFT_POINTS
from .xmr import TREND_POINTS as TREND_POINTS
from .xmr import XmrChart as XmrChart
from .xmr import xmr_chart as xmr_chart
