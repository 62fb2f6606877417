"""rules: households' categorisation rules (contract section 13)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:00:00.000000

- ``rules`` holds each household's rules: name, priority, active, and the conditions and
  actions as JSON (JSONB on PostgreSQL). Its indexes lead with ``household_id``:
  ``(household_id, active, priority)`` serves the list by priority and the "has an active
  rule" probe of every new transaction; ``(household_id, created_at)`` the list by age.
- On PostgreSQL it gets the row-level security of migration 0005 (the same policy) and the
  app's role its data rights.

The downgrade drops the table (its policy, indexes and grants go with it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "household_isolation"
# Migration 0005's expression, word for word: the policy is the same on every table.
VISIBLE = (
    "(SELECT budget_all_households())"
    " OR household_id = ANY (((SELECT budget_households()))::uuid[])"
)
GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON rules TO budget_app;
    END IF;
END
$$;
"""
INDEXES = {
    "ix_rules_household_active_priority": ["household_id", "active", "priority"],
    "ix_rules_household_created_at": ["household_id", "created_at"],
}


def upgrade() -> None:
    json = sa.JSON().with_variant(JSONB(), "postgresql")
    op.create_table(
        "rules",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("conditions", json, nullable=False),
        sa.Column("actions", json, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_rules_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "rules", columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rules ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE rules FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON rules USING ({VISIBLE}) WITH CHECK ({VISIBLE})")
        op.execute(GRANTS)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="rules")
    op.drop_table("rules")
