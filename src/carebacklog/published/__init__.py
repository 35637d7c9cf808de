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
  (docs/rules-rtt.md §Monthly-return checks); :func:`check_extract_rows` — each Full CSV row's totals add up.
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

The names are listed once, in ``__init__.pyi``, and loaded on first use (``carebacklog._lazy``).
"""

from carebacklog._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
