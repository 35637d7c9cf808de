"""CLI for equity breakdowns: ``carebacklog equity breakdown``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    if not rows:
        Console().print(f"{title}: no rows")
        return
    for column in rows[0]:
        table.add_column(column, justify="left" if isinstance(rows[0][column], str) else "right")
    for row in rows:
        table.add_row(
            *(
                ""
                if v is None
                else f"{v:,.2f}"
                if isinstance(v, float)
                else f"{v:,}"
                if isinstance(v, int) and not isinstance(v, bool)
                else str(v)
                for v in row.values()
            )
        )
    Console(width=220).print(table)


def register(app: typer.Typer) -> None:
    """Add ``equity breakdown`` to the ``equity`` group."""

    @app.command("breakdown")
    def breakdown(
        source: Path = typer.Argument(..., help="A PTL (CSV/Parquet with weeks_waited) or pathway events."),
        patients: Path | None = typer.Option(
            None, "--patients", help="Patients file (birth date, sex, ethnicity, IMD decile)."
        ),
        census_date: str | None = typer.Option(
            None, "--census-date", help="Census date YYYY-MM-DD (needed for events)."
        ),
        by: str = typer.Option(
            "imd_quintile",
            "--by",
            help="imd_quintile | ethnic_group | age_band | sex, or a comma-separated combination (may include treatment_function).",
        ),
        level: float = typer.Option(
            0.95, "--level", help="Confidence level of the deprivation-gap interval."
        ),
        gap_by: str | None = typer.Option(
            None, "--gap-by", help="Also split the deprivation gap, e.g. by treatment_function or age_band."
        ),
        fmt: str = typer.Option("table", "--format", help="table | csv | json"),
        out: Path | None = typer.Option(None, "--out", help="Write csv/json output here instead of stdout."),
    ) -> None:
        """Waiting-list measures by deprivation, ethnicity, age and sex, with the Q1-Q5 deprivation gap."""
        import json

        from carebacklog.equity import deprivation_gap, equity_breakdown, load_ptl

        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter("use table, csv or json", param_hint="--format")
        try:
            census = date.fromisoformat(census_date) if census_date else None
        except ValueError as exc:
            raise typer.BadParameter("use YYYY-MM-DD", param_hint="--census-date") from exc
        try:
            ptl = load_ptl(source, patients=patients, census_date=census)
            measures = equity_breakdown(ptl, by)
        except (ValueError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        try:
            gap = deprivation_gap(ptl, level=level, by=gap_by)
            gap_note = None
        except ValueError as exc:
            gap, gap_note = None, str(exc)

        if fmt == "table":
            _table(f"Waiting list by {by} ({ptl.height:,} pathways)", measures.to_dicts())
            if gap is not None:
                _table(
                    f"Deprivation gap: IMD quintile 1 minus quintile 5 ({level:.0%} CI, Newcombe)",
                    gap.to_dicts(),
                )
            else:
                typer.echo(f"deprivation gap: {gap_note}")
            return
        if fmt == "json":
            payload = {
                "by": by,
                "pathways": ptl.height,
                "breakdown": measures.to_dicts(),
                "deprivation_gap": gap.to_dicts() if gap is not None else None,
                "deprivation_gap_note": gap_note,
            }
            text = json.dumps(payload, indent=2, default=str)
        else:
            text = measures.write_csv()
            if gap is not None:
                row = gap.filter(gap["measure"] == "pct_within_18").row(0, named=True)
                where = "" if gap_by is None else f" (first {gap_by} group)"
                typer.echo(
                    f"deprivation gap in % within 18 weeks (Q1 - Q5): {row['difference_pct_points']:.2f} points "
                    f"({row['ci_low']:.2f} to {row['ci_high']:.2f}){where}",
                    err=True,
                )
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"written to {out}", err=True)
