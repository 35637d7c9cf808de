"""CLI for SPC charts: ``carebacklog spc chart``.

The chart (``--out``, .svg or .png) and the points (``--data-out``, format from its extension) are written
atomically through :mod:`carebacklog.clikit`; a file or option that cannot be used exits 2 (docs/cli.md).
``--target`` is in the measure's own units (per cent for ``pct_within_18``).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from carebacklog.clikit import (
    FormatOpt,
    check_chart,
    emit,
    fail,
    report,
    resolve_format,
    write_chart,
)

__all__ = ["chart", "register"]


class Polarity(StrEnum):
    up = "up"
    down = "down"
    neutral = "neutral"


def chart(
    files: Annotated[list[Path], typer.Argument(
        help="Published RTT extracts (one or more months), or one CSV with period,value columns.")],
    measure: Annotated[str, typer.Option(help="Headline measure to chart (published extracts).")] = "pct_within_18",
    provider: Annotated[str | None, typer.Option(help="Provider code (default: national).")] = None,
    part: Annotated[str, typer.Option(
        help="RTT part for the measure: incomplete|admitted|nonadmitted|dta|new.")] = "incomplete",
    target: Annotated[float | None, typer.Option(
        help="Target to assure against, in the measure's units, e.g. 92 (per cent within 18 weeks).")] = None,
    polarity: Annotated[Polarity | None, typer.Option(
        help="up (higher is better) | down | neutral; default by measure.", show_default=False)] = None,
    baseline: Annotated[int | None, typer.Option(min=2, help="Fix mean and limits on the first N points.")] = None,
    rebase: Annotated[list[str] | None, typer.Option(
        "--rebase", help="Period where limits are recalculated (repeatable), e.g. 2025-04-30.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the chart here (.svg or .png).")] = None,
    data_out: Annotated[Path | None, typer.Option(
        "--data-out", help="Write the points here (.csv, .json or .parquet).")] = None,
    fmt: FormatOpt = None,
) -> None:
    """XmR chart of a measure over months with NHS "Making Data Count" rules."""
    from carebacklog.files import check_paths
    from carebacklog.spc.chart import save_xmr
    from carebacklog.spc.series import default_polarity, measure_series, read_series_csv
    from carebacklog.spc.xmr import xmr_chart

    chosen = resolve_format(fmt, data_out)
    check_chart(out, "--out")
    check_paths([(f"FILE {f}", f) for f in files], [("--out", out), ("--data-out", data_out)])
    for path in files:
        if not path.exists():
            fail(f"{path}: no such file")
    try:
        series = read_series_csv(files[0]) if len(files) == 1 else None
        label = "value" if series is not None else measure
        if series is None:
            series = measure_series(files, measure, provider=provider, part=part)
        chosen_polarity = polarity.value if polarity is not None else default_polarity(measure, part)
        result = xmr_chart(
            series["value"].to_list(),
            [str(p) for p in series["period"].to_list()],
            polarity=chosen_polarity,  # type: ignore[arg-type]
            target=target,
            baseline_points=baseline,
            rebase_at=rebase or [],
        )
    except ValueError as exc:
        fail(str(exc))
    if out is not None:
        title = f"{label} ({provider or 'England'})" if label != "value" else files[0].stem
        try:
            write_chart(out, lambda temp: save_xmr(result, temp, title=title, y_label=label))
        except ValueError as exc:
            fail(str(exc))
    emit(result.points, chosen, data_out)
    summary = result.summary()
    report(
        f"mean {summary['mean']:.4g}, process limits {summary['lower_limit']:.4g} to "
        f"{summary['upper_limit']:.4g}; latest point: {summary['latest_variation']}"
        + (f"; assurance: {summary['assurance']}" if summary["assurance"] else "")
    )
    if summary["trial_limits"]:
        report(
            f"note: only {summary['points']} points; Making Data Count shows limits and icons from 13 "
            "points, so treat these as trial limits"
        )


def register(app: typer.Typer) -> None:
    """Add ``spc chart`` to the ``spc`` group."""
    app.command("chart")(chart)
