# The public API of carebacklog.forecast: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .backtest import backtest as backtest
from .bins import WEEKS_PER_MONTH as WEEKS_PER_MONTH
from .bins import Bins as Bins
from .bins import compact_bins as compact_bins
from .bins import monthly_bins as monthly_bins
from .bins import weekly_bins as weekly_bins
from .calibrate import Calibration as Calibration
from .charts import plan_chart as plan_chart
from .charts import projection_chart as projection_chart
from .inputs import Observations as Observations
from .inputs import calibrate as calibrate
from .inputs import inputs_from_ptl as inputs_from_ptl
from .inputs import inputs_from_series as inputs_from_series
from .inputs import inputs_from_tidy as inputs_from_tidy
from .inputs import load_observations as load_observations
from .inputs import read_series as read_series
from .model import project as project
from .model import step as step
from .montecarlo import Forecast as Forecast
from .montecarlo import Scenario as Scenario
from .montecarlo import forecast as forecast
from .optimise import CapacityPlan as CapacityPlan
from .optimise import Target as Target
from .optimise import parse_target as parse_target
from .optimise import plan_capacity as plan_capacity
from .queueing import QueuePlan as QueuePlan
from .queueing import factor_from_percentile as factor_from_percentile
from .queueing import queue_load as queue_load
from .queueing import queue_plan as queue_plan
from .queueing import relief_capacity as relief_capacity
from .queueing import target_capacity as target_capacity
from .queueing import target_mean_wait as target_mean_wait
from .queueing import target_queue_size as target_queue_size
from .queueing import waiting_list_pressure as waiting_list_pressure
from .sweep import sweep as sweep
