"""Urgent care, hospital flow and capacity: NHS England's A&E, bed, diagnostics and cancellation files.

Public API (see docs/flow.md):

* :func:`read_flow` — the monthly A&E SitRep CSVs (incl. revised files), the tidy 2016–2019 A&E series,
  KH03 bed workbooks and the master quarterly KH03 trust panel, DM01 diagnostics workbooks and the
  quarterly cancelled-operations workbooks into one tidy table (:data:`FLOW_SCHEMA`); one reader per
  layout (:func:`read_ae_monthly`, :func:`read_ae_attendances_tidy`, :func:`read_kh03`,
  :func:`read_kh03_master`, :func:`read_dm01`, :func:`read_cancelled_ops`); :func:`identify`.
* :func:`national_check` — each file's England row against the sum of its provider rows.
* :class:`FlowFileError` — a file that cannot be read (names file, sheet, row and column).
"""

from carebacklog.flow.ae import read_ae_attendances_tidy, read_ae_monthly
from carebacklog.flow.beds import read_kh03, read_kh03_master
from carebacklog.flow.cancellations import read_cancelled_ops
from carebacklog.flow.diagnostics import read_dm01
from carebacklog.flow.reader import identify, read_flow, read_flow_file
from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, empty_flow
from carebacklog.flow.totals import national_check

__all__ = [
    "FLOW_SCHEMA",
    "FlowFileError",
    "empty_flow",
    "identify",
    "national_check",
    "read_ae_attendances_tidy",
    "read_ae_monthly",
    "read_cancelled_ops",
    "read_dm01",
    "read_flow",
    "read_flow_file",
    "read_kh03",
    "read_kh03_master",
]
