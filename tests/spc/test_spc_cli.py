"""``carebacklog spc chart`` on a period,value CSV."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carebacklog.cli import app

runner = CliRunner()

SERIES = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50, 52, 48, 51, 49, 50, 80]


def _write_series(tmp_path: Path) -> Path:
    path = tmp_path / "series.csv"
    lines = ["period,value"] + [
        f"2024-{m:02d},{v}" if m <= 12 else f"2025-{m - 12:02d},{v}" for m, v in enumerate(SERIES, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_chart_from_csv_writes_svg_and_json_points(tmp_path: Path) -> None:
    series = _write_series(tmp_path)
    svg = tmp_path / "chart.svg"
    result = runner.invoke(
        app,
        [
            "spc",
            "chart",
            str(series),
            "--polarity",
            "down",
            "--target",
            "45",
            "--out",
            str(svg),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert len(points) == len(SERIES)
    assert points[-1]["outside_limits"] is True
    assert points[-1]["variation"] == "concern"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_chart_png(tmp_path: Path) -> None:
    series = _write_series(tmp_path)
    png = tmp_path / "chart.png"
    result = runner.invoke(app, ["spc", "chart", str(series), "--out", str(png), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout.splitlines()[0].startswith("period,value,mean")


def test_bad_value_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("period,value\n2024-01,50\n2024-02,abc\n", encoding="utf-8")
    result = runner.invoke(app, ["spc", "chart", str(path)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "'value'" in result.output


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spc", "chart", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2


MONTHS = ["June", "July", "August", "September", "October", "November"]


def _published_months(tmp_path: Path) -> list[Path]:
    """Six monthly extracts in the Full CSV layout: the bundled RBD file under other month names."""
    from importlib.resources import files

    source = (files("carebacklog") / "data" / "rtt_full_extract_2024_11_RBD.csv").read_text(encoding="utf-8")
    paths = []
    for month in MONTHS:
        path = tmp_path / f"rtt_{month}.csv"
        path.write_text(source.replace("RTT-November-2024", f"RTT-{month}-2024"), encoding="utf-8")
        paths.append(path)
    return paths


def test_chart_from_published_extracts_uses_headline_measures(tmp_path: Path) -> None:
    paths = _published_months(tmp_path)
    result = runner.invoke(
        app,
        [
            "spc",
            "chart",
            *map(str, paths),
            "--measure",
            "pct_within_18",
            "--provider",
            "RBD",
            "--target",
            "92",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [p["period"] for p in points] == [
        "2024-06-30",
        "2024-07-31",
        "2024-08-31",
        "2024-09-30",
        "2024-10-31",
        "2024-11-30",
    ]
    # identical months: RBD's published 57.78% every month, no variation, target far above → fail
    assert {round(p["value"], 2) for p in points} == {57.78}
    assert "consistently_fail" in result.output
    assert "trial limits" in result.output  # six points: fewer than MDC's 13


def test_unknown_provider_is_an_error(tmp_path: Path) -> None:
    paths = _published_months(tmp_path)[:2]
    result = runner.invoke(app, ["spc", "chart", *map(str, paths), "--provider", "ZZZ"])
    assert result.exit_code == 2
    assert "ZZZ" in result.output


def test_chart_of_our_own_monthly_returns(tmp_path: Path) -> None:
    """Our returns are in the published layout, so six months of them chart like NHS England's files."""
    from datetime import date

    import numpy as np

    from carebacklog.rtt.generate import generate_events

    events = tmp_path / "events.csv"
    generate_events(2000, date(2026, 1, 31), np.random.default_rng(4)).write_csv(events)
    paths = []
    for month in ("2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01"):
        path = tmp_path / f"return_{month}.csv"
        assert (
            runner.invoke(app, ["rtt", "return", str(events), "--month", month, "--out", str(path)]).exit_code
            == 0
        )
        paths.append(path)
    result = runner.invoke(
        app, ["spc", "chart", *map(str, paths), "--measure", "over_52", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [p["period"] for p in points][-1] == "2026-01-31" and len(points) == 6
    assert all(p["value"] >= 0 for p in points)


def test_rebase_option(tmp_path: Path) -> None:
    path = tmp_path / "step.csv"
    values = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50, 60, 62, 59, 61, 58, 62, 60, 59, 61, 60]
    path.write_text(
        "period,value\n" + "".join(f"p{i:02d},{v}\n" for i, v in enumerate(values)), encoding="utf-8"
    )
    result = runner.invoke(app, ["spc", "chart", str(path), "--rebase", "p10", "--format", "json"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert {p["segment"] for p in points} == {1, 2}
    assert not any(p["special_cause"] for p in points)
    bad = runner.invoke(app, ["spc", "chart", str(path), "--rebase", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output
