"""snapshots: provenance of each load (file name and SHA-256, rows read/accepted/rejected, who)

A provider now keeps one load per census date (history) instead of one load in all; the columns below
say where each came from. Existing loads keep nulls (their provenance was not recorded).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("patients_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("rows_read", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rows_accepted", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rows_rejected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loaded_by", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_loads_file_sha256"), ["file_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loads_file_sha256"))
        for name in (
            "loaded_by", "rows_rejected", "rows_accepted", "rows_read", "patients_sha256", "file_sha256",
            "file_name",
        ):  # fmt: skip
            batch_op.drop_column(name)
