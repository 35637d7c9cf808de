# The public API of carebacklog.equity: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .gap import LEAST_DEPRIVED as LEAST_DEPRIVED
from .gap import MOST_DEPRIVED as MOST_DEPRIVED
from .gap import deprivation_gap as deprivation_gap
from .gap import newcombe_interval as newcombe_interval
from .gap import wilson_interval as wilson_interval
from .load import load_ptl as load_ptl
from .measures import BREAKDOWN_DIMENSIONS as BREAKDOWN_DIMENSIONS
from .measures import EQUITY_MEASURES as EQUITY_MEASURES
from .measures import UNKNOWN as UNKNOWN
from .measures import equity_breakdown as equity_breakdown
