"""Chart files are reproducible: the same input gives byte-identical SVG in two separate processes.

matplotlib salts SVG ids with a random UUID and stamps the date unless told otherwise; each writer
(spc, forecast, booking) saves through ``carebacklog._figures.save_figure``. The two runs are separate
interpreters with different hash seeds, so nothing process-specific can hide in the files.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

WRITE_CHARTS = r"""
import datetime as dt
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])

from carebacklog.spc import save_xmr, xmr_chart
save_xmr(xmr_chart([50, 52, 54, 56, 58, 60, 58, 56, 54, 52, 50, 53, 55, 52], polarity="up"),
         out / "spc.svg", title="Within 18 weeks", y_label="%")

from carebacklog.forecast import (
    forecast, inputs_from_series, parse_target, plan_capacity, plan_chart, projection_chart, read_series,
)
cal = inputs_from_series(read_series(), "national")
projection_chart(forecast(cal, 6, rng=np.random.default_rng(3), runs=20), out / "projection.svg")
plan_chart(plan_capacity(cal, [parse_target("pct18>=65@2026-03")]), out / "plan.svg")

from carebacklog.booking import Scenario, compare_policies, comparison_chart
scenario = Scenario.model_validate({
    "specialties": [{"treatment_function": "110", "referrals_per_week": 20,
                     "sessions_per_week": [1, 1, 1, 1, 1, 0, 0], "cases_per_session": 4}],
    "priority_mix": {"P2": 0.2, "P4": 0.6, "none": 0.2},
})
comparison = compare_policies(None, scenario, ["fifo", "priority"], census_date=dt.date(2025, 3, 31),
                              weeks=4, runs=1, seed=5)
comparison_chart(comparison, out / "booking.svg")
"""

CHARTS = ("spc.svg", "projection.svg", "plan.svg", "booking.svg")


def _write(folder: Path, hash_seed: str) -> dict[str, bytes]:
    folder.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", WRITE_CHARTS, str(folder)], env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return {name: (folder / name).read_bytes() for name in CHARTS}


@pytest.mark.slow
def test_the_same_charts_are_written_byte_for_byte_twice(tmp_path: Path) -> None:
    first = _write(tmp_path / "one", "1")
    second = _write(tmp_path / "two", "2")
    for name in CHARTS:
        assert first[name].startswith(b"<?xml"), name
        assert b"<dc:date>" not in first[name], f"{name} carries the date it was written"
        assert hashlib.sha256(first[name]).hexdigest() == hashlib.sha256(second[name]).hexdigest(), (
            f"{name} differs between two runs on the same input"
        )
