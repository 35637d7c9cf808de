"""Sweeps on a small local Dask cluster (threads, to stay fast) give the same answer as in process."""

import numpy as np
import pytest

from carebacklog.forecast.inputs import calibrate, observations_from_tidy
from carebacklog.forecast.sweep import batches, sweep


@pytest.fixture(scope="module")
def lists(rbd_tidy):
    return calibrate(observations_from_tidy(rbd_tidy, "provider,treatment_function"))


def test_sweep_on_local_cluster_matches_in_process(lists):
    from distributed import Client, LocalCluster

    progress = []
    local = sweep(lists, 3, runs=40, seed=5, batch_lists=4)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        distributed = sweep(lists, 3, runs=40, seed=5, batch_lists=4, client=client,
                            on_batch=lambda d, t: progress.append((d, t)))
        # batches grouped into tasks differently: the same numbers (each batch has its own seed)
        one_task = sweep(lists, 3, runs=40, seed=5, batch_lists=4, client=client, tasks=1)
        two_tasks = sweep(lists, 3, runs=40, seed=5, batch_lists=4, client=client, tasks=2)
    assert distributed.equals(local) and one_task.equals(local) and two_tasks.equals(local)
    assert distributed.height == lists.size * 3
    assert progress[-1][0] == progress[-1][1] <= len(batches(lists, 4))


def test_compact_bins_keep_the_starting_measures(lists):
    compact = batches(lists, 1000)[0]
    w_week, w_compact = lists.bins.measure_weights(), compact.bins.measure_weights()
    assert np.allclose(lists.stock @ w_week[:, 1], compact.stock @ w_compact[:, 1])
    assert np.allclose(lists.stock @ w_week[:, 2], compact.stock @ w_compact[:, 2])


def test_sweep_command_on_an_existing_scheduler(tmp_path):
    import polars as pl
    from distributed import LocalCluster
    from typer.testing import CliRunner

    from carebacklog.cli import app

    from .conftest import RBD

    out = tmp_path / "sweep.parquet"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        r = CliRunner().invoke(app, ["forecast", "sweep", str(RBD), "--out", str(out), "--runs", "20",
                                     "--horizon", "2", "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0, r.output
    result = pl.read_parquet(out)
    assert {"provider_code", "treatment_function", "month", "total_p10", "pct_within_18_p90"} <= set(result.columns)
    assert result["month"].unique().sort().to_list() == ["2024-12", "2025-01"]
    bad = CliRunner().invoke(app, ["forecast", "sweep", str(RBD), "--out", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2


def test_local_cluster_leaves_malloc_trimming_at_its_default():
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which makes every NumPy temporary
    page-fault in afresh; the sweep's own cluster leaves it unset (more than twice the CPU otherwise)."""
    import os

    from distributed import Client

    from carebacklog.forecast.sweep import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(env.values()) == [None]


def test_a_list_gets_the_same_ranges_alone_as_in_its_batch(lists):
    """The batched path (8 lists × runs in one array) gives each list exactly what projecting it on
    its own gives with the same seed: no list leaks into another, and batching is only a speed-up."""
    from carebacklog.forecast.montecarlo import forecast

    horizon, runs, seed = 4, 300, 3
    swept = sweep(lists, horizon, runs=runs, seed=seed, batch_lists=8)
    compact = batches(lists, lists.size)[0]
    for i in (0, 5, 9, 17):
        alone = forecast(compact.subset([i]), horizon, rng=[np.random.default_rng([seed, i])], runs=runs,
                         dtype=np.float32).to_frame()
        in_batch = swept.slice(i * horizon, horizon)
        assert in_batch.select(alone.columns[:2]).equals(alone.select(alone.columns[:2]))
        for col in ("total", "total_p10", "total_p90", "pct_within_18", "pct_within_18_p90", "over_52"):
            assert np.allclose(in_batch[col].to_numpy(), alone[col].to_numpy(), rtol=1e-6), (i, col)
