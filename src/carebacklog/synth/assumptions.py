"""Every number the synthetic trust generator assumes, with where it comes from.

Counts (how many pathways wait in which weekly band, how many clocks stopped or started in the month) come
from the published month itself; this module holds only the *shape* of the histories behind those counts.
Where NHS England publishes the figure the source is named; where it does not, the value is a documented
assumption (see docs/synth.md) chosen to be plausible, never fitted to a test.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from carebacklog.rtt.schema import PRIORITIES

# --- Treatment functions -------------------------------------------------------------------------------
# Published RTT groups (Full CSV extract `Treatment Function Code`) and the detailed treatment function
# codes (NHS Data Dictionary "Treatment Function Code") we record on events. Each C_xxx group is recorded
# as its own code; the "Other" groups use detailed codes that NHS England's RTT/WLMDS grouping places in
# them (RTT treatment function grouping since April 2021, as used in NHS England's WLMDS reporting).
TREATMENT_FUNCTION_CODES: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "C_100": (("100", 1.0),),
    "C_101": (("101", 1.0),),
    "C_110": (("110", 1.0),),
    "C_120": (("120", 1.0),),
    "C_130": (("130", 1.0),),
    "C_140": (("140", 1.0),),
    "C_150": (("150", 1.0),),
    "C_160": (("160", 1.0),),
    "C_170": (("170", 1.0),),
    "C_300": (("300", 1.0),),
    "C_301": (("301", 1.0),),
    "C_320": (("320", 1.0),),
    "C_330": (("330", 1.0),),
    "C_340": (("340", 1.0),),
    "C_400": (("400", 1.0),),
    "C_410": (("410", 1.0),),
    "C_430": (("430", 1.0),),
    "C_502": (("502", 1.0),),
    # Other - Medical Services: endocrinology, clinical haematology, nephrology, paediatrics (420 is grouped
    # as medical), medical oncology.
    "X02": (("302", 0.3), ("303", 0.2), ("361", 0.2), ("420", 0.2), ("370", 0.1)),
    # Other - Mental Health Services: adult mental illness, child and adolescent psychiatry, old age psychiatry.
    "X03": (("710", 0.5), ("711", 0.3), ("715", 0.2)),
    # Other - Paediatric Services: paediatric surgery, T&O, ENT, ophthalmology, cardiology, neurology.
    "X04": (("171", 0.25), ("214", 0.2), ("215", 0.2), ("216", 0.15), ("321", 0.1), ("421", 0.1)),
    # Other - Surgical Services: breast, colorectal, upper GI, vascular surgery.
    "X05": (("103", 0.3), ("104", 0.3), ("106", 0.2), ("107", 0.2)),
    # Other - Other Services: clinical oncology, interventional radiology, audiological medicine.
    "X06": (("800", 0.5), ("811", 0.2), ("840", 0.3)),
}

SURGICAL_GROUPS: Final[frozenset[str]] = frozenset(
    {"C_100", "C_101", "C_110", "C_120", "C_130", "C_140", "C_150", "C_160", "C_170", "C_502", "X04", "X05"}
)

# --- Calendar patterns ---------------------------------------------------------------------------------
# Relative referral (clock start) intensity by weekday, Monday first. Assumption: e-Referral Service and
# GP referrals arrive on working days, Monday heaviest after the weekend; weekend starts are rare.
REFERRAL_WEEKDAY_WEIGHT: Final[tuple[float, ...]] = (1.15, 1.05, 1.0, 1.0, 0.95, 0.12, 0.08)
# Clinic attendances and elective admissions: working days, a little weekend elective activity.
ACTIVITY_WEEKDAY_WEIGHT: Final[tuple[float, ...]] = (1.0, 1.0, 1.0, 1.0, 0.95, 0.1, 0.05)

# New RTT periods per calendar day by month, relative to the centred 12-month mean: NHS England "RTT
# Overview Timeseries" (October 2022 edition), column "No. of new RTT periods", April 2016 - February 2020
# (pre-pandemic), computed once and recorded here (January first).
REFERRAL_MONTH_WEIGHT: Final[tuple[float, ...]] = (
    1.009,
    1.041,
    1.032,
    0.970,
    1.023,
    1.031,
    1.022,
    0.960,
    0.981,
    1.031,
    1.059,
    0.839,
)

# --- Waiting-time shape where the published month gives none -------------------------------------------
# Open pathways over 104 weeks: the extract has one "Gt 104 Weeks" band; days beyond 728 are spread as an
# exponential tail (assumption: mean 13 weeks beyond 104, truncated at 5 years).
TAIL_MEAN_DAYS: Final[float] = 91.0
TAIL_MAX_DAYS: Final[int] = 1826

# --- Histories -----------------------------------------------------------------------------------------
# Mean days from clock start to the first outpatient attendance (assumption; NHS England's 2023/24 elective
# recovery reporting puts the median first appointment wait at roughly 6-10 weeks).
FIRST_ATTENDANCE_MEAN_DAYS: Final[float] = 49.0
# Later DNAs (no clock effect) and cancellations (no clock effect) per pathway (assumptions from the same
# publication's ~6% follow-up DNA rate and ~10% hospital/patient cancellation rate).
LATER_DNA_SHARE: Final[float] = 0.06
CANCELLATION_SHARE: Final[float] = 0.12
FOLLOW_UP_SHARE: Final[float] = 0.55
SECOND_FOLLOW_UP_SHARE: Final[float] = 0.3
# Administrative validation at 12, 26 and 52 weeks (NHS England validation guidance: validate at 12, 26 and
# 52 weeks and every 12 weeks after); share of due validations recorded as a contact (assumption).
VALIDATION_WEEKS: Final[tuple[int, ...]] = (12, 26, 52, 64, 76, 88, 100)
VALIDATION_RECORDED_SHARE: Final[float] = 0.7
# Pre-operative assessment (a nurse-led clinic after the decision to admit, before the admission); share of
# admitted-list patients with one recorded (assumption: routine for elective surgery, not always recorded
# against the RTT pathway).
PRE_OPERATIVE_ASSESSMENT_SHARE: Final[float] = 0.7
# Priority reviews of admitted-list patients (FSSA prioritisation: review priority about every 3 months).
PRIORITY_REVIEW_DAYS: Final[int] = 84
PRIORITY_REVIEW_SHARE: Final[float] = 0.8

# Prefix histories of a pathway before its current clock start (kept outside the census month): a nullified
# first period (DNA of the first appointment, status 33, then re-referral), or an earlier period that ended
# in active monitoring (31/32) with a return (status 11). NHS Digital Hospital Outpatient Activity 2022-23
# puts first-appointment DNAs at about 7-8%; about half are assumed re-referred on the same pathway (4%),
# and the month's own nullified periods come from the Part_3 reconciliation. Active monitoring share:
# assumption.
PRIOR_NULLIFIED_SHARE: Final[float] = 0.04
PRIOR_ACTIVE_MONITORING_SHARE: Final[float] = 0.05
# A separate, earlier pathway of the same patient from which a consultant referred for a separate condition
# (status 12 on the new pathway's referral).
CONSULTANT_REFERRAL_SHARE: Final[float] = 0.04
# Inter-provider transfers: mutual aid moved about 0.3% of long waiters by 2024 (domain brief section 6);
# transfers in keep their original clock start (RTT rules: inter-provider transfers keep the start date).
TRANSFER_OUT_SHARE: Final[float] = 0.003
TRANSFER_IN_SHARE: Final[float] = 0.01
TRANSFER_MIN_DAYS: Final[int] = 280  # mutual aid offered to patients waiting over 40 weeks

# How a non-admitted clock stops (Part_1B), by RTT status (assumption; NHS England does not publish the mix):
# first definitive treatment in outpatients (30), active monitoring by patient / clinician (31 / 32),
# decision not to treat or discharge after validation (34), patient declined (35), patient died (36).
NON_ADMITTED_STOP_MIX: Final[tuple[tuple[int, float], ...]] = (
    (30, 0.44),
    (31, 0.04),
    (32, 0.16),
    (34, 0.32),
    (35, 0.03),
    (36, 0.01),
)
# Of the month's unexplained new periods (Part_3 minus those still open or completed), the share that
# ended in a transfer rather than a first-appointment DNA (assumption).
RESIDUAL_TRANSFER_SHARE: Final[float] = 0.1

# --- Clinical priority (FSSA codes) ---------------------------------------------------------------------
#: The input contract's codes, most urgent first; the mixes and target days below follow this order.
PRIORITY_CODES: Final[tuple[str, ...]] = PRIORITIES
# Mix on the admitted waiting list at the decision to admit (assumption after NHS England's WLMDS
# publication of procedure priority: P4 the majority, P3 about a quarter, P2 a few per cent, P5/P6 a few per
# cent). Surgical and medical specialties differ mainly in the P2 share.
PRIORITY_MIX_SURGICAL: Final[tuple[float, ...]] = (0.002, 0.006, 0.08, 0.27, 0.6, 0.012, 0.03)
PRIORITY_MIX_MEDICAL: Final[tuple[float, ...]] = (0.002, 0.008, 0.12, 0.32, 0.51, 0.01, 0.03)
# FSSA target days per priority (P1a 24 hours, P1b 72 hours, P2 one month, P3 three months); a review
# after more than twice the target re-grades the patient one step down (P1a/P1b/P2 -> P3, P3 -> P4).
PRIORITY_TARGET_DAYS: Final[tuple[int, ...]] = (1, 3, 31, 91, 10_000, 10_000, 10_000)

# --- Patients ------------------------------------------------------------------------------------------
# Age bands (years) and, per treatment function group, the share female and the age-band mix of patients
# (assumption after NHS Digital Hospital Outpatient Activity 2023-24, attendances by treatment specialty,
# age and sex). Gynaecology is all female; paediatric services under 18; elderly medicine mostly 75+.
AGE_BANDS: Final[tuple[tuple[int, int], ...]] = ((0, 17), (18, 39), (40, 59), (60, 74), (75, 99))
PATIENT_MIX: Final[dict[str, tuple[float, tuple[float, ...]]]] = {
    "C_100": (0.55, (0.03, 0.22, 0.33, 0.26, 0.16)),
    "C_101": (0.30, (0.03, 0.10, 0.22, 0.35, 0.30)),
    "C_110": (0.57, (0.05, 0.15, 0.32, 0.28, 0.20)),
    "C_120": (0.52, (0.22, 0.20, 0.25, 0.18, 0.15)),
    "C_130": (0.56, (0.08, 0.07, 0.15, 0.30, 0.40)),
    "C_140": (0.55, (0.12, 0.40, 0.25, 0.14, 0.09)),
    "C_150": (0.52, (0.04, 0.20, 0.38, 0.26, 0.12)),
    "C_160": (0.55, (0.07, 0.25, 0.28, 0.22, 0.18)),
    "C_170": (0.30, (0.01, 0.06, 0.25, 0.43, 0.25)),
    "C_300": (0.52, (0.02, 0.20, 0.30, 0.26, 0.22)),
    "C_301": (0.54, (0.02, 0.25, 0.33, 0.24, 0.16)),
    "C_320": (0.45, (0.01, 0.12, 0.27, 0.32, 0.28)),
    "C_330": (0.56, (0.08, 0.25, 0.25, 0.22, 0.20)),
    "C_340": (0.52, (0.01, 0.14, 0.30, 0.33, 0.22)),
    "C_400": (0.58, (0.02, 0.35, 0.33, 0.18, 0.12)),
    "C_410": (0.68, (0.01, 0.20, 0.38, 0.27, 0.14)),
    "C_430": (0.60, (0.0, 0.0, 0.02, 0.18, 0.80)),
    "C_502": (1.00, (0.02, 0.45, 0.35, 0.12, 0.06)),
    "X02": (0.52, (0.12, 0.22, 0.28, 0.22, 0.16)),
    "X03": (0.55, (0.15, 0.40, 0.25, 0.12, 0.08)),
    "X04": (0.45, (1.0, 0.0, 0.0, 0.0, 0.0)),
    "X05": (0.55, (0.01, 0.20, 0.35, 0.27, 0.17)),
    "X06": (0.52, (0.05, 0.22, 0.30, 0.25, 0.18)),
}
DEFAULT_PATIENT_MIX: Final[tuple[float, tuple[float, ...]]] = (0.54, (0.06, 0.22, 0.30, 0.24, 0.18))

# Patients with more than one pathway: NHS England's monthly RTT statistical press notices (2024-25) estimate
# about 6.2-6.4 million unique patients behind 7.4-7.6 million waiting-list pathways, about 1.19 pathways per
# patient, so about 16% of pathways belong to a patient who already has another. The second pathway's
# patient is drawn within a compatible group (children's services with children, gynaecology with women,
# elderly medicine with the elderly, other adult services together).
SHARED_PATIENT_SHARE: Final[float] = 0.16
PATIENT_CLASS: Final[dict[str, int]] = {"X04": 1, "C_502": 2, "C_430": 3}  # others: 0 (adult services)

# Ethnic category (NHS Data Dictionary "Ethnic Category" letter codes) with England shares from ONS Census
# 2021 (TS021, England): Gypsy/Irish Traveller and Roma are recorded as C (any other White), Arab as S (any
# other ethnic group). Z (not stated) is added at 5% (assumption: hospital records carry some not stated).
ETHNIC_CATEGORY_SHARES: Final[tuple[tuple[str, float], ...]] = (
    ("A", 73.5),
    ("B", 0.9),
    ("C", 6.6),
    ("D", 0.9),
    ("E", 0.4),
    ("F", 0.8),
    ("G", 0.9),
    ("H", 3.3),
    ("J", 2.9),
    ("K", 1.1),
    ("L", 1.7),
    ("M", 1.1),
    ("N", 2.6),
    ("P", 0.5),
    ("R", 0.7),
    ("S", 2.3),
)
ETHNIC_NOT_STATED_SHARE: Final[float] = 0.05

# IMD 2019 deciles (1 most deprived): 10% of LSOAs each by construction. Elective need rises with
# deprivation; the generator weights decile 1 about 20% above decile 10 (assumption, after NHS England's
# 2025 patient-level waiting list breakdowns showing more patients waiting from deprived areas).
IMD_DECILE_WEIGHT: Final[tuple[float, ...]] = (1.11, 1.09, 1.07, 1.04, 1.01, 0.99, 0.96, 0.93, 0.91, 0.89)


def weights(values: tuple[float, ...]) -> np.ndarray:
    """Normalise a tuple of non-negative weights to probabilities."""
    w = np.asarray(values, dtype=np.float64)
    return w / w.sum()


__all__ = [name for name in dir() if name.isupper()] + ["weights"]
