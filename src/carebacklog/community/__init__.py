"""carebacklog.community: community health services and mental-health waiting lists.

Published statistics in:

- :func:`read_chs` (tidy long table :data:`CHS_SCHEMA`), :func:`read_chs_workbook` (-> :class:`ChsWorkbook`),
  :func:`read_chs_overview`, :func:`read_chs_series`, :func:`read_chs_non_submitters`,
  :func:`chs_revisions`, :func:`chs_national_check`: NHS England's Community Health Services waiting-list
  workbooks, and the check of every computed national figure against the workbook's own national row.
- :func:`read_talking_therapies` (:data:`TT_SCHEMA`), :func:`talking_therapies_standards`,
  :func:`standards_check`, :func:`waiting_for_treatment_bands`: NHS Talking Therapies monthly measures.
- :func:`bundled_path`: the bundled derived tables (``data/community/``).

Patient level:

- :class:`WaitType`, :class:`Standard`, :func:`standard_wait_types`, :func:`load_wait_types`,
  :func:`wait_type`: waiting-list types as configuration (clock start and stop milestones, standards).
- :func:`read_community_events`, :func:`conform_community_events` (:data:`EVENT_SCHEMA`),
  :func:`milestones`, :func:`build_waits`, :func:`open_waits`, :func:`completed_waits`: the clock engine.
- :func:`community_ptl`: the open list at the census with breach dates and a booking order.
- :func:`wait_measures`, :func:`chs_measures`, :func:`coarse_band_percentile`: measures and standards.
- :func:`waits_to_chs_bands`: patient-level waits counted in the CHS SitRep's bands (a provider's own return).
- :func:`synthesise_chs_provider` (-> :class:`SynthProvider`): a synthetic provider calibrated to a
  published CHS month.
- :class:`CommunityFileError`: a file that cannot be used (a ``BadInputError``: exit code 2).

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
See docs/community.md.
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
