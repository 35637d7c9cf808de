"""The demo trust: a synthetic Dorset County Hospital NHS FT (RBD) at the November 2024 census, run through
the RTT engine and loaded into the database, with demo users.

Events and patients come from ``carebacklog.synth.demo_trust``, calibrated to RBD's published November
2024 return (bundled). The demo adds a deprivation gap (``imd_gap_weeks``) so the equity page has
something to show, as NHS England's first national patient-level breakdowns of the waiting list by
deprivation and ethnicity did (from the Waiting List Minimum Data Set).
"""

from __future__ import annotations

import datetime as dt
import secrets

import polars as pl
from sqlalchemy.orm import Session

from carebacklog.store.accounts import create_user, get_user_by_username, update_user
from carebacklog.store.load import TrustData

__all__ = [
    "DEMO_CENSUS",
    "DEMO_PROVIDER",
    "DEMO_USERS",
    "build_demo_trust",
    "ensure_demo_users",
    "trust_from_events",
]

DEMO_PROVIDER = ("RBD", "Dorset County Hospital NHS Foundation Trust")
DEMO_CENSUS = dt.date(2024, 11, 30)
#: Extra weeks the most deprived quintile waits in the demo trust (synth's ``imd_gap_weeks``).
DEMO_IMD_GAP_WEEKS = 4.0
#: username, full name, role
DEMO_USERS = (
    ("admin", "Demo administrator", "admin"),
    ("ptl", "Demo waiting-list manager", "ptl"),
    ("viewer", "Demo planner (aggregates only)", "viewer"),
)


def trust_from_events(
    events: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    provider: tuple[str, str],
    census_date: dt.date,
    source: str,
    bookings: pl.DataFrame | None = None,
) -> TrustData:
    """Run the RTT engine over a trust's events: periods and the PTL snapshot (with demographics), through
    the one PTL path (:func:`carebacklog.rtt.pipeline.ptl_from_events`, which ``ptl_from_files`` uses too)."""
    from carebacklog.rtt.pipeline import ptl_from_events

    periods, ptl = ptl_from_events(events, census_date, patients, bookings)
    return TrustData(
        provider_code=provider[0],
        provider_name=provider[1],
        census_date=census_date,
        events=events,
        patients=patients,
        periods=periods,
        ptl=ptl,
        source=source,
    )


def build_demo_trust(
    seed: int = 20241130, scale: float = 1.0, imd_gap_weeks: float = DEMO_IMD_GAP_WEEKS
) -> TrustData:
    """The demo trust's events, patients, periods and PTL (deterministic for a seed).

    ``scale`` multiplies the published counts (0.05 for a quick test trust, 23 for 500,000 waiting).
    """
    from carebacklog.synth import demo_trust

    trust = demo_trust(seed, scale=scale, imd_gap_weeks=imd_gap_weeks, bookings=True)
    source = f"carebacklog.synth.demo_trust(seed={seed}, scale={scale}, imd_gap_weeks={imd_gap_weeks})"
    return trust_from_events(
        trust.events, trust.patients, provider=DEMO_PROVIDER, census_date=DEMO_CENSUS, source=source,
        bookings=trust.bookings,
    )  # fmt: skip


def ensure_demo_users(db: Session, *, now: dt.datetime) -> dict[str, str]:
    """Create (or reset) the demo users with fresh random passwords; returns username → password."""
    passwords = {}
    for username, full_name, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        user = get_user_by_username(db, username)
        if user is None:
            create_user(db, username=username, password=password, role=role, full_name=full_name, now=now)
        else:
            update_user(db, user, role=role, full_name=full_name, is_active=True, password=password)
        passwords[username] = password
    return passwords
