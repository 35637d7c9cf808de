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
    local = sweep(lists, 3, runs=40, seed=5, batch_lists=8)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        distributed = sweep(lists, 3, runs=40, seed=5, batch_lists=8, client=client,
                            on_batch=lambda d, t: progress.append((d, t)))
    assert distributed.equals(local)
    assert distributed.height == lists.size * 3
    assert progress[-1][0] == progress[-1][1] == len(batches(lists, 8))


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
