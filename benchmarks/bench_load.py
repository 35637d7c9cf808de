"""Load benchmark: ``carebacklog load`` of a 500,000-pathway trust, the whole process as a user runs it.

Builds a synthetic RBD scaled to ~500,000 waiting (``synth.demo_trust``, not timed) as Parquet files, then
times, each in a fresh process:

* ``carebacklog load`` into a new SQLite file (start-up, reading and validating the files, the RTT engine,
  storing the snapshot, the audit entry);
* ``carebacklog load`` of the same trust a week on (``synth.advance_extract``) into the same file: the daily
  case, with a snapshot already there whose raw events are then dropped;
* the same two into PostgreSQL when a server is available (``CAREBACKLOG_TEST_POSTGRES_URL``, else
  ``scripts/postgres.sh start``);
* the yardstick, in the same run: a plain script that reads the events Parquet with Polars and stores
  every row in a SQLite table with ``sqlite3.executemany`` (what a first loader would do; no engine).

Budget (issue "A real trust, day to day"): at most 10 s on SQLite and on PostgreSQL.
Usage: ``python benchmarks/bench_load.py [--scale 23]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BUDGET_S = 10.0
CENSUS = dt.date(2024, 11, 30)
ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "carebacklog")

YARDSTICK = textwrap.dedent(
    """
    import sqlite3, sys, polars as pl
    events = pl.read_parquet(sys.argv[1])
    rows = events.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).iter_rows()
    db = sqlite3.connect(sys.argv[2])
    db.execute("PRAGMA journal_mode=WAL")
    names = ", ".join(events.columns)
    db.execute(f"CREATE TABLE events ({names})")
    db.executemany(f"INSERT INTO events VALUES ({', '.join('?' for _ in events.columns)})", rows)
    db.commit()
    """
)


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 2**20
    return wall, peak


def _postgres_url() -> str | None:
    try:
        from carebacklog.store.testing import postgres_server_url

        server = postgres_server_url(ROOT)
    except Exception as exc:  # the benchmark runs without PostgreSQL too
        print(f"PostgreSQL: not available ({exc}); skipped")
        return None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bench_load"))
        conn.execute(text("CREATE DATABASE bench_load"))
    admin.dispose()
    return make_url(server).set(database="bench_load").render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=23.0)
    args = parser.parse_args()
    from carebacklog.synth import advance_extract, demo_trust

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        trust = demo_trust(20241130, scale=args.scale)
        later = advance_extract(trust.events, trust.patients, CENSUS, days=7, seed=1)
        files = {}
        for name, events, patients in (("first", trust.events, trust.patients), ("later", later.events, later.patients)):
            (folder / name).mkdir()
            events.write_parquet(folder / name / "events.parquet")
            patients.write_parquet(folder / name / "patients.parquet")
            files[name] = folder / name
        print(f"trust: {trust.events.height:,} events, {trust.patients.height:,} patients (scale {args.scale})")

        def load(name: str, census: dt.date, database: str) -> tuple[float, float]:
            where = files[name]
            return _timed([
                CLI, "load", str(where / "events.parquet"), "--patients", str(where / "patients.parquet"),
                "--census-date", census.isoformat(), "--database", database,
            ])  # fmt: skip

        results = []
        sqlite = str(folder / "trust.db")
        results.append(("SQLite, first load", *load("first", CENSUS, sqlite)))
        results.append(("SQLite, a week on", *load("later", later.census_date, sqlite)))
        pg = _postgres_url()
        if pg:
            results.append(("PostgreSQL, first load", *load("first", CENSUS, pg)))
            results.append(("PostgreSQL, a week on", *load("later", later.census_date, pg)))
        script = folder / "yardstick.py"
        script.write_text(YARDSTICK)
        yard = _timed([sys.executable, str(script), str(files["first"] / "events.parquet"), str(folder / "y.db")])
        results.append(("yardstick: Polars + sqlite3.executemany of the events", *yard))
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'case':58} {'wall s':>7} {'peak GiB':>9}  budget {BUDGET_S:.0f} s")
    failed = False
    for label, wall, peak in results:
        verdict = "" if label.startswith("yardstick") else ("met" if wall <= BUDGET_S else "MISSED")
        failed |= verdict == "MISSED"
        print(f"{label:58} {wall:7.2f} {peak:9.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
