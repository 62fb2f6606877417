"""shared counters: the API-wide rate limit and failed logins, seen by every replica

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 04:30:00.000000

- ``shared_counters``: hits per key and fixed window (``window_start``, Unix seconds), the
  API-wide rate limit's counters (contract section 16), counted with one adding upsert.
- ``login_failures``: one row per failed login per throttle key, read over the throttle's
  sliding window; replaces the per-process store so that N replicas enforce one limit.

Neither is household-owned: no ``household_id``, no row-level security; the app's role
gets its data rights on PostgreSQL. The downgrade drops both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON shared_counters, login_failures TO budget_app;
    END IF;
END
$$;
"""
"""0005's default privileges cover tables created by the login that ran it; granting here
too covers a database migrated by another login since."""


def upgrade() -> None:
    op.create_table(
        "shared_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_shared_counters")),
    )
    op.create_index(
        "ix_shared_counters_window_start", "shared_counters", ["window_start"], unique=False
    )
    op.create_table(
        "login_failures",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failed_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_key_failed_at", "login_failures", ["key", "failed_at"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GRANTS)


def downgrade() -> None:
    op.drop_index("ix_login_failures_key_failed_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_shared_counters_window_start", table_name="shared_counters")
    op.drop_table("shared_counters")
