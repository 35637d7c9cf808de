"""A simple synthetic event generator for benchmarks and property tests.

Not calibrated to any trust (that is :mod:`carebacklog.synth`): it produces a realistic *mix* of
events in the input contract, about five per pathway: a referral, first outpatient attendance (or a
first-appointment DNA that nullifies the clock), cancellations, follow-ups, later DNAs, decisions to
admit with a priority, admissions that stop the clock, non-admitted stops (treatment in clinic, active
monitoring, discharge), transfers out and post-treatment activity. Fully vectorised (NumPy), so ten
million events take seconds.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import polars as pl

from carebacklog.rtt.schema import ACTIVITIES, EVENT_SCHEMA, PRIORITIES

__all__ = ["generate_events"]

_TREATMENT_FUNCTIONS: Final = np.array(["100", "101", "110", "120", "130", "300", "320", "330", "502"])
_ACTIVITY_NAMES: Final = np.array(ACTIVITIES)  # indexed by the codes below, in the contract's order
_REF, _OP, _ADM, _DTA, _DNA, _CANCEL, _TRANSFER, _OTHER = range(8)
_NO_STATUS: Final = -1


def generate_events(
    n_pathways: int,
    census_date: date,
    rng: np.random.Generator,
    *,
    provider_code: str = "RXX",
    years: float = 3.0,
    categorical: bool = False,
) -> pl.DataFrame:
    """About ``5 * n_pathways`` events of ``n_pathways`` pathways referred over ``years`` before the census.

    Events dated after the census are left out (so recent pathways are still open). The frame has the
    contract's columns and is in random row order. With ``categorical``, the low-cardinality text
    columns (provider, treatment function, commissioner, activity, priority) are Categorical, as an
    England-scale extract would be held in memory.
    """
    n = int(n_pathways)
    census = np.datetime64(census_date, "D").astype(np.int64)
    referral = census - rng.integers(0, int(365 * years), n)

    slots: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    # Each slot: (present mask, day, activity code, status code).
    day = referral.copy()
    slots.append((np.ones(n, bool), day.copy(), np.full(n, _REF), np.full(n, 10)))
    gap = rng.gamma(2.0, 20.0, n).astype(np.int64) + 1
    day = day + gap
    first_dna = rng.random(n) < 0.04
    slots.append((np.ones(n, bool), day.copy(), np.where(first_dna, _DNA, _OP), np.where(first_dna, 33, 20)))
    alive = ~first_dna
    cancel = alive & (rng.random(n) < 0.35)
    day = day + rng.integers(3, 40, n)
    slots.append((cancel, day.copy(), np.full(n, _CANCEL), np.full(n, 20)))
    follow = alive & (rng.random(n) < 0.7)
    day = day + np.where(follow, rng.gamma(2.0, 25.0, n).astype(np.int64) + 1, 0)
    later_dna = follow & (rng.random(n) < 0.08)
    slots.append((follow, day.copy(), np.where(later_dna, _DNA, _OP), np.full(n, 20)))
    second = follow & (rng.random(n) < 0.45)
    day = day + np.where(second, rng.gamma(2.0, 20.0, n).astype(np.int64) + 1, 0)
    slots.append((second, day.copy(), np.full(n, _OP), np.full(n, 20)))
    transfer = alive & (rng.random(n) < 0.02)
    day = day + rng.integers(1, 30, n)
    slots.append((transfer, day.copy(), np.full(n, _TRANSFER), np.full(n, 21)))
    alive &= ~transfer
    dta = alive & (rng.random(n) < 0.45)
    prio = rng.choice(len(PRIORITIES), n, p=[0.01, 0.02, 0.17, 0.35, 0.4, 0.03, 0.02])
    slots.append((dta, day.copy(), np.full(n, _DTA), np.full(n, 20)))
    # Time from decision to treatment follows the priority: about the FSSA time frame for P1a-P3,
    # longer for P4 and the deferred P5/P6 (means in days, one per code in PRIORITIES order).
    mean_days = np.array([1.0, 3.0, 25.0, 70.0, 120.0, 180.0, 180.0])
    gap = np.where(dta, mean_days[prio], 60.0)
    treat_day = day + rng.gamma(2.0, gap / 2.0).astype(np.int64) + 1
    pre_op = dta & (rng.random(n) < 0.6)
    slots.append((pre_op, day + rng.integers(7, 30, n), np.full(n, _OTHER), np.full(n, 20)))
    tci_cancel = dta & (rng.random(n) < 0.15)
    slots.append((tci_cancel, treat_day - rng.integers(1, 10, n), np.full(n, _CANCEL), np.full(n, 20)))
    admitted = dta & (rng.random(n) < 0.95)
    slots.append((admitted, treat_day.copy(), np.full(n, _ADM), np.full(n, 30)))
    non_admitted = alive & ~dta & (rng.random(n) < 0.95)
    na_status = rng.choice(np.array([30, 31, 32, 34, 35, 36]), n, p=[0.55, 0.05, 0.15, 0.2, 0.04, 0.01])
    slots.append((non_admitted, treat_day.copy(), np.full(n, _OP), na_status))
    after = (admitted | non_admitted) & (rng.random(n) < 0.3)
    slots.append((after, treat_day + rng.integers(14, 60, n), np.full(n, _OP), np.full(n, 90)))

    present = np.concatenate([s[0] for s in slots])
    days = np.concatenate([s[1] for s in slots])[present]
    keep = days <= census
    pathway = np.tile(np.arange(n), len(slots))[present][keep]
    activity = np.concatenate([s[2] for s in slots])[present][keep]
    status = np.concatenate([s[3] for s in slots])[present][keep]
    days = days[keep]
    order = rng.permutation(len(days))
    pathway, activity, status, days = pathway[order], activity[order], status[order], days[order]
    tf = rng.integers(0, len(_TREATMENT_FUNCTIONS), n)[pathway]
    has_prio = activity == _DTA
    m = len(days)

    frame = pl.DataFrame(
        {
            "_eid": np.arange(m, dtype=np.int64),
            "_pw": pathway.astype(np.int64),
            "_tf": tf.astype(np.int32),
            "event_date": days.astype("datetime64[D]"),
            "_act": activity.astype(np.int8),
            "rtt_status": np.where(status == _NO_STATUS, 0, status).astype(np.int16),
            "_prio": np.where(has_prio, prio[pathway], -1).astype(np.int8),
        }
    )
    tf_names = dict(enumerate(_TREATMENT_FUNCTIONS.tolist()))
    act_names = dict(enumerate(_ACTIVITY_NAMES.tolist()))
    prio_names = dict(enumerate(PRIORITIES))
    out = frame.select(
        event_id=pl.lit("E") + pl.col("_eid").cast(pl.String),
        pathway_id=pl.lit("PW") + pl.col("_pw").cast(pl.String).str.zfill(9),
        patient_id=pl.lit("PT") + pl.col("_pw").cast(pl.String).str.zfill(9),
        provider_code=pl.lit(provider_code),
        treatment_function=pl.col("_tf").replace_strict(tf_names, return_dtype=pl.String),
        commissioner_code=pl.lit("QXX"),
        event_date=pl.col("event_date").cast(pl.Date),
        activity=pl.col("_act").replace_strict(act_names, return_dtype=pl.String),
        rtt_status=pl.col("rtt_status"),
        priority=pl.col("_prio").replace_strict(prio_names, default=None, return_dtype=pl.String),
        original_start_date=pl.lit(None, pl.Date),
    )
    out = out.select([pl.col(c).cast(t) for c, t in EVENT_SCHEMA.items()])
    if categorical:
        codes = ["provider_code", "treatment_function", "commissioner_code", "activity", "priority"]
        out = out.with_columns([pl.col(c).cast(pl.Categorical) for c in codes])
    return out
