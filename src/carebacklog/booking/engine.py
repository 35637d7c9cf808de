"""The daily booking simulation of a waiting list.

One step per day. On each day, in this order:

1. the day's referrals join their pool (the specialty's list, its outpatient stage, or the assessment
   centre);
2. deteriorations due that day raise the patient's priority and reset the priority due date
   (the FSSA due date counts from the day the priority was set);
3. in every pool with capacity that day, patients whose renege day has come leave the list (they are
   removed, not just flagged), then the policy picks the patients for the day's slots;
4. each booked slot ends in a DNA or an on-the-day cancellation (the slot is lost and the patient stays
   on the list, clock running: RTT rules, cancellations and later DNAs do not stop the clock; a DNA at
   the period's first appointment nullifies it instead, when ``first_dna_nullifies``) or in treatment
   (clock stop). At the assessment centre a treated patient either completes there or joins
   the specialty's admitted list with the same clock start; at an outpatient stage the patient either
   stops there (non-admitted) or gets a decision to admit, a priority and a place on the admitted list;
5. at the end of every seventh day the waiting list is measured (size, within 18 weeks, over 52 weeks).

Pools are NumPy arrays of patient ids (:mod:`carebacklog.booking.pools`): kept sorted by key for policies
whose order never changes (booking reads the head of the array), or scored each booking day and cut with
``numpy.argpartition`` otherwise. No per-patient Python anywhere in the loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carebacklog.booking.arrivals import (
    NO_DAY,
    NO_PRIORITY,
    PRIORITY_RANK,
    Population,
    build_population,
    capacity_calendar,
)
from carebacklog.booking.arrivals import n_pools as pool_count
from carebacklog.booking.policies import BookingPolicy
from carebacklog.booking.pools import make_pools
from carebacklog.booking.scenario import DUE_DAYS, PRIORITY_CODES, Scenario
from carebacklog.rtt.bands import max_days_within

__all__ = [
    "COMPLETED_OUTCOMES",
    "OUTCOME_CENTRE",
    "OUTCOME_NULLIFIED",
    "OUTCOME_OUTPATIENT",
    "OUTCOME_RENEGED",
    "OUTCOME_TREATED",
    "OUTCOME_WAITING",
    "WITHIN_18_DAYS",
    "SimulationRun",
    "simulate",
]

OUTCOME_WAITING, OUTCOME_TREATED, OUTCOME_CENTRE, OUTCOME_RENEGED, OUTCOME_OUTPATIENT = 0, 1, 2, 3, 4
#: A DNA at the first appointment nullified the period (RTT rules: it counts nowhere).
OUTCOME_NULLIFIED = 5
#: Outcomes that are clock stops: treatment on the (admitted) list, completion at the assessment centre,
#: a non-admitted stop at the outpatient stage.
COMPLETED_OUTCOMES = (OUTCOME_TREATED, OUTCOME_CENTRE, OUTCOME_OUTPATIENT)
#: Waits are measured as the RTT return does, by the weeks-waited band (``carebacklog.rtt.bands``): within
#: 18 weeks is at most 126 days (band below 18); over 52 weeks more than 364 days, over 65 more than 455.
WITHIN_18_DAYS = max_days_within(18)
OVER_52_DAYS = max_days_within(52)
OVER_65_DAYS = max_days_within(65)
_DUE_BY_LABEL = np.array([DUE_DAYS.get(c, NO_DAY) for c in (*PRIORITY_CODES, "none")], dtype=np.int64)

#: Per day: referrals, slots offered, slots booked, slots attended (DNAs and on-the-day cancellations are
#: the rest of the booked slots), and clock stops (treatment, or completion at the assessment centre).
DAILY_COUNTERS = ("arrivals", "capacity", "booked", "attended", "dna", "cancelled", "clock_stops", "nullified")
WEEKLY_MEASURES = ("list_size", "within_18", "over_52", "over_65")


@dataclass
class SimulationRun:
    """One replication: the patient table with each patient's outcome, and the daily/weekly counters."""

    policy: str
    start_date: dt.date
    days: int
    specialties: tuple[str, ...]
    population: Population
    outcome: np.ndarray  # OUTCOME_* per patient
    exit_day: np.ndarray  # day of treatment / completion / renege; NO_DAY while waiting
    daily: dict[str, np.ndarray]  # DAILY_COUNTERS, each [days]
    weekly: dict[str, np.ndarray]  # WEEKLY_MEASURES, each [weeks]

    def final_list(self) -> pl.DataFrame:
        """Patients still waiting at the end, in the PTL's words (clock_start, days_waited, priority…).

        ``pathway_id`` is the starting list's for pathways that were on it, ``SIM<n>`` for simulated
        referrals.
        """
        cols = self.population.columns
        waiting = np.flatnonzero(self.outcome == OUTCOME_WAITING)
        n_old = self.population.n_existing
        known = self.population.pathway_id
        pathway = [str(known[i]) if i < n_old else f"SIM{i - n_old}" for i in waiting.tolist()]
        end = self.start_date + dt.timedelta(days=self.days - 1)
        labels = np.array([*PRIORITY_CODES, None], dtype=object)
        starts = cols["clock_start"][waiting].astype(np.int64)
        return pl.DataFrame(
            {
                "patient": waiting,
                "pathway_id": pathway,
                "treatment_function": np.array(self.specialties, dtype=object)[cols["specialty"][waiting]].tolist(),
                "clock_start": [self.start_date + dt.timedelta(days=int(s)) for s in starts],
                "days_waited": (self.days - 1 - starts),
                "priority": labels[cols["priority_label"][waiting]].tolist(),
            },
            schema_overrides={"treatment_function": pl.String, "priority": pl.String, "pathway_id": pl.String},
        ).with_columns(census_date=pl.lit(end))


