"""CLI for community and mental-health waiting lists: ``carebacklog community …``.

Published data: ``read`` (CHS workbooks, with ``--check`` against each workbook's national rows),
``measures`` (the bundled or given CHS months), ``talking-therapies`` (the 6- and 18-week standards).
Patient-level: ``waits`` and ``ptl`` run a trust's events (docs/community.md, "Patient-level input")
through the clock of one waiting-list ``--type``; ``synth`` writes a synthetic provider calibrated to a
published month; ``types`` lists the bundled waiting-list types. Errors in a file are bad input (exit 2)
naming the file, row and column; the output conventions are those of docs/cli.md.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carebacklog.clikit import (
    CensusDateOpt,
    FormatOpt,
    OutOpt,
    emit,
    fail,
    parse_date,
    report,
    resolve_format,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = ["measures", "ptl", "read", "register", "synth", "talking_therapies", "types", "waits"]


class Level(StrEnum):
    national = "national"
    region = "region"
    icb = "icb"
    provider = "provider"


class Basis(StrEnum):
    open = "open"
    completed = "completed"


TypeOpt = Annotated[str, typer.Option(
    "--type", help="Waiting-list type id (see `carebacklog community types`), e.g. community_health_services.")]
ByOpt = Annotated[list[str] | None, typer.Option(
    "--by", help="Group by this column (repeatable): provider_code, icb_code, service_line, age_group, priority.",
    show_default=False)]


def _community_error() -> type[Exception]:
    from carebacklog.community.errors import CommunityFileError

    return CommunityFileError


def _chs(data: list[Path] | None, *, include_totals: bool) -> pl.DataFrame:
    import polars as pl

    from carebacklog.community.bundled import bundled_path
    from carebacklog.community.chs import read_chs

    if not data:
        chs = pl.read_parquet(bundled_path("chs_waiting_lists_2024_25.parquet"))
        return chs if include_totals else chs.filter(~pl.col("aggregate"))
    try:
        return read_chs(data, include_totals=include_totals)
    except _community_error() as exc:
        fail(str(exc))


def types(fmt: FormatOpt = None, out: OutOpt = None) -> None:
    """The bundled waiting-list types: what starts and stops each clock, and its standards."""
    import polars as pl

    from carebacklog.community.types import standard_wait_types

    rows = []
    for wt in standard_wait_types().values():
        standards = "; ".join(
            f"{(s.priority + ': ') if s.priority else ''}{s.days} days"
            + (f" {s.target_pct:g}%" if s.target_pct is not None else " (no threshold set)")
            for s in wt.standards
        )
        rows.append({"type": wt.id, "name": wt.name, "clock_start": wt.clock_start, "clock_stop": wt.clock_stop,
                     "standards": standards or "none",
                     "long_waits_weeks": ", ".join(str(w) for w in wt.long_waits_weeks)})
    emit(pl.DataFrame(rows), resolve_format(fmt, out), out)


def read(
    files: Annotated[list[Path], typer.Argument(help="CHS waiting-list workbooks (.xlsx), one per month.")],
    out: OutOpt = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Compare the sum of the detail with each workbook's national rows; exit 1 on a difference.")] = False,
    fmt: FormatOpt = None,
) -> None:
    """Read Community Health Services waiting-list workbooks into one tidy table (period, org, line, band)."""
    import polars as pl

    from carebacklog.community.chs import chs_national_check, read_chs, read_chs_overview, read_chs_workbook

    chosen = resolve_format(fmt, out)
    for path in files:
        if not path.is_file():
            fail(f"{path}: no such file")
    try:
        books = [read_chs_workbook(p) for p in files]
        tidy = read_chs(books, include_totals=check)
    except _community_error() as exc:
        fail(str(exc))
    months = sorted({b.period for b in books})
    report(f"read {len(books)} workbook(s), {len(months)} month(s) {months[0]:%b %Y} to {months[-1]:%b %Y}: "
           f"{tidy.height:,} rows")
    if not check:
        emit(tidy, chosen, out)
        return
    # Table 3's England, adult and CYP rows by weeks band include the bands of service lines that
    # Tables 4a-4h suppress, so only the service-line rows and the totals are like for like
    # (docs/community.md, "Checked against the published national rows").
    table = chs_national_check(tidy, read_chs_overview(books)).with_columns(
        comparable=pl.col("service_line").is_not_null() | (pl.col("band") == "total"))
    differences = table.filter(pl.col("comparable") & ~pl.col("equal")).height
    emit(table, chosen, out)
    report(f"national rows checked: {table['comparable'].sum()} like for like (and "
           f"{table.height - table['comparable'].sum()} England/age-group bands that include suppressed "
           f"lines); differences: {differences}")
    if differences:
        raise typer.Exit(1)


def measures(
    level: Annotated[Level, typer.Option(help="national | region | icb | provider")] = Level.national,
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Split by age_group (adult vs children and young people) and/or service_line (repeatable).",
        show_default=False)] = None,
    provider: Annotated[str | None, typer.Option(help="Only this organisation's code (provider, ICB or region).")] = None,
    month: Annotated[str | None, typer.Option(help="Only this month (any day of it, YYYY-MM-DD).")] = None,
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="CHS workbooks to read instead of the bundled 12 months (repeatable).", show_default=False)] = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Published CHS waiting-list measures: totals, weeks bands, over 18/52/104 weeks, median, by level."""
    import polars as pl

    from carebacklog.community.measures import chs_measures

    chosen = resolve_format(fmt, out)
    groups = list(by or [])
    for column in groups:
        if column not in ("age_group", "service_line"):
            fail(f"--by {column}: use age_group or service_line")
    day = parse_date(month, "--month")
    table = chs_measures(_chs(data, include_totals=level is not Level.national), level.value, by=groups)
    if day is not None:
        table = table.filter((pl.col("period").dt.year() == day.year) & (pl.col("period").dt.month() == day.month))
        if table.is_empty():
            fail(f"--month {month}: no CHS month {day:%B %Y} in the data")
    if provider is not None:
        if "org_code" not in table.columns:
            fail("--provider needs --level provider, icb or region")
        table = table.filter(pl.col("org_code") == provider.upper())
        if table.is_empty():
            fail(f"--provider {provider}: no {level.value} rows with this code")
    emit(table, chosen, out)


