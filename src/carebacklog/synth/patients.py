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

__all__ = [
    "ETHNIC_LETTERS",
    "assign_patients",
    "draw_patients",
    "imd_quintile_probabilities",
    "solve_imd_tilt",
]

_SLOPE = np.asarray([1.0, 0.5, 0.0, -0.5, -1.0])


def _pick(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw: ``p`` (n, k) probabilities or (k,), ``u`` uniforms (n,)."""
    c = np.cumsum(p, axis=-1)
    c = c / c[..., -1:]
    if c.ndim == 1:
        return np.searchsorted(c, u, side="right").clip(0, c.size - 1)
    return (u[:, None] > c).sum(axis=1).clip(0, c.shape[1] - 1)


def assign_patients(
    group: np.ndarray, group_labels: list[str], share: float, rng: np.random.Generator
) -> np.ndarray:
    """Patient of each pathway, as the index of the pathway that holds the patient's attributes.

    About ``share`` of pathways go to a patient who already has another pathway, drawn within a compatible
    group of services (NHS England's ratio is :data:`~carebacklog.synth.assumptions.SHARED_PATIENT_SHARE`).
    With ``share`` 0 every pathway has its own patient and nothing is drawn from ``rng``.
    """
    n = int(group.shape[0])
    patient = np.arange(n)
    if share <= 0:
        return patient
    cls = np.asarray([A.PATIENT_CLASS.get(label, 0) for label in group_labels], dtype=np.int64)[group]
    shared = np.asarray(rng.random(n)) < share
    for c in np.unique(cls):
        own = np.flatnonzero(~shared & (cls == c))
        extra = np.flatnonzero(shared & (cls == c))
        if own.size and extra.size:
            patient[extra] = own[rng.integers(0, own.size, extra.size)]
    return patient


def imd_quintile_probabilities(score: np.ndarray, beta: float, centre: float | None = None) -> np.ndarray:
    """P(quintile | a patient's mean weeks waited ``score``) under the exponential tilt (rows sum to 1)."""
    base = A.weights(A.IMD_DECILE_WEIGHT).reshape(5, 2).sum(axis=1)
    mid = (score.mean() if score.size else 0.0) if centre is None else centre
    logit = np.log(base)[None, :] + beta * _SLOPE[None, :] * (score - mid)[:, None]
    logit -= logit.max(axis=1, keepdims=True)
    p = np.exp(logit)
    return p / p.sum(axis=1, keepdims=True)


def _gap(weeks: np.ndarray, score: np.ndarray, beta: float, centre: float) -> float:
    """Expected mean weeks of quintile 1 minus quintile 5 over pathways (``weeks``) whose patients have
    ``score``."""
    p = imd_quintile_probabilities(score, beta, centre)
    m1 = (p[:, 0] * weeks).sum() / p[:, 0].sum()
    m5 = (p[:, 4] * weeks).sum() / p[:, 4].sum()
    return float(m1 - m5)


def solve_imd_tilt(
    weeks: np.ndarray, gap_weeks: float, score: np.ndarray | None = None, centre: float | None = None
) -> float:
    """The tilt beta giving an expected quintile 1 minus quintile 5 mean-wait gap of ``gap_weeks``.

    ``weeks`` are open pathways' weeks waited and ``score`` their patients' mean weeks waited (the same
    when each patient has one pathway). Raises ``ValueError`` when the waits cannot produce so large a gap.
    """
    score = weeks if score is None else score
    if gap_weeks == 0 or weeks.size == 0:
        return 0.0
    mid_score = float(score.mean()) if centre is None else centre
    lo, hi = (0.0, 1.0) if gap_weeks > 0 else (-1.0, 0.0)
    limit = _gap(weeks, score, hi if gap_weeks > 0 else lo, mid_score)
    if abs(limit) < abs(gap_weeks):
        raise ValueError(
            f"imd_gap_weeks={gap_weeks}: the waiting list's spread allows a gap of at most {abs(limit):.1f} weeks"
        )
    for _ in range(60):
        mid = (lo + hi) / 2
        if _gap(weeks, score, mid, mid_score) < gap_weeks:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def draw_patients(
    group: np.ndarray,
    group_labels: list[str],
    open_weeks: np.ndarray,
    open_patient: np.ndarray,
    census: int,
    rng: np.random.Generator,
    *,
    imd_gap_weeks: float = 0.0,
) -> dict[str, np.ndarray]:
    """Attributes for one patient per row. ``group`` indexes ``group_labels`` (published treatment function
    group of the patient's first pathway); ``open_weeks`` are the weeks waited at the census of the open
    pathways and ``open_patient`` the row of each one's patient.

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
    if imd_gap_weeks and open_weeks.size:
        # A patient's score is the mean wait of their open pathways; the gap is measured over pathways.
        total = np.bincount(open_patient, open_weeks, minlength=n)
        count = np.bincount(open_patient, minlength=n)
        waiting = count > 0
        score = total[waiting] / count[waiting]
        take = np.arange(open_weeks.size)
        if take.size > 200_000:
            take = rng.choice(take, 200_000, replace=False)
        centre = float(score.mean())
        position = np.cumsum(waiting) - 1  # row -> index into score
        pathway_score = score[position[open_patient[take]]]
        beta = solve_imd_tilt(open_weeks[take], imd_gap_weeks, pathway_score, centre)
        p = imd_quintile_probabilities(score, beta, centre=centre)
        quintile[waiting] = _pick(p, np.asarray(rng.random(int(waiting.sum()))))
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
