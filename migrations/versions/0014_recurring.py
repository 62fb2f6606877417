"""recurring transactions: templates and the occurrences they posted (contract section 14)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:30:00.000000

- ``recurring``: a template (a transaction's fields, its schedule, the planned date of the
  last occurrence posted and the derived ``next_date``); its accounts must be in its
  household (composite foreign keys, which also refuse the deletion of an account a
  template uses); a deleted category is set NULL. Indexes lead with ``household_id``,
  except the scheduler's partial ``ix_recurring_due``.
- ``recurring_occurrences``: one row per posted occurrence, keyed by ``(recurring_id,
  planned_date)``, which makes posting idempotent per template and date.
- ``transactions`` gains the partial index of the rows a template posted (its deletion sets
  their ``recurring_id`` NULL).

On PostgreSQL both tables get the row-level security of migration 0005 (the same policy) and
the app's role its data rights. The downgrade drops everything added, in reverse order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_RECURRING_ACCOUNT = "fk_recurring_account"
FK_RECURRING_TO_ACCOUNT = "fk_recurring_to_account"
FK_RECURRING_CATEGORY = "fk_recurring_category_id_categories"
PK_RECURRING_OCCURRENCES = "pk_recurring_occurrences"
INDEXES = {
    "ix_recurring_household_next_date": ["household_id", "next_date", "id"],
    "ix_recurring_household_created": ["household_id", "created_at", "id"],
    "ix_recurring_household_account": ["household_id", "account_id"],
    "ix_recurring_household_to_account": ["household_id", "to_account_id"],
    "ix_recurring_household_category": ["household_id", "category_id"],
}
DUE_INDEX = "ix_recurring_due"
DUE = "auto_post AND next_date IS NOT NULL"
POSTED_INDEX = "ix_transactions_household_recurring"
POSTED_ONLY = "recurring_id IS NOT NULL"
TABLES = ("recurring", "recurring_occurrences")

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
        GRANT SELECT, INSERT, UPDATE, DELETE ON recurring, recurring_occurrences TO budget_app;
    END IF;
END
$$;
"""


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "recurring",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("to_account_id", GUID(length=16), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("to_amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("to_currency", sa.String(length=3), nullable=True),
        sa.Column("category_id", GUID(length=16), nullable=True),
        sa.Column("splits", _json(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("weekend", sa.String(length=10), nullable=False),
        sa.Column("auto_post", sa.Boolean(), nullable=False),
        sa.Column("last_planned", sa.Date(), nullable=True),
        sa.Column("posted_count", sa.Integer(), nullable=False),
        sa.Column("next_planned", sa.Date(), nullable=True),
        sa.Column("next_date", sa.Date(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_recurring_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id", "account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_RECURRING_ACCOUNT,
        ),
        sa.ForeignKeyConstraint(
            ["household_id", "to_account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_RECURRING_TO_ACCOUNT,
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=FK_RECURRING_CATEGORY, ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "recurring", columns)
    op.create_index(
        DUE_INDEX,
        "recurring",
        ["next_date"],
        sqlite_where=sa.text(DUE),
        postgresql_where=sa.text(DUE),
    )
    op.create_table(
        "recurring_occurrences",
        sa.Column("recurring_id", GUID(length=16), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recurring_id"],
            ["recurring.id"],
            name=op.f("fk_recurring_occurrences_recurring_id_recurring"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_recurring_occurrences_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recurring_id", "planned_date", name=PK_RECURRING_OCCURRENCES),
    )
    op.create_index(
        POSTED_INDEX,
        "transactions",
        ["household_id", "recurring_id"],
        sqlite_where=sa.text(POSTED_ONLY),
        postgresql_where=sa.text(POSTED_ONLY),
    )
    if _postgresql():
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
            )
        op.execute(GRANTS)


def downgrade() -> None:
    # Dropping a table drops its policy, indexes and grants with it.
    op.drop_index(POSTED_INDEX, table_name="transactions")
    op.drop_table("recurring_occurrences")
    op.drop_index(DUE_INDEX, table_name="recurring")
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="recurring")
    op.drop_table("recurring")
