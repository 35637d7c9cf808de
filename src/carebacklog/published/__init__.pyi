# The public API of carebacklog.published: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .checks import CheckResult as CheckResult
from .checks import CheckThresholds as CheckThresholds
from .checks import check_extract_rows as check_extract_rows
from .checks import check_return as check_return
from .extract import PublishedFileError as PublishedFileError
from .measures import PART_OF as PART_OF
from .measures import headline_measures as headline_measures
from .percentile import band_percentile as band_percentile
from .reader import read_orgs as read_orgs
from .reader import read_rtt as read_rtt
from .returns import FULL_CSV_COLUMNS as FULL_CSV_COLUMNS
from .returns import monthly_return as monthly_return
from .returns import organisations_from_published as organisations_from_published
from .returns import return_counts as return_counts
from .returns import write_monthly_return as write_monthly_return
from .tf_grouping import group_treatment_function as group_treatment_function
from .tf_grouping import treatment_function_group_expr as treatment_function_group_expr
from .wlmds import WlmdsFiles as WlmdsFiles
from .wlmds import wlmds_files as wlmds_files
from .wlmds import write_wlmds as write_wlmds
