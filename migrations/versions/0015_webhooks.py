"""webhooks: subscriptions, the delivery outbox, budget alert marks, per-household masks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:00:00.000000

Contract section 15 (``docs/architecture.md``, "Webhooks"; ADR 0021). ``webhooks``,
``webhook_deliveries`` and ``webhook_budget_alerts`` are household-owned: ``household_id``
leads their keys and list indexes, and they get migration 0005's row-level-security policy
(the delivery tick works with every household named). ``webhook_subscriptions`` holds one
event mask per household, read by authentication before any household is named: like
``memberships`` it has no policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED_TABLES = ("webhooks", "webhook_deliveries", "webhook_budget_alerts")
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
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON webhooks, webhook_deliveries, webhook_budget_alerts, webhook_subscriptions
            TO budget_app;
    END IF;
END
$$;
"""
PENDING_ONLY = "status = 'pending'"


def _household_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["household_id"],
        ["households.id"],
        name=op.f(f"fk_{table}_household_id_households"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("event_mask", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        _household_fk("webhooks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_household_created", "webhooks", ["household_id", "created_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("webhook_id", GUID(length=16), nullable=False),
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("response_status", sa.SmallInteger(), nullable=True),
        sa.Column("next_attempt_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        _household_fk("webhook_deliveries"),
        sa.PrimaryKeyConstraint("webhook_id", "id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "ix_webhook_deliveries_household_webhook_created",
        "webhook_deliveries",
        ["household_id", "webhook_id", "created_at"],
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        sqlite_where=sa.text(PENDING_ONLY),
        postgresql_where=sa.text(PENDING_ONLY),
    )
    op.create_table(
        "webhook_budget_alerts",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("budget_id", GUID(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        _household_fk("webhook_budget_alerts"),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_webhook_budget_alerts_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "household_id",
            "budget_id",
            "period_start",
            "state",
            name=op.f("pk_webhook_budget_alerts"),
        ),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("event_mask", sa.Integer(), nullable=False),
        _household_fk("webhook_subscriptions"),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_webhook_subscriptions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in OWNED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
            )
        op.execute(GRANTS)


def downgrade() -> None:
    # Dropping a table drops its policy, indexes and grants with it.
    op.drop_table("webhook_subscriptions")
    op.drop_table("webhook_budget_alerts")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index(
        "ix_webhook_deliveries_household_webhook_created", table_name="webhook_deliveries"
    )
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_household_created", table_name="webhooks")
    op.drop_table("webhooks")
