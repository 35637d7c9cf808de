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

See docs/published.md.
"""

from carebacklog.published.checks import CheckResult, CheckThresholds, check_extract_rows, check_return
from carebacklog.published.extract import PublishedFileError
from carebacklog.published.measures import PART_OF, headline_measures
from carebacklog.published.percentile import band_percentile
from carebacklog.published.reader import read_orgs, read_rtt

__all__ = [
    "PART_OF",
    "CheckResult",
    "CheckThresholds",
    "PublishedFileError",
    "band_percentile",
    "check_extract_rows",
    "check_return",
    "headline_measures",
    "read_orgs",
    "read_rtt",
]
