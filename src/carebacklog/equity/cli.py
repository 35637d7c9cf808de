"""CLI for equity breakdowns: ``carebacklog equity breakdown``.

The PTL comes from :func:`carebacklog.equity.load_ptl` (events through the one PTL path); output goes
through :mod:`carebacklog.clikit` (format from ``--out``'s extension, atomic writes). ``--level`` is a
fraction (0.95 for a 95% interval), as docs/cli.md sets out for shares and levels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from carebacklog.clikit import (
    CensusDateOpt,
    FormatOpt,
    OutOpt,
    OutputFormat,
    QuarantineOpt,
    emit,
    fail,
    json_records,
    parse_date,
    report,
    resolve_format,
    share,
    table_text,
    write_text_output,
)

__all__ = ["breakdown", "register"]


def breakdown(
    source: Annotated[Path, typer.Argument(help="A PTL (CSV/Parquet with weeks_waited) or pathway events.")],
    patients: Annotated[Path | None, typer.Option(
        "--patients", help="Patients file (birth date, sex, ethnicity, IMD decile).")] = None,
    census_date: CensusDateOpt = None,
    by: Annotated[str, typer.Option(
        "--by",
        help="imd_quintile | ethnic_group | age_band | sex, or a comma-separated combination "
        "(may include treatment_function).",
    )] = "imd_quintile",
    level: Annotated[float, typer.Option(
        "--level", help="Confidence level of the deprivation-gap interval, a fraction: 0.95 for 95%.")] = 0.95,
    gap_by: Annotated[str | None, typer.Option(
        "--gap-by", help="Also split the deprivation gap, e.g. by treatment_function or age_band.")] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    quarantine: QuarantineOpt = None,
) -> None:
    """Waiting-list measures by deprivation, ethnicity, age and sex, with the Q1-Q5 deprivation gap."""
    from carebacklog.equity import deprivation_gap, equity_breakdown, load_ptl
    from carebacklog.files import check_paths
    from carebacklog.rtt.pipeline import patients_quarantine

    census = parse_date(census_date)
    share(level, "--level", 0.0, 1.0, open_low=True, open_high=True)
    chosen = resolve_format(fmt, out)
    check_paths(
        [("PTL_OR_EVENTS", source), ("--patients", patients)],
        [("--out", out), ("--quarantine", quarantine),
         ("the patients quarantine", patients_quarantine(quarantine) if patients else None)],
    )  # fmt: skip
    ptl = load_ptl(source, patients=patients, census_date=census, quarantine=quarantine)
    try:
        measures = equity_breakdown(ptl, by)
    except ValueError as exc:
        fail(str(exc))
    try:
        gap = deprivation_gap(ptl, level=level, by=gap_by)
        gap_note = None
    except ValueError as exc:
        gap, gap_note = None, str(exc)

    if chosen is OutputFormat.table:
        text = table_text(measures, f"Waiting list by {by} ({ptl.height:,} pathways)")
        if gap is not None:
            text += table_text(gap, f"Deprivation gap: IMD quintile 1 minus quintile 5 ({level:.0%} CI, Newcombe)")
        else:
            text += f"deprivation gap: {gap_note}\n"
        write_text_output(text, out, f"{measures.height} rows")
        return
    if chosen is OutputFormat.json:
        payload = {
            "by": by,
            "pathways": ptl.height,
            "breakdown": json_records(measures),
            "deprivation_gap": json_records(gap) if gap is not None else None,
            "deprivation_gap_note": gap_note,
        }
        write_text_output(json.dumps(payload, indent=2, default=str), out, f"{measures.height} rows")
        return
    emit(measures, chosen, out)
    if gap is not None:
        row = gap.filter(gap["measure"] == "pct_within_18").row(0, named=True)
        where = "" if gap_by is None else f" (first {gap_by} group)"
        report(
            f"deprivation gap in % within 18 weeks (Q1 - Q5): {row['difference_pct_points']:.2f} points "
            f"({row['ci_low']:.2f} to {row['ci_high']:.2f}){where}"
        )


def register(app: typer.Typer) -> None:
    """Add ``equity breakdown`` to the ``equity`` group."""
    app.command("breakdown")(breakdown)
