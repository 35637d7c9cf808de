"""Bed-flow simulation of one hospital's general & acute beds, shared by emergency and elective admissions.

The model (times in days):

* **Emergency admissions** arrive as a Poisson process (``emergency_per_day``, a constant or one rate per
  day for seasonality), at uniformly random times of day. Each needs a general bed from the decision to
  admit: with a bed free it is admitted at once; otherwise it waits in A&E, first come first served, for
  the next bed to free (the decision-to-admit wait NHS England counts over 4 and 12 hours). With
  ``emergency_queue=False`` a patient who finds no bed is turned away instead (diverted), the Erlang loss
  system.
* **Elective admissions** are booked: ``electives_per_weekday`` patients on each Monday–Friday at
  ``elective_hour``. An elective patient takes a ring-fenced elective bed if one is free, else (with
  ``elective_overflow``) a free general bed; if none is free their operation is cancelled for want of a
  bed. Electives never take a bed from a waiting emergency patient: while anyone waits in A&E no
  general bed is free. With ``rebook_cancelled`` a cancelled patient goes on the next weekday's list,
  ahead of that day's new bookings (in the order first booked), until treated.
* **Weekend discharges**: with ``weekend_discharge_share`` below 1, a patient whose discharge falls on a
  Saturday or Sunday is held until Monday (same time of day) with probability 1 − share (fewer
  discharges at weekends); the held days count as delayed discharge.
* **Length of stay** by route: the clinical stay (mean and coefficient of variation; CV 1 is
  exponential, otherwise lognormal) plus, for a share ``delayed_share`` of emergency patients, a
  **delayed discharge** (medically fit but not yet discharged) exponentially distributed with mean
  ``delayed_days``. A discharge service (e.g. a 24-hour therapy and home-assessment service) shortens
  each delay by ``delay_reduction_days``: max(0, delay − N).

Beds are assigned in arrival order to the bed that frees first (the Kiefer–Wolfowitz recursion for a
first-come-first-served multi-server queue), with one heap per bed pool, so a year of a large hospital
is tens of thousands of heap operations. Random numbers are drawn in a fixed order whatever the
scenario (common random numbers), so two scenarios run with the same seed differ only by the change.

Validated (tests) against the Erlang loss formula (blocking with ``emergency_queue=False``; insensitive
to the stay's distribution) and Erlang's delay formula (probability of waiting, mean wait, and the
exponential tail P(W > t) = C·exp(−(cμ − λ)t) with exponential stays) — queueing theory of M/G/c/c and
M/M/c systems as in :mod:`carebacklog.booking.theory` — and, for the discharge service, Little's law:
beds freed ≈ λ·share·(E[D] − E[max(0, D − N)]) = λ·share·d·(1 − e^(−N/d)).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

__all__ = [
    "BedFlowResult",
    "BedModel",
    "compare_scenarios",
    "discharge_service",
    "erlang_b",
    "extra_beds",
    "ring_fence",
    "simulate_beds",
]

HOURS = 24.0


@dataclass(frozen=True)
class BedModel:
    """One hospital's general & acute bed base and the admissions that use it (rates per day)."""

    beds: int
    emergency_per_day: float | tuple[float, ...]
    emergency_los_days: float
    emergency_los_cv: float = 1.0
    electives_per_weekday: float = 0.0
    elective_los_days: float = 2.0
    elective_los_cv: float = 1.0
    delayed_share: float = 0.0
    delayed_days: float = 0.0
    delay_reduction_days: float = 0.0
    ring_fenced_elective_beds: int = 0
    elective_overflow: bool = True
    emergency_queue: bool = True
    elective_hour: float = 8.0
    rebook_cancelled: bool = False
    weekend_discharge_share: float = 1.0

    def __post_init__(self) -> None:
        if self.beds < 0 or self.ring_fenced_elective_beds < 0:
            raise ValueError("beds must be 0 or more")
        rates = np.atleast_1d(np.asarray(self.emergency_per_day, dtype=float))
        if np.any(rates < 0) or self.electives_per_weekday < 0:
            raise ValueError("admission rates must be 0 or more")
        if self.emergency_los_days <= 0 or self.elective_los_days <= 0:
            raise ValueError("mean lengths of stay must be more than 0 days")
        if self.emergency_los_cv <= 0 or self.elective_los_cv <= 0:
            raise ValueError("coefficients of variation must be more than 0")
        if not 0 <= self.weekend_discharge_share <= 1:
            raise ValueError("weekend_discharge_share must be in [0, 1]")
        if not 0 <= self.delayed_share <= 1 or self.delayed_days < 0 or self.delay_reduction_days < 0:
            raise ValueError("delayed_share must be in [0, 1]; delay days 0 or more")


