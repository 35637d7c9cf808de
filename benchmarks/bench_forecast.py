"""Forecast benchmarks against the budgets in docs/architecture.md; run: ``.venv/bin/python benchmarks/bench_forecast.py``.

* one list (the bundled RBD extract, weekly bins 0–104+, weekly steps), 24 months, 1,000 Monte Carlo
  runs — budget "well under a second";
* the optimiser on the same list with two targets;
* the national sweep: every provider × treatment function of the January 2026 Full CSV extract,
  24 months, 1,000 runs, on a local Dask cluster of 2 worker processes — budget ≤ 60 s on 2 cores.

Prints wall-clock figures, the machine's load average (the machine may be shared) and peak memory
(``ru_maxrss`` of this process and, for the sweep, of the workers).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

DATA = Path(str(resources.files("carebacklog") / "data"))


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_single_list() -> None:
    from carebacklog.forecast import calibrate, forecast, load_observations, parse_target, plan_capacity

    cal = calibrate(load_observations([DATA / "rtt_full_extract_2024_11_RBD.csv"]))
    times = []
    for seed in range(5):
        began = time.perf_counter()
        forecast(cal, 24, rng=np.random.default_rng(seed), runs=1000)
        times.append(time.perf_counter() - began)
    print(f"single list, 105 weekly bins, 24 months × 1,000 runs: median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f} s; budget well under 1 s) [{_load()}]")
    began = time.perf_counter()
    plan_capacity(cal, [parse_target("pct18>=65@2025-06"), parse_target("pct18>=92@2027-03")], ring_fence=None)
    print(f"optimiser, two targets, ring-fence chosen from 6 shares: {time.perf_counter() - began:.3f} s [{_load()}]")


def bench_national_sweep(workers: int = 2, runs: int = 1000, horizon: int = 24) -> None:
    from distributed import Client

    from carebacklog.forecast import calibrate, load_observations, sweep
    from carebacklog.forecast.sweep import local_cluster

    began = time.perf_counter()
    obs = load_observations([DATA / "rtt_full_extract_2026_01.zip"], "provider,treatment_function")
    cal = calibrate(obs)
    prepared = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        started = time.perf_counter()

        def usage() -> float:
            r = resource.getrusage(resource.RUSAGE_SELF)
            return r.ru_utime + r.ru_stime

        cpu_before = client.run(usage)
        driver_before = time.process_time()
        tasks: list[int] = []
        result = sweep(cal, horizon, runs=runs, seed=0, client=client, on_batch=lambda d, t: tasks.append(t))
        swept = time.perf_counter()
        driver_cpu = time.process_time() - driver_before
        cpu_after = client.run(usage)
        worker_rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    with tempfile.TemporaryDirectory() as tmp:
        result.write_parquet(Path(tmp) / "sweep.parquet")
    print(f"national sweep: {cal.size:,} lists × {horizon} months × {runs:,} runs on {workers} workers "
          f"({tasks[-1] if tasks else 0} tasks): read + calibrate {prepared - began:.1f} s, cluster start "
          f"{started - prepared:.1f} s, projection {swept - started:.1f} s (budget ≤ 60 s); "
          f"{result.height:,} result rows [{_load()}]")
    print("  peak memory per worker: " + ", ".join(f"{v:,.0f} MiB" for v in worker_rss.values()))
    cpu = sum(cpu_after[k] - cpu_before[k] for k in cpu_after)
    print(f"  CPU time of the sweep: workers {cpu:.1f} s, driver and scheduler {driver_cpu:.1f} s; "
          f"about {(cpu + driver_cpu) / workers:.1f} s of wall clock on {workers} otherwise idle cores "
          "(a shared machine stretches the wall clock, not the CPU time)")


def main() -> None:
    bench_single_list()
    if "--quick" not in sys.argv:
        bench_national_sweep()
    print(f"peak memory of this process: {_rss_mib():,.0f} MiB (ru_maxrss)")


if __name__ == "__main__":
    main()
