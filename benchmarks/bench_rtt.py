"""Benchmark the RTT clock engine: the whole ``rtt ptl`` process beside a plain Polars yardstick, and the core.

Targets (issue 11): ``carebacklog rtt ptl EVENTS --census-date D --out OUT.parquet`` as a whole
process (start-up, reading and validating, the clocks, writing) at least 2x as fast as
``benchmarks/yardstick_rtt.py`` (a plain Polars read-sort-number-write script) timed in the same run,
peak memory <= 2.5 GB on the 9 M-event set; England scale (about 40 M events) <= 15 s.

    .venv/bin/python benchmarks/bench_rtt.py                # about 10 M events
    .venv/bin/python benchmarks/bench_rtt.py --england      # about 40 M events
    .venv/bin/python benchmarks/bench_rtt.py --pathways 500000
    .venv/bin/python benchmarks/bench_rtt.py --events /tmp/england_synth/events.parquet --census-date 2026-01-31

``--events PATH`` times the engine on an existing events Parquet (for example the synthetic England
data set of ``carebacklog synth trust --provider ALL ...``) instead of generating events; the census
date defaults to the latest event date in the file.

Figures printed: generation time; for each of ``--repeat`` rounds the yardstick and the CLI as
subprocesses (wall time, events/s, peak RSS of that child from ``os.wait4``), in alternating order,
and their ratio; then the core in this process (build_periods + ptl_snapshot: events/s, CPU time,
peak RSS), and the load average at the start and end. The machine may be shared: compare the
yardstick and the CLI of the same round, not figures from different runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from carebacklog.rtt import build_periods, generate_events, ptl_snapshot, ptl_summary

BUDGET_EVENTS_PER_S = 2_000_000
BUDGET_ENGLAND_S = 15.0
BUDGET_PEAK_GB = 2.5
BUDGET_ENGLAND_PEAK_GB = 8.0
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
        "--pathways", type=int, default=2_000_000, help="pathways to generate (~4.75 events each)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="rounds of yardstick + CLI subprocesses")
    parser.add_argument("--no-core", action="store_true", help="skip the in-process core timing")
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
        _whole_process(args.events, events.height, census, args.repeat)
        if not args.no_core:
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
        _whole_process(path, events.height, census, args.repeat)
    if args.no_core:
        return
    n = events.height
    kind = "Categorical codes" if args.categorical else "all text as String"
    print(f"generated {n:,} events of {pathways:,} pathways in {generated:.1f} s (separate process; {kind})")
    print(
        f"read back in {read:.1f} s; input frame {events.estimated_size() / 1024**3:.2f} GiB; RSS {_peak_gib():.2f} GiB"
    )
    _time_engine(events, census, england=args.england)


def _child(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; (wall s, CPU s, peak RSS GiB) of that child alone, from ``os.wait4``."""
    t0 = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed ({status}):\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024**2


def _whole_process(events: Path, n: int, census: date, repeat: int) -> None:
    """Time the yardstick and ``carebacklog rtt ptl`` as subprocesses, alternating, ``repeat`` rounds."""
    yardstick = Path(__file__).with_name("yardstick_rtt.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        commands = {
            "yardstick": [
                sys.executable,
                str(yardstick),
                str(events),
                "--census-date",
                str(census),
                "--out",
                str(out / "yardstick.parquet"),
            ],
            "rtt ptl": [
                sys.executable,
                "-m",
                "carebacklog.cli",
                "rtt",
                "ptl",
                str(events),
                "--census-date",
                str(census),
                "--out",
                str(out / "ptl.parquet"),
            ],
        }
        ratios, cpu_ratios = [], []
        for round_ in range(repeat):
            order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
            walls: dict[str, float] = {}
            cpus: dict[str, float] = {}
            for name in order:
                wall, cpu, peak = _child(commands[name])
                walls[name], cpus[name] = wall, cpu
                print(
                    f"round {round_ + 1} {name:9s}: {wall:6.2f} s whole process ({n / wall / 1e6:.2f} M events/s), "
                    f"CPU {cpu:6.2f} s, peak RSS {peak:.2f} GiB (load {_load()})"
                )
            ratios.append(walls["yardstick"] / walls["rtt ptl"])
            cpu_ratios.append(cpus["yardstick"] / cpus["rtt ptl"])
            print(
                f"round {round_ + 1}: rtt ptl is {ratios[-1]:.2f}x the yardstick's speed "
                f"(CPU time {cpu_ratios[-1]:.2f}x; target >= 2x)"
            )
        print(
            f"whole process vs yardstick: wall {', '.join(f'{r:.2f}x' for r in ratios)}; "
            f"CPU {', '.join(f'{r:.2f}x' for r in cpu_ratios)}"
        )


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
    budget = BUDGET_ENGLAND_PEAK_GB if england else BUDGET_PEAK_GB
    verdict = "meets" if peak <= budget else "MISSES"
    print(f"peak RSS: {peak:.2f} GiB ({verdict} the {budget:.1f} GB budget; includes the input frame)")
    if england:
        verdict = "meets" if engine <= BUDGET_ENGLAND_S else "MISSES"
        print(f"England scale: {engine:.1f} s ({verdict} the {BUDGET_ENGLAND_S:.0f} s budget)")
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    main()
