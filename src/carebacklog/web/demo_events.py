"""A small, realistic event table for the demo trust, calibrated to a provider's published month.

Used by ``carebacklog demo`` while the synthetic-trust package (``carebacklog.synth``) is not available.
Open pathways are drawn from the provider's published Part_2 counts by treatment function and weeks band
(so the PTL's list size and wait profile match the published month); completed pathways are added from
the Part_1A / Part_1B counts, scaled to a year. Events follow the design.md input contract.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["OTHER_GROUP_CODE", "published_profile", "synthetic_events"]

_BAND_COLUMNS = [f"Gt {w:02d} To {w + 1:02d} Weeks SUM 1" for w in range(104)] + ["Gt 104 Weeks SUM 1"]
#: A detailed treatment function reported in each "Other" group (NHS England's RTT reporting list).
OTHER_GROUP_CODE = {"X02": "361", "X03": "710", "X04": "420", "X05": "104", "X06": "650"}
_PRIORITIES = np.array(["P2", "P3", "P4"])
_PRIORITY_P = np.array([0.15, 0.45, 0.40])
# Dorset's population: NHS data dictionary ethnic category codes, weighted towards White British (A).
_ETHNIC = np.array(["A", "B", "C", "D", "H", "J", "L", "M", "N", "R", "S", "Z"])
_ETHNIC_P = np.array([0.86, 0.01, 0.04, 0.005, 0.01, 0.005, 0.005, 0.005, 0.005, 0.005, 0.01, 0.04])
_DECILE_P = np.array([0.04, 0.06, 0.08, 0.10, 0.12, 0.13, 0.13, 0.12, 0.11, 0.11])


def published_profile(path: Path, provider_code: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(open, completed) counts by treatment function and weeks band from a Full CSV extract.

    ``C_999`` roll-ups are dropped; the ``X0n`` "other" groups are given one detailed code each that NHS
    England reports in that group (:data:`OTHER_GROUP_CODE`), since a pathway carries a real code.
    """
    raw = pl.read_csv(path, infer_schema_length=0)
    raw = raw.filter(
        (pl.col("Provider Org Code") == provider_code) & (pl.col("Treatment Function Code") != "C_999")
    )
    long = (
        raw.select(
            pl.col("RTT Part Type").alias("part"),
            pl.col("Treatment Function Code")
            .replace(OTHER_GROUP_CODE)
            .str.replace("C_", "")
            .alias("treatment_function"),
            *[
                pl.col(c).cast(pl.Float64, strict=False).fill_null(0).alias(str(i))
                for i, c in enumerate(_BAND_COLUMNS)
            ],
        )
        .unpivot(index=["part", "treatment_function"], variable_name="band", value_name="count")
        .with_columns(pl.col("band").cast(pl.Int32))
        .group_by("part", "treatment_function", "band")
        .agg(pl.col("count").sum())
        .filter(pl.col("count") > 0)
    )
    open_ = long.filter(pl.col("part") == "Part_2").drop("part")
    done = long.filter(pl.col("part").is_in(["Part_1A", "Part_1B"]))
    return open_, done


