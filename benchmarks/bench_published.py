"""Benchmark: read one national monthly RTT extract and compute every headline measure.

Budget (design.md): ≤ 3 s on a 2-core machine. Run: ``.venv/bin/python benchmarks/bench_published.py``.
Measures every part (incomplete, admitted, non-admitted, DTA, new) by national, provider, provider ×
treatment function, commissioner and parent (ICB); also times the monthly-return checks separately.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

BUDGET_SECONDS = 3.0
EXTRACT = Path(__file__).resolve().parents[1] / "src" / "carebacklog" / "data" / "rtt_full_extract_2026_01.zip"
PARTS = ("incomplete", "admitted", "nonadmitted", "dta", "new")
GROUPINGS = ("national", "provider", "provider,treatment_function", "commissioner", "parent")


def one_run() -> dict[str, float]:
    from carebacklog.published import headline_measures
    from carebacklog.published.extract import read_extract_wide, wide_to_tidy

    c0 = time.process_time()
    t0 = time.perf_counter()
    wide = read_extract_wide(EXTRACT)
    t1 = time.perf_counter()
    tidy = wide_to_tidy(wide)
    t2 = time.perf_counter()
    for part in PARTS:
        for by in GROUPINGS:
            headline_measures(tidy, part, by)
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    return {"read_csv": t1 - t0, "tidy": t2 - t1, "measures": t3 - t2, "total": t3 - t0, "cpu": cpu}


def main() -> int:
    import polars as pl

    from carebacklog.published import check_return, read_rtt

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    one_run()  # warm-up: imports, page cache
    results = [one_run() for _ in range(runs)]
    t = time.perf_counter()
    check_return(read_rtt(EXTRACT, include_totals=True))
    checks = time.perf_counter() - t
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    load = os.getloadavg()
    print(f"National RTT extract (January 2026, {EXTRACT.stat().st_size / 1e6:.1f} MB zip): "
          f"read + every headline measure ({len(PARTS)} parts × {len(GROUPINGS)} groupings), "
          f"median of {runs} runs; polars {pl.__version__}, {pl.thread_pool_size()} threads")
    print(f"  read CSV from zip : {median['read_csv']:.2f} s")
    print(f"  melt to tidy      : {median['tidy']:.2f} s")
    print(f"  25 measure tables : {median['measures']:.2f} s")
    print(f"  total             : {median['total']:.2f} s  (budget {BUDGET_SECONDS:.1f} s: "
          f"{'within' if median['total'] <= BUDGET_SECONDS else 'OVER'}); min {min(r['total'] for r in results):.2f} s")
    print(f"  CPU time (all threads): {median['cpu']:.2f} s — wall time above this means waiting for a busy machine")
    print(f"  monthly-return checks (read with totals + 6 checks): {checks:.2f} s")
    print(f"  peak memory (ru_maxrss): {peak_kib:,} KiB")
    print(f"  load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if median["total"] <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
