"""NHS England's published RTT statistics: files in, headline measures out, monthly-return checks.

Public API:

* :func:`read_rtt` — Full CSV extracts (``.csv``/``.zip``), the 2014/15 commissioner workbooks and the New
  Periods provider workbook (``.xls``) into one tidy long table (``period, provider_parent_code,
  provider_code, commissioner_parent_code, commissioner_code, part, treatment_function, weeks_band,
  count, top_band``); several files give a time series.
* :func:`read_orgs` — organisation codes and names in those files.
* :func:`headline_measures` — total, known start, within 18 weeks (number and %), over 52/65/78/104
  weeks, median, 92nd and 95th percentile, new clock starts, for any grouping, by period.
* :func:`band_percentile` — NHS England's interpolated percentile of weekly-band counts.
* :func:`check_return`, :class:`CheckResult`, :class:`CheckThresholds` — the monthly-return checks
  (domain.md §4); :func:`check_extract_rows` — each Full CSV row's totals add up.
* :class:`PublishedFileError` — a file that cannot be read (names file, row, column).
* :data:`PART_OF` — ``part=`` words → RTT Part Type.

Written from our own PTL (docs/returns.md):

* :func:`return_counts`, :func:`monthly_return`, :func:`write_monthly_return` — the monthly RTT return in
  the Full CSV layout (:data:`FULL_CSV_COLUMNS`); :func:`organisations_from_published` — organisation
  names and parents for it from a published extract.
* :func:`wlmds_files`, :func:`write_wlmds`, :class:`WlmdsFiles` — the weekly WLMDS RTT files.
* :func:`group_treatment_function`, :func:`treatment_function_group_expr` — NHS England's
  treatment-function reporting groups (roll-ups and ``X02``–``X06``).

See docs/published.md.
"""

from carebacklog.published.checks import CheckResult, CheckThresholds, check_extract_rows, check_return
from carebacklog.published.extract import PublishedFileError
from carebacklog.published.measures import PART_OF, headline_measures
from carebacklog.published.percentile import band_percentile
from carebacklog.published.reader import read_orgs, read_rtt
from carebacklog.published.returns import (
    FULL_CSV_COLUMNS,
    monthly_return,
    organisations_from_published,
    return_counts,
    write_monthly_return,
)
from carebacklog.published.tf_grouping import group_treatment_function, treatment_function_group_expr
from carebacklog.published.wlmds import WlmdsFiles, wlmds_files, write_wlmds

__all__ = [
    "FULL_CSV_COLUMNS",
    "PART_OF",
    "CheckResult",
    "CheckThresholds",
    "PublishedFileError",
    "WlmdsFiles",
    "band_percentile",
    "check_extract_rows",
    "check_return",
    "group_treatment_function",
    "headline_measures",
    "monthly_return",
    "organisations_from_published",
    "read_orgs",
    "read_rtt",
    "return_counts",
    "treatment_function_group_expr",
    "wlmds_files",
    "write_monthly_return",
    "write_wlmds",
]
