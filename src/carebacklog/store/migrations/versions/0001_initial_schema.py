"""initial schema: loads, patients, events, periods, PTL, users, sessions, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-24 02:51:07.517195
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_code", sa.String(length=10), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("census_date", sa.Date(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("n_events", sa.Integer(), nullable=False),
        sa.Column("n_patients", sa.Integer(), nullable=False),
        sa.Column("n_periods", sa.Integer(), nullable=False),
        sa.Column("n_open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loads_provider_code"), ["provider_code"], unique=False)

    op.create_table(
        "login_attempts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_at", ["attempted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempts_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempts_username"), ["username"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=True),
        sa.Column("pathway_id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("provider_code", sa.String(length=10), nullable=False),
        sa.Column("commissioner_code", sa.String(length=10), nullable=True),
        sa.Column("treatment_function", sa.String(length=10), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(length=24), nullable=False),
        sa.Column("rtt_status", sa.SmallInteger(), nullable=True),
        sa.Column("priority", sa.String(length=4), nullable=True),
        sa.Column("original_start_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_load_pathway", ["load_id", "pathway_id", "event_date"], unique=False)

    op.create_table(
        "patients",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("ethnic_category", sa.String(length=4), nullable=True),
        sa.Column("imd_decile", sa.SmallInteger(), nullable=True),
        sa.Column("lsoa", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("load_id", "patient_id"),
    )
    op.create_table(
        "periods",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.SmallInteger(), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("provider_code", sa.String(length=10), nullable=False),
        sa.Column("commissioner_code", sa.String(length=10), nullable=True),
        sa.Column("treatment_function", sa.String(length=10), nullable=False),
        sa.Column("clock_start", sa.Date(), nullable=False),
        sa.Column("clock_stop", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("stop_status", sa.SmallInteger(), nullable=True),
        sa.Column("has_dta", sa.Boolean(), nullable=False),
        sa.Column("dta_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=4), nullable=True),
        sa.Column("last_activity_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("load_id", "pathway_id", "period"),
    )
    op.create_table(
        "ptl_entries",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.SmallInteger(), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("commissioner_code", sa.String(length=10), nullable=True),
        sa.Column("treatment_function", sa.String(length=10), nullable=False),
        sa.Column("clock_start", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=True),
        sa.Column("has_dta", sa.Boolean(), nullable=False),
        sa.Column("dta_date", sa.Date(), nullable=True),
        sa.Column("last_activity_date", sa.Date(), nullable=True),
        sa.Column("days_waited", sa.Integer(), nullable=False),
        sa.Column("weeks_waited", sa.SmallInteger(), nullable=False),
        sa.Column("breach_18_date", sa.Date(), nullable=False),
        sa.Column("breach_52_date", sa.Date(), nullable=False),
        sa.Column("breach_65_date", sa.Date(), nullable=False),
        sa.Column("breach_78_date", sa.Date(), nullable=False),
        sa.Column("breach_104_date", sa.Date(), nullable=False),
        sa.Column("priority_due_date", sa.Date(), nullable=True),
        sa.Column("booking_rank", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=12), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("ethnic_group", sa.String(length=40), nullable=True),
        sa.Column("imd_quintile", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("load_id", "pathway_id", "period"),
    )
    with op.batch_alter_table("ptl_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ptl_load_rank", ["load_id", "booking_rank"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("ptl_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ptl_load_rank")

    op.drop_table("ptl_entries")
    op.drop_table("periods")
    op.drop_table("patients")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_load_pathway")

    op.drop_table("events")
    op.drop_table("users")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_username"))
        batch_op.drop_index(batch_op.f("ix_login_attempts_client"))
        batch_op.drop_index("ix_login_attempts_at")

    op.drop_table("login_attempts")
    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loads_provider_code"))

    op.drop_table("loads")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_object")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
