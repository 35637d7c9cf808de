"""Benchmark the RTT clock engine: build_periods + ptl_snapshot on synthetic events.

Budget (design.md): >= 2 million events/s; England scale (about 40 M events, 7.6 M open pathways)
<= 30 s and <= 8 GB peak on a 2-core, 24 GB machine.

    .venv/bin/python benchmarks/bench_rtt.py                # about 10 M events
    .venv/bin/python benchmarks/bench_rtt.py --england      # about 40 M events
    .venv/bin/python benchmarks/bench_rtt.py --pathways 500000
    .venv/bin/python benchmarks/bench_rtt.py --events /tmp/england_synth/events.parquet --census-date 2026-01-31

``--events PATH`` times the engine on an existing events Parquet (for example the synthetic England
data set of ``carebacklog synth trust --provider ALL ...``) instead of generating events; the census
date defaults to the latest event date in the file.

Figures printed: generation time, engine time (build_periods + ptl_snapshot), events/s, peak RSS
(``ru_maxrss`` of the engine's process, which holds the input frame; the events are
generated in a separate process and handed over as Parquet), and the load average at the start and end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from carebacklog.rtt import build_periods, generate_events, ptl_snapshot, ptl_summary

BUDGET_EVENTS_PER_S = 2_000_000
BUDGET_ENGLAND_S = 30.0
BUDGET_PEAK_GB = 8.0
CENSUS = date(2025, 3, 31)


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _generate(pathways: int, seed: int, out: Path, categorical: bool, census: date) -> None:
    """Child process: generate the events and write them to Parquet (its memory is not the engine's)."""
    events = generate_events(pathways, census, np.random.default_rng(seed), categorical=categorical)
    events.write_parquet(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pathways", type=int, default=2_200_000, help="pathways to generate (~4.75 events each)"
    )
    parser.add_argument("--england", action="store_true", help="England scale: about 40 M events")
    parser.add_argument("--seed", type=int, default=20260131)
    parser.add_argument(
        "--categorical",
        action="store_true",
        help="hold provider, treatment function, commissioner, activity and priority as Categorical "
        "(the memory-efficient input an England-scale run should use); on by default with --england",
    )
    parser.add_argument("--events", type=Path, help="time the engine on this events Parquet instead")
    parser.add_argument(
        "--census-date",
        type=date.fromisoformat,
        help=f"census date (default {CENSUS} for generated events, the latest event date with --events)",
    )
    args = parser.parse_args()
    pathways = 8_600_000 if args.england else args.pathways
    args.categorical = args.categorical or args.england

    print(f"load average at start: {_load()} (cores: {os.cpu_count()})")
    if args.events is not None:
        t0 = time.perf_counter()
        events = pl.read_parquet(args.events)
        if args.categorical:
            low = ("provider_code", "treatment_function", "commissioner_code", "activity", "priority")
            events = events.with_columns(pl.col(c).cast(pl.Categorical) for c in low if c in events.columns)
        read = time.perf_counter() - t0
        census = args.census_date or events.get_column("event_date").max()
        kind = "Categorical codes" if args.categorical else "text as in the file"
        print(f"read {events.height:,} events from {args.events} in {read:.1f} s ({kind}); census {census}")
        print(f"input frame {events.estimated_size() / 1024**3:.2f} GiB; RSS {_peak_gib():.2f} GiB")
        _time_engine(events, census, england=args.england)
        return
    census = args.census_date or CENSUS
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        t0 = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=_generate, args=(pathways, args.seed, path, args.categorical, census)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"generator failed with exit code {child.exitcode}")
        generated = time.perf_counter() - t0
        t0 = time.perf_counter()
        events = pl.read_parquet(path)
        read = time.perf_counter() - t0
    n = events.height
    kind = "Categorical codes" if args.categorical else "all text as String"
    print(f"generated {n:,} events of {pathways:,} pathways in {generated:.1f} s (separate process; {kind})")
    print(
        f"read back in {read:.1f} s; input frame {events.estimated_size() / 1024**3:.2f} GiB; RSS {_peak_gib():.2f} GiB"
    )
    _time_engine(events, census, england=args.england)


def _time_engine(events: pl.DataFrame, census: date, *, england: bool) -> None:
    """Time build_periods and ptl_snapshot on ``events``; print rates, CPU time, peak RSS and load."""
    n = events.height
    c1 = time.process_time()
    t1 = time.perf_counter()
    periods = build_periods(events, census)
    t2 = time.perf_counter()
    c2 = time.process_time()
    ptl = ptl_snapshot(periods, census)
    t3 = time.perf_counter()
    cpu = time.process_time() - c1
    engine = t3 - t1
    rate = n / engine
    summary = ptl_summary(ptl)
    print(
        f"build_periods: {t2 - t1:.2f} s (CPU {c2 - c1:.2f} s) -> {periods.height:,} periods, "
        f"{n / (t2 - t1) / 1e6:.2f} M events/s"
    )
    print(f"ptl_snapshot:  {t3 - t2:.2f} s -> {ptl.height:,} open pathways")
    pct = summary.pct_within_18_weeks or 0.0
    print(
        f"PTL: {summary.count:,} waiting, {pct:.1f}% within 18 weeks, {summary.over_52_weeks:,} over 52 weeks"
    )
    verdict = "meets" if rate >= BUDGET_EVENTS_PER_S else "MISSES"
    print(
        f"engine: {engine:.2f} s, {rate / 1e6:.2f} M events/s ({verdict} the {BUDGET_EVENTS_PER_S / 1e6:.0f} M/s budget)"
    )
    print(f"engine CPU time (all threads): {cpu:.2f} s (wall {engine:.2f} s on a shared machine)")
    peak = _peak_gib()
    verdict = "meets" if peak <= BUDGET_PEAK_GB else "MISSES"
    print(
        f"peak RSS: {peak:.2f} GiB ({verdict} the {BUDGET_PEAK_GB:.0f} GB budget; includes the input frame)"
    )
    if england:
        verdict = "meets" if engine <= BUDGET_ENGLAND_S else "MISSES"
        print(f"England scale: {engine:.1f} s ({verdict} the {BUDGET_ENGLAND_S:.0f} s budget)")
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    main()
