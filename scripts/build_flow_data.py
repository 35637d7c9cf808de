"""Build the bundled urgent-care and capacity series (``src/carebacklog/data/flow/flow_series.parquet``).

Reads NHS England's published files with carebacklog's own readers (``carebacklog.flow.read_flow``) and
writes one compact tidy Parquet file, England rows included, so tests can check each month's provider
sums against the file's own national row without the large workbooks in the repository.

Usage::

    python scripts/build_flow_data.py SOURCE_DIR [--out PATH]

``SOURCE_DIR`` holds the publications in these sub-folders (any file names):
``ae_monthly_provider/*.csv`` (monthly A&E SitRep CSVs), ``ae_monthly_provider_2016_2019/*.csv`` (the
tidy 2016–2019 series), ``beds_kh03/*.xlsx`` and ``beds_kh03/*.csv`` (KH03 workbooks and the master
quarterly trust panel), ``diagnostics_dm01_provider/*.xls`` (DM01) and ``cancelled_operations/*.xlsx``.

To stay small, DM01's by-test rows keep only the headline counts (:data:`BY_TEST_MEASURES`); the
all-tests rows keep every weekly band and the activity counts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from carebacklog.flow import national_check, read_flow, region_check

BY_TEST_MEASURES = (
    "waiting_list_total",
    "waiting_6_plus_weeks",
    "waiting_13_plus_weeks",
    "activity_planned",
    "activity_unscheduled",
    "activity_waiting_list",
)
FOLDERS = (
    ("ae_monthly_provider_2016_2019", "*.csv"),
    ("ae_monthly_provider", "*.csv"),
    ("beds_kh03", "*.csv"),  # the master panel first: the quarterly workbooks replace its quarters
    ("beds_kh03", "*.xlsx"),
    ("diagnostics_dm01_provider", "*.xls"),
    ("cancelled_operations", "*.xlsx"),
)
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "carebacklog" / "data" / "flow" / "flow_series.parquet"


def source_files(root: Path) -> list[Path]:
    """The files to read, in order: originals before ``…revised`` files of the same folder."""
    files: list[Path] = []
    for folder, pattern in FOLDERS:
        found = sorted((root / folder).glob(pattern), key=lambda p: ("revised" in p.name.lower(), p.name))
        if not found:
            raise SystemExit(f"{root / folder}: no {pattern} files")
        files.extend(found)
    return files


def build(root: Path) -> pl.DataFrame:
    flow = read_flow(source_files(root))
    keep = (pl.col("publication") != "dm01") | pl.col("breakdown").is_null() | pl.col("measure").is_in(
        BY_TEST_MEASURES
    )
    return flow.filter(keep).sort("publication", "period", "level", "breakdown", "org_code", "measure")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    flow = build(args.source_dir)
    check = national_check(flow)
    failed = check.filter(pl.col("matches") == False)  # noqa: E712 (null = no England row)
    regional = region_check(flow)
    failed = pl.concat([failed.select("source", "period", "measure"),
                        regional.filter(~pl.col("matches")).select("source", "period", "measure")])
    if failed.height:
        print(failed, file=sys.stderr)
        raise SystemExit("provider sums differ from a file's England or region row; not writing")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    flow.write_parquet(args.out, compression="zstd", compression_level=19)
    summary = flow.group_by("publication").agg(
        pl.col("period").min().alias("from"), pl.col("period").max().alias("to"),
        pl.col("period").n_unique().alias("periods"), pl.len().alias("rows"),
    ).sort("publication")
    print(summary)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes; {check.height} national and {regional.height} "
          "regional checks, all equal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
