"""Sweeps: every provider × treatment function of a national extract, projected on Dask.

Lists are projected in chunks of ``BATCH_LISTS`` (8 lists × 1,000 runs = 8,000 model rows, one
vectorised Monte Carlo projection whose working arrays stay in cache), and a Dask task runs many
chunks in turn: by default about ``TASKS_PER_THREAD`` tasks per worker thread, so a national sweep is
a few dozen tasks rather than hundreds and the scheduler stays out of the way. Sweeps step monthly on
:func:`~carebacklog.forecast.bins.compact_bins` (15 bins with an edge at every measure threshold)
instead of weekly on 105 bins: about 30 times less arithmetic, with the starting 18/52/65/78/104-week
figures still exact (docs/forecast.md compares the two). Each list draws from its own generator
seeded by (seed, the list's position), so results do not depend on how lists are batched, grouped
into tasks or scheduled.

:func:`local_cluster` starts the default cluster with two settings that matter for this work: no
statistical profiler, and glibc's malloc left to its default heap policy (Dask's nanny sets
``MALLOC_TRIM_THRESHOLD_``, which makes every freed array go back to the system and every new one
page-fault in again — it more than doubled the workers' CPU time on these tasks).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from carebacklog.forecast.bins import WEEKS_PER_MONTH, compact_bins
from carebacklog.forecast.calibrate import Calibration
from carebacklog.forecast.montecarlo import forecast

__all__ = ["BATCH_LISTS", "TASKS_PER_THREAD", "batches", "local_cluster", "run_batch", "run_task", "sweep"]

# Lists per projection (and per random generator): with 1,000 runs that is 8,000 model rows (~0.5 MB
# of float32 state per array), small enough for the working arrays to stay in cache (8 lists a batch
# ran 35% faster per list than 64).
BATCH_LISTS = 8
# Dask tasks per worker thread: enough to balance the load when one worker is slowed down (the
# machine may be shared), few enough that scheduling costs nothing next to the projection.
TASKS_PER_THREAD = 8


def _compact(cal: Calibration) -> Calibration:
    return cal.with_bins(compact_bins(), WEEKS_PER_MONTH) if cal.bins.name != "compact" else cal


def batches(cal: Calibration, batch_lists: int = BATCH_LISTS) -> list[Calibration]:
    """Split a calibration into batches of lists, re-expressed on compact bins with monthly steps."""
    compact = _compact(cal)
    return [compact.subset(slice(lo, lo + batch_lists)) for lo in range(0, compact.size, batch_lists)]


def run_batch(cal: Calibration, horizon: int, runs: int, seed: int, first_list: int) -> pl.DataFrame:
    """Project one batch (float32 state) and return its rows of the result table.

    List j of the batch draws from a generator seeded by (seed, ``first_list`` + j), its position in
    the sweep: a list's ranges are the same whatever batch or task it is projected in.
    """
    rngs = [np.random.default_rng([seed, first_list + j]) for j in range(cal.size)]
    return forecast(cal, horizon, rng=rngs, runs=runs, dtype=np.float32).to_frame()


def run_task(
    cal: Calibration, horizon: int, runs: int, seed: int, first_list: int, batch_lists: int = BATCH_LISTS
) -> pl.DataFrame:
    """Project ``cal`` (compact bins) batch by batch; its first list is number ``first_list`` of the sweep."""
    frames = [
        run_batch(cal.subset(slice(lo, lo + batch_lists)), horizon, runs, seed, first_list + lo)
        for lo in range(0, cal.size, batch_lists)
    ]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()


def local_cluster(workers: int = 2, threads_per_worker: int = 1) -> Any:
    """A local Dask cluster of worker processes set up for sweeps (see the module notes)."""
    import dask
    from distributed import LocalCluster

    settings = {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,  # None: leave it unset
    }
    with dask.config.set(settings):
        return LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                            dashboard_address=":0")


def sweep(
    cal: Calibration,
    horizon: int,
    *,
    runs: int = 1000,
    seed: int = 0,
    client: Any = None,
    batch_lists: int = BATCH_LISTS,
    tasks: int | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Project every list of ``cal``; on ``client`` (a ``distributed.Client``) when given, else in process.

    ``tasks``: how many Dask tasks to cut the batches into (default ``TASKS_PER_THREAD`` per worker
    thread); results are the same whatever it is. ``on_batch(done, total)`` is called as tasks (in
    process: batches) finish, for progress bars. Rows: the keys, ``month``, and each measure with
    ``_p10``/``_p90``, in the calibration's list order.
    """
    compact = _compact(cal)
    n_batches = math.ceil(compact.size / batch_lists)
    if client is None:
        frames = []
        for i in range(n_batches):
            part = compact.subset(slice(i * batch_lists, (i + 1) * batch_lists))
            frames.append(run_batch(part, horizon, runs, seed, i * batch_lists))
            if on_batch:
                on_batch(i + 1, n_batches)
        return pl.concat(frames, how="vertical") if frames else pl.DataFrame()

    from distributed import as_completed

    if tasks is None:
        tasks = TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))
    per_task = max(1, math.ceil(n_batches / max(1, tasks))) * batch_lists  # lists
    firsts = list(range(0, compact.size, per_task))
    parts = [compact.subset(slice(first, first + per_task)) for first in firsts]
    scattered = client.scatter(parts)
    futures = [
        client.submit(run_task, part, horizon, runs, seed, first, batch_lists, pure=False)
        for part, first in zip(scattered, firsts, strict=True)
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[pl.DataFrame | None] = [None] * len(futures)
    for done, fut in enumerate(as_completed(futures), start=1):
        results[index[fut.key]] = fut.result()
        if on_batch:
            on_batch(done, len(futures))
    frames = [r for r in results if r is not None]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()
