"""Hand-made pathway events (input contract) whose monthly return for January 2026 is known."""

from __future__ import annotations

from datetime import date

import polars as pl

from carebacklog.rtt import EVENT_SCHEMA

# (pathway, patient, provider, commissioner, treatment function, date, activity, status, priority)
ROWS = [
    # P1: admitted completion in January after 106 days → Part_1A, C_110, band 15
    ("P1", "N1", "RAA", "00L", "110", "2025-10-01", "referral", 10, None),
    ("P1", "N1", "RAA", "00L", "110", "2025-11-01", "decision_to_admit", 20, "P3"),
    ("P1", "N1", "RAA", "00L", "110", "2026-01-15", "admission", 30, "P3"),
    # P2: spinal surgery (108 → C_110), started and treated in clinic in January → Part_3 and Part_1B band 2
    ("P2", "N2", "RAA", "00L", "108", "2026-01-05", "referral", 10, None),
    ("P2", "N2", "RAA", "00L", "108", "2026-01-20", "outpatient", 30, None),
    # P3: gynaecology, open 244 days at month end with a DTA → Part_2 and Part_2A, C_502, band 34
    ("P3", "N3", "RAA", "00L", "502", "2025-06-01", "referral", 10, None),
    ("P3", "N3", "RAA", "00L", "502", "2025-12-01", "decision_to_admit", 20, "P4"),
    # P4: paediatrics (420 → X02), first appointment DNA nullifies: Part_3 only
    ("P4", "N4", "RAA", "00L", "420", "2026-01-10", "referral", 10, None),
    ("P4", "N4", "RAA", "00L", "420", "2026-01-25", "dna", 33, None),
    # P5: general surgery open 761 days → Part_2, C_100, band 104 (over 104 weeks)
    ("P5", "N5", "RAA", "00L", "100", "2024-01-01", "referral", 10, None),
    # P6: other commissioner, open at January's end (treated in February) → Part_2, C_100, band 8
    ("P6", "N6", "RAA", "00N", "100", "2025-12-01", "referral", 10, None),
    ("P6", "N6", "RAA", "00N", "100", "2026-02-10", "outpatient", 30, None),
    # P7: transferred out in January: no completion, not open at the month's end
    ("P7", "N7", "RAA", "00L", "130", "2025-11-01", "referral", 10, None),
    ("P7", "N7", "RAA", "00L", "130", "2026-01-10", "transfer_out", 21, None),
    # P8: treated in December: nothing in January
    ("P8", "N8", "RAA", "00L", "100", "2025-12-20", "referral", 10, None),
    ("P8", "N8", "RAA", "00L", "100", "2025-12-28", "admission", 30, None),
]

MONTH_END = date(2026, 1, 31)

# part → {(commissioner, treatment function, weeks band): count}
EXPECTED = {
    "Part_1A": {("00L", "C_110", 15): 1},
    "Part_1B": {("00L", "C_110", 2): 1},
    "Part_2": {("00L", "C_502", 34): 1, ("00L", "C_100", 104): 1, ("00N", "C_100", 8): 1},
    "Part_2A": {("00L", "C_502", 34): 1},
    "Part_3": {("00L", "C_110", None): 1, ("00L", "X02", None): 1},
}


def hand_made_events() -> pl.DataFrame:
    columns = [
        "pathway_id",
        "patient_id",
        "provider_code",
        "commissioner_code",
        "treatment_function",
        "event_date",
        "activity",
        "rtt_status",
        "priority",
    ]
    frame = pl.DataFrame(ROWS, schema=columns, orient="row")
    frame = frame.with_columns(
        event_id=pl.format("E{}", pl.int_range(pl.len())),
        event_date=pl.col("event_date").str.to_date(),
        original_start_date=pl.lit(None, pl.Date),
    )
    return frame.select([pl.col(c).cast(t) for c, t in EVENT_SCHEMA.items()])


def write_events_csv(path: object) -> None:
    hand_made_events().write_csv(str(path))
