"""The demo trust and writing a trust to disk (the I/O edge of the package)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import as_file, files
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from carebacklog.synth.trust import SynthTrust, synthesise_trust

__all__ = ["DEMO_CENSUS_DATE", "DEMO_EXTRACT", "DEMO_PROVIDER", "demo_extract", "demo_trust", "write_trust"]

DEMO_PROVIDER = "RBD"  # Dorset County Hospital NHS Foundation Trust
DEMO_CENSUS_DATE = dt.date(2024, 11, 30)
DEMO_EXTRACT = "rtt_full_extract_2024_11_RBD.csv"  # NHS England RTT Full CSV extract, November 2024, RBD


def demo_extract() -> pl.DataFrame:
    """The bundled published extract behind the demo trust, as :func:`carebacklog.published.read_rtt` reads it."""
    from carebacklog.published import read_rtt

    with as_file(files("carebacklog") / "data" / DEMO_EXTRACT) as path:
        return read_rtt([path])


def demo_trust(
    seed: int = 0,
    *,
    scale: float = 1.0,
    imd_gap_weeks: float = 0.0,
    shared_patients: float = 0.0,
    bookings: bool = False,
) -> SynthTrust:
    """The demo trust: RBD's published November 2024 month, reproduced at patient level (under a second);
    with ``bookings``, what is booked at the census too (``synth.bookings``)."""
    trust = synthesise_trust(
        demo_extract(),
        DEMO_PROVIDER,
        DEMO_CENSUS_DATE,
        rng=np.random.default_rng(seed),
        scale=scale,
        imd_gap_weeks=imd_gap_weeks,
        shared_patients=shared_patients,
    )
    if not bookings:
        return trust
    from dataclasses import replace

    from carebacklog.synth.bookings import synthetic_bookings

    return replace(trust, bookings=synthetic_bookings(trust.events, DEMO_CENSUS_DATE, seed))


def write_trust(trust: SynthTrust, out_dir: Path, fmt: Literal["parquet", "csv"] = "parquet") -> list[Path]:
    """Write ``events`` and ``patients`` (``events.parquet`` / ``patients.parquet`` or ``.csv``), and
    ``injected_errors`` when errors were injected, ``bookings`` when the trust has them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    tables = [("events", trust.events), ("patients", trust.patients)]
    if trust.injected_errors.height:
        tables.append(("injected_errors", trust.injected_errors))
    if trust.bookings.height:
        tables.append(("bookings", trust.bookings))
    for name, frame in tables:
        path = out_dir / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        elif fmt == "csv":
            frame.write_csv(path)
        else:
            raise ValueError(f"unknown format {fmt!r}: use parquet or csv")
        written.append(path)
    return written
