"""The demo trust: a synthetic Dorset County Hospital NHS FT (RBD) at the November 2024 census, run through
the RTT engine and loaded into the database, with demo users.

Events come from ``carebacklog.synth`` when it provides ``demo_trust``; otherwise from
:mod:`carebacklog.web.demo_events`, calibrated to RBD's published November 2024 return (bundled).
"""

from __future__ import annotations

import datetime as dt
import secrets
from importlib import resources

import numpy as np
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
) -> TrustData:
    """Run the RTT engine over a trust's events: periods and the PTL snapshot (with demographics)."""
    from carebacklog import rtt

    periods = rtt.build_periods(events, census_date)
    ptl = rtt.ptl_snapshot(periods, census_date, patients)
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


def _demo_events(seed: int, scale: float) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    try:
        from carebacklog import synth

        if "demo_trust" in getattr(synth, "__all__", ()):
            trust = synth.demo_trust(seed)  # type: ignore[attr-defined]
            return trust.events, trust.patients, f"carebacklog.synth.demo_trust(seed={seed})"
    except ImportError:
        pass
    from carebacklog.web.demo_events import published_profile, synthetic_events

    path = resources.files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"
    with resources.as_file(path) as file:
        open_, done = published_profile(file, DEMO_PROVIDER[0])
    events, patients = synthetic_events(
        open_,
        done,
        provider_code=DEMO_PROVIDER[0],
        commissioner_codes=["11J", "13Q", "15N"],
        census_date=DEMO_CENSUS,
        rng=np.random.default_rng(seed),
        scale=scale,
    )
    return events, patients, f"carebacklog.web.demo_events(seed={seed}, scale={scale})"


def build_demo_trust(seed: int = 20241130, scale: float = 1.0) -> TrustData:
    """The demo trust's events, patients, periods and PTL (deterministic for a seed)."""
    events, patients, source = _demo_events(seed, scale)
    return trust_from_events(events, patients, provider=DEMO_PROVIDER, census_date=DEMO_CENSUS, source=source)


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
