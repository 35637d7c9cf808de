"""Build the bundled community and mental-health data from NHS England's published files.

    python scripts/build_community_data.py --chs FOLDER_OF_CHS_WORKBOOKS --talking-therapies MEASURES.parquet \
        [--providers PROVIDERS.parquet] [--out src/carebacklog/data/community]

Writes, with the package's own readers (so the bundled tables are exactly what ``read_chs`` gives):

* ``chs_waiting_lists_2024_25.parquet``: every CHS workbook's Tables 4 and 4a–4h, tidy, with the
  workbooks' own National, Region and ICB rows kept (``aggregate`` True) beside the detail, so the sum of
  the detail can be checked against the published national row month by month;
* ``chs_national_overview_2024_25.parquet``: Table 3 (England, adult and CYP services, each line, by band);
* ``chs_national_series_2024_25.parquet``: Table 2 as each workbook published it (revisions);
* ``chs_non_submitters_2024_25.parquet``: Table 1;
* ``talking_therapies_waits.parquet``: the Talking Therapies monthly measures, in their published long
  layout, cut to the waiting-time measures (``WAIT_MEASURE_IDS``);
* ``talking_therapies_providers.parquet``: the provider list with ICB and region, if given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from carebacklog.community.chs import read_chs_workbook  # noqa: E402
from carebacklog.community.talking_therapies import WAIT_MEASURE_IDS  # noqa: E402

_WRITE = {"compression": "zstd", "compression_level": 22, "statistics": False}


def build_chs(folder: Path, out: Path) -> None:
    books = sorted((read_chs_workbook(p) for p in sorted(folder.glob("*.xlsx"))), key=lambda b: b.period)
    if not books:
        raise SystemExit(f"{folder}: no .xlsx workbooks")
    tidy = pl.concat([b.tidy for b in books]).sort("period", "org_type", "org_code", "age_group",
                                                  "service_line", "weeks_from", nulls_last=False)
    tidy.write_parquet(out / "chs_waiting_lists_2024_25.parquet", **_WRITE)
    pl.concat([b.overview for b in books]).write_parquet(out / "chs_national_overview_2024_25.parquet", **_WRITE)
    pl.concat([b.series for b in books]).write_parquet(out / "chs_national_series_2024_25.parquet", **_WRITE)
    (pl.concat([b.non_submitters.with_columns(pl.lit(b.period).alias("edition")) for b in books])
     .write_parquet(out / "chs_non_submitters_2024_25.parquet", **_WRITE))
    print(f"CHS: {len(books)} workbooks, {books[0].period:%b %Y} – {books[-1].period:%b %Y}, {tidy.height} rows")


def build_talking_therapies(measures: Path, providers: Path | None, out: Path) -> None:
    raw = pl.read_parquet(measures).filter(pl.col("measure_id").is_in(WAIT_MEASURE_IDS))
    raw.write_parquet(out / "talking_therapies_waits.parquet", **_WRITE)
    if providers is not None:
        pl.read_parquet(providers).write_parquet(out / "talking_therapies_providers.parquet", **_WRITE)
    print(f"Talking Therapies: {raw.height} rows, {raw['measure_id'].n_unique()} measures")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chs", type=Path, help="folder of CHS waiting-list workbooks (.xlsx)")
    parser.add_argument("--talking-therapies", type=Path, help="activity_performance_monthly.parquet")
    parser.add_argument("--providers", type=Path, help="metadata_providers.parquet (Talking Therapies)")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "carebacklog" / "data" / "community")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.chs:
        build_chs(args.chs, args.out)
    if args.talking_therapies:
        build_talking_therapies(args.talking_therapies, args.providers, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
