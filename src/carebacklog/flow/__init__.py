"""Urgent care, hospital flow and capacity: NHS England's A&E, bed, diagnostics and cancellation files.

Public API (see docs/flow.md):

* :func:`read_flow` — the monthly A&E SitRep CSVs (incl. revised files), the tidy 2016–2019 A&E series,
  KH03 bed workbooks and the master quarterly KH03 trust panel, DM01 diagnostics workbooks and the
  quarterly cancelled-operations workbooks into one tidy table (:data:`FLOW_SCHEMA`); one reader per
  layout (:func:`read_ae_monthly`, :func:`read_ae_attendances_tidy`, :func:`read_kh03`,
  :func:`read_kh03_master`, :func:`read_dm01`, :func:`read_cancelled_ops`); :func:`identify`;
  :func:`bundled_series` (the bundled tidy series) and :func:`bundled_ae_files`.
* :func:`national_check` — each file's England row against the sum of its provider rows;
  :func:`region_check` — its region rows against the providers of each region.
* :class:`FlowFileError` — a file that cannot be read (names file, sheet, row and column).
* Measures against their standards, by ``national``/``region``/``icb``/``provider``:
  :func:`ae_performance` (4-hour, all types and type 1, against :data:`AE_FOUR_HOUR_STANDARD`; 12-hour
  decision-to-admit waits), :func:`bed_occupancy` (general & acute, :data:`BED_OCCUPANCY_AMBITION`),
  :func:`diagnostic_waits` (6+ weeks, all tests or by test, :data:`DM01_STANDARD`,
  :data:`DM01_INTERIM_STANDARD`), :func:`cancelled_operations` (last-minute, 28-day breaches);
  :func:`peer_rank` (rank and quartile among peers), :func:`provider_chart` (XmR chart),
  :func:`with_icb` / :func:`load_trust_icbs` (ICB of each trust from ODS); :func:`trust_summary` (one
  trust's latest headlines with target, peer rank and SPC variation, for its page).
* Bed-flow simulation of one hospital: :class:`BedModel`, :func:`simulate_beds` → :class:`BedFlowResult`
  (occupancy, decision-to-admit waits over 4 and 12 hours, elective cancellations for want of a bed,
  delayed-discharge bed days); scenarios :func:`discharge_service`, :func:`ring_fence`,
  :func:`extra_beds`, compared with :func:`compare_scenarios`; :func:`erlang_b`; :func:`calibrate_model` (a real trust from KH03 and A&E).

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
