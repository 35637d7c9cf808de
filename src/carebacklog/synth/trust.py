"""``synthesise_trust``: a provider's published month in, patient-level events and patients out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from carebacklog.synth.assumptions import PRIORITY_CODES, SURGICAL_GROUPS, TREATMENT_FUNCTION_CODES
from carebacklog.synth.calendar import day_number
from carebacklog.synth.errors import inject_errors
from carebacklog.synth.histories import ACTIVITIES, build_histories
from carebacklog.synth.identity import synthetic_identity
from carebacklog.synth.patients import ETHNIC_LETTERS, assign_patients, draw_patients
from carebacklog.synth.plan import OPEN, plan_pathways
from carebacklog.synth.targets import UNKNOWN_COMMISSIONER, month_targets

__all__ = ["SynthTrust", "group_of_treatment_function", "synthesise_trust"]

Progress = Callable[[str], None]

_DETAIL_TO_GROUP = {code: group for group, codes in TREATMENT_FUNCTION_CODES.items() for code, _ in codes}


def group_of_treatment_function(code: str) -> str:
    """Published RTT group (``C_110``, ``X05`` ...) of a treatment function code this generator records."""
    return _DETAIL_TO_GROUP.get(code, "X06")


@dataclass(frozen=True)
class SynthTrust:
    """A synthetic trust: ``events`` and ``patients`` in the input contract (docs/rules-rtt.md §Input contract)."""

    provider_code: str
    census_date: dt.date
    events: pl.DataFrame
    patients: pl.DataFrame
    injected_errors: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"pathway_id": pl.String, "event_id": pl.String, "issue": pl.String}
        )
    )
    #: What is booked at the census (``rtt.bookings``); empty unless asked for (``synth.synthetic_bookings``).
    bookings: pl.DataFrame = field(default_factory=pl.DataFrame)


def _detail_codes(groups: list[str], tf_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Index into the flat list of detailed codes (see ``_code_table``) for each pathway."""
    out = np.zeros(tf_idx.shape[0], dtype=np.int64)
    offset = 0
    u = np.asarray(rng.random(int(tf_idx.shape[0])))
    for g, label in enumerate(groups):
        codes = TREATMENT_FUNCTION_CODES.get(label, (("999", 1.0),))
        rows = tf_idx == g
        cum = np.cumsum([p for _, p in codes])
        out[rows] = offset + np.searchsorted(cum / cum[-1], u[rows], side="right").clip(0, len(codes) - 1)
        offset += len(codes)
    return out


def _code_table(groups: list[str]) -> list[str]:
    return [c for label in groups for c, _ in TREATMENT_FUNCTION_CODES.get(label, (("999", 1.0),))]


