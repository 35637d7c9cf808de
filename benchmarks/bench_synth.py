"""Benchmark the synthetic trust generator (issue 3; budget: >= 1 M events/s, docs/architecture.md §Performance budgets).

Usage::

    .venv/bin/python benchmarks/bench_synth.py               # RBD x 100 (~10 M events), in memory
    .venv/bin/python benchmarks/bench_synth.py --scale 20    # any other multiple of RBD
    .venv/bin/python benchmarks/bench_synth.py --england     # England: every provider of the national
        # January 2026 extract (~7.2 M open pathways), each calibrated to its own published month and
        # written as Parquet parts, then merged into DIR/events.parquet and DIR/patients.parquet
    .venv/bin/python benchmarks/bench_synth.py --england --out DIR   # keep the files in DIR (engine benchmark)

Prints events, seconds, events/s against the budget, peak RSS (KiB) and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl

from carebacklog.synth.demo import DEMO_CENSUS_DATE, DEMO_PROVIDER, demo_extract
from carebacklog.synth.trust import synthesise_trust

BUDGET_EVENTS_PER_S = 1_000_000  # issue 3: generation at >= 1 M events/s
NATIONAL = "rtt_full_extract_2026_01.zip"  # NHS England RTT Full CSV extract, January 2026
NATIONAL_CENSUS = dt.date(2026, 1, 31)


def _report(label: str, events: int, patients: int, seconds: float, cpu: float) -> bool:
    rate = events / seconds
    ok = rate >= BUDGET_EVENTS_PER_S
    print(
        f"{label}: {events:,} events, {patients:,} patients generated in {seconds:.1f} s wall, {cpu:.1f} s CPU"
    )
    print(f"  {rate:,.0f} events/s (budget >= {BUDGET_EVENTS_PER_S:,}: {'within' if ok else 'OVER'} budget)")
    return ok


def scaled_rbd(scale: float) -> bool:
    extract = demo_extract()
    started, cpu = time.perf_counter(), time.process_time()
    trust = synthesise_trust(
        extract, DEMO_PROVIDER, DEMO_CENSUS_DATE, rng=np.random.default_rng(2026), scale=scale
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _report(f"synth RBD x {scale:g}", trust.events.height, trust.patients.height, wall, cpu)


def england(out: Path) -> bool:
    from carebacklog.published import read_rtt

    extract = read_rtt([str(files("carebacklog") / "data" / NATIONAL)])
    by_provider = extract.partition_by("provider_code", as_dict=True)
    providers = sorted(k[0] for k, v in by_provider.items() if (v["part"] == "Part_2").any())
    seeds = np.random.SeedSequence(2026).spawn(len(providers))
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)

    def one(i: int) -> tuple[int, int]:
        code = providers[i]
        trust = synthesise_trust(
            by_provider[(code,)], code, NATIONAL_CENSUS, rng=np.random.default_rng(seeds[i])
        )
        return trust.events.height, trust.patients.height

    # Providers are independent (each has its own seed): generate two at a time on threads.
    t, c = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(one, range(len(providers))))
    generating, cpu = time.perf_counter() - t, time.process_time() - c
    events, patients = (sum(x) for x in zip(*counts, strict=True))
    ok = _report(
        f"synth England ({len(providers)} providers, January 2026)", events, patients, generating, cpu
    )
    # Then write them (regenerated: the same seeds give the same trusts), one provider at a time.
    t = time.perf_counter()
    for i, code in enumerate(providers):
        trust = synthesise_trust(
            by_provider[(code,)], code, NATIONAL_CENSUS, rng=np.random.default_rng(seeds[i])
        )
        trust.events.write_parquet(parts / f"events-{i:04d}.parquet")
        trust.patients.write_parquet(parts / f"patients-{i:04d}.parquet")
    writing = time.perf_counter() - t
    t = time.perf_counter()
    for name in ("events", "patients"):
        pl.scan_parquet(str(parts / f"{name}-*.parquet")).sink_parquet(out / f"{name}.parquet")
    size = sum(p.stat().st_size for p in out.glob("*.parquet")) / 1e6
    print(
        f"  generated again and wrote parts in {writing:.1f} s, merged {out}/events.parquet + patients.parquet ({size:,.0f} MB) "
        f"in {time.perf_counter() - t:.1f} s"
    )
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--england", action="store_true", help="every provider of January 2026, to Parquet")
    parser.add_argument("--scale", type=float, default=100.0, help="multiple of RBD (default 100)")
    parser.add_argument("--out", type=Path, default=None, help="directory for the England Parquet files")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    if args.england:
        ok = england(args.out or Path(tempfile.mkdtemp(prefix="synth_england_")))
    else:
        ok = scaled_rbd(args.scale)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  peak RSS {rss:,} KiB ({rss / 1024 / 1024:.2f} GiB); load average at start {load[0]:.2f} {load[1]:.2f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
