"""statement imports: the batches and the transactions each created (contract section 12)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:00:00.000000

- ``imports``: one row per import (household, account, who, file name, format, counts,
  when), listed by ``(household_id, created_at, id)``.
- ``import_transactions``: the transactions each import created (a link table; no foreign
  key to ``transactions``, see ``adapters/import_tables.py``).

Both are household-owned: on PostgreSQL they get migration 0005's row-level security
policy and the app's role its data rights. The downgrade drops both tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("imports", "import_transactions")
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
        GRANT SELECT, INSERT, UPDATE, DELETE ON imports, import_transactions TO budget_app;
    END IF;
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=True),
        sa.Column("user_id", GUID(length=16), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id", "account_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_imports_account",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_imports_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(
        "ix_imports_household_created_id", "imports", ["household_id", "created_at", "id"]
    )
    op.create_table(
        "import_transactions",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("import_id", GUID(length=16), nullable=False),
        sa.Column("transaction_id", GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_import_transactions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_transactions_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "household_id", "import_id", "transaction_id", name=op.f("pk_import_transactions")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
            )
        op.execute(GRANTS)


def downgrade() -> None:
    # Dropping a table drops its policy, indexes and grants with it.
    op.drop_table("import_transactions")
    op.drop_index("ix_imports_household_created_id", table_name="imports")
    op.drop_table("imports")
