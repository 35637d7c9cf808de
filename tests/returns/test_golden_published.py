"""Golden test: the demo trust's return, written by us, is NHS England's published file byte for byte.

The demo trust (``synthesise_trust`` on the bundled RBD November 2024 extract) is calibrated so that the
clock engine's picture at the census reproduces the published month; writing its monthly return through
``carebacklog rtt return`` (names and ICB parents from the same published file) must then give exactly the
published CSV: every row, cell, blank, ``C_999`` total and the row order.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.published import read_rtt
from carebacklog.synth import synthesise_trust

PUBLISHED = files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"


def test_demo_trust_return_is_the_published_file(tmp_path: Path) -> None:
    trust = synthesise_trust(
        read_rtt(str(PUBLISHED)), "RBD", date(2024, 11, 30), rng=np.random.default_rng(1)
    )
    events, out = tmp_path / "events.csv", tmp_path / "return.csv"
    trust.events.write_csv(events)
    result = CliRunner().invoke(
        app, ["rtt", "return", str(events), "--month", "2024-11", "--out", str(out), "--orgs", str(PUBLISHED)]
    )
    assert result.exit_code == 0, result.output
    ours = out.read_bytes().splitlines()
    published = PUBLISHED.read_bytes().splitlines()
    assert len(ours) == len(published) == 513
    mismatches = [(i, a, b) for i, (a, b) in enumerate(zip(ours, published, strict=True)) if a != b]
    assert mismatches == []
