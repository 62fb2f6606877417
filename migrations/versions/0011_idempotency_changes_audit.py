"""safe retries, the change feed and the audit trail (contract section 11, ADR 0017)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:30:00.000000

Four tables: ``change_counters`` (per household, the last change position handed out),
``changes`` (per entity, its latest position and operation; tombstones for deletes),
``audit_entries`` and ``idempotency_keys``. The three household-owned ones get 0005's
row-level-security policy. The upgrade gives every existing household and every live
account, category, transaction and budget a change row (positions 1, 2, ... per household,
the counter at the last one), so a first walk of the feed finds them; the downgrade drops
the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "household_isolation"
VISIBLE = (
    "(SELECT budget_all_households())"
    " OR household_id = ANY (((SELECT budget_households()))::uuid[])"
)
OWNED = ("change_counters", "changes", "audit_entries")
TABLES = ("idempotency_keys", "audit_entries", "changes", "change_counters")
GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON change_counters, changes, audit_entries, idempotency_keys TO budget_app;
        GRANT USAGE ON SEQUENCE audit_entries_seq_seq TO budget_app;
    END IF;
END
$$;
"""
BACKFILL = """
INSERT INTO changes (household_id, entity, entity_id, op, position, changed_at)
SELECT household_id, entity, entity_id, 'upsert',
       row_number() OVER (PARTITION BY household_id ORDER BY rank, entity_id), {now}
FROM (
    SELECT id AS household_id, 'household' AS entity, id AS entity_id, 0 AS rank
        FROM households
    UNION ALL SELECT household_id, 'account', id, 1 FROM accounts
    UNION ALL SELECT household_id, 'category', id, 2 FROM categories
    UNION ALL SELECT household_id, 'transaction', id, 3 FROM transactions
    UNION ALL SELECT household_id, 'budget', id, 4 FROM budgets
) AS live
"""
COUNTERS = """
INSERT INTO change_counters (household_id, position)
SELECT household_id, max(position) FROM changes GROUP BY household_id
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _household_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["household_id"],
        ["households.id"],
        name=op.f(f"fk_{table}_household_id_households"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "change_counters",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        _household_fk("change_counters"),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_change_counters")),
    )
    op.create_table(
        "changes",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", GUID(length=16), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", DateTimeUTC(timezone=True), nullable=False),
        _household_fk("changes"),
        sa.PrimaryKeyConstraint("household_id", "entity", "entity_id", name=op.f("pk_changes")),
    )
    op.create_index("ix_changes_household_id_position", "changes", ["household_id", "position"])
    op.create_table(
        "audit_entries",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", GUID(length=16), nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("actor_id", GUID(length=16), nullable=True),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        _household_fk("audit_entries"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_household_id_entity_id",
        "audit_entries",
        ["household_id", "entity_id", "seq"],
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("token", GUID(length=16), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    now = "now()" if _postgresql() else "CURRENT_TIMESTAMP"
    op.execute(BACKFILL.format(now=now))
    op.execute(COUNTERS)
    if _postgresql():
        for table in OWNED:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
            )
        op.execute(GRANTS)


def downgrade() -> None:
    # Dropping a table drops its policy, indexes and grants with it.
    for table in TABLES:
        op.drop_table(table)
