"""snapshot parts: a snapshot's events, patients, periods and PTL as compressed Arrow chunks

Replaces the row tables ``events``, ``patients``, ``periods`` and ``ptl_entries`` with ``snapshot_parts``
(see carebacklog.store.parts: loads of 500,000 pathways in seconds instead of tens of seconds), and adds the
PTL's headline counts to ``loads``. Existing snapshots are carried over: their rows are read, chunked and
written as parts, and their headline counts computed, before the row tables are dropped.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD_TABLES = {"patients": "patients", "events": "events", "periods": "periods", "ptl": "ptl_entries"}
_COUNTS = ("n_within_18", "n_over_52", "n_over_65", "n_over_78", "n_over_104", "n_with_dta")


def _rows(conn: sa.Connection, table: str, load_id: int) -> pl.DataFrame:
    result = conn.execute(sa.text(f'SELECT * FROM "{table}" WHERE load_id = :id'), {"id": load_id})
    names = list(result.keys())
    frame = pl.DataFrame([tuple(r) for r in result], schema=names, orient="row", infer_schema_length=None)
    return frame.rename({"id": "seq"}) if table == "events" else frame


def _typed(part: str, frame: pl.DataFrame) -> pl.DataFrame:
    from carebacklog.store.parts import PART_SCHEMAS

    exprs = []
    for name, dtype in PART_SCHEMAS[part].items():
        if name not in frame.columns:
            continue
        if dtype == pl.Date and frame.schema[name] == pl.String:  # SQLite keeps dates as ISO text
            exprs.append(pl.col(name).str.to_date("%Y-%m-%d"))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    return frame.with_columns(exprs)


def upgrade() -> None:
    from carebacklog.store.parts import encode_part, shape

    with op.batch_alter_table("loads", schema=None) as batch_op:
        for name in _COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.create_table(
        "snapshot_parts",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("first_key", sa.String(length=40), nullable=True),
        sa.Column("last_key", sa.String(length=40), nullable=True),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("load_id", "part", "chunk"),
    )
    conn = op.get_bind()
    parts = sa.table(
        "snapshot_parts", sa.column("load_id"), sa.column("part"), sa.column("chunk"), sa.column("first_key"),
        sa.column("last_key"), sa.column("n_rows"), sa.column("data", sa.LargeBinary()),
    )  # fmt: skip
    loads = sa.table("loads", sa.column("id"), *(sa.column(n) for n in _COUNTS))
    for (load_id,) in conn.execute(sa.text("SELECT id FROM loads")).all():
        for part, table in _OLD_TABLES.items():
            frame = shape(part, _typed(part, _rows(conn, table, load_id)))
            conn.execute(sa.insert(parts), [{**row, "load_id": load_id} for row in encode_part(part, frame)])
            if part == "ptl":
                weeks = pl.col("weeks_waited")
                counts = frame.select(
                    n_within_18=(weeks < 18).sum(), n_over_52=(weeks >= 52).sum(), n_over_65=(weeks >= 65).sum(),
                    n_over_78=(weeks >= 78).sum(), n_over_104=(weeks >= 104).sum(),
                    n_with_dta=pl.col("has_dta").sum(),
                ).row(0, named=True)  # fmt: skip
                conn.execute(
                    sa.update(loads).where(loads.c.id == load_id),
                    {k: int(v or 0) for k, v in counts.items()},
                )
    for table in ("ptl_entries", "periods", "events", "patients"):
        op.drop_table(table)


def downgrade() -> None:
    raise NotImplementedError(
        "snapshot parts cannot be turned back into row tables by a migration: restore a backup taken "
        "before upgrading, or load the extracts again under the older version"
    )
