"""splits, cleared status, reconciliation and import ids (contract section 10)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00.000000

- ``transactions`` gains ``status`` (``uncleared`` for every existing row), ``import_id``,
  ``recurring_id`` (no foreign key until recurring templates exist), ``split_count`` (0:
  nothing is split yet) and the unique index ``uq_transactions_account_import_id`` on
  ``(account_id, import_id)`` (NULLs never clash, on either database: a unique index rather
  than a table constraint, so that SQLite adds it without rebuilding the ledger).
- ``accounts`` gains ``cleared_balance``, filled with the opening balance (nothing is
  cleared yet), and ``last_reconciled_on``.
- ``transaction_splits`` holds the parts of split transactions; on PostgreSQL it gets the
  row-level security of migration 0005 (the same policy) and the app's role its data rights.
- ``daily_totals`` and ``monthly_totals`` gain ``entries``, filled with ``count`` (every
  existing transaction is one whole entry).

The new NOT NULL columns without a lasting default are added with a default of 0 (a
catalogue change on PostgreSQL, and the only way SQLite adds a NOT NULL column), filled,
then, on PostgreSQL, left without a default; SQLite cannot drop a default without
rebuilding its table, so there ``cleared_balance`` and ``entries`` keep a default the
adapters never rely on (they write both on every insert). The downgrade drops everything
added, in reverse order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID = "uq_transactions_account_import_id"
FK_TRANSACTION_SPLITS_CATEGORY = "fk_transaction_splits_category_id_categories"
SPLITS_INDEX = "ix_transaction_splits_household_category"
# The account's ``cleared`` rows on either side: what a reconciliation locks and moves to
# ``reconciled`` (partial: a few rows since the last reconciliation, not the history).
CLEARED_INDEXES = {
    "ix_transactions_household_account_cleared": ["household_id", "account_id"],
    "ix_transactions_household_to_account_cleared": ["household_id", "to_account_id"],
}
CLEARED_ONLY = "status = 'cleared'"
TOTALS_TABLES = ("daily_totals", "monthly_totals")

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
        GRANT SELECT, INSERT, UPDATE, DELETE ON transaction_splits TO budget_app;
    END IF;
END
$$;
"""
"""0005's default privileges cover tables created by the login that ran it; granting here
too covers a database migrated by another login since."""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column(
        "transactions",
        sa.Column("status", sa.String(length=10), nullable=False, server_default="uncleared"),
    )
    op.add_column("transactions", sa.Column("import_id", sa.String(length=100), nullable=True))
    op.add_column("transactions", sa.Column("recurring_id", GUID(length=16), nullable=True))
    op.add_column(
        "transactions",
        sa.Column("split_count", sa.SmallInteger(), nullable=False, server_default="0"),
    )
    op.create_index(
        UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID,
        "transactions",
        ["account_id", "import_id"],
        unique=True,
    )
    for name, columns in CLEARED_INDEXES.items():
        op.create_index(
            name,
            "transactions",
            columns,
            sqlite_where=sa.text(CLEARED_ONLY),
            postgresql_where=sa.text(CLEARED_ONLY),
        )
    _add_filled("accounts", sa.Column("cleared_balance", sa.BigInteger()), "opening_balance")
    op.add_column("accounts", sa.Column("last_reconciled_on", sa.Date(), nullable=True))
    for table in TOTALS_TABLES:
        _add_filled(table, sa.Column("entries", sa.Integer()), "count")
    _create_splits()


def _add_filled(table: str, column: sa.Column[int], source: str) -> None:
    """Add the NOT NULL ``column`` to ``table``, filled from its ``source`` column."""
    name = column.name
    column.nullable = False
    column.server_default = sa.DefaultClause("0")
    op.add_column(table, column)
    rows = sa.table(table, sa.column(name, column.type), sa.column(source, column.type))
    op.execute(rows.update().values({name: rows.c[source]}))
    if _postgresql():
        op.alter_column(table, name, server_default=None)


def _create_splits() -> None:
    op.create_table(
        "transaction_splits",
        sa.Column("transaction_id", GUID(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("category_id", GUID(length=16), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_transaction_splits_transaction_id_transactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_transaction_splits_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=FK_TRANSACTION_SPLITS_CATEGORY,
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("transaction_id", "position", name=op.f("pk_transaction_splits")),
    )
    op.create_index(
        SPLITS_INDEX,
        "transaction_splits",
        ["household_id", "category_id", "transaction_id"],
        unique=False,
    )
    if _postgresql():
        op.execute("ALTER TABLE transaction_splits ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE transaction_splits FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON transaction_splits USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
        )
        op.execute(GRANTS)


def downgrade() -> None:
    # Dropping the table drops its policy, index and grants with it.
    op.drop_index(SPLITS_INDEX, table_name="transaction_splits")
    op.drop_table("transaction_splits")
    for table in reversed(TOTALS_TABLES):
        op.drop_column(table, "entries")
    op.drop_column("accounts", "last_reconciled_on")
    op.drop_column("accounts", "cleared_balance")
    op.drop_index(UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID, table_name="transactions")
    for name in CLEARED_INDEXES:
        op.drop_index(name, table_name="transactions")
    for name in ("split_count", "recurring_id", "import_id", "status"):
        op.drop_column("transactions", name)
