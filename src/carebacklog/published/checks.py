"""The monthly RTT return's checks, on the tidy table.

``check_return(current, previous=None)`` runs every check on a return read with
``read_rtt(path, include_totals=True)`` (so the ``C_999`` roll-ups are there to be checked) — an NHS
England Full CSV extract or our own written return alike — and gives one :class:`CheckResult` each: pass
or fail, and the offending rows naming provider, commissioner, part and treatment function.

Checks (the consistency rules of NHS England's "RTT monthly data collection" return and its published
extract: parts are subsets of one another, roll-ups add up, counts are non-negative):

========================================  ========  =========================================================
name                                      severity  rule
========================================  ========  =========================================================
``no_negative_counts``                    error     no count is negative
``totals_equal_treatment_functions``      error     each ``C_999`` row equals the sum of its treatment
                                                    functions, band by band
``dta_within_incomplete``                 error     Part_2A ≤ Part_2 (DTA pathways are a subset of the
                                                    waiting list), per provider × commissioner × function
``completed_without_incomplete``          warning   a provider × function with completed pathways
                                                    (Part_1A/1B) has a waiting list (Part_2)
``early_waiters_within_new_starts``       warning   pathways waiting under 4 weeks (Part_2 bands 0–3, all
                                                    started this month) ≤ new clock starts (Part_3)
``new_starts_plausible``                  warning   new clock starts are not far more than the pathways
                                                    that could hold them (Part_2 + completed, bands 0–4)
``month_on_month_swing``                  warning   with ``previous``: no large change in a provider's
                                                    total per part, nor in its 52+ week waiters
``identical_to_previous``                 error     with ``previous``: no provider's return is identical
                                                    to last month's
========================================  ========  =========================================================

On the wide Full CSV rows themselves, :func:`check_extract_rows` checks ``row_totals_consistent`` (error):
each row's ``Total All`` = its bands + ``Patients with unknown clock start date``, and ``Total``, where
filled, = its bands (Part_3 rows publish ``Total All`` only).

Checks comparing parts are skipped when the return lacks one of those parts (e.g. a single-part 2014/15
workbook). Thresholds of the plausibility checks are ours (NHS England publishes none): :class:`CheckThresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from carebacklog.published.tidy import TOTAL_TREATMENT_FUNCTIONS

__all__ = ["CheckResult", "CheckThresholds", "check_extract_rows", "check_return"]

ORG = ["provider_code", "commissioner_code"]
DETAIL = ["provider_code", "commissioner_code", "part", "treatment_function"]


@dataclass(frozen=True)
class CheckThresholds:
    """Tolerances of the plausibility checks (our choices; see docs/published.md)."""

    #: early waiters may exceed new starts by this share plus ``early_waiters_slack`` pathways
    #: (transfers-in keep their clock start; month-end timing).
    early_waiters_ratio: float = 1.10
    early_waiters_slack: float = 10.0
    #: new starts may be up to this multiple of early waiters + early completions, plus the slack.
    new_starts_ratio: float = 3.0
    new_starts_slack: float = 50.0
    #: a provider's part total swings when it changes by ≥ this share and ≥ this many pathways.
    swing_share: float = 0.20
    swing_min: float = 250.0
    #: its 52+ week waiters swing when they change by ≥ this share and ≥ this many pathways.
    swing_52_share: float = 0.50
    swing_52_min: float = 25.0


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict and the rows that broke it."""

    name: str
    description: str
    severity: str  # "error" | "warning"
    passed: bool
    offending: pl.DataFrame = field(default_factory=pl.DataFrame)
    note: str = ""
    skipped: bool = False  # not run: the input it needs was not given (``note`` says what)

    def to_dict(self) -> dict[str, Any]:
        rows = self.offending.with_columns(
            pl.col(c).cast(pl.String) for c, t in self.offending.schema.items() if t == pl.Date
        ).to_dicts()
        return {"name": self.name, "description": self.description, "severity": self.severity,
                "passed": self.passed, "skipped": self.skipped, "note": self.note, "offending": rows}


