"""Patients of a synthetic trust: age and sex by specialty, ethnic category and IMD decile.

Distributions and their sources are in :mod:`carebacklog.synth.assumptions`. ``imd_gap_weeks`` injects a
known waiting-time gap between deprivation quintiles without moving any published count: the pathways'
waits are fixed by calibration, so the gap is made by *which patients* hold the long waits. Each open
pathway's IMD quintile q is drawn with probability proportional to pi_q * exp(beta * s_q * weeks), with
s_q running from +1 (quintile 1, most deprived) to -1 (quintile 5), and beta solved so that the mean weeks
waited of quintile 1 minus that of quintile 5 equals the requested gap.
"""

from __future__ import annotations

import numpy as np

from carebacklog.synth import assumptions as A

__all__ = ["ETHNIC_LETTERS", "draw_patients", "imd_quintile_probabilities", "solve_imd_tilt"]

_SLOPE = np.asarray([1.0, 0.5, 0.0, -0.5, -1.0])


def _pick(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw: ``p`` (n, k) probabilities or (k,), ``u`` uniforms (n,)."""
    c = np.cumsum(p, axis=-1)
    c = c / c[..., -1:]
    if c.ndim == 1:
        return np.searchsorted(c, u, side="right").clip(0, c.size - 1)
    return (u[:, None] > c).sum(axis=1).clip(0, c.shape[1] - 1)


def imd_quintile_probabilities(weeks: np.ndarray, beta: float) -> np.ndarray:
    """P(quintile | weeks waited) under the exponential tilt (rows sum to 1)."""
    base = A.weights(A.IMD_DECILE_WEIGHT).reshape(5, 2).sum(axis=1)
    centred = weeks - weeks.mean() if weeks.size else weeks
    logit = np.log(base)[None, :] + beta * _SLOPE[None, :] * centred[:, None]
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    return p / p.sum(axis=1, keepdims=True)


def _gap(weeks: np.ndarray, beta: float) -> float:
    p = imd_quintile_probabilities(weeks, beta)
    m1 = (p[:, 0] * weeks).sum() / p[:, 0].sum()
    m5 = (p[:, 4] * weeks).sum() / p[:, 4].sum()
    return float(m1 - m5)


def solve_imd_tilt(weeks: np.ndarray, gap_weeks: float) -> float:
    """The tilt beta giving an expected quintile 1 minus quintile 5 mean-wait gap of ``gap_weeks``.

    Raises ``ValueError`` when the waits cannot produce so large a gap (it is bounded by their spread).
    """
    if gap_weeks == 0 or weeks.size == 0:
        return 0.0
    lo, hi = (0.0, 1.0) if gap_weeks > 0 else (-1.0, 0.0)
    limit = _gap(weeks, hi if gap_weeks > 0 else lo)
    if abs(limit) < abs(gap_weeks):
        raise ValueError(
            f"imd_gap_weeks={gap_weeks}: the waiting list's spread allows a gap of at most {abs(limit):.1f} weeks"
        )
    for _ in range(60):
        mid = (lo + hi) / 2
        if _gap(weeks, mid) < gap_weeks:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def draw_patients(
    group: np.ndarray,
    group_labels: list[str],
    open_weeks: np.ndarray,
    census: int,
    rng: np.random.Generator,
    *,
    imd_gap_weeks: float = 0.0,
) -> dict[str, np.ndarray]:
    """Attributes for one patient per row. ``group`` indexes ``group_labels`` (published treatment function
    groups); ``open_weeks`` is the weeks waited at the census of the patient's open pathway, NaN if none.

    Returns arrays ``birth_date`` (day numbers), ``female`` (bool), ``ethnic_category`` (index into
    :data:`ETHNIC_LETTERS`) and ``imd_decile``.
    """
    n = int(group.shape[0])
    u_age, u_sex = np.asarray(rng.random(n)), np.asarray(rng.random(n))
    band = np.zeros(n, dtype=np.int64)
    female = np.zeros(n, dtype=bool)
    for g, label in enumerate(group_labels):
        rows = np.flatnonzero(group == g)
        p_female, age_mix = A.PATIENT_MIX.get(label, A.DEFAULT_PATIENT_MIX)
        band[rows] = _pick(np.asarray(age_mix), u_age[rows])
        female[rows] = u_sex[rows] < p_female
    bands = np.asarray(A.AGE_BANDS)
    age_years = bands[band, 0] + (rng.random(n) * (bands[band, 1] - bands[band, 0] + 1)).astype(np.int64)
    birth = census - (age_years * 365.25).astype(np.int64) - rng.integers(0, 365, n)

    shares = A.weights(tuple(s for _, s in A.ETHNIC_CATEGORY_SHARES)) * (1 - A.ETHNIC_NOT_STATED_SHARE)
    ethnic = _pick(np.r_[shares, A.ETHNIC_NOT_STATED_SHARE], np.asarray(rng.random(n)))

    deciles = A.weights(A.IMD_DECILE_WEIGHT)
    quintile_p = deciles.reshape(5, 2).sum(axis=1)
    quintile = _pick(quintile_p, np.asarray(rng.random(n)))
    waiting = ~np.isnan(open_weeks)
    if imd_gap_weeks and waiting.any():
        w = open_weeks[waiting]
        sample = w if w.size <= 200_000 else rng.choice(w, 200_000, replace=False)
        beta = solve_imd_tilt(sample, imd_gap_weeks)
        centred = w - sample.mean()
        logit = np.log(quintile_p)[None, :] + beta * _SLOPE[None, :] * centred[:, None]
        logit -= logit.max(axis=1, keepdims=True)
        quintile[waiting] = _pick(np.exp(logit), rng.random(w.size))
    upper = rng.random(n) < (deciles[1::2] / quintile_p)[quintile]
    decile = 2 * quintile + 1 + upper
    return {
        "birth_date": birth.astype(np.int32),
        "female": female,
        "ethnic_category": ethnic.astype(np.int64),
        "imd_decile": decile.astype(np.int8),
    }


#: Ethnic category letters indexed by ``draw_patients(...)["ethnic_category"]`` (Z = not stated last).
ETHNIC_LETTERS: tuple[str, ...] = (*(c for c, _ in A.ETHNIC_CATEGORY_SHARES), "Z")
