"""exchange rates (contract section 17)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:00:00.000000

- ``exchange_rates`` holds each household's rates: 1 ``base`` = ``rate`` ``quote`` on
  ``date``, ``rate`` as normalised decimal text (ADR 0015). The unique key
  ``(household_id, base, quote, date)`` is also the index that finds the latest rate on or
  before a day in one probe; ``(household_id, date, id)`` serves the list.
- On PostgreSQL it gets migration 0005's row-level security (the same policy) and the
  app's role its data rights.
- ``ix_transactions_household_type_currency_date`` gains ``amount`` as a last column, so
  that a report in one currency reads the amounts it converts from the index alone (an
  index-only scan on PostgreSQL, a covering index on SQLite); every query that used the
  index still matches its leading columns.

The downgrade drops the table (its policy, indexes and grants go with it) and puts the
transactions' index back as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UQ_EXCHANGE_RATES_KEY = "uq_exchange_rates_household_base_quote_date"
DATE_INDEX = "ix_exchange_rates_household_date_id"
TYPE_CURRENCY_INDEX = "ix_transactions_household_type_currency_date"
TYPE_CURRENCY_COLUMNS = ["household_id", "type", "currency", "date"]

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
        GRANT SELECT, INSERT, UPDATE, DELETE ON exchange_rates TO budget_app;
    END IF;
END
$$;
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_exchange_rates_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("household_id", "base", "quote", "date", name=UQ_EXCHANGE_RATES_KEY),
    )
    op.create_index(DATE_INDEX, "exchange_rates", ["household_id", "date", "id"], unique=False)
    if _postgresql():
        op.execute("ALTER TABLE exchange_rates ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE exchange_rates FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON exchange_rates USING ({VISIBLE}) WITH CHECK ({VISIBLE})"
        )
        op.execute(GRANTS)
    op.drop_index(TYPE_CURRENCY_INDEX, table_name="transactions")
    op.create_index(TYPE_CURRENCY_INDEX, "transactions", [*TYPE_CURRENCY_COLUMNS, "amount"])


def downgrade() -> None:
    op.drop_index(TYPE_CURRENCY_INDEX, table_name="transactions")
    op.create_index(TYPE_CURRENCY_INDEX, "transactions", TYPE_CURRENCY_COLUMNS)
    op.drop_index(DATE_INDEX, table_name="exchange_rates")
    op.drop_table("exchange_rates")
