"""CLI for SPC charts: ``carebacklog spc chart``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def _emit(rows: list[dict[str, Any]], fmt: str, out: Path | None) -> None:
    import json

    import polars as pl

    frame = pl.DataFrame(rows)
    if fmt == "json":
        text = json.dumps(frame.to_dicts(), default=str, indent=2)
    elif fmt == "csv":
        text = frame.write_csv()
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(column)
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
        Console(width=200).print(table)
        return
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add ``spc chart`` to the ``spc`` group."""

    @app.command("chart")
    def chart(
        files: list[Path] = typer.Argument(
            ..., help="Published RTT extracts (one or more months), or one CSV with period,value columns."
        ),
        measure: str = typer.Option("pct_within_18", help="Headline measure to chart (published extracts)."),
        provider: str | None = typer.Option(None, help="Provider code (default: national)."),
        part: str = typer.Option(
            "incomplete", help="RTT part for the measure: incomplete|admitted|nonadmitted|dta|new."
        ),
        target: float | None = typer.Option(None, help="Target to assure against, e.g. 92."),
        polarity: str | None = typer.Option(
            None, help="up (higher is better) | down | neutral; default by measure."
        ),
        baseline: int | None = typer.Option(None, help="Fix mean and limits on the first N points."),
        rebase: list[str] = typer.Option(
            [], "--rebase", help="Period where limits are recalculated (repeatable), e.g. 2025-04-30."
        ),
        out: Path | None = typer.Option(None, "--out", help="Write the chart here (.svg or .png)."),
        data_out: Path | None = typer.Option(None, "--data-out", help="Write the points (csv/json) here."),
        fmt: str = typer.Option("table", "--format", help="table | csv | json"),
    ) -> None:
        """XmR chart of a measure over months with NHS "Making Data Count" rules."""
        from carebacklog.spc.chart import save_xmr
        from carebacklog.spc.series import default_polarity, measure_series, read_series_csv
        from carebacklog.spc.xmr import xmr_chart

        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter("--format must be table, csv or json")
        for path in files:
            if not path.exists():
                typer.echo(f"error: {path}: no such file", err=True)
                raise typer.Exit(2)
        try:
            series = read_series_csv(files[0]) if len(files) == 1 else None
            label = "value" if series is not None else measure
            if series is None:
                series = measure_series(files, measure, provider=provider, part=part)
            chosen = polarity or default_polarity(measure, part)
            if chosen not in ("up", "down", "neutral"):
                raise ValueError("--polarity must be up, down or neutral")
            result = xmr_chart(
                series["value"].to_list(),
                [str(p) for p in series["period"].to_list()],
                polarity=chosen,  # type: ignore[arg-type]
                target=target,
                baseline_points=baseline,
                rebase_at=rebase,
            )
            if out is not None:
                title = f"{label} ({provider or 'England'})" if label != "value" else files[0].stem
                save_xmr(result, out, title=title, y_label=label)
        except (ValueError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc

        _emit(result.points.to_dicts(), fmt, data_out)
        summary = result.summary()
        typer.echo(
            f"mean {summary['mean']:.4g}, process limits {summary['lower_limit']:.4g} to "
            f"{summary['upper_limit']:.4g}; latest point: {summary['latest_variation']}"
            + (f"; assurance: {summary['assurance']}" if summary["assurance"] else ""),
            err=True,
        )
        if summary["trial_limits"]:
            typer.echo(
                f"note: only {summary['points']} points; Making Data Count shows limits and icons from 13 "
                "points, so treat these as trial limits",
                err=True,
            )
        if out is not None:
            typer.echo(f"chart written to {out}", err=True)