def talking_therapies(
    provider: Annotated[str | None, typer.Option(help="Only this provider's code (default: England and all).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Our percentages against NHS England's where not suppressed; exit 1 on a disagreement.")] = False,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Talking Therapies measures (CSV or Parquet, long layout) instead of the bundled ones.")] = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """NHS Talking Therapies: % finishing a course who waited at most 6 weeks (75%) and 18 weeks (95%)."""
    import polars as pl

    from carebacklog.community.bundled import bundled_path
    from carebacklog.community.talking_therapies import (
        read_talking_therapies,
        standards_check,
        talking_therapies_standards,
    )

    chosen = resolve_format(fmt, out)
    try:
        tt = read_talking_therapies(data or bundled_path("talking_therapies_waits.parquet"))
    except _community_error() as exc:
        fail(str(exc))
    table = standards_check(tt) if check else talking_therapies_standards(tt)
    if provider is not None:
        table = table.filter(pl.col("provider_code") == provider.upper())
        if table.is_empty():
            fail(f"--provider {provider}: not a Talking Therapies provider in the data")
    emit(table, chosen, out)
    if check:
        wrong = table.filter(~pl.col("agrees")).height
        report(f"checked {table.height:,} published percentages: {wrong} disagree")
        if wrong:
            raise typer.Exit(1)


def _waits(events: Path, kind: str, census_date: str | None) -> tuple[pl.DataFrame, dt.date]:
    from carebacklog.community.clock import build_waits, read_community_events
    from carebacklog.community.types import wait_type

    census = parse_date(census_date, required=True)
    assert census is not None
    try:
        wt = wait_type(kind)
        frame = read_community_events(events)
    except _community_error() as exc:
        fail(str(exc))
    report(f"read {frame.height:,} events from {events}: {frame['referral_id'].n_unique():,} referrals; "
           f"clock: {wt.clock_start} to {wt.clock_stop}")
    return build_waits(frame, wt, census), census


def waits(
    events: Annotated[Path, typer.Argument(help="Community or mental-health events (CSV or Parquet).")],
    kind: TypeOpt,
    census_date: CensusDateOpt = None,
    basis: Annotated[Basis, typer.Option(
        help="open: the list at the census; completed: clocks stopped in --from..census.")] = Basis.open,
    since: Annotated[str | None, typer.Option(
        "--from", help="With --basis completed: first day of the period (default: 1st of the census month).")] = None,
    by: ByOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """% within each standard, over 52/104 weeks and percentiles of one waiting-list type, from events."""
    from carebacklog.community.measures import wait_measures

    chosen = resolve_format(fmt, out)
    table, census = _waits(events, kind, census_date)
    groups = list(by or [])
    missing = [c for c in groups if c not in table.columns]
    if missing:
        fail(f"--by {', '.join(missing)}: not a column of the waits ({', '.join(table.columns)})")
    start = parse_date(since, "--from") or census.replace(day=1)
    if start > census:
        fail(f"--from {start}: after the census date {census}")
    try:
        result = wait_measures(table, kind, basis=basis.value, by=groups, period=(start, census))
    except ValueError as exc:
        fail(str(exc))
    emit(result, chosen, out)


def ptl(
    events: Annotated[Path, typer.Argument(help="Community or mental-health events (CSV or Parquet).")],
    kind: TypeOpt,
    census_date: CensusDateOpt = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Show only the first N rows of the table.")] = None,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """The open waits of one type in booking order, with weeks waited, CHS band and breach dates."""
    from carebacklog.community.ptl import community_ptl

    chosen = resolve_format(fmt, out)
    table, _census = _waits(events, kind, census_date)
    result = community_ptl(table, kind)
    emit(result if limit is None or out is not None else result.head(limit), chosen, out)


def synth(
    provider: Annotated[str, typer.Option(help="Provider code in the bundled CHS months, e.g. RYV.")],
    month: Annotated[str, typer.Option(help="Month to calibrate to (any day of it), e.g. 2025-07-31.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the events here (.csv or .parquet).")],
    scale: Annotated[float, typer.Option(help="Multiply every band's count (0.001-10).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """A synthetic community provider whose waiting list reproduces its published CHS bands in a month."""
    import numpy as np

    from carebacklog.community.synth import synthesise_chs_provider
    from carebacklog.files import write_frame

    day = parse_date(month, "--month", required=True)
    assert day is not None
    if not 0.001 <= scale <= 10:
        fail(f"--scale {scale:g}: must be between 0.001 and 10")
    if out.suffix.lower() not in (".csv", ".parquet"):
        fail(f"--out {out}: use a .csv or .parquet file")
    try:
        made = synthesise_chs_provider(_chs(None, include_totals=False), provider.upper(), day,
                                       rng=np.random.default_rng(seed), scale=scale)
    except ValueError as exc:
        fail(str(exc))
    write_frame(made.events, out)
    placed = made.events.height
    unplaced = int(made.unplaced["count"].sum()) if made.unplaced.height else 0
    report(f"wrote {placed:,} referrals waiting at {made.census_date:%d %b %Y} to {out}"
           + (f"; {unplaced:,} in the published total but in no band were not placed" if unplaced else ""))


def _bands_for(provider: str | None, age_group: str | None) -> pl.DataFrame:
    import polars as pl

    from carebacklog.community.forecast import band_matrix

    if age_group is not None and age_group not in ("adult", "cyp"):
        fail(f"--age-group {age_group}: use adult or cyp")
    chs = _chs(None, include_totals=False)
    if provider is not None:
        chs = chs.filter((pl.col("org_type") == "Provider") & (pl.col("org_code") == provider.upper()))
        if chs.is_empty():
            fail(f"--provider {provider}: not in the CHS waiting lists")
    if age_group is not None:
        chs = chs.filter(pl.col("age_group") == age_group)
    return band_matrix(chs.with_columns(pl.lit(provider.upper() if provider else "England").alias("list")),
                       by=("list",))


def forecast(
    provider: Annotated[str | None, typer.Option(help="Provider code; default England.")] = None,
    age_group: Annotated[str | None, typer.Option(help="adult or cyp (default both).")] = None,
    horizon: Annotated[int, typer.Option(min=1, max=24, help="Months ahead (1-24).")] = 3,
    months: Annotated[int, typer.Option(min=1, max=11, help="Months of transitions to fit the stay rates on.")] = 3,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Project a community waiting list on the published weeks bands (stock-flow on the bin edges)."""
    from carebacklog.community.forecast import forecast_bands

    chosen = resolve_format(fmt, out)
    matrix = _bands_for(provider, age_group)
    try:
        result = forecast_bands(matrix.drop("list"), horizon=horizon, months=months)
    except ValueError as exc:
        fail(str(exc))
    report("stock-flow model on the CHS bands; it did not beat 'no change' in back-tests at provider level "
           "(docs/community.md, 'Forecasts'): read it as a scenario, not a prediction")
    emit(result, chosen, out)


def backtest(
    level: Annotated[Level, typer.Option(help="national or provider.")] = Level.provider,
    horizon: Annotated[int, typer.Option(min=1, max=6, help="Months ahead.")] = 3,
    months: Annotated[int, typer.Option(min=1, max=11, help="Months of transitions to fit on.")] = 3,
    out: OutOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Back-test the band model against 'no change' over the bundled 12 CHS months, by horizon."""
    import polars as pl

    from carebacklog.community.forecast import backtest_bands, backtest_bands_summary, band_matrix

    chosen = resolve_format(fmt, out)
    if level not in (Level.national, Level.provider):
        fail("--level: national or provider")
    chs = _chs(None, include_totals=False)
    if level is Level.provider:
        matrix = band_matrix(chs.filter(pl.col("org_type") == "Provider"), by=("org_code",))
        results = backtest_bands(matrix, horizon=horizon, months=months, by=("org_code",))
    else:
        matrix = band_matrix(chs.with_columns(pl.lit("England").alias("list")), by=("list",))
        results = backtest_bands(matrix, horizon=horizon, months=months, by=("list",))
    emit(backtest_bands_summary(results), chosen, out)


def register(app: typer.Typer) -> None:
    """Add the ``community`` commands to their group."""
    app.command("types")(types)
    app.command("read")(read)
    app.command("measures")(measures)
    app.command("talking-therapies")(talking_therapies)
    app.command("waits")(waits)
    app.command("ptl")(ptl)
    app.command("synth")(synth)
    app.command("forecast")(forecast)
    app.command("backtest")(backtest)
