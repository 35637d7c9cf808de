"""Benchmark: the national monthly RTT extract, as a user runs it and beside a plain Polars read.

Whole process (start-up + read + every national headline measure): ``carebacklog rtt measures
<extract.zip> --by national`` as a subprocess; target ≤ 1.5 s (issue 11). Yardstick in the same run: a
plain Polars script that unzips and reads the same CSV (no validation, no measures). Also, in-process:
read + all 25 measure tables (5 parts × national, provider, provider × treatment function, commissioner,
parent) and the monthly-return checks. Run: ``.venv/bin/python benchmarks/bench_published.py [runs]``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_WHOLE_PROCESS = 1.5
ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "src" / "carebacklog" / "data" / "rtt_full_extract_2026_01.zip"
PARTS = ("incomplete", "admitted", "nonadmitted", "dta", "new")
GROUPINGS = ("national", "provider", "provider,treatment_function", "commissioner", "parent")
YARDSTICK = (
    "import sys, zipfile, polars as pl\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "name = next(m for m in z.namelist() if m.endswith('.csv') and not m.startswith('__MACOSX/'))\n"
    "pl.read_csv(z.read(name))\n"
)


def timed(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def one_run() -> dict[str, float]:
    from carebacklog.published import headline_measures, read_rtt

    c0 = time.process_time()
    t0 = time.perf_counter()
    tidy = read_rtt(EXTRACT)
    t1 = time.perf_counter()
    for part in PARTS:
        for by in GROUPINGS:
            headline_measures(tidy, part, by)
    t2 = time.perf_counter()
    return {"read": t1 - t0, "measures": t2 - t1, "total": t2 - t0, "cpu": time.process_time() - c0}


def main() -> int:
    import polars as pl

    from carebacklog.published import check_return, read_rtt

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cli = [sys.executable, "-m", "carebacklog.cli", "rtt", "measures", str(EXTRACT), "--by", "national"]
    plain = [sys.executable, "-c", YARDSTICK, str(EXTRACT)]
    timed(cli)  # warm-up: page cache
    whole = [timed(cli) for _ in range(runs)]
    yardstick = [timed(plain) for _ in range(runs)]
    startup = [timed([sys.executable, "-m", "carebacklog.cli", "--help"]) for _ in range(runs)]
    one_run()
    results = [one_run() for _ in range(runs)]
    t = time.perf_counter()
    check_return(read_rtt(EXTRACT, include_totals=True))
    checks = time.perf_counter() - t
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    load = os.getloadavg()
    w, y = statistics.median(whole), statistics.median(yardstick)
    print(f"National RTT extract (January 2026, {EXTRACT.stat().st_size / 1e6:.1f} MB zip), median of {runs} "
          f"runs; polars {pl.__version__}, {pl.thread_pool_size()} threads")
    print(f"  whole process `rtt measures --by national`: {w:.2f} s (target {TARGET_WHOLE_PROCESS:.1f} s: "
          f"{'within' if w <= TARGET_WHOLE_PROCESS else 'OVER'}); min {min(whole):.2f} s")
    print(f"  yardstick, plain Polars unzip + read_csv   : {y:.2f} s  (whole process = {w / y:.2f}x yardstick)")
    print(f"  of which `carebacklog --help` start-up     : {statistics.median(startup):.2f} s")
    print(f"  in-process read_rtt (strict)               : {median['read']:.2f} s")
    print(f"  in-process 25 measure tables               : {median['measures']:.2f} s")
    print(f"  CPU time of read + 25 tables (all threads) : {median['cpu']:.2f} s")
    print(f"  monthly-return checks (read with totals + checks): {checks:.2f} s")
    print(f"  peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss:,} KiB")
    print(f"  load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if w <= TARGET_WHOLE_PROCESS else 1


if __name__ == "__main__":
    raise SystemExit(main())
