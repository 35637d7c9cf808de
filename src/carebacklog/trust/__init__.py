"""carebacklog.trust: a trust's own database, day to day.

- :func:`load_extract`: a trust's extract (events, patients) → one snapshot per provider and census date,
  with provenance (file name and SHA-256, rows read, accepted and rejected, who, when); the same files are
  not loaded twice. :func:`snapshots_from_events` is its computation; :class:`LoadOutcome` what happened.
- :func:`changes_between` (:data:`CHANGE_SCHEMA`, :data:`CHANGE_KINDS`), :func:`summarise_changes`
  (:class:`ChangeSummary`): what changed between two PTL snapshots: joined, stopped (with outcome),
  removed, moved band, about to breach 18/52/65/78 weeks.
- :func:`compare_snapshots` (-> :class:`Comparison`), :func:`pick_snapshots`: the two snapshots to compare.
- :func:`file_sha256`, :func:`provider_names`.

The commands (``carebacklog load``, ``snapshots``, ``changes``, ``users ...``) are in ``cli.py``; the
daily refresh is described in docs/operations.md. The names are listed once, in ``__init__.pyi``.
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
