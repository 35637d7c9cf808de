"""Benchmark: monthly RTT return, WLMDS week and equity breakdown from a large generated trust.

Run: ``.venv/bin/python benchmarks/bench_returns.py [--pathways N]``. Not part of pytest. The RTT
engine's own time (build_periods) is shown for context; the budget that applies is the engine's
(docs/architecture.md §Performance budgets: ≥ 2 million events/s), since the return, WLMDS and equity passes are meant to cost a small
fraction of it.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import date

import numpy as np
import polars as pl

from carebacklog.equity import deprivation_gap, equity_breakdown
from carebacklog.published.returns import monthly_return
from carebacklog.published.wlmds import wlmds_files
from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.rtt.generate import generate_events

MONTH_END = date(2026, 1, 31)
WEEK_END = date(2026, 1, 25)


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<42} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pathways", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min), cores: {os.cpu_count()}")
    events = _timed("generate events", generate_events, args.pathways, MONTH_END, np.random.default_rng(1))
    print(f"events: {events.height:,}  pathways: {args.pathways:,}")
    periods = _timed("build_periods (engine, context only)", build_periods, events, census_date=MONTH_END)
    wide = _timed("monthly_return (5 parts, grouped TFs)", monthly_return, periods, "2026-01")
    print(f"  return rows: {wide.height:,}")
    week = build_periods(events, census_date=WEEK_END)
    files = _timed("wlmds_files (open, stops, starts)", wlmds_files, week, WEEK_END)
    print(f"  open pathways: {files.open_pathways.height:,}")
    ptl = ptl_snapshot(periods, MONTH_END)
    rng = np.random.default_rng(2)
    ptl = ptl.with_columns(
        imd_quintile=pl.Series(rng.integers(1, 6, ptl.height), dtype=pl.Int8),
        sex=pl.Series(rng.choice(["Female", "Male", "Unknown"], ptl.height)),
    )
    _timed(
        "equity_breakdown imd_quintile,treatment_function",
        equity_breakdown,
        ptl,
        "imd_quintile,treatment_function",
    )
    _timed("deprivation_gap", deprivation_gap, ptl)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory: {peak_kib / 1024:,.0f} MiB (ru_maxrss {peak_kib:,} KiB)")


if __name__ == "__main__":
    main()