def discharge_service(model: BedModel, days: float) -> BedModel:
    """A discharge service that shortens every delayed discharge by ``days`` (never below zero)."""
    return replace(model, delay_reduction_days=model.delay_reduction_days + days)


def ring_fence(model: BedModel, beds: int, *, overflow: bool = False) -> BedModel:
    """Move ``beds`` general beds into a ring-fenced elective unit (an elective hub); with ``overflow``
    electives may still use a free general bed when the unit is full."""
    if beds > model.beds:
        raise ValueError(f"cannot ring-fence {beds} of {model.beds} beds")
    return replace(model, beds=model.beds - beds, ring_fenced_elective_beds=model.ring_fenced_elective_beds + beds,
                   elective_overflow=overflow)


def extra_beds(model: BedModel, beds: int) -> BedModel:
    """``beds`` more general & acute beds."""
    return replace(model, beds=model.beds + beds)


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang's loss formula: the share of arrivals finding all ``servers`` busy (offered load a = λ/μ),
    by the stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))."""
    if servers < 0 or offered_load < 0:
        raise ValueError("need servers ≥ 0 and offered load ≥ 0")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


@dataclass(frozen=True)
class BedFlowResult:
    """What a run gives (statistics over the days after the warm-up).

    ``daily``: ``day, occupied_midnight`` (all beds in use at the end of the day, KH03's overnight count),
    ``electives_cancelled`` (cancellations that day, rebooked patients again each time),
    ``emergency_admissions, dta_over_4h, dta_over_12h, electives_booked`` (by day of arrival);
    ``patients``: one row per arrival after the warm-up (``route, arrival, admitted`` (days since the
    first counted day), ``wait_hours, stay_days, delay_days, outcome`` = admitted | cancelled (never
    admitted) | diverted, ``cancellations, first_cancelled``). ``summary()``'s
    ``electives_not_treated_within_28_days`` counts patients not admitted within 28 days of their first
    cancellation (NHS Constitution pledge; the cancelled-operations statistics' second count).
    """

    model: BedModel
    days: int
    daily: pl.DataFrame
    patients: pl.DataFrame
    occupancy: float  # time-averaged occupied share of all beds (general and ring-fenced)
    mean_occupied_beds: float
    delayed_bed_days: float

    def summary(self) -> dict[str, Any]:
        """Plain figures for a scenario table."""
        p = self.patients
        em = p.filter(pl.col("route") == "emergency")
        el = p.filter(pl.col("route") == "elective")
        admitted = em.filter(pl.col("outcome") == "admitted")
        return {
            "beds": self.model.beds + self.model.ring_fenced_elective_beds,
            "occupancy": self.occupancy,
            "mean_occupied_beds": self.mean_occupied_beds,
            "mean_occupied_midnight": _mean(self.daily["occupied_midnight"]),
            "emergency_arrivals": em.height,
            "emergency_diverted": int((em["outcome"] == "diverted").sum()),
            "share_waiting": _mean((admitted["wait_hours"] > 0).cast(pl.Float64)),
            "mean_wait_hours": _mean(admitted["wait_hours"]),
            "dta_over_4h": int((admitted["wait_hours"] > 4).sum()),
            "dta_over_12h": int((admitted["wait_hours"] > 12).sum()),
            "electives_booked": el.height,
            "electives_cancelled": int(self.daily["electives_cancelled"].sum()),
            "electives_not_treated_within_28_days": int(
                el.filter(
                    pl.col("first_cancelled").is_not_null()
                    & (pl.col("admitted").is_null() | (pl.col("admitted") - pl.col("first_cancelled") > 28))
                ).height
            ),
            "delayed_bed_days": self.delayed_bed_days,
        }


def _mean(series: pl.Series) -> float:
    """Mean of a numeric series; 0 when it is empty."""
    return float(series.cast(pl.Float64).to_numpy().mean()) if series.len() else 0.0


def _stays(rng: np.random.Generator, n: int, mean: float, cv: float) -> np.ndarray:
    """Lengths of stay: exponential for CV 1, else lognormal with that mean and CV (one uniform draw per
    patient either way, so scenarios keep common random numbers)."""
    u = rng.random(n)
    if cv == 1.0:
        return -mean * np.log1p(-u)
    from scipy.special import ndtri

    sigma2 = np.log1p(cv * cv)
    return np.exp(np.log(mean) - sigma2 / 2 + np.sqrt(sigma2) * ndtri(np.clip(u, 1e-12, 1 - 1e-12)))


def simulate_beds(
    model: BedModel, days: int, *, rng: np.random.Generator, warmup_days: int = 28
) -> BedFlowResult:
    """Run ``model`` for ``warmup_days`` (not counted: beds start empty) then ``days``."""
    if days < 1 or warmup_days < 0:
        raise ValueError("days must be at least 1 and warmup_days 0 or more")
    total = warmup_days + days
    if np.ndim(model.emergency_per_day) == 0:
        rates = np.full(total, float(model.emergency_per_day))  # type: ignore[arg-type]
    else:
        rates = _rates(model.emergency_per_day, total, warmup_days)
    # draws in a fixed order: emergency counts, times, stays, delay flags, delays; then elective stays
    counts = rng.poisson(rates)
    n_em = int(counts.sum())
    em_time = np.repeat(np.arange(total, dtype=float), counts) + rng.random(n_em)
    em_time.sort()
    em_stay = _stays(rng, n_em, model.emergency_los_days, model.emergency_los_cv)
    delayed = rng.random(n_em) < model.delayed_share
    delay_draw = -np.log1p(-rng.random(n_em))  # unit exponentials
    delay = np.where(delayed, np.maximum(0.0, model.delayed_days * delay_draw - model.delay_reduction_days), 0.0)
    weekday = (np.arange(total) % 7) < 5  # day 0 is a Monday
    whole, frac = divmod(model.electives_per_weekday, 1.0)
    booked = np.where(weekday, int(whole) + (rng.random(total) < frac), 0)
    n_el = int(booked.sum())
    el_time = np.repeat(np.arange(total, dtype=float), booked) + model.elective_hour / HOURS
    el_stay = _stays(rng, n_el, model.elective_los_days, model.elective_los_cv)
    hold_draw = rng.random(n_em + n_el)  # drawn last, so earlier draws match runs without weekend holds

    time = np.concatenate([em_time, el_time])
    stay = np.concatenate([em_stay + delay, el_stay])
    is_em = np.concatenate([np.ones(n_em, bool), np.zeros(n_el, bool)])
    order = np.lexsort((~is_em, time))  # by time; at a tie, the booked elective first
    start, outcome, cancels, first_cancel, cancelled_at, held = _assign(
        time[order], stay[order], is_em[order], hold_draw[order], model, float(total)
    )
    extension = np.zeros(time.shape[0])
    extension[order] = held
    stay = stay + extension  # a weekend hold lengthens the stay and counts as delayed discharge

    admitted_at = np.full(time.shape[0], np.nan)
    admitted_at[order] = start
    outcomes = np.empty(time.shape[0], dtype=object)
    outcomes[order] = outcome
    cancellations = np.zeros(time.shape[0], dtype=np.int32)
    cancellations[order] = cancels
    first_cancelled = np.full(time.shape[0], np.nan)
    first_cancelled[order] = first_cancel
    wait_h = (admitted_at - time) * HOURS
    delay_all = np.concatenate([delay, np.zeros(n_el)]) + extension
    patients = pl.DataFrame({
        "route": np.where(is_em, "emergency", "elective"),
        "arrival": time,
        "admitted": admitted_at,
        "wait_hours": wait_h,
        "stay_days": stay,
        "delay_days": delay_all,
        "outcome": outcomes.astype(str),
        "cancellations": cancellations,
        "first_cancelled": first_cancelled,
    }).with_columns(pl.col("admitted", "wait_hours", "first_cancelled").fill_nan(None))
    counted = patients.filter(pl.col("arrival") >= warmup_days).with_columns(
        pl.col("arrival", "admitted", "first_cancelled") - warmup_days  # days since the first counted day
    )

    ok = ~np.isnan(admitted_at)
    begin, end = admitted_at[ok], admitted_at[ok] + stay[ok]
    lo, hi = float(warmup_days), float(total)
    occupied_days = float(np.clip(np.minimum(end, hi) - np.maximum(begin, lo), 0.0, None).sum())
    mean_occupied = occupied_days / days
    all_beds = model.beds + model.ring_fenced_elective_beds
    midnights = np.arange(warmup_days + 1, total + 1, dtype=float)
    occupied_midnight = np.searchsorted(np.sort(begin), midnights, side="right") - np.searchsorted(
        np.sort(end), midnights, side="right"
    )
    d_start, d_end = begin + (stay[ok] - delay_all[ok]), end  # the delayed part sits at the end of the stay
    delayed_bed_days = float(np.clip(np.minimum(d_end, hi) - np.maximum(d_start, lo), 0.0, None).sum())

    day_of = counted["arrival"].floor().cast(pl.Int64).alias("day")
    per_day = counted.with_columns(day_of).group_by("day").agg(
        ((pl.col("route") == "emergency") & (pl.col("outcome") == "admitted")).sum().alias("emergency_admissions"),
        ((pl.col("route") == "emergency") & (pl.col("wait_hours") > 4)).sum().alias("dta_over_4h"),
        ((pl.col("route") == "emergency") & (pl.col("wait_hours") > 12)).sum().alias("dta_over_12h"),
        (pl.col("route") == "elective").sum().alias("electives_booked"),
    )
    cancel_days = np.floor(np.asarray(cancelled_at, dtype=float)).astype(np.int64) - warmup_days
    cancels_per_day = np.bincount(cancel_days[cancel_days >= 0], minlength=days)[:days]
    daily = (
        pl.DataFrame({"day": np.arange(days, dtype=np.int64), "occupied_midnight": occupied_midnight,
                      "electives_cancelled": cancels_per_day.astype(np.int64)})
        .join(per_day, on="day", how="left")
        .fill_null(0)
        .sort("day")
    )
    return BedFlowResult(
        model=model,
        days=days,
        daily=daily,
        patients=counted,
        occupancy=mean_occupied / all_beds if all_beds else float("nan"),
        mean_occupied_beds=mean_occupied,
        delayed_bed_days=delayed_bed_days,
    )


def _rates(rates: float | tuple[float, ...], total: int, warmup: int) -> np.ndarray:
    """Per-day emergency rates: a given series covers the counted days; the warm-up repeats its end."""
    given = np.asarray(rates, dtype=float)
    if given.ndim != 1 or given.shape[0] == 0:
        raise ValueError("emergency_per_day must be a number or a sequence of daily rates")
    counted = np.resize(given, total - warmup)
    return np.concatenate([np.resize(counted[::-1], warmup)[::-1], counted]) if warmup else counted


def _next_list(t: float, hour: float) -> float:
    """The next weekday's elective list (Monday–Friday at ``hour``) after time ``t``."""
    day = math.floor(t) + 1  # never the same day: the list has gone by
    while day % 7 >= 5:
        day += 1
    return day + hour / HOURS


def _assign(
    time: np.ndarray, stay: np.ndarray, is_em: np.ndarray, hold_draw: np.ndarray, model: BedModel, horizon: float
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, list[float], np.ndarray]:
    """Admission time (NaN if none), outcome, cancellations, first cancellation time, the time of every
    cancellation and the days a weekend hold added, for each patient in arrival order. Rebooked electives
    (``rebook_cancelled``) go on the next weekday's list ahead of that day's new bookings, in the order
    they were first booked. A discharge due on a Saturday or Sunday is held to Monday, same time of day,
    for a share 1 − ``weekend_discharge_share`` of patients (``hold_draw`` below it)."""
    general = [0.0] * model.beds  # when each bed next frees
    fenced = [0.0] * model.ring_fenced_elective_beds
    n = time.shape[0]
    start = np.full(n, np.nan)
    first_cancel = np.full(n, np.nan)
    cancellations = np.zeros(n, dtype=np.int32)
    cancelled_at: list[float] = []
    outcome = ["admitted"] * n
    queue, overflow, rebook = model.emergency_queue, model.elective_overflow, model.rebook_cancelled
    heapreplace, heappush, heappop = heapq.heapreplace, heapq.heappush, heapq.heappop
    times, stays, emergency, draws = time.tolist(), stay.tolist(), is_em.tolist(), hold_draw.tolist()
    hold = 1.0 - model.weekend_discharge_share
    held = np.zeros(n)

    def discharge(j: int, admitted: float) -> float:
        end = admitted + stays[j]
        day = math.floor(end)
        if hold and day % 7 >= 5 and draws[j] < hold:
            held[j] = 7 - day % 7
            end += held[j]
        return end

    pending: list[tuple[float, int]] = []  # rebooked electives: (list time, patient)
    i = 0
    while i < n or pending:
        if pending and (i >= n or pending[0][0] <= times[i]):
            t, j = heappop(pending)
        else:
            t, j = times[i], i
            i += 1
        if emergency[j]:
            if general and (general[0] <= t or queue):
                s = general[0] if general[0] > t else t
                heapreplace(general, discharge(j, s))
                start[j] = s
            else:
                outcome[j] = "diverted"
        elif fenced and fenced[0] <= t:
            heapreplace(fenced, discharge(j, t))
            start[j] = t
        elif overflow and general and general[0] <= t:
            heapreplace(general, discharge(j, t))
            start[j] = t
        else:
            cancellations[j] += 1
            cancelled_at.append(t)
            if cancellations[j] == 1:
                first_cancel[j] = t
            again = _next_list(t, model.elective_hour) if rebook else horizon
            if again < horizon:
                heappush(pending, (again, j))
            else:
                outcome[j] = "cancelled"
    return start, outcome, cancellations, first_cancel, cancelled_at, held


def compare_scenarios(
    baseline: BedModel,
    scenarios: dict[str, BedModel],
    days: int = 365,
    *,
    seed: int = 0,
    warmup_days: int = 28,
) -> pl.DataFrame:
    """Each scenario against the baseline, all run with the same seed (common random numbers).

    One row per run (``baseline`` first): ``scenario`` and the :meth:`BedFlowResult.summary` figures,
    plus ``beds_freed`` (baseline's mean occupied beds minus the scenario's), ``dta_over_12h_change`` and
    ``electives_cancelled_change`` (scenario minus baseline). Counts are for ``days`` days.
    """
    runs = {"baseline": baseline, **scenarios}
    rows = []
    for name, model in runs.items():
        summary = simulate_beds(model, days, rng=np.random.default_rng(seed), warmup_days=warmup_days).summary()
        rows.append({"scenario": name, **summary})
    table = pl.DataFrame(rows)
    base = table.row(0, named=True)
    return table.with_columns(
        beds_freed=base["mean_occupied_beds"] - pl.col("mean_occupied_beds"),
        dta_over_12h_change=pl.col("dta_over_12h") - base["dta_over_12h"],
        electives_cancelled_change=pl.col("electives_cancelled") - base["electives_cancelled"],
    )
