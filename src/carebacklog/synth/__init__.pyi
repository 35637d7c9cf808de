# The public API of carebacklog.synth: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .advance import AdvancedExtract as AdvancedExtract
from .advance import advance_extract as advance_extract
from .bookings import synthetic_bookings as synthetic_bookings
from .check import calibration_report as calibration_report
from .check import data_issues as data_issues
from .demo import DEMO_CENSUS_DATE as DEMO_CENSUS_DATE
from .demo import DEMO_PROVIDER as DEMO_PROVIDER
from .demo import demo_extract as demo_extract
from .demo import demo_trust as demo_trust
from .demo import write_trust as write_trust
from .trust import SynthTrust as SynthTrust
from .trust import group_of_treatment_function as group_of_treatment_function
from .trust import synthesise_trust as synthesise_trust
