# The public API of carebacklog.community: the one list (read by carebacklog._lazy for lazy loading,
# by type checkers for types). Add a name here and nowhere else.

from .bundled import bundled_path as bundled_path
from .chs import CHS_SCHEMA as CHS_SCHEMA
from .chs import ChsWorkbook as ChsWorkbook
from .chs import chs_national_check as chs_national_check
from .chs import chs_revisions as chs_revisions
from .chs import read_chs as read_chs
from .chs import read_chs_non_submitters as read_chs_non_submitters
from .chs import read_chs_overview as read_chs_overview
from .chs import read_chs_series as read_chs_series
from .chs import read_chs_workbook as read_chs_workbook
from .clock import EVENT_SCHEMA as EVENT_SCHEMA
from .clock import build_waits as build_waits
from .clock import completed_waits as completed_waits
from .clock import conform_community_events as conform_community_events
from .clock import milestones as milestones
from .clock import open_waits as open_waits
from .clock import read_community_events as read_community_events
from .errors import CommunityFileError as CommunityFileError
from .measures import chs_measures as chs_measures
from .measures import coarse_band_percentile as coarse_band_percentile
from .measures import wait_measures as wait_measures
from .ptl import community_ptl as community_ptl
from .sitrep import waits_to_chs_bands as waits_to_chs_bands
from .synth import SynthProvider as SynthProvider
from .synth import synthesise_chs_provider as synthesise_chs_provider
from .talking_therapies import TT_SCHEMA as TT_SCHEMA
from .talking_therapies import read_talking_therapies as read_talking_therapies
from .talking_therapies import standards_check as standards_check
from .talking_therapies import talking_therapies_standards as talking_therapies_standards
from .talking_therapies import waiting_for_treatment_bands as waiting_for_treatment_bands
from .types import Standard as Standard
from .types import WaitType as WaitType
from .types import load_wait_types as load_wait_types
from .types import standard_wait_types as standard_wait_types
from .types import wait_type as wait_type
