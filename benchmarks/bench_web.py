"""Web benchmark: the PTL page and API over ~500,000 open pathways, 20 concurrent users on loopback.

Builds a synthetic RBD scaled to ~500,000 waiting (carebacklog.synth through the RTT engine), loads it into
SQLite, starts ``carebacklog serve`` in a subprocess and has 20 users (threads, one httpx client and one
login session each) request PTL pages and API pages with random filters, sorts and pages for a fixed time.
Prints p50/p95/p99 against the project's budget (docs/architecture.md §Performance budgets) (p95 ≤ 200 ms). Client and server share the machine's
cores, so the figures include the load generator's own CPU use.

Usage: ``python benchmarks/bench_web.py [--scale 23] [--seconds 30] [--users 20]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from carebacklog.store import current_load, make_engine, make_sessionmaker, ptl_frame

BUDGET_P95_MS = 200.0  # budget: PTL of 500,000 pathways, filtered and paged, 20 users on loopback


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _random_query(rng: random.Random, specialties: list[str]) -> dict[str, str]:
    query: dict[str, str] = {}
    if rng.random() < 0.5:
        query["treatment_function"] = rng.choice(specialties)
    if rng.random() < 0.3:
        query["priority"] = rng.choice(["P2", "P3", "P4", "none"])
    if rng.random() < 0.3:
        query["weeks_min"] = str(rng.choice([18, 40, 52]))
    if rng.random() < 0.2:
        query["breach_within_weeks"] = str(rng.choice([2, 4, 8]))
    if rng.random() < 0.2:
        query["has_dta"] = rng.choice(["true", "false"])
    if rng.random() < 0.2:
        query["imd_quintile"] = str(rng.randint(1, 5))
    query["sort"] = rng.choice(
        ["booking_rank", "booking_rank", "weeks_waited", "clock_start", "treatment_function"]
    )
    query["order"] = rng.choice(["asc", "desc"])
    query["page"] = str(rng.choice([1, 1, 1, 2, 3, 10, 50]))
    return query


def _build(url: str, scale: float, users: int, password: str) -> None:
    from carebacklog.store import load_trust, make_sessionmaker, migrate, session_scope
    from carebacklog.store.accounts import create_user
    from carebacklog.web.demo import build_demo_trust

    started = time.perf_counter()
    trust = build_demo_trust(seed=1, scale=scale)
    built = time.perf_counter() - started
    print(
        f"trust: {trust.events.height:,} events, {trust.ptl.height:,} open pathways (built in {built:.1f} s)"
    )
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    load_trust(engine, trust, now=dt.datetime.now(dt.UTC))
    rows = trust.events.height + trust.ptl.height + trust.periods.height + trust.patients.height
    print(f"load (one transaction, {rows:,} rows): {time.perf_counter() - started:.1f} s")
    with session_scope(make_sessionmaker(engine)) as db:
        now = dt.datetime.now(dt.UTC)
        for i in range(max(users, 50)):
            create_user(
                db, username=f"user{i}", password=password, role="ptl", full_name=f"User {i}", now=now
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=23.0, help="multiple of RBD's list (23 ≈ 500,000)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (one per core)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user pauses between requests")
    parser.add_argument(
        "--database", type=Path, help="reuse this SQLite file if it exists (else build it there)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use a fresh PostgreSQL database (scripts/postgres.sh) instead",
    )
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    password = "benchmark password"
    cleanup: Callable[[], object] | None = None
    if args.postgres:
        from carebacklog.store.testing import fresh_database

        databases = fresh_database(
            "postgresql", Path(tempfile.mkdtemp()), repo_root=Path(__file__).resolve().parents[1]
        )
        url = next(databases)
        cleanup = lambda: next(databases, None)  # noqa: E731  (drops the PostgreSQL database)
        _build(url, args.scale, args.users, password)
        where = "PostgreSQL"
    else:
        db_file = args.database or Path(tempfile.mkdtemp(prefix="bench-web-")) / "bench.db"
        db_file.parent.mkdir(parents=True, exist_ok=True)
        if args.database is None:  # a throwaway database: remove it afterwards
            folder = db_file.parent
            cleanup = lambda: shutil.rmtree(folder, ignore_errors=True)  # noqa: E731
        url = f"sqlite:///{db_file.resolve()}"
        if not db_file.exists():
            _build(url, args.scale, args.users, password)
        where = str(db_file)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        load = current_load(db)
        assert load is not None, f"nothing is loaded in {where}"
    ptl = ptl_frame(engine, load.id)
    specialties = sorted(ptl["treatment_function"].unique().to_list())
    n_open = ptl.height
    engine.dispose()
    print(f"PTL: {n_open:,} open pathways in {where}")
    try:
        return _serve_and_measure(args, url, password, specialties)
    finally:
        if cleanup is not None:
            cleanup()


def _serve_and_measure(args: argparse.Namespace, url: str, password: str, specialties: list[str]) -> int:
    port = _free_port()
    env = {**os.environ, "CAREBACKLOG_SECRET_KEY": secrets.token_urlsafe(48)}
    server = subprocess.Popen(
        [sys.executable, "-m", "carebacklog.cli", "serve", "--port", str(port), "--database", url,
         "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    ready_at = time.perf_counter()
    try:
        deadline = time.monotonic() + 300  # start-up reads and sorts the PTL before serving
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        clients = []
        for i in range(args.users):
            client = httpx.Client(base_url=base, timeout=30)
            client.post(
                "/api/v1/session", json={"username": f"user{i}", "password": password}
            ).raise_for_status()
            clients.append(client)
        started = time.perf_counter()
        clients[0].get("/ptl").raise_for_status()
        print(
            f"first PTL page: {time.perf_counter() - started:.2f} s; "
            f"server start to ready (PTL read, sorted, overview computed): {time.perf_counter() - ready_at:.1f} s"
        )
        for sort in ("weeks_waited", "clock_start", "treatment_function", "priority", "pathway_id"):
            clients[0].get("/api/v1/ptl", params={"sort": sort}).raise_for_status()

        results: dict[str, list[float]] = {"page": [], "api": []}
        errors = []
        stop_at = time.perf_counter() + args.seconds
        lock = threading.Lock()

        def user(index: int) -> None:
            rng = random.Random(index)
            client = clients[index]
            while time.perf_counter() < stop_at:
                kind = "page" if rng.random() < 0.5 else "api"
                path = "/ptl" if kind == "page" else "/api/v1/ptl"
                t0 = time.perf_counter()
                response = client.get(path, params=_random_query(rng, specialties))
                elapsed = 1000 * (time.perf_counter() - t0)
                with lock:
                    if response.status_code == 200:
                        results[kind].append(elapsed)
                    else:
                        errors.append(response.status_code)
                if args.think:
                    time.sleep(rng.uniform(0.5, 1.5) * args.think)

        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load_after = os.getloadavg()[0]
        print(
            f"\n{args.users} concurrent users for {args.seconds:.0f} s, think time {args.think:g} s, {args.workers} worker(s); errors: {len(errors)}"
        )
        everything = results["page"] + results["api"]
        for name, values in (
            ("PTL page (HTML)", results["page"]),
            ("PTL API (JSON)", results["api"]),
            ("all", everything),
        ):
            if not values:
                continue
            p95 = _percentile(values, 0.95)
            verdict = "within" if p95 <= BUDGET_P95_MS else "OVER"
            print(
                f"{name:16s} n={len(values):6d}  p50={statistics.median(values):6.1f} ms  p95={p95:6.1f} ms  "
                f"p99={_percentile(values, 0.99):6.1f} ms  -> {verdict} budget (p95 ≤ {BUDGET_P95_MS:.0f} ms)"
            )
        print(
            f"throughput: {len(everything) / args.seconds:.0f} requests/s; load average after: {load_after:.2f}"
        )
        for client in clients:
            client.close()
        return 0 if everything and not errors else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
