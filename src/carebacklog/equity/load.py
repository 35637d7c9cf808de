"""Loading a patient-level PTL for equity breakdowns: a PTL file, or events (+ patients) via the engine.

Events go through the one PTL path, :func:`carebacklog.rtt.pipeline.ptl_from_files`, so rejected event and
patient rows are counted, reported and quarantinable, never dropped silently.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from carebacklog.errors import BadInputError

__all__ = ["load_ptl"]

_PATIENT_COLUMNS = ("age_band", "sex", "ethnic_group", "imd_quintile")


def _read_table(path: Path) -> pl.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema_length=10_000, try_parse_dates=True)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BadInputError(f"{path}: cannot read as a PTL ({type(exc).__name__})") from exc


def _header(path: Path) -> list[str]:
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return list(pl.read_parquet_schema(path))
        return pl.read_csv(path, n_rows=0).columns
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BadInputError(f"{path}: cannot read the header ({type(exc).__name__})") from exc


def load_ptl(
    path: str | Path,
    *,
    patients: str | Path | None = None,
    census_date: date | None = None,
    quarantine: str | Path | None = None,
) -> pl.DataFrame:
    """A PTL with patient columns from ``path``.

    ``path`` is either a PTL (CSV/Parquet with ``weeks_waited`` and ``days_waited``, e.g. a saved
    :func:`carebacklog.rtt.ptl_snapshot`) or pathway events in the input contract, which go through
    :func:`carebacklog.rtt.pipeline.ptl_from_files` at ``census_date`` (required then). ``patients`` adds
    age band, sex, ethnic group and IMD quintile (through :func:`carebacklog.rtt.add_demographics`) when
    the PTL lacks them; rejected rows go to ``quarantine``. Raises
    :class:`~carebacklog.errors.BadInputError` (a ``ValueError``) with the file name on unusable input.
    """
    from carebacklog.rtt import add_demographics
    from carebacklog.rtt.pipeline import ptl_from_files, read_patients_file

    source = Path(path)
    columns = set(_header(source))
    if {"weeks_waited", "days_waited"} <= columns:
        ptl = _read_table(source)
        has_patient_columns = all(c in ptl.columns for c in _PATIENT_COLUMNS)
        if patients is not None and not has_patient_columns:
            if census_date is None:
                raise BadInputError(f"{source}: give --census-date to work out ages from the patients file")
            people = read_patients_file(patients, quarantine).events
            ptl = add_demographics(ptl, people, census_date)
        return ptl
    if "event_date" not in columns or "activity" not in columns:
        raise BadInputError(
            f"{source}: neither a PTL (weeks_waited, days_waited) nor pathway events (event_date, activity)"
        )
    if census_date is None:
        raise BadInputError(f"{source}: pathway events need --census-date to build the PTL")
    ptl, _ = ptl_from_files(source, patients, census_date=census_date, quarantine=quarantine)
    return ptl
