"""Sweeps: every provider × treatment function of a national extract, projected on Dask.

Lists are batched (``BATCH_LISTS`` per task) and each task is one vectorised Monte Carlo projection
of its lists × runs (8 lists × 1,000 runs = 8,000 model rows), so a national sweep is a few hundred
cache-sized tasks rather than thousands of per-list ones. Sweeps step
monthly on :func:`~carebacklog.forecast.bins.compact_bins` (15 bins with an edge at every measure
threshold) instead of weekly on 105 bins: about 30 times less arithmetic, with the starting 18/52/65/78/
104-week figures still exact (docs/forecast.md compares the two). Each batch draws from its own
generator seeded by (seed, batch number), so results do not depend on how tasks are scheduled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from carebacklog.forecast.bins import WEEKS_PER_MONTH, compact_bins
from carebacklog.forecast.calibrate import Calibration
from carebacklog.forecast.montecarlo import forecast

__all__ = ["BATCH_LISTS", "batches", "run_batch", "sweep"]

# Lists per Dask task: with 1,000 runs that is 8,000 model rows (~0.5 MB of float32 state per array),
# small enough for the working arrays to stay in cache (8 lists a batch ran 35% faster per list than 64).
BATCH_LISTS = 8


def batches(cal: Calibration, batch_lists: int = BATCH_LISTS) -> list[Calibration]:
    """Split a calibration into batches of lists, re-expressed on compact bins with monthly steps."""
    compact = cal.with_bins(compact_bins(), WEEKS_PER_MONTH) if cal.bins.name != "compact" else cal
    return [compact.subset(slice(lo, lo + batch_lists)) for lo in range(0, compact.size, batch_lists)]


def run_batch(cal: Calibration, horizon: int, runs: int, seed: int, index: int) -> pl.DataFrame:
    """Project one batch (float32 state) and return its rows of the result table."""
    rng = np.random.default_rng([seed, index])
    return forecast(cal, horizon, rng=rng, runs=runs, dtype=np.float32).to_frame()


def sweep(
    cal: Calibration,
    horizon: int,
    *,
    runs: int = 1000,
    seed: int = 0,
    client: Any = None,
    batch_lists: int = BATCH_LISTS,
    on_batch: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Project every list of ``cal``; on ``client`` (a ``distributed.Client``) when given, else in process.

    ``on_batch(done, total)`` is called as batches finish (for progress bars). Rows: the keys,
    ``month``, and each measure with ``_p10``/``_p90``, in the calibration's list order.
    """
    parts = batches(cal, batch_lists)
    total = len(parts)
    results: list[pl.DataFrame | None] = [None] * total
    if client is None:
        for i, part in enumerate(parts):
            results[i] = run_batch(part, horizon, runs, seed, i)
            if on_batch:
                on_batch(i + 1, total)
    else:
        from distributed import as_completed

        scattered = client.scatter(parts)
        futures = [
            client.submit(run_batch, part, horizon, runs, seed, i, pure=False) for i, part in enumerate(scattered)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        for done, fut in enumerate(as_completed(futures), start=1):
            results[index[fut.key]] = fut.result()
            if on_batch:
                on_batch(done, total)
    frames = [r for r in results if r is not None]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()
