# The public API of carebacklog.rtt: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .bands import BREACH_WEEKS as BREACH_WEEKS
from .bands import MAX_BAND as MAX_BAND
from .bands import breach_date as breach_date
from .bands import max_days_within as max_days_within
from .bands import weeks_waited as weeks_waited
from .bands import weeks_waited_band as weeks_waited_band
from .demographics import add_demographics as add_demographics
from .explain import explain as explain
from .explain import render_explanation as render_explanation
from .generate import generate_events as generate_events
from .periods import PERIOD_COLUMNS as PERIOD_COLUMNS
from .periods import build_periods as build_periods
from .pipeline import ptl_from_files as ptl_from_files
from .ptl import PtlSummary as PtlSummary
from .ptl import ptl_snapshot as ptl_snapshot
from .ptl import ptl_summary as ptl_summary
from .quality import data_quality as data_quality
from .reader import InputFileError as InputFileError
from .reader import ReadResult as ReadResult
from .reader import read_events as read_events
from .reader import read_patients as read_patients
from .rules import EFFECTS as EFFECTS
from .rules import classify_events as classify_events
from .schema import EVENT_COLUMNS as EVENT_COLUMNS
from .schema import EVENT_SCHEMA as EVENT_SCHEMA
from .trend import covered_trend as covered_trend
from .trend import monthly_trend as monthly_trend
