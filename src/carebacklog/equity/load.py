"""Loading a patient-level PTL for equity breakdowns: a PTL file, or events (+ patients) via the engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

__all__ = ["load_ptl"]

_PATIENT_COLUMNS = ("age_band", "sex", "ethnic_group", "imd_quintile")


def _read_table(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=10_000, try_parse_dates=True)


def load_ptl(
    path: str | Path, *, patients: str | Path | None = None, census_date: date | None = None
) -> pl.DataFrame:
    """A PTL with patient columns from ``path``.

    ``path`` is either a PTL (CSV/Parquet with ``weeks_waited`` and ``days_waited``, e.g. a saved
    :func:`carebacklog.rtt.ptl_snapshot`) or pathway events in the input contract, which go through
    ``read_events`` → ``build_periods`` → ``ptl_snapshot`` at ``census_date`` (required then). ``patients``
    adds age band, sex, ethnic group and IMD quintile (through :func:`carebacklog.rtt.add_demographics`)
    when the PTL lacks them. Raises ``ValueError`` with the file name on unusable input.
    """
    from carebacklog.rtt import add_demographics, build_periods, ptl_snapshot, read_events, read_patients

    source = Path(path)
    header = (
        _read_table(source).head(0) if source.suffix.lower() == ".parquet" else pl.read_csv(source, n_rows=0)
    )
    people = read_patients(patients).events if patients is not None else None
    if {"weeks_waited", "days_waited"} <= set(header.columns):
        ptl = _read_table(source)
        has_patient_columns = all(c in ptl.columns for c in _PATIENT_COLUMNS)
        if people is not None and not has_patient_columns:
            if census_date is None:
                raise ValueError(f"{source}: give --census-date to work out ages from the patients file")
            ptl = add_demographics(ptl, people, census_date)
        return ptl
    if "event_date" not in header.columns or "activity" not in header.columns:
        raise ValueError(
            f"{source}: neither a PTL (weeks_waited, days_waited) nor pathway events (event_date, activity)"
        )
    if census_date is None:
        raise ValueError(f"{source}: pathway events need --census-date to build the PTL")
    result = read_events(source)
    periods = build_periods(result.events, census_date=census_date)
    return ptl_snapshot(periods, census_date, patients=people)
