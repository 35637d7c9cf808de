"""The simulated population: the starting list plus every referral over the horizon, drawn up front.

Everything random about a patient is drawn in bulk when the population is built, so the daily loop makes
no per-patient draws: the referral day (a Poisson process per specialty with a weekday pattern and
compound annual growth), the priority, routing to an assessment centre, the day they would leave the list
untreated (renege: exponential with the weekly hazard) and the days their priority would rise
(deterioration: a chain of exponential times, one per step up). Competing risks resolve in the engine:
whichever of treatment, renege or the end of the horizon comes first.

Day numbers count from the simulation start: day 0 is the day after the census date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carebacklog.booking.scenario import DUE_DAYS, PRIORITY_CODES, PRIORITY_LABELS, Scenario

__all__ = [
    "GROUP_COLUMNS",
    "NO_DAY",
    "NO_PRIORITY",
    "PRIORITY_LABELS",
    "PRIORITY_RANK",
    "Population",
    "build_population",
    "capacity_calendar",
    "n_pools",
    "normalise_treatment_function",
]

#: A day that never comes (no due date, never reneges).
NO_DAY = np.iinfo(np.int32).max // 2
#: Label index of a pathway without a priority code ("none"): it books after P4 and deteriorates as P4.
NO_PRIORITY = len(PRIORITY_CODES)
#: Booking rank of each label, as the PTL's booking order (carebacklog.rtt BOOKING_ORDER, docs/rules-rtt.md §Clinical priority):
#: P1a, P1b, P2, P3, P4, then pathways without a priority, then P5/P6 (patient chose to defer).
PRIORITY_RANK = np.array([0, 1, 2, 3, 4, 6, 6, 5], dtype=np.int8)
_DUE = np.array([DUE_DAYS.get(code, NO_DAY) for code in PRIORITY_LABELS], dtype=np.int64)
#: Equity dimensions of the PTL contract (docs/architecture.md) carried through the simulation.
GROUP_COLUMNS: tuple[str, ...] = ("imd_quintile", "ethnic_group", "age_band", "sex")


def normalise_treatment_function(code: object) -> str:
    """'C_110' and '110' name the same treatment function."""
    text = str(code).strip()
    return text[2:] if text.upper().startswith("C_") else text


@dataclass
class Population:
    """Struct-of-arrays patient table (index = patient id) plus its category labels."""

    columns: dict[str, np.ndarray]
    groups: dict[str, tuple[str, ...]]
    n_existing: int
    #: Arrivals on day d into pool p are ids pool_offsets[d·P + p] … pool_offsets[d·P + p + 1] − 1
    #: (P = n_pools(scenario): see :func:`n_pools`).
    pool_offsets: np.ndarray
    det_day: np.ndarray  # deterioration events sorted by day
    det_patient: np.ndarray
    det_label: np.ndarray
    pathway_id: np.ndarray  # object array of the starting list's pathway ids

    @property
    def size(self) -> int:
        return int(self.columns["clock_start"].size)


def n_pools(scenario: Scenario) -> int:
    """Pools: 0 … S−1 the specialties' (admitted) lists, S the assessment centre, S+1+s specialty s's
    outpatient stage (empty unless the specialty has one)."""
    return 2 * len(scenario.specialties) + 1


def capacity_calendar(scenario: Scenario, start: dt.date, days: int, rng: np.random.Generator) -> np.ndarray:
    """Integer slots per day and pool ([days, n_pools]; see :func:`n_pools`).

    Fractional capacity (e.g. 2.5 cases) is rounded stochastically so the expected total is exact. Extra
    sessions add to the admitted list; strikes hit both stages of the named specialties (and the centre
    when no specialty is named).
    """
    n_spec = len(scenario.specialties)
    index = {code: i for i, code in enumerate(scenario.specialty_codes())}
    dates = [start + dt.timedelta(days=d) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
    ordinal = np.array([d.toordinal() for d in dates], dtype=np.int64)
    cap = np.zeros((days, n_pools(scenario)), dtype=np.float64)
    for i, spec in enumerate(scenario.specialties):
        cap[:, i] = np.asarray(spec.sessions_per_week)[weekday] * spec.cases_per_session
        if spec.outpatient is not None:
            stage = spec.outpatient
            cap[:, n_spec + 1 + i] = np.asarray(stage.sessions_per_week)[weekday] * stage.cases_per_session
    for extra in scenario.extra_sessions:
        active = ordinal >= extra.from_date.toordinal()
        if extra.until_date is not None:
            active &= ordinal <= extra.until_date.toordinal()
        targets = [index[extra.treatment_function]] if extra.treatment_function else range(n_spec)
        for i in targets:
            cases = extra.cases_per_session
            if cases is None:
                cases = scenario.specialties[i].cases_per_session
            cap[:, i] += np.where(active, np.asarray(extra.sessions)[weekday] * cases, 0.0)
    centre = scenario.assessment_centre
    if centre is not None:
        active = ordinal >= centre.from_date.toordinal()
        cap[:, n_spec] = np.where(active, np.asarray(centre.sessions_per_week)[weekday], 0.0)
        cap[:, n_spec] *= centre.cases_per_session
    for strike in scenario.strikes:
        hit = np.isin(ordinal, [d.toordinal() for d in strike.dates])
        if strike.treatment_functions:
            cols = [index[c] for c in strike.treatment_functions]
            cols += [n_spec + 1 + i for i in cols]
        else:
            cols = list(range(cap.shape[1]))
        for i in cols:
            cap[hit, i] *= 1.0 - strike.capacity_lost
    whole = np.floor(cap)
    return (whole + (rng.random(cap.shape) < cap - whole)).astype(np.int64)


def _codes(values: list[object], fill: str = "Unknown") -> tuple[np.ndarray, tuple[str, ...]]:
    text = [fill if v is None else str(v) for v in values]
    labels = tuple(sorted(set(text) | {fill}))
    lookup = {label: i for i, label in enumerate(labels)}
    return np.array([lookup[t] for t in text], dtype=np.int16), labels


def _existing(
    ptl: pl.DataFrame, scenario: Scenario, census_date: dt.date
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]], np.ndarray]:
    """Columns of the starting list (PTL snapshot contract) as day numbers and codes."""
    required = ("pathway_id", "treatment_function", "clock_start")
    missing = [c for c in required if c not in ptl.columns]
    if missing:
        raise ValueError(f"starting list lacks column(s) {missing}; a PTL snapshot has {list(required)}")
    codes = scenario.specialty_codes()
    tf = ptl["treatment_function"].cast(pl.String).str.strip_chars().str.replace(r"^[Cc]_", "")
    unknown = sorted(set(tf.unique().to_list()) - set(codes))
    if unknown:
        raise ValueError(
            f"treatment functions {unknown} on the starting list have no capacity in the scenario; "
            "add them to scenario.specialties"
        )
    specialty = tf.replace_strict(codes, list(range(len(codes))), return_dtype=pl.Int16).to_numpy()
    day0 = census_date + dt.timedelta(days=1)
    starts = ptl["clock_start"].cast(pl.Date)
    if starts.null_count():
        row = int(starts.is_null().arg_true()[0]) + 1
        raise ValueError(f"starting list row {row}: column clock_start is empty")
    clock_start = (starts - day0).dt.total_days().to_numpy().astype(np.int32)
    prio = ptl["priority"].cast(pl.String) if "priority" in ptl.columns else pl.Series([None] * ptl.height, dtype=pl.String)
    bad = sorted(set(prio.drop_nulls().unique().to_list()) - set(PRIORITY_CODES))
    if bad:
        raise ValueError(f"starting list column priority has unknown codes {bad}")
    label = (
        prio.replace_strict(list(PRIORITY_CODES), list(range(len(PRIORITY_CODES))), default=NO_PRIORITY, return_dtype=pl.Int8)
        .fill_null(NO_PRIORITY)
        .to_numpy()
    )
    due = np.minimum(clock_start.astype(np.int64) + _DUE[label], NO_DAY)
    if "priority_due_date" in ptl.columns:
        given = ptl["priority_due_date"].cast(pl.Date)
        given_day = (given - day0).dt.total_days().fill_null(NO_DAY).to_numpy()
        due = np.where(given.is_null().to_numpy(), due, given_day)
    dta = ptl["has_dta"].cast(pl.Boolean).fill_null(False).to_numpy() if "has_dta" in ptl.columns else False
    columns = {
        "clock_start": clock_start,
        "specialty": specialty,
        "priority_label": label,
        "due_day": due.astype(np.int32),
        # on the admitted list: a decision to admit, or a priority code (set with the decision)
        "admitted": np.asarray(dta, dtype=bool) | (label != NO_PRIORITY),
    }
    groups: dict[str, tuple[str, ...]] = {}
    for name in GROUP_COLUMNS:
        values = ptl[name].to_list() if name in ptl.columns else [None] * ptl.height
        if name == "imd_quintile":
            q = np.array([0 if v is None else int(v) for v in values], dtype=np.int8)
            if ((q < 0) | (q > 5)).any():
                raise ValueError("starting list column imd_quintile must be 1..5 or empty")
            columns[name] = q
        else:
            columns[name], groups[name] = _codes(values)
    return columns, groups, np.array(ptl["pathway_id"].cast(pl.String).to_list(), dtype=object)


def _renege_days(
    scenario: Scenario, clock_start: np.ndarray, ref_day: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The day each patient would leave the list untreated (NO_DAY: never), drawn from the reference day.

    Constant hazard: an exponential time. Hazard by weeks waited (piecewise constant): invert the
    cumulative hazard H from the patient's wait at the reference day w0, t = H⁻¹(H(w0) + E) − w0 with
    E ~ Exp(1) (the usual inversion for a non-homogeneous hazard).
    """
    n = clock_start.size
    bands = scenario.renege_by_weeks_waited
    if bands is None:
        if scenario.renege_rate_per_week <= 0:
            return np.full(n, NO_DAY, dtype=np.int32)
        with np.errstate(over="ignore"):  # a tiny rate: never within the horizon
            wait = rng.exponential(size=n) * 7.0 / scenario.renege_rate_per_week
    else:
        edges = np.array([7.0 * b.from_week for b in bands] + [7.0 * bands[-1].from_week + 1.0e6])
        # a floor keeps H strictly increasing so it can be inverted by interpolation
        per_day = np.maximum(np.array([b.rate_per_week / 7.0 for b in bands]), 1.0e-12)
        cumulative = np.concatenate([[0.0], np.cumsum(per_day * np.diff(edges))])
        waited = np.maximum(ref_day - clock_start, 0).astype(np.float64)
        target = np.interp(waited, edges, cumulative) + rng.exponential(size=n)
        beyond = target >= cumulative[-1]
        wait = np.where(beyond, np.inf, np.interp(target, cumulative, edges) - waited)
    renege = ref_day + 1 + np.floor(np.minimum(wait, NO_DAY / 2))
    return np.minimum(renege, NO_DAY).astype(np.int32)