def _decide_to_admit(cols: dict[str, np.ndarray], ids: np.ndarray, day: int) -> None:
    """Patients without a priority get the one drawn for their decision to admit; due date from today."""
    unset = ids[cols["priority_label"][ids] == NO_PRIORITY]
    label = cols["dta_label"][unset]
    cols["priority_label"][unset] = label
    cols["priority_rank"][unset] = PRIORITY_RANK[label]
    cols["due_day"][unset] = np.minimum(day + _DUE_BY_LABEL[label], NO_DAY)
    cols["admitted"][ids] = True


def _measure(pool: np.ndarray, clock_start: np.ndarray, day: int) -> tuple[int, int, int, int]:
    waited = day - clock_start[pool]
    return (
        int(pool.size),
        int(np.count_nonzero(waited <= WITHIN_18_DAYS)),
        int(np.count_nonzero(waited > OVER_52_DAYS)),
        int(np.count_nonzero(waited > OVER_65_DAYS)),
    )


def simulate(
    ptl: pl.DataFrame | None,
    scenario: Scenario,
    policy: BookingPolicy,
    *,
    census_date: dt.date,
    weeks: int,
    rng: np.random.Generator,
) -> SimulationRun:
    """Simulate ``weeks`` weeks of booking from the starting list ``ptl`` (a PTL snapshot, or None/empty).

    ``rng`` is split in two streams: one draws the population and the capacity calendar, the other the
    booking outcomes (DNAs, cancellations, assessment-centre completions). Two policies run with the same
    seed therefore face the same referrals, renege times and capacity (common random numbers).
    """
    if weeks <= 0:
        raise ValueError("weeks must be positive")
    if not scenario.specialties:
        raise ValueError("the scenario has no specialties (complete_scenario reads them off a starting list)")
    if scenario.unknown_treatment_functions():
        raise ValueError(f"treatment functions {scenario.unknown_treatment_functions()} are not in specialties")
    days = 7 * weeks
    world_rng, ops_rng = rng.spawn(2)
    pop = build_population(ptl, scenario, census_date, days, world_rng)
    start = census_date + dt.timedelta(days=1)
    capacity = capacity_calendar(scenario, start, days, world_rng)
    cols = pop.columns
    n_spec = len(scenario.specialties)
    n_pools = pool_count(scenario)
    centre = scenario.assessment_centre
    completion_share = centre.completion_share if centre is not None else 1.0
    dna, cancel = scenario.dna_rate, scenario.cancellation_rate

    clock_start = cols["clock_start"]
    renege_day = cols["renege_day"]
    outcome = np.zeros(pop.size, dtype=np.int8)
    waiting = np.ones(pop.size, dtype=bool)  # False once the pathway has left the list
    # Had a first appointment (attended or missed)? Assumed for pathways already on an admitted list
    # (a DTA or a priority code); not for other waiting pathways or any new referral.
    attended_before = cols["admitted"] & (np.arange(pop.size) < pop.n_existing)
    nullify_first = scenario.first_dna_nullifies
    exit_day = np.full(pop.size, NO_DAY, dtype=np.int32)
    pools = make_pools(cols, n_pools, policy, waiting)
    old_pool = cols["entry_pool"][: pop.n_existing]
    for p in range(n_pools):
        pools.add(p, np.flatnonzero(old_pool == p))
    det_bounds = np.searchsorted(pop.det_day, np.arange(days + 1), side="left")
    daily = {name: np.zeros(days, dtype=np.int64) for name in DAILY_COUNTERS}
    daily["capacity"][:] = capacity.sum(axis=1)
    weekly = {name: np.zeros(weeks, dtype=np.int64) for name in WEEKLY_MEASURES}
    offsets = pop.pool_offsets

    for d in range(days):
        row = offsets[d * n_pools : (d + 1) * n_pools + 1]
        daily["arrivals"][d] = row[-1] - row[0]
        for p in range(n_pools):
            if row[p + 1] > row[p]:
                pools.add(p, np.arange(row[p], row[p + 1]))
        a, b = det_bounds[d], det_bounds[d + 1]
        if b > a:
            who = pop.det_patient[a:b]
            ok = waiting[who] & (renege_day[who] > d)
            who, label = who[ok], pop.det_label[a:b][ok]
            cols["priority_label"][who] = label
            cols["priority_rank"][who] = PRIORITY_RANK[label]
            cols["due_day"][who] = np.minimum(d + _DUE_BY_LABEL[label], NO_DAY)
            pools.refresh(np.unique(who))
        for p in range(n_pools):
            slots = int(capacity[d, p])
            if slots == 0:
                continue
            booked = pools.book(p, d, slots)
            if booked.size == 0:
                continue
            u = ops_rng.random(booked.size)
            done = u >= dna + cancel
            missed = u < dna
            dnas = int(np.count_nonzero(missed))
            if nullify_first and dnas:  # RTT rules: a DNA at the first appointment nullifies the period
                gone = booked[missed & ~attended_before[booked]]
                outcome[gone] = OUTCOME_NULLIFIED
                exit_day[gone] = d
                waiting[gone] = False
                daily["nullified"][d] += gone.size
            attended_before[booked[done | missed]] = True
            treated = booked[done]
            daily["booked"][d] += booked.size
            daily["dna"][d] += dnas
            daily["cancelled"][d] += booked.size - treated.size - dnas
            daily["attended"][d] += treated.size
            if p < n_spec:  # the admitted list (or the whole specialty when single-stage): treatment
                daily["clock_stops"][d] += treated.size
                outcome[treated] = OUTCOME_TREATED
                exit_day[treated] = d
                waiting[treated] = False
                continue
            if p == n_spec:  # assessment centre: complete here, or go on to the specialty's admitted list
                completes = ops_rng.random(treated.size) < completion_share
                stop_outcome = OUTCOME_CENTRE
            else:  # outpatient stage: a decision to admit (pre-drawn), or a non-admitted clock stop
                completes = ~cols["converts"][treated]
                stop_outcome = OUTCOME_OUTPATIENT
            finished = treated[completes]
            daily["clock_stops"][d] += finished.size
            outcome[finished] = stop_outcome
            exit_day[finished] = d
            waiting[finished] = False
            onward = treated[~completes]
            if onward.size:
                _decide_to_admit(cols, onward, d)
                specs = cols["specialty"][onward]
                for s in np.unique(specs):
                    pools.add(int(s), onward[specs == s])
                pools.refresh(onward)
        if d % 7 == 6:
            weekly_values = _measure(pools.all_waiting(d), clock_start, d)
            for name, value in zip(WEEKLY_MEASURES, weekly_values, strict=True):
                weekly[name][d // 7] = value

    gone = (outcome == OUTCOME_WAITING) & (renege_day < days)
    outcome[gone] = OUTCOME_RENEGED
    exit_day[gone] = renege_day[gone]
    return SimulationRun(
        policy=policy.name,
        start_date=start,
        days=days,
        specialties=tuple(scenario.specialty_codes()),
        population=pop,
        outcome=outcome,
        exit_day=exit_day,
        daily=daily,
        weekly=weekly,
    )
