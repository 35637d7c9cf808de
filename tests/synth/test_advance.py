"""An extract some days on: stops, removals and new referrals in the right amounts, deterministic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.rtt.pipeline import ptl_from_events
from carebacklog.synth import advance_extract, demo_trust

CENSUS = dt.date(2024, 11, 30)


@pytest.fixture(scope="module")
def trust():  # type: ignore[no-untyped-def]
    return demo_trust(3, scale=0.03)


def test_the_later_list_loses_stops_and_removals_and_gains_referrals(trust) -> None:  # type: ignore[no-untyped-def]
    _, before = ptl_from_events(trust.events, CENSUS)
    later = advance_extract(trust.events, trust.patients, CENSUS, days=14, seed=1)
    _, after = ptl_from_events(later.events, later.census_date, later.patients)
    assert later.census_date == CENSUS + dt.timedelta(days=14)
    assert after.height == before.height - later.stopped - later.removed + later.referred
    # two weeks at 5% a week stop, give or take the draw
    assert 0.07 * before.height < later.stopped < 0.13 * before.height
    assert later.referred == later.stopped + later.removed  # growth 1: a steady list
    assert later.patients.height == trust.patients.height + later.referred
    new = after.filter(pl.col("clock_start") > CENSUS)
    assert new.height == later.referred and new["clock_start"].max() <= later.census_date


def test_the_same_seed_gives_the_same_extract(trust) -> None:  # type: ignore[no-untyped-def]
    one = advance_extract(trust.events, trust.patients, CENSUS, seed=4)
    two = advance_extract(trust.events, trust.patients, CENSUS, seed=4)
    assert one.events.equals(two.events) and (one.stopped, one.removed) == (two.stopped, two.removed)
    with pytest.raises(ValueError, match="days"):
        advance_extract(trust.events, trust.patients, CENSUS, days=0)


def test_synth_advance_writes_a_loadable_extract(trust, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trust.events.write_csv(tmp_path / "events.csv")
    trust.patients.write_csv(tmp_path / "patients.csv")
    result = CliRunner().invoke(
        app, ["synth", "advance", str(tmp_path / "events.csv"), "--patients", str(tmp_path / "patients.csv"),
              "--census-date", CENSUS.isoformat(), "--out", str(tmp_path / "later"), "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2024-12-07" in result.stdout and "new referrals" in result.stdout
    assert (tmp_path / "later" / "events.csv").is_file() and (tmp_path / "later" / "patients.csv").is_file()