def synthesise_trust(
    extract: pl.DataFrame,
    provider_code: str,
    census_date: dt.date,
    *,
    rng: np.random.Generator,
    scale: float = 1.0,
    imd_gap_weeks: float = 0.0,
    data_errors: float = 0.0,
    shared_patients: float = 0.0,
    progress: Progress | None = None,
) -> SynthTrust:
    """Generate a trust whose clock-engine picture at ``census_date`` reproduces the published month.

    ``extract`` is the tidy table of :func:`carebacklog.published.read_rtt` (at least the columns
    ``provider_code, commissioner_code, part, treatment_function, weeks_band, count``) for the month that
    ends on ``census_date``. ``scale`` multiplies every count (e.g. to England size for benchmarks).
    ``imd_gap_weeks`` makes open pathways of the most deprived IMD quintile wait that many weeks longer on
    average than those of the least deprived. ``data_errors`` gives that share of pathways one known
    data-quality error (see :mod:`carebacklog.synth.errors`; listed in ``injected_errors``).
    ``shared_patients`` gives that share of pathways to a patient who already has another (NHS England's
    waiting list has about 1.19 pathways per patient: ``SHARED_PATIENT_SHARE`` = 0.16); by default each
    pathway has its own patient. The same ``rng`` state gives the same trust.
    """
    step = progress or (lambda _msg: None)
    if (census_date + dt.timedelta(days=1)).day != 1:
        raise ValueError(
            f"census date {census_date.isoformat()} is not a month end: a published RTT month is counted at "
            "its last day (e.g. 2024-11-30)"
        )
    census = day_number(census_date)
    month_start = day_number(census_date.replace(day=1))
    step("targets")
    targets = month_targets(extract, provider_code, scale=scale, rng=rng, census_date=census_date)
    step("plan")
    plan = plan_pathways(targets, month_start, census, rng)
    plan = plan.take(rng.permutation(len(plan)))
    groups = targets.treatment_functions
    surgical = np.asarray([g in SURGICAL_GROUPS for g in groups])
    step("histories")
    ev = build_histories(plan, surgical, month_start, census, rng)

    step("tables")
    n_main = len(plan)
    n_all = n_main + ev.prior_of.size
    # Pathways and patients: the earlier pathway behind a consultant referral shares the patient, the
    # commissioner and the treatment function of the pathway it led to.
    owner = np.concatenate([np.arange(n_main), ev.prior_of])
    code_idx = _detail_codes(groups, plan.tf_idx, rng).astype(np.int16)[owner]
    # Patients: some pathways belong to a patient who already has another (assign_patients); patients are
    # numbered in the order of the pathway that holds their attributes.
    if not 0 <= shared_patients < 1:
        raise ValueError(f"shared_patients must be in [0, 1), got {shared_patients}")
    holder = assign_patients(plan.tf_idx, groups, shared_patients, rng)
    # The distinct holders in ascending order and each pathway's rank among them: a mark and a running
    # count, O(n) (np.unique hashes and sorts: ~2 s at 2.6 M pathways).
    held = np.zeros(holder.size, dtype=bool)
    held[holder] = True
    holders = np.flatnonzero(held)
    patient_of = (np.cumsum(held) - 1).astype(np.int32)[holder][owner]
    width = max(9, len(str(n_all)))
    pathway_ids = pl.lit(f"{provider_code}") + pl.Series(np.arange(n_all)).cast(pl.String).str.zfill(width)
    ids = pl.select(pathway_ids.alias("p")).to_series()
    patient_ids = pl.select(
        (
            pl.lit(f"{provider_code}-P") + pl.Series(np.arange(holders.size)).cast(pl.String).str.zfill(width)
        ).alias("p")
    ).to_series()
    codes = pl.Series(_code_table(groups))
    commissioners = pl.Series(
        [None if c == UNKNOWN_COMMISSIONER else c for c in targets.commissioners], dtype=pl.String
    )
    pw = ev.pathway
    # event_id: provider code, then the pathway's number x 64 + the event's position in it (unique across
    # providers, so trusts can be loaded side by side).
    change = np.r_[True, pw[1:] != pw[:-1]]
    first = np.flatnonzero(change)
    seq = np.arange(pw.size) - np.repeat(first, np.diff(np.r_[first, pw.size]))
    priorities = pl.Series([None, *PRIORITY_CODES], dtype=pl.String)
    # Integer columns first; the string columns are then gathered in one select, which Polars runs in
    # parallel across columns.
    index = pl.DataFrame(
        {
            "_n": pw * 64 + seq,
            "_pw": pw,
            "_patient": patient_of[pw],
            "_code": code_idx[pw],
            "_cc": plan.cc_idx.astype(np.int32)[owner][pw],
            "_date": ev.date,
            "_act": ev.activity,
            "rtt_status": pl.Series(ev.status, dtype=pl.Int16),
            "_priority": ev.priority + np.int8(1),
            "_orig": ev.original_start,
        }
    )
    events = index.select(
        event_id=pl.concat_str(pl.lit(f"{provider_code}-"), pl.col("_n").cast(pl.String)),
        pathway_id=pl.lit(ids).gather(pl.col("_pw")),
        patient_id=pl.lit(patient_ids).gather(pl.col("_patient")),
        provider_code=pl.lit(provider_code, dtype=pl.String),
        treatment_function=pl.lit(codes).gather(pl.col("_code")),
        commissioner_code=pl.lit(commissioners).gather(pl.col("_cc")),
        event_date=pl.col("_date").cast(pl.Date),
        activity=pl.lit(pl.Series(list(ACTIVITIES))).gather(pl.col("_act")),
        rtt_status=pl.col("rtt_status"),
        priority=pl.lit(priorities).gather(pl.col("_priority")),
        # -1 marks "no original start date": only transfers in carry one.
        original_start_date=pl.when(pl.col("_orig") >= 0).then(pl.col("_orig")).cast(pl.Date),
    )
    del index

    step("patients")
    is_open = np.flatnonzero(plan.kind == OPEN)
    attrs = draw_patients(
        plan.tf_idx[holders],
        groups,
        (census - plan.start[is_open]) / 7.0,
        patient_of[is_open],
        census,
        rng,
        imd_gap_weeks=imd_gap_weeks,
    )
    patients = pl.DataFrame(
        {
            "patient_id": patient_ids,
            "birth_date": pl.Series(attrs["birth_date"]).cast(pl.Date),
            "sex": pl.Series(["M", "F"]).gather(attrs["female"].astype(np.int64)),
            "ethnic_category": pl.Series(ETHNIC_LETTERS).gather(attrs["ethnic_category"]),
            "imd_decile": pl.Series(attrs["imd_decile"]).cast(pl.Int8),
            "lsoa": pl.repeat(None, holders.size, dtype=pl.String, eager=True),
        }
    )
    patients = synthetic_identity(patients)
    if data_errors:
        events, injected = inject_errors(events, census, data_errors, rng)
        return SynthTrust(provider_code, census_date, events, patients, injected)
    return SynthTrust(provider_code, census_date, events, patients)