def _days_in_band(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    # design.md semantics 8: band 0 is days 0-7, band b (1..103) is days 7b+1 .. 7b+7, 104 is 729+.
    low = np.where(band == 0, 0, 7 * band + 1)
    width = np.where(band == 0, 8, np.where(band >= 104, 60, 7))
    return low + (rng.random(band.size) * width).astype(np.int64)


def synthetic_events(
    open_profile: pl.DataFrame,
    completed_profile: pl.DataFrame,
    *,
    provider_code: str,
    commissioner_codes: list[str],
    census_date: dt.date,
    rng: np.random.Generator,
    scale: float = 1.0,
    completed_months: int = 12,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(events, patients) for one provider: open pathways as published at ``census_date``, plus a year of
    completed ones. ``scale`` multiplies every count (``0.1`` for a quick test trust)."""
    counts = np.round(open_profile["count"].to_numpy() * scale).astype(np.int64)
    tf_open = np.repeat(open_profile["treatment_function"].to_numpy(), counts)
    wait_open = _days_in_band(rng, np.repeat(open_profile["band"].to_numpy(), counts))
    done_counts = np.round(completed_profile["count"].to_numpy() * scale * completed_months).astype(np.int64)
    tf_done = np.repeat(completed_profile["treatment_function"].to_numpy(), done_counts)
    part_done = np.repeat(completed_profile["part"].to_numpy(), done_counts)
    wait_done = _days_in_band(rng, np.repeat(completed_profile["band"].to_numpy(), done_counts))
    stop_back = (rng.random(tf_done.size) * 30.4 * completed_months).astype(np.int64)

    n_open, n_done = tf_open.size, tf_done.size
    n = n_open + n_done
    tf = np.concatenate([tf_open, tf_done])
    census = np.datetime64(census_date, "D")
    stop = np.concatenate([np.full(n_open, census), census - stop_back.astype("timedelta64[D]")])
    start = stop - np.concatenate([wait_open, wait_done]).astype("timedelta64[D]")
    is_open = np.arange(n) < n_open
    admitted = np.concatenate([np.zeros(n_open, bool), part_done == "Part_1A"])
    # Open admitted-pathway patients carry a decision to admit (Part_2A is about a third of Part_2).
    dta = np.where(is_open, rng.random(n) < 0.33, admitted)
    waited = (stop - start).astype(np.int64)
    first_op = start + (np.minimum(waited, 14 + rng.integers(0, 70, n)) * rng.random(n) * 0.6).astype(
        "timedelta64[D]"
    )
    dta_day = first_op + ((stop - first_op).astype(np.int64) * rng.random(n) * 0.5).astype("timedelta64[D]")
    priority = np.where(dta, rng.choice(_PRIORITIES, n, p=_PRIORITY_P), np.array(None, dtype=object))
    pathway = np.char.add(f"{provider_code}-", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    n_patients = int(n / 1.15) + 1
    patient_of = rng.integers(0, n_patients, n)
    patient_ids = np.char.add("P", np.char.zfill(np.arange(n_patients).astype(str), 7))
    commissioner = rng.choice(
        np.array(commissioner_codes), n, p=_commissioner_weights(len(commissioner_codes))
    )

    def frame(
        mask: np.ndarray, date: np.ndarray, activity: str, status: np.ndarray | int, with_priority: bool
    ):
        idx = np.flatnonzero(mask)
        stat = status[idx] if isinstance(status, np.ndarray) else np.full(idx.size, status)
        return pl.DataFrame(
            {
                "pathway_id": pathway[idx],
                "patient_id": patient_ids[patient_of[idx]],
                "provider_code": provider_code,
                "commissioner_code": commissioner[idx],
                "treatment_function": tf[idx],
                "event_date": date[idx].astype("datetime64[D]"),
                "activity": activity,
                "rtt_status": stat.astype(np.int16),
                "priority": priority[idx] if with_priority else np.full(idx.size, None),
            },
            schema_overrides={"priority": pl.String, "event_date": pl.Date},
        )

    has_op = (first_op > start) & (first_op < stop)
    cancelled = is_open & (rng.random(n) < 0.08) & has_op
    done_status = np.where(rng.random(n) < 0.85, 30, rng.choice(np.array([31, 32, 34, 35]), n))
    parts = [
        frame(np.ones(n, bool), start, "referral", 10, False),
        frame(has_op, first_op, "outpatient", 20, False),
        frame(cancelled, first_op + np.timedelta64(1, "D"), "cancellation", 20, False),
        frame(dta & (dta_day >= first_op) & (dta_day < stop), dta_day, "decision_to_admit", 20, True),
        frame(~is_open & admitted, stop, "admission", 30, True),
        frame(~is_open & ~admitted, stop, "outpatient", done_status, False),
    ]
    events = (
        pl.concat(parts, how="vertical_relaxed")
        .sort("pathway_id", "event_date")
        .with_columns(
            (pl.lit(f"{provider_code}-E") + pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias(
                "event_id"
            ),
            pl.lit(None, dtype=pl.Date).alias("original_start_date"),
        )
    )
    patients = _patients(rng, patient_ids, census_date)
    return events, patients.filter(pl.col("patient_id").is_in(events["patient_id"].unique().implode()))


def _commissioner_weights(k: int) -> np.ndarray:
    weights = np.array([0.9] + [0.1 / max(k - 1, 1)] * (k - 1)) if k > 1 else np.array([1.0])
    return weights / weights.sum()


def _patients(rng: np.random.Generator, ids: np.ndarray, census_date: dt.date) -> pl.DataFrame:
    n = ids.size
    # Elective patients are older than the population: ages 0-95, centred on the late fifties.
    age_days = (np.clip(rng.normal(57, 20, n), 0, 98) * 365.25).astype(np.int64)
    birth = np.datetime64(census_date, "D") - age_days.astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "patient_id": ids,
            "birth_date": birth,
            "sex": rng.choice(np.array(["2", "1"]), n, p=[0.54, 0.46]),
            "ethnic_category": rng.choice(_ETHNIC, n, p=_ETHNIC_P / _ETHNIC_P.sum()),
            "imd_decile": rng.choice(np.arange(1, 11), n, p=_DECILE_P / _DECILE_P.sum()).astype(np.int16),
            "lsoa": np.char.add("E0100", np.char.zfill(rng.integers(0, 9999, n).astype(str), 4)),
        },
        schema_overrides={"birth_date": pl.Date},
    )