def _deterioration_chain(
    scenario: Scenario, label: np.ndarray, ref_day: np.ndarray, horizon: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deterioration events (day, patient, new label), sorted by day then step."""
    per_day = np.zeros(len(PRIORITY_LABELS), dtype=np.float64)
    for code, rate in scenario.deterioration_rate_per_week.items():
        per_day[PRIORITY_CODES.index(code)] = rate / 7.0
    per_day[NO_PRIORITY] = per_day[PRIORITY_CODES.index("P4")]
    n = label.size
    cur = label.astype(np.int64)
    t = np.zeros(n)
    days, patients, labels = [], [], []
    for _ in range(4):  # at most P4 → P3 → P2 → P1b → P1a
        step_rate = per_day[cur]
        with np.errstate(divide="ignore", over="ignore"):  # a tiny rate: a time beyond the horizon
            t = t + np.where(step_rate > 0, rng.exponential(size=n) / np.where(step_rate > 0, step_rate, 1.0), np.inf)
        day = ref_day + 1 + np.floor(np.minimum(t, horizon + 1))
        new = np.where(cur == NO_PRIORITY, 3, cur - 1)
        hit = np.isfinite(t) & (day < horizon) & (step_rate > 0)
        days.append(day[hit].astype(np.int64))
        patients.append(np.flatnonzero(hit))
        labels.append(new[hit].astype(np.int8))
        cur = np.where(step_rate > 0, np.maximum(new, 0), cur)
    day_all = np.concatenate(days)
    order = np.argsort(day_all, kind="stable")  # stable: a later step on the same day applies last
    return day_all[order], np.concatenate(patients)[order], np.concatenate(labels)[order]


def build_population(
    ptl: pl.DataFrame | None,
    scenario: Scenario,
    census_date: dt.date,
    days: int,
    rng: np.random.Generator,
) -> Population:
    """The starting list plus every referral over ``days`` days, with all their random times drawn."""
    n_spec = len(scenario.specialties)
    ptl = ptl if ptl is not None else pl.DataFrame()
    if ptl.height:
        old, groups, pathway_id = _existing(ptl, scenario, census_date)
    else:
        old = {
            "clock_start": np.empty(0, np.int32),
            "specialty": np.empty(0, np.int16),
            "priority_label": np.empty(0, np.int8),
            "due_day": np.empty(0, np.int32),
            "admitted": np.empty(0, bool),
            "imd_quintile": np.empty(0, np.int8),
        }
        groups = {}
        for name in GROUP_COLUMNS[1:]:
            old[name], groups[name] = _codes([])
        pathway_id = np.empty(0, dtype=object)
    n_old = old["clock_start"].size

    # Referrals: Poisson per day and specialty. Weekday pattern normalised to a mean of 1; growth compounds.
    start = census_date + dt.timedelta(days=1)
    weekday = np.array([(start + dt.timedelta(days=d)).weekday() for d in range(days)])
    pattern = np.asarray(scenario.weekday_pattern, dtype=np.float64)
    pattern = pattern * 7.0 / pattern.sum()
    growth = (1.0 + scenario.annual_growth) ** (np.arange(days) / 365.25)
    weekly = np.array([s.referrals_per_week for s in scenario.specialties])
    counts = rng.poisson(np.outer(pattern[weekday] * growth, weekly / 7.0))  # [days, n_spec]
    day = np.repeat(np.repeat(np.arange(days), n_spec), counts.ravel()).astype(np.int32)
    spec = np.repeat(np.tile(np.arange(n_spec), days), counts.ravel()).astype(np.int16)
    n_new = day.size
    mix = np.zeros(len(PRIORITY_LABELS))
    for code, share in scenario.priority_mix.items():
        mix[PRIORITY_LABELS.index(code)] = share
    label = rng.choice(len(PRIORITY_LABELS), size=n_new, p=mix / mix.sum()).astype(np.int8)

    # Two-stage specialties: referrals start in outpatients without a priority; the priority they get at a
    # decision to admit is drawn now (codes only) and applied if they convert.
    two_stage = np.array([sp.outpatient is not None for sp in scenario.specialties], dtype=bool)
    pool = np.where(two_stage[spec], n_spec + 1 + spec, spec).astype(np.int16)
    label = np.where(two_stage[spec], NO_PRIORITY, label).astype(np.int8)
    centre = scenario.assessment_centre
    if centre is not None:
        codes = scenario.specialty_codes()
        spec_ok = np.array([centre.treatment_functions is None or c in centre.treatment_functions for c in codes])
        prio_ok = np.isin(label, [PRIORITY_LABELS.index(p) for p in centre.priorities])
        from_day = (centre.from_date - start).days
        routed = spec_ok[spec] & prio_ok & (day >= from_day) & (rng.random(n_new) < centre.referral_share)
        pool[routed] = n_spec
    # Arrivals sorted by (day, pool) so each day's arrivals into a pool are one id range.
    order = np.lexsort((pool, day))
    day, spec, label, pool = day[order], spec[order], label[order], pool[order]
    total_pools = n_pools(scenario)
    key = day.astype(np.int64) * total_pools + pool
    pool_offsets = np.searchsorted(key, np.arange(days * total_pools + 1), side="left") + n_old

    # Equity attributes of new referrals: resampled from the starting list (its joint distribution), or
    # IMD quintiles in equal fifths (quintiles are fifths of LSOAs by construction) when starting empty.
    new: dict[str, np.ndarray] = {
        "clock_start": day,
        "specialty": spec,
        "priority_label": label,
        "due_day": np.minimum(day.astype(np.int64) + _DUE[label], NO_DAY).astype(np.int32),
        "admitted": ~two_stage[spec],
    }
    if n_old:
        donor = rng.integers(0, n_old, size=n_new)
        for name in GROUP_COLUMNS:
            new[name] = old[name][donor]
    else:
        new["imd_quintile"] = rng.integers(1, 6, size=n_new).astype(np.int8)
        for name in GROUP_COLUMNS[1:]:
            new[name] = np.full(n_new, groups[name].index("Unknown"), dtype=np.int16)

    columns = {name: np.concatenate([old[name], new[name]]) for name in old}
    old_spec = old["specialty"].astype(np.int64)
    old_pool = np.where(two_stage[old_spec] & ~old["admitted"], n_spec + 1 + old_spec, old_spec)
    columns["entry_pool"] = np.concatenate([old_pool, pool]).astype(np.int16)
    n = n_old + n_new
    columns["dta_label"] = columns["priority_label"].copy()
    columns["converts"] = np.zeros(n, dtype=bool)
    if two_stage.any():
        in_outpatients = ~columns["admitted"]
        codes_mix = mix[: len(PRIORITY_CODES)]
        codes_mix = codes_mix / codes_mix.sum() if codes_mix.sum() > 0 else np.eye(len(PRIORITY_CODES))[4]
        drawn = rng.choice(len(PRIORITY_CODES), size=n, p=codes_mix).astype(np.int8)
        columns["dta_label"] = np.where(in_outpatients, drawn, columns["priority_label"]).astype(np.int8)
        rate = np.array([sp.outpatient.conversion_rate if sp.outpatient else 1.0 for sp in scenario.specialties])
        columns["converts"] = rng.random(n) < rate[columns["specialty"]]
    columns["priority_rank"] = PRIORITY_RANK[columns["priority_label"]]
    ref_day = np.concatenate([np.full(n_old, -1, dtype=np.int64), day.astype(np.int64)])
    columns["renege_day"] = _renege_days(scenario, columns["clock_start"], ref_day, rng)
    det_day, det_patient, det_label = _deterioration_chain(scenario, columns["priority_label"], ref_day, days, rng)
    return Population(
        columns=columns,
        groups=groups,
        n_existing=n_old,
        pool_offsets=pool_offsets,
        det_day=det_day,
        det_patient=det_patient,
        det_label=det_label,
        pathway_id=pathway_id,
    )
