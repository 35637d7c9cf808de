"""What a synthetic trust has booked at its census: outpatient appointments and TCI dates, with rebookings.

For each open pathway at the census (through the RTT engine): with a decision to admit, a TCI date is
booked with probability :data:`P_TCI`; without, an outpatient appointment with :data:`P_APPOINTMENT`.
Booked dates fall 1 to 70 days after the census (so some land after the pathway's next breach date, the
"booked to breach" list), made 0 to 28 days before it. A share of bookings were made after the hospital
cancelled an earlier one (:data:`P_HOSPITAL_REBOOKED`: the cancelled booking is kept, marked), and a share
were cancelled by the patient and not yet rebooked (:data:`P_PATIENT_CANCELLED`: the pathway is unbooked).
Illustrative shares, not calibrated to a published figure (no national statistic of booked pathways is
published). Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

__all__ = ["P_APPOINTMENT", "P_HOSPITAL_REBOOKED", "P_PATIENT_CANCELLED", "P_TCI", "synthetic_bookings"]

P_TCI = 0.45
P_APPOINTMENT = 0.30
P_HOSPITAL_REBOOKED = 0.12
P_PATIENT_CANCELLED = 0.04


def synthetic_bookings(events: pl.DataFrame, census_date: dt.date, seed: int = 0) -> pl.DataFrame:
    """The bookings table (``rtt.bookings.BOOKING_SCHEMA``) of the open pathways of ``events``."""
    from carebacklog.rtt.bookings import BOOKING_SCHEMA
    from carebacklog.rtt.periods import build_periods

    rng = np.random.default_rng([seed, 7])
    open_ = build_periods(events, census_date).filter(pl.col("outcome") == "open").sort("pathway_id")
    n = open_.height
    dta = open_.get_column("has_dta").to_numpy()
    chosen = rng.random(n) < np.where(dta, P_TCI, P_APPOINTMENT)
    pathways = open_.get_column("pathway_id").to_numpy()[chosen]
    kinds = np.where(dta[chosen], "admission", "outpatient")
    k = int(chosen.sum())
    census = np.datetime64(census_date, "D")
    booked_for = census + rng.integers(1, 71, k).astype("timedelta64[D]")
    booked_on = census - rng.integers(0, 29, k).astype("timedelta64[D]")
    status = np.where(rng.random(k) < P_PATIENT_CANCELLED, "cancelled_by_patient", "booked")
    rows = pl.DataFrame(
        {"pathway_id": pathways, "booking_type": kinds, "booked_for": booked_for, "booked_on": booked_on,
         "status": status},
    )  # fmt: skip
    rebooked = rng.random(k) < P_HOSPITAL_REBOOKED
    earlier = rows.filter(pl.Series(rebooked)).with_columns(
        (pl.col("booked_on") - pl.duration(days=14)).alias("booked_on"),
        (pl.col("booked_for") - pl.duration(days=21)).alias("booked_for"),
        pl.lit("cancelled_by_hospital").alias("status"),
    )
    table = pl.concat([earlier, rows]).sort("pathway_id", "booked_on")
    table = table.with_columns(
        (pl.col("pathway_id") + pl.lit("-B") + pl.int_range(pl.len()).over("pathway_id").cast(pl.String)).alias(
            "booking_id"
        ),
        pl.col("booked_for").cast(pl.Date),
        pl.col("booked_on").cast(pl.Date),
    )
    return table.select([pl.col(c).cast(t) for c, t in BOOKING_SCHEMA.items()])