def _result(name: str, description: str, severity: str, offending: pl.DataFrame, note: str = "") -> CheckResult:
    return CheckResult(name, description, severity, offending.height == 0, offending, note)


def _skipped(name: str, description: str, severity: str, note: str) -> CheckResult:
    return CheckResult(name, description, severity, True, pl.DataFrame(), note, skipped=True)


def _details(tidy: pl.DataFrame) -> pl.DataFrame:
    return tidy.filter(~pl.col("treatment_function").is_in(TOTAL_TREATMENT_FUNCTIONS))


def _sum(frame: pl.DataFrame, keys: list[str], alias: str) -> pl.DataFrame:
    return frame.group_by(keys).agg(pl.col("count").sum().alias(alias))


def _join(left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return left.join(right, on=keys, how="full", coalesce=True, nulls_equal=True)


def _negatives(tidy: pl.DataFrame) -> CheckResult:
    rows = tidy.filter(pl.col("count") < 0).select("period", *DETAIL, "weeks_band", "count")
    return _result("no_negative_counts", "No count is negative.", "error", rows)


def _totals(tidy: pl.DataFrame) -> CheckResult:
    name, text = "totals_equal_treatment_functions", "Each C_999 total equals the sum of its treatment functions."
    totals = tidy.filter(pl.col("treatment_function").is_in(TOTAL_TREATMENT_FUNCTIONS))
    if totals.height == 0:
        return _skipped(name, text, "error", "no C_999 rows to check (read with include_totals=True)")
    keys = ["period", *ORG, "part", "weeks_band"]
    rolled_up = totals.group_by(keys).agg(
        pl.col("count").sum().alias("total"), pl.col("treatment_function").first()
    )
    rows = (
        _join(rolled_up, _sum(_details(tidy), keys, "sum_of_treatment_functions"), keys)
        .with_columns(pl.col("total", "sum_of_treatment_functions").fill_null(0.0),
                      pl.col("treatment_function").fill_null(TOTAL_TREATMENT_FUNCTIONS[0]))
        .filter(pl.col("total") != pl.col("sum_of_treatment_functions"))
        .select("period", *DETAIL, "weeks_band", "total", "sum_of_treatment_functions")
        .sort("period", *DETAIL, "weeks_band", nulls_last=True)
    )
    return _result(name, text, "error", rows)


def _missing_parts(details: pl.DataFrame, *groups: tuple[str, ...]) -> str | None:
    """Why a check comparing parts cannot run: a group of parts with no rows in the return."""
    present = set(details["part"].unique().to_list())
    for parts in groups:
        if not present & set(parts):
            return f"the return has no {'/'.join(parts)} rows to compare"
    return None


def _dta(details: pl.DataFrame) -> CheckResult:
    name, text = "dta_within_incomplete", "Part_2A (waiting with a decision to admit) ≤ Part_2."
    if why := _missing_parts(details, ("Part_2A",), ("Part_2",)):
        return _skipped(name, text, "error", why)
    keys = ["period", *ORG, "treatment_function"]
    rows = (
        _join(_sum(details.filter(pl.col("part") == "Part_2A"), keys, "part_2a"),
              _sum(details.filter(pl.col("part") == "Part_2"), keys, "part_2"), keys)
        .fill_null(0.0)
        .filter(pl.col("part_2a") > pl.col("part_2"))
        .with_columns(pl.lit("Part_2A").alias("part"))
        .select("period", *DETAIL, "part_2a", "part_2")
        .sort("period", *DETAIL)
    )
    return _result(name, text, "error", rows)


def _completed_without_incomplete(details: pl.DataFrame) -> CheckResult:
    name, text = "completed_without_incomplete", "A provider × treatment function with completed pathways has a waiting list."
    if why := _missing_parts(details, ("Part_1A", "Part_1B"), ("Part_2",)):
        return _skipped(name, text, "warning", why)
    keys = ["period", "provider_code", "treatment_function"]
    rows = (
        _sum(details.filter(pl.col("part").is_in(["Part_1A", "Part_1B"])), keys, "completed")
        .join(_sum(details.filter(pl.col("part") == "Part_2"), keys, "incomplete"), on=keys, how="left",
              nulls_equal=True)
        .fill_null(0.0)
        .filter((pl.col("completed") > 0) & (pl.col("incomplete") == 0))
        .with_columns(pl.lit(None, pl.String).alias("commissioner_code"), pl.lit("Part_1A/Part_1B").alias("part"))
        .select("period", *DETAIL, "completed", "incomplete")
        .sort("period", *DETAIL)
    )
    return _result(name, text, "warning", rows)


def _new_starts(details: pl.DataFrame, t: CheckThresholds) -> list[CheckResult]:
    early_name, early_text = ("early_waiters_within_new_starts",
                              "Pathways waiting under 4 weeks (all started this month) do not outnumber new clock starts.")
    plausible_name, plausible_text = ("new_starts_plausible", "New clock starts are not far more than the early "
                                      "waiters and early completions that hold them.")
    if why := _missing_parts(details, ("Part_3",), ("Part_2",)):
        return [_skipped(early_name, early_text, "warning", why), _skipped(plausible_name, plausible_text, "warning", why)]
    keys = ["period", "provider_code", "treatment_function"]
    part_2 = details.filter(pl.col("part") == "Part_2")
    completed = details.filter(pl.col("part").is_in(["Part_1A", "Part_1B"]))
    joined = (
        _join(_sum(details.filter(pl.col("part") == "Part_3"), keys, "new_clock_starts"),
              _sum(part_2.filter(pl.col("weeks_band") <= 3), keys, "waiting_under_4_weeks"), keys)
        .pipe(_join, _sum(part_2.filter(pl.col("weeks_band") <= 4), keys, "waiting_under_5_weeks"), keys)
        .pipe(_join, _sum(completed.filter(pl.col("weeks_band") <= 4), keys, "completed_under_5_weeks"), keys)
        .fill_null(0.0)
        .with_columns(pl.lit(None, pl.String).alias("commissioner_code"), pl.lit("Part_3").alias("part"))
        .sort(keys)
    )
    values = ["new_clock_starts", "waiting_under_4_weeks", "waiting_under_5_weeks", "completed_under_5_weeks"]
    early = joined.filter(
        pl.col("waiting_under_4_weeks") > pl.col("new_clock_starts") * t.early_waiters_ratio + t.early_waiters_slack
    ).select("period", *DETAIL, *values)
    implausible = joined.filter(
        pl.col("new_clock_starts")
        > (pl.col("waiting_under_5_weeks") + pl.col("completed_under_5_weeks")) * t.new_starts_ratio
        + t.new_starts_slack
    ).select("period", *DETAIL, *values)
    return [_result(early_name, early_text, "warning", early),
            _result(plausible_name, plausible_text, "warning", implausible)]


def _swings(details: pl.DataFrame, previous: pl.DataFrame, t: CheckThresholds) -> CheckResult:
    keys = ["provider_code", "part"]

    def compare(cur: pl.DataFrame, prev: pl.DataFrame, share: float, minimum: float, label: str) -> pl.DataFrame:
        return (
            _join(_sum(cur, keys, "current"), _sum(prev, keys, "previous"), keys)
            .fill_null(0.0)
            .with_columns((pl.col("current") - pl.col("previous")).alias("change"))
            .filter((pl.col("change").abs() >= minimum)
                    & (pl.col("change").abs() >= share * pl.max_horizontal("previous", "current")))
            .with_columns(pl.lit(label).alias("measure"))
        )

    prev = _details(previous)
    over_52 = pl.col("weeks_band") >= 52
    rows = pl.concat([
        compare(details, prev, t.swing_share, t.swing_min, "total"),
        compare(details.filter((pl.col("part") == "Part_2") & over_52),
                prev.filter((pl.col("part") == "Part_2") & over_52), t.swing_52_share, t.swing_52_min, "over_52"),
    ]).with_columns(pl.lit(None, pl.String).alias("commissioner_code"),
                    pl.lit(None, pl.String).alias("treatment_function"))
    rows = rows.select(*DETAIL, "measure", "previous", "current", "change").sort("provider_code", "part", "measure")
    return _result("month_on_month_swing",
                   "No large month-on-month change in a provider's totals or 52+ week waiters.", "warning", rows)


def _identical(tidy: pl.DataFrame, previous: pl.DataFrame) -> CheckResult:
    cols = ["provider_code", "commissioner_code", "part", "treatment_function", "weeks_band", "count"]
    cur, prev = tidy.select(cols), previous.select(cols)
    changed = pl.concat([
        cur.join(prev, on=cols, how="anti", nulls_equal=True).select("provider_code"),
        prev.join(cur, on=cols, how="anti", nulls_equal=True).select("provider_code"),
    ]).unique()
    both = cur.select("provider_code").unique().join(prev.select("provider_code").unique(), on="provider_code")
    rows = (
        both.join(changed, on="provider_code", how="anti", nulls_equal=True)
        .join(_sum(cur, ["provider_code"], "pathways"), on="provider_code", nulls_equal=True)
        .filter(pl.col("pathways") > 0)
        .with_columns(pl.lit(None, pl.String).alias("commissioner_code"), pl.lit(None, pl.String).alias("part"),
                      pl.lit(None, pl.String).alias("treatment_function"))
        .select(*DETAIL, "pathways")
        .sort("provider_code")
    )
    return _result("identical_to_previous", "No provider's return is identical to last month's.", "error", rows)


def check_return(
    current: pl.DataFrame, previous: pl.DataFrame | None = None, thresholds: CheckThresholds | None = None
) -> list[CheckResult]:
    """Run the monthly-return checks on a tidy table (``read_rtt(..., include_totals=True)``).

    ``previous`` (last month's return, same form) enables the swing and identical-return checks; without
    it they are reported as skipped (``skipped=True``, counted as passed). Pure: frames in, results out.
    """
    t = thresholds or CheckThresholds()
    details = _details(current)
    results = [_negatives(current), _totals(current), _dta(details), _completed_without_incomplete(details),
               *_new_starts(details, t)]
    if previous is None:
        note = "needs --previous (last month's return)"
        results += [
            _skipped("month_on_month_swing", "No large month-on-month change in a provider's totals or 52+ "
                     "week waiters.", "warning", note),
            _skipped("identical_to_previous", "No provider's return is identical to last month's.", "error", note),
        ]
    else:
        results += [_swings(details, previous, t), _identical(current, previous)]
    return results


def check_extract_rows(wide: pl.DataFrame) -> CheckResult:
    """``row_totals_consistent`` on a Full CSV extract as read by ``read_extract_wide`` (rows in file order).

    Offending rows carry ``row`` (the line in the file, header = 1) besides the usual keys.
    """
    from carebacklog.published.extract import TOTAL_ALL, UNKNOWN_START, band_columns

    bands = list(band_columns(wide.columns))
    unknown = pl.col(UNKNOWN_START) if UNKNOWN_START in wide.columns else pl.lit(0.0)
    total = pl.col("Total") if "Total" in wide.columns else pl.lit(0.0)
    rows = (
        wide.with_row_index("row", offset=2)
        .with_columns(pl.sum_horizontal(bands).alias("sum_of_bands"), unknown.alias("unknown_start"),
                      total.alias("total"), pl.col(TOTAL_ALL).alias("total_all"))
        .filter(
            (pl.col("part") != "Part_3")
            & (((pl.col("sum_of_bands") + pl.col("unknown_start") - pl.col("total_all")).abs() > 1e-9)
               | ((pl.col("total") != 0) & ((pl.col("total") - pl.col("sum_of_bands")).abs() > 1e-9)))
        )
        .select("row", "period", *DETAIL, "sum_of_bands", "unknown_start", "total", "total_all")
    )
    return _result("row_totals_consistent",
                   "Each row's Total All equals its weekly bands plus unknown clock starts (and Total its bands).",
                   "error", rows)
