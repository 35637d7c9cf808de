"""``read_flow``: any of the urgent-care and capacity publications into the one tidy flow table.

The publication is recognised from the file's content, not its name: a CSV by its header (the monthly
A&E SitRep, the tidy 2016–2019 A&E series, the master quarterly KH03 trust panel), a workbook by its
sheets (KH03 ``NHS Trust by Sector``, DM01 ``Provider by Test``, cancelled operations ``National &
Regional``), and ``.parquet`` as an already-tidy flow table (the bundled series). Several files stack
into one time series.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import polars as pl

from carebacklog.flow.ae import read_ae_attendances_tidy, read_ae_monthly
from carebacklog.flow.beds import KH03_SHEET, read_kh03, read_kh03_master
from carebacklog.flow.cancellations import read_cancelled_ops
from carebacklog.flow.diagnostics import read_dm01
from carebacklog.flow.sheets import sheet_names
from carebacklog.flow.tidy import FLOW_SCHEMA, FlowFileError, empty_flow

__all__ = ["bundled_ae_files", "bundled_series", "identify", "read_flow", "read_flow_file"]


def identify(path: str | Path) -> str:
    """Which layout a file is: ``ae_monthly``, ``ae_tidy``, ``kh03``, ``kh03_master``, ``dm01``,
    ``cancelled_ops`` or ``flow_parquet``; ``FlowFileError`` if none."""
    path = Path(path)
    if not path.is_file():
        raise FlowFileError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "flow_parquet"
    if suffix == ".csv":
        try:
            header = [c.lstrip("\ufeff").strip() for c in pl.read_csv(path, n_rows=0, encoding="utf8-lossy").columns]
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise FlowFileError(path, f"cannot read as CSV ({type(exc).__name__})") from exc
        if "Org Code" in header and any(c.startswith("A&E attendances") for c in header):
            return "ae_monthly"
        if {"org_code", "type", "attendances", "breaches"} <= set(header):
            return "ae_tidy"
        if "org_code" in header and any(c.startswith("kh03_") for c in header):
            return "kh03_master"
        raise FlowFileError(path, "not a known A&E or KH03 CSV layout (header not recognised)", row=1)
    if suffix in (".xls", ".xlsx"):
        names = sheet_names(path)
        if KH03_SHEET in names:
            return "kh03"
        if "Provider by Test" in names:
            return "dm01"
        if "National & Regional" in names:
            return "cancelled_ops"
        raise FlowFileError(path, f"not a KH03, DM01 or cancelled-operations workbook (sheets: {names})")
    raise FlowFileError(path, "unsupported file type (expected .csv, .xls, .xlsx or .parquet)")


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FlowFileError(path, f"cannot read as Parquet ({type(exc).__name__})") from exc
    missing = [c for c in FLOW_SCHEMA if c not in frame.columns]
    if missing:
        raise FlowFileError(path, f"not a tidy flow table; missing column(s) {missing}")
    return frame.select(list(FLOW_SCHEMA)).cast(FLOW_SCHEMA)  # type: ignore[arg-type]


def read_flow_file(path: str | Path) -> pl.DataFrame:
    """One file into the tidy flow table (:data:`carebacklog.flow.tidy.FLOW_SCHEMA`)."""
    path = Path(path)
    kind = identify(path)
    if kind == "ae_monthly":
        return read_ae_monthly(path)
    if kind == "ae_tidy":
        return read_ae_attendances_tidy(path)
    if kind == "kh03_master":
        return read_kh03_master(path)
    if kind == "kh03":
        return read_kh03(path)
    if kind == "dm01":
        return read_dm01(path)
    if kind == "cancelled_ops":
        return read_cancelled_ops(path)
    return _read_parquet(path)


def read_flow(paths: str | Path | Iterable[str | Path]) -> pl.DataFrame:
    """Read and stack files (any mix of publications) into one tidy flow table.

    A month or quarter that two files give for the same publication and organisation (a ``…-revised``
    file beside the original) keeps the rows of the file read last, so pass revised files after the
    originals.
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    frames = [read_flow_file(p) for p in items]
    if not frames:
        return empty_flow()
    stacked = pl.concat(frames, how="vertical").with_row_index("_order")
    # a revision replaces a whole file's month: keep, per publication × period, the last source read
    last_source = stacked.group_by("publication", "period", maintain_order=True).agg(
        pl.col("source").last().alias("_keep"), pl.col("source").n_unique().alias("_n"),
    )
    out = stacked.join(last_source, on=["publication", "period"], how="left", nulls_equal=True)
    out = out.filter((pl.col("_n") == 1) | (pl.col("source") == pl.col("_keep")))
    return out.sort("_order").drop("_order", "_keep", "_n")


def _bundled() -> Path:
    return Path(str(resources.files("carebacklog") / "data" / "flow"))


def bundled_series() -> pl.DataFrame:
    """The bundled series (``data/flow/flow_series.parquet``): every publication, England rows kept."""
    return _read_parquet(_bundled() / "flow_series.parquet")


def bundled_ae_files() -> list[Path]:
    """The 14 bundled monthly A&E SitRep CSVs, as published (June 2024 – July 2025)."""
    return sorted((_bundled() / "ae_monthly").glob("*.csv"))
