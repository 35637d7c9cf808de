"""Many providers at once: a synthetic England (or region) from a national extract, written to disk.

Each provider is calibrated to its own published month with its own child seed (``SeedSequence(seed)``
spawned in provider-code order), so the output does not depend on how many threads ran or in which order.
Providers are written as Parquet parts as they finish, then merged by streaming into one ``events`` and one
``patients`` file; memory stays at one or two providers' worth whatever the total.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from carebacklog.synth.trust import synthesise_trust

__all__ = ["ManyResult", "providers_in", "synthesise_providers"]


@dataclass(frozen=True)
class ManyResult:
    """What was written: the files, the providers, and the total events and patients."""

    files: list[Path]
    providers: list[str]
    events: int
    patients: int


def providers_in(extract: pl.DataFrame) -> list[str]:
    """Providers with a waiting list (Part_2 rows) in the extract, sorted by code."""
    return sorted(extract.filter(pl.col("part") == "Part_2")["provider_code"].drop_nulls().unique().to_list())


def synthesise_providers(
    extract: pl.DataFrame,
    census_date: dt.date,
    out_dir: Path,
    *,
    seed: int = 0,
    providers: Sequence[str] | None = None,
    scale: float = 1.0,
    imd_gap_weeks: float = 0.0,
    shared_patients: float = 0.0,
    fmt: Literal["parquet", "csv"] = "parquet",
    on_provider: Callable[[str], None] | None = None,
) -> ManyResult:
    """Synthesise every provider (or ``providers``) of ``extract`` and write ``events`` and ``patients``.

    ``on_provider`` is called with each provider code when it is done (for a progress bar).
    """
    codes = sorted(providers) if providers is not None else providers_in(extract)
    if not codes:
        raise ValueError("the extract holds no provider with incomplete pathways (Part_2)")
    by_provider = {k[0]: v for k, v in extract.partition_by("provider_code", as_dict=True).items()}
    missing = [c for c in codes if c not in by_provider]
    if missing:
        raise ValueError("providers not in the extract: " + ", ".join(missing[:10]))
    seeds = np.random.SeedSequence(seed).spawn(len(codes))
    parts = out_dir / ".parts"
    parts.mkdir(parents=True, exist_ok=True)

    def one(i: int) -> tuple[int, int]:
        code = codes[i]
        trust = synthesise_trust(
            by_provider[code],
            code,
            census_date,
            rng=np.random.default_rng(seeds[i]),
            scale=scale,
            imd_gap_weeks=imd_gap_weeks,
            shared_patients=shared_patients,
        )
        trust.events.write_parquet(parts / f"events-{i:05d}.parquet")
        trust.patients.write_parquet(parts / f"patients-{i:05d}.parquet")
        if on_provider is not None:
            on_provider(code)
        return trust.events.height, trust.patients.height

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        done = list(pool.map(one, range(len(codes))))
    files = []
    for name in ("events", "patients"):
        target = out_dir / f"{name}.{fmt}"
        scan = pl.scan_parquet(str(parts / f"{name}-*.parquet"))
        if fmt == "parquet":
            scan.sink_parquet(target)
        else:
            scan.sink_csv(target)
        files.append(target)
    shutil.rmtree(parts)
    return ManyResult(
        files=files,
        providers=codes,
        events=sum(d[0] for d in done),
        patients=sum(d[1] for d in done),
    )
