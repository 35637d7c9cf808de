# The public API of carebacklog.trust: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .changes import BANDS as BANDS
from .changes import BREACH_THRESHOLDS as BREACH_THRESHOLDS
from .changes import CHANGE_KINDS as CHANGE_KINDS
from .changes import CHANGE_SCHEMA as CHANGE_SCHEMA
from .changes import ChangeSummary as ChangeSummary
from .changes import changes_between as changes_between
from .changes import summarise_changes as summarise_changes
from .history import Comparison as Comparison
from .history import compare_snapshots as compare_snapshots
from .history import pick_snapshots as pick_snapshots
from .load import LoadOutcome as LoadOutcome
from .load import file_sha256 as file_sha256
from .load import load_extract as load_extract
from .load import provider_names as provider_names
from .load import snapshots_from_events as snapshots_from_events
