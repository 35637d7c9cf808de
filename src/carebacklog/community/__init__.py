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

Names are imported on first use (PEP 562), so ``carebacklog --help`` does not pay for Polars.
See docs/community.md.
"""

from __future__ import annotations

from importlib import import_module, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carebacklog.community.chs import (
        CHS_SCHEMA,
        ChsWorkbook,
        chs_national_check,
        chs_revisions,
        read_chs,
        read_chs_non_submitters,
        read_chs_overview,
        read_chs_series,
        read_chs_workbook,
    )
    from carebacklog.community.clock import (
        EVENT_SCHEMA,
        build_waits,
        completed_waits,
        conform_community_events,
        milestones,
        open_waits,
        read_community_events,
    )
    from carebacklog.community.errors import CommunityFileError
    from carebacklog.community.measures import chs_measures, coarse_band_percentile, wait_measures
    from carebacklog.community.ptl import community_ptl
    from carebacklog.community.sitrep import waits_to_chs_bands
    from carebacklog.community.synth import SynthProvider, synthesise_chs_provider
    from carebacklog.community.talking_therapies import (
        TT_SCHEMA,
        read_talking_therapies,
        standards_check,
        talking_therapies_standards,
        waiting_for_treatment_bands,
    )
    from carebacklog.community.types import (
        Standard,
        WaitType,
        load_wait_types,
        standard_wait_types,
        wait_type,
    )

_HOME: dict[str, str] = {
    **dict.fromkeys(
        ("CHS_SCHEMA", "ChsWorkbook", "chs_national_check", "chs_revisions", "read_chs", "read_chs_non_submitters",
         "read_chs_overview", "read_chs_series", "read_chs_workbook"), "chs"),
    **dict.fromkeys(
        ("EVENT_SCHEMA", "build_waits", "completed_waits", "conform_community_events", "milestones", "open_waits",
         "read_community_events"), "clock"),
    "CommunityFileError": "errors",
    **dict.fromkeys(("chs_measures", "coarse_band_percentile", "wait_measures"), "measures"),
    **dict.fromkeys(
        ("TT_SCHEMA", "read_talking_therapies", "standards_check", "talking_therapies_standards",
         "waiting_for_treatment_bands"), "talking_therapies"),
    "waits_to_chs_bands": "sitrep",
    "community_ptl": "ptl",
    **dict.fromkeys(("SynthProvider", "synthesise_chs_provider"), "synth"),
    **dict.fromkeys(("Standard", "WaitType", "load_wait_types", "standard_wait_types", "wait_type"), "types"),
}

__all__ = [
    "CHS_SCHEMA",
    "EVENT_SCHEMA",
    "TT_SCHEMA",
    "ChsWorkbook",
    "CommunityFileError",
    "Standard",
    "SynthProvider",
    "WaitType",
    "build_waits",
    "bundled_path",
    "chs_measures",
    "chs_national_check",
    "chs_revisions",
    "coarse_band_percentile",
    "community_ptl",
    "completed_waits",
    "conform_community_events",
    "load_wait_types",
    "milestones",
    "open_waits",
    "read_chs",
    "read_chs_non_submitters",
    "read_chs_overview",
    "read_chs_series",
    "read_chs_workbook",
    "read_community_events",
    "read_talking_therapies",
    "standard_wait_types",
    "standards_check",
    "synthesise_chs_provider",
    "talking_therapies_standards",
    "wait_measures",
    "wait_type",
    "waiting_for_treatment_bands",
    "waits_to_chs_bands",
]


def bundled_path(name: str) -> Path:
    """Path of a bundled file in ``carebacklog/data/community/`` (e.g. ``chs_waiting_lists_2024_25.parquet``)."""
    return Path(str(resources.files("carebacklog").joinpath(f"data/community/{name}")))


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'carebacklog.community' has no attribute {name!r}")
    value = getattr(import_module(f"carebacklog.community.{home}"), name)
    globals()[name] = value
    return value
