"""Run every ``benchmarks/bench_*.py`` in turn (one process each, so peak memory is per benchmark).

Usage: ``./run bench [NAME ...]`` where NAME filters by substring (e.g. ``rtt``). Each benchmark prints
its own figures; record them, with the machine, in ``docs/performance.md``.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    print(f"machine: {cpu}; python {platform.python_version()}; {platform.platform()}")
    failed = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"--- {script.stem}: exit {rc}, {time.perf_counter() - started:.1f} s wall", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
