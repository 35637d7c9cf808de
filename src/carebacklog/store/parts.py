"""A snapshot's patient-level tables stored as compressed Arrow chunks: how loads meet the 10-second budget.

A 500,000-pathway trust is about 4 million rows across its events, patients, periods and PTL. Row by row
(``executemany`` on SQLite) that is 40 seconds of inserts and index updates; yet nothing ever queries
those rows one at a time in SQL: the app reads a snapshot's PTL and periods whole (into its cache) and one
pathway's events and periods for the pathway page. So each table of a snapshot is stored as a *part*:
its rows sorted by key (pathway id, patient id; the PTL in booking order), cut into chunks of
:data:`CHUNK_ROWS`, each chunk an Arrow IPC stream (LZ4-compressed) in one ``snapshot_parts`` row with the
first and last key it holds. Writing 4 million rows this way takes about a second, on SQLite and
PostgreSQL alike, inside the same transaction as the rest of the load; reading a whole part back is a
fraction of a second, and one pathway's rows come from the one chunk whose key range holds it.

:data:`PART_SCHEMAS` gives each part's columns and Polars types (the frames read back have exactly these,
plus ``load_id``); :data:`REQUIRED` the columns that may not be null (checked before anything is written,
as the database's NOT NULL constraints did for row tables).
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl

__all__ = ["CHUNK_ROWS", "PARTS", "PART_KEYS", "PART_SCHEMAS", "REQUIRED", "decode_chunk", "encode_part"]

#: Rows per chunk: one pathway lookup decodes at most this many rows.
CHUNK_ROWS = 50_000

_S, _I, _D, _B = pl.String(), pl.Int64(), pl.Date(), pl.Boolean()

PART_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "patients": {
        "patient_id": _S, "birth_date": _D, "sex": _S, "ethnic_category": _S, "imd_decile": _I, "lsoa": _S,
        "nhs_number": _S, "family_name": _S, "given_name": _S,
    },
    "events": {
        "seq": _I, "event_id": _S, "pathway_id": _S, "patient_id": _S, "provider_code": _S,
        "commissioner_code": _S, "treatment_function": _S, "event_date": _D, "activity": _S,
        "rtt_status": _I, "priority": _S, "original_start_date": _D,
    },
    "periods": {
        "pathway_id": _S, "period": _I, "patient_id": _S, "provider_code": _S, "commissioner_code": _S,
        "treatment_function": _S, "clock_start": _D, "clock_stop": _D, "outcome": _S, "stop_status": _I,
        "has_dta": _B, "dta_date": _D, "priority": _S, "last_activity_date": _D,
    },
    "ptl": {
        "pathway_id": _S, "period": _I, "patient_id": _S, "commissioner_code": _S, "treatment_function": _S,
        "clock_start": _D, "priority": _S, "has_dta": _B, "dta_date": _D, "last_activity_date": _D,
        "days_waited": _I, "weeks_waited": _I, "breach_18_date": _D, "breach_52_date": _D,
        "breach_65_date": _D, "breach_78_date": _D, "breach_104_date": _D, "priority_due_date": _D,
        "booking_rank": _I, "age_band": _S, "sex": _S, "ethnic_group": _S, "imd_quintile": _I,
        # what is booked (rtt/bookings.py); null when the load had no bookings file
        "booked": _B, "booked_date": _D, "booking_type": _S, "next_breach_date": _D, "booked_after_breach": _B,
        "hospital_cancellations": _I,
    },
}  # fmt: skip
PARTS = tuple(PART_SCHEMAS)
#: The sort order of each part; the first column is the key each chunk records the range of.
PART_KEYS: dict[str, tuple[str, ...]] = {
    "patients": ("patient_id",),
    "events": ("pathway_id", "event_date", "seq"),
    "periods": ("pathway_id", "period"),
    "ptl": ("booking_rank",),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "patients": ("patient_id",),
    "events": ("pathway_id", "patient_id", "provider_code", "treatment_function", "event_date", "activity"),
    "periods": ("pathway_id", "period", "patient_id", "provider_code", "treatment_function", "clock_start",
                "outcome", "has_dta", "last_activity_date"),
    "ptl": ("pathway_id", "period", "patient_id", "treatment_function", "clock_start", "has_dta",
            "days_waited", "weeks_waited", "breach_18_date", "breach_52_date", "breach_65_date",
            "breach_78_date", "breach_104_date", "booking_rank"),
}  # fmt: skip


def shape(part: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` reduced to ``part``'s columns and types, sorted by its key (missing columns are null)."""
    schema = PART_SCHEMAS[part]
    if part == "events" and "seq" not in frame.columns:
        frame = frame.with_row_index("seq")
    exprs = [
        pl.col(name).cast(dtype, strict=False) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(exprs).sort(list(PART_KEYS[part]), nulls_last=True)


def missing_required(part: str, frame: pl.DataFrame) -> str | None:
    """The first required column of ``part`` holding a null in ``frame`` (already shaped), if any."""
    nulls = frame.select(pl.col(c).null_count() for c in REQUIRED[part]).row(0)
    return next((column for column, n in zip(REQUIRED[part], nulls, strict=True) if n), None)


def encode_part(part: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The ``snapshot_parts`` rows (without ``load_id``) of a shaped frame: one per chunk."""
    key = PART_KEYS[part][0]
    rows = []
    for chunk, start in enumerate(range(0, max(frame.height, 1), CHUNK_ROWS)):
        piece = frame.slice(start, CHUNK_ROWS)
        buffer = io.BytesIO()
        piece.write_ipc(buffer, compression="lz4")
        keys = piece.get_column(key)
        rows.append(
            {
                "part": part,
                "chunk": chunk,
                "first_key": None if piece.height == 0 else str(keys[0]),
                "last_key": None if piece.height == 0 else str(keys[-1]),
                "n_rows": piece.height,
                "data": buffer.getvalue(),
            }
        )
    return rows


def decode_chunk(data: bytes | memoryview) -> pl.DataFrame:
    """One chunk back as a frame (PostgreSQL's driver gives ``memoryview``, SQLite's ``bytes``)."""
    return pl.read_ipc(io.BytesIO(bytes(data)))
