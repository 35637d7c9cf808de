"""`carebacklog rtt return`: reading our own return with read_rtt gives the engine's counts exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from carebacklog.cli import app
from carebacklog.published import read_rtt
from carebacklog.published.tf_grouping import group_treatment_function
from carebacklog.rtt import build_periods, ptl_snapshot
from carebacklog.rtt.generate import generate_events

MONTH_END = date(2026, 1, 31)
runner = CliRunner()


def _events() -> pl.DataFrame:
    """Generated events with detailed treatment functions (roll-ups, Other groups) and three commissioners."""
    events = generate_events(3000, MONTH_END, np.random.default_rng(20260131), years=2.5)
    pathways = events["pathway_id"].unique().sort()
    rng = np.random.default_rng(7)
    detail = rng.choice(
        ["110", "108", "115", "144", "420", "710", "650", "103", "502", "100"], pathways.len()
    )
    commissioner = rng.choice(["00L", "00N", "13Q"], pathways.len())
    lookup = pl.DataFrame({"pathway_id": pathways, "tf": detail, "comm": commissioner})
    return (
        events.join(lookup, on="pathway_id", how="left")
        .with_columns(treatment_function=pl.col("tf"), commissioner_code=pl.col("comm"))
        .drop("tf", "comm")
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    tmp = tmp_path_factory.mktemp("return")
    events_path, out = tmp / "events.csv", tmp / "return.csv"
    _events().write_csv(events_path)
    result = runner.invoke(app, ["rtt", "return", str(events_path), "--month", "2026-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Part_2" in result.output
    return read_rtt(out), build_periods(_events(), census_date=MONTH_END)


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        treatment_function=pl.col("treatment_function").map_elements(
            group_treatment_function, return_dtype=pl.String
        )
    )


def _engine(part: str, periods: pl.DataFrame) -> dict[tuple[str, str, int], int]:
    """Counts straight from the engine's frames (the PTL snapshot for Part_2, periods for the rest)."""
    first = date(2026, 1, 1)
    if part in ("Part_2", "Part_2A"):
        ptl = ptl_snapshot(periods, MONTH_END)
        if part == "Part_2A":
            ptl = ptl.filter(pl.col("has_dta"))
        rows = _grouped(ptl).select(
            "commissioner_code", "treatment_function", pl.col("weeks_waited").alias("band")
        )
    elif part == "Part_3":
        rows = _grouped(periods.filter(pl.col("clock_start").is_between(first, MONTH_END))).select(
            "commissioner_code", "treatment_function", pl.lit(-1).alias("band")
        )
    else:
        outcome = "admitted" if part == "Part_1A" else "non_admitted"
        done = periods.filter(
            (pl.col("outcome") == outcome) & pl.col("clock_stop").is_between(first, MONTH_END)
        )
        days = (pl.col("clock_stop") - pl.col("clock_start")).dt.total_days()
        band = pl.when(days <= 7).then(0).otherwise(((days + 6) // 7 - 1).clip(0, 104))
        rows = _grouped(done).select("commissioner_code", "treatment_function", band.alias("band"))
    counts = rows.group_by(rows.columns).len()
    return {(r[0], r[1], int(r[2])): int(r[3]) for r in counts.iter_rows()}


@pytest.mark.parametrize("part", ["Part_1A", "Part_1B", "Part_2", "Part_2A", "Part_3"])
def test_reading_our_return_gives_the_engine_counts(
    written: tuple[pl.DataFrame, pl.DataFrame], part: str
) -> None:
    tidy, periods = written
    ours = tidy.filter((pl.col("part") == part) & (pl.col("count") > 0))
    assert set(ours["provider_code"]) == {"RXX"}
    got = {
        (
            r["commissioner_code"],
            r["treatment_function"],
            -1 if r["weeks_band"] is None else r["weeks_band"],
        ): int(r["count"])
        for r in ours.iter_rows(named=True)
    }
    expected = _engine(part, periods)
    assert expected, f"the generated events should have some {part} activity"
    assert got == expected


def test_return_uses_grouped_codes_only(written: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    tidy, _ = written
    codes = set(tidy["treatment_function"])
    assert {"C_110", "C_140", "X02", "X03", "X05", "X06"} <= codes
    assert not any(code.isdigit() for code in codes)


def test_bad_month_and_missing_file_fail_cleanly(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    _events().head(20).write_csv(events)
    bad = runner.invoke(
        app, ["rtt", "return", str(events), "--month", "Jan", "--out", str(tmp_path / "r.csv")]
    )
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    missing = runner.invoke(
        app, ["rtt", "return", str(tmp_path / "no.csv"), "--month", "2026-01", "--out", "x.csv"]
    )
    assert missing.exit_code == 2 and "no.csv" in missing.output


def test_our_return_passes_the_monthly_return_checks(tmp_path: Path) -> None:
    """check_return on our own return (read with the C_999 roll-ups), this month against last month."""
    from carebacklog.published import check_return

    events_path = tmp_path / "events.csv"
    _events().write_csv(events_path)
    paths = {}
    for month in ("2025-12", "2026-01"):
        paths[month] = tmp_path / f"return_{month}.csv"
        result = runner.invoke(
            app, ["rtt", "return", str(events_path), "--month", month, "--out", str(paths[month])]
        )
        assert result.exit_code == 0, result.output
    current = read_rtt(paths["2026-01"], include_totals=True)
    previous = read_rtt(paths["2025-12"], include_totals=True)
    results = check_return(current, previous)
    failed = {r.name: r.offending.head(3).to_dicts() for r in results if not r.passed}
    assert failed == {}
    assert {r.name for r in results if r.skipped} == set()
    # and the command-line check agrees
    check = runner.invoke(app, ["rtt", "check", str(paths["2026-01"]), "--previous", str(paths["2025-12"])])
    assert check.exit_code == 0, check.output


def test_names_and_parents_from_a_published_extract(tmp_path: Path) -> None:
    """--orgs with last month's published file fills provider/commissioner names and their ICB parents."""
    from importlib.resources import files

    published = files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv"
    events = _events().with_columns(
        provider_code=pl.lit("RBD"),
        commissioner_code=pl.col("commissioner_code").replace({"00L": "11X", "00N": "15C", "13Q": "13Q"}),
    )
    events_path, out = tmp_path / "events.csv", tmp_path / "return.csv"
    events.write_csv(events_path)
    result = runner.invoke(
        app,
        [
            "rtt",
            "return",
            str(events_path),
            "--month",
            "2026-01",
            "--out",
            str(out),
            "--orgs",
            str(published),
        ],
    )
    assert result.exit_code == 0, result.output
    wide = pl.read_csv(out, infer_schema_length=0)
    row = wide.filter(pl.col("Commissioner Org Code") == "11X").row(0, named=True)
    assert row["Provider Org Name"] == "DORSET COUNTY HOSPITAL NHS FOUNDATION TRUST"
    assert row["Provider Parent Org Code"] == "QVV"
    assert row["Provider Parent Name"] == "NHS DORSET INTEGRATED CARE BOARD"
    assert row["Commissioner Org Name"] == "NHS SOMERSET (SUB ICB LOCATION)"
    assert row["Commissioner Parent Org Code"] is not None
    hub = wide.filter(pl.col("Commissioner Org Code") == "13Q").row(0, named=True)
    assert (
        hub["Commissioner Org Name"] == "NATIONAL COMMISSIONING HUB 1"
        and hub["Commissioner Parent Org Code"] is None
    )
    bad = runner.invoke(
        app,
        [
            "rtt",
            "return",
            str(events_path),
            "--month",
            "2026-01",
            "--out",
            str(out),
            "--orgs",
            str(events_path),
        ],
    )
    assert bad.exit_code == 2 and "events.csv" in bad.output
