"""A bed-flow model of a real trust, from its published KH03 beds and A&E emergency admissions.

* beds: the trust's average general & acute beds available in the quarter (KH03), rounded;
* emergency admissions per day: its emergency admissions via A&E (all department types) plus other
  emergency admissions in the quarter's three months (A&E SitRep), over the days of those months;
* emergency length of stay: chosen so the model's average occupied beds equal KH03's occupied general &
  acute beds. By Little's law occupied = λ_em·(L + share·d) + λ_el·L_el, which gives a first L; since
  a full hospital turns electives away (and so carries less than it is offered), ``refine`` steps then
  add (target − simulated occupied beds) ÷ λ_em to L, each on three simulated years (common random numbers).

Elective admissions needing an overnight bed, the delayed-discharge share and its mean are not in these
files: they are arguments, to be taken from local data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl

from carebacklog.flow.bedsim import BedModel, simulate_beds

__all__ = ["calibrate_model"]

_EMERGENCY = ("emergency_admissions_type1", "emergency_admissions_type2", "emergency_admissions_other",
              "other_emergency_admissions")


def calibrate_model(
    flow: pl.DataFrame,
    org_code: str,
    quarter_end: dt.date,
    *,
    electives_per_weekday: float = 0.0,
    elective_los_days: float = 2.5,
    delayed_share: float = 0.0,
    delayed_days: float = 0.0,
    emergency_los_cv: float = 1.3,
    refine: int = 3,
    seed: int = 0,
) -> tuple[BedModel, dict[str, float]]:
    """The calibrated :class:`BedModel` and the published figures it was fitted to (``beds_available,
    beds_occupied, occupancy, emergency_per_day``). ``ValueError`` if the table lacks the quarter's KH03
    row or any of its three A&E months for ``org_code``."""
    if quarter_end.month not in (3, 6, 9, 12) or (quarter_end + dt.timedelta(days=1)).day != 1:
        raise ValueError(f"{quarter_end} is not the last day of a quarter")
    kh03 = flow.filter(
        (pl.col("publication") == "kh03") & (pl.col("level") == "provider") & (pl.col("org_code") == org_code)
        & (pl.col("period") == quarter_end)
    )
    beds = dict(kh03.select("measure", "value").iter_rows())
    if "beds_available_general_acute" not in beds or "beds_occupied_general_acute" not in beds:
        raise ValueError(f"no KH03 general & acute beds for {org_code} in the quarter ending {quarter_end}")
    first = dt.date(quarter_end.year, quarter_end.month - 2, 1)
    ae = flow.filter(
        (pl.col("publication") == "ae") & (pl.col("level") == "provider") & (pl.col("org_code") == org_code)
        & (pl.col("period") >= first) & (pl.col("period") <= quarter_end)
        & pl.col("measure").is_in(list(_EMERGENCY))
    )
    months = ae["period"].unique().sort().to_list()
    if len(months) != 3:
        raise ValueError(f"{org_code}: A&E months in the quarter ending {quarter_end}: {months}, need all three")
    days = (quarter_end - first).days + 1
    emergency_per_day = float(ae["value"].sum()) / days
    available, occupied = beds["beds_available_general_acute"], beds["beds_occupied_general_acute"]
    elective_beds = electives_per_weekday * 5 / 7 * elective_los_days
    los = (occupied - elective_beds) / emergency_per_day - delayed_share * delayed_days
    if los <= 0:
        raise ValueError(f"{org_code}: electives and delays alone fill the occupied beds; no emergency stay fits")
    model = BedModel(
        beds=round(available), emergency_per_day=emergency_per_day, emergency_los_days=los,
        emergency_los_cv=emergency_los_cv, electives_per_weekday=electives_per_weekday,
        elective_los_days=elective_los_days, delayed_share=delayed_share, delayed_days=delayed_days,
    )
    for _ in range(refine):
        simulated = simulate_beds(model, 3 * 365, rng=np.random.default_rng(seed)).mean_occupied_beds
        model = replace(model, emergency_los_days=model.emergency_los_days + (occupied - simulated) / emergency_per_day)
    published = {
        "beds_available": available,
        "beds_occupied": occupied,
        "occupancy": occupied / available * 100.0,
        "emergency_per_day": emergency_per_day,
    }
    return model, published
