"""ORM rows: advanced-alchemy bases (UUIDv7 ids, audit timestamps), separate from the domain.

Every household-owned table carries ``household_id`` first in its keys and in the indexes
its lists and aggregates read, so each of them is an index range scan and the data can be
distributed per household (e.g. Citus, with ``household_id`` as the distribution column:
see ``docs/scaling.md``); the only exceptions are the indexes behind the foreign keys to a
category (``ix_categories_parent_id``, ``ix_budgets_category_id``), which serve the
deletion of one category, and the keys of globally unique ids: a split part's primary key
``(transaction_id, position)`` and the unique ``import_id`` per account (an account, and a
transaction, belong to one household, so these never span two). The
constraints that errors are translated by take their names from ``errors.py``; the ``*Row``
classes define the tables (and the migrations' target; the totals' rows live in
``totals_tables.py`` and are re-exported here), rows are read and written with Core (see
``uow.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from budget.adapters.counter_tables import LoginFailureRow as LoginFailureRow
from budget.adapters.counter_tables import SharedCounterRow as SharedCounterRow
from budget.adapters.errors import (
    FK_BUDGETS_CATEGORY,
    FK_TRANSACTION_SPLITS_CATEGORY,
    FK_TRANSACTIONS_ACCOUNT,
    FK_TRANSACTIONS_CATEGORY,
    FK_TRANSACTIONS_TO_ACCOUNT,
    UQ_ACCOUNTS_HOUSEHOLD_ID_ID,
    UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE,
    UQ_CATEGORIES_SUBCATEGORY_NAME,
    UQ_CATEGORIES_TOP_LEVEL_NAME,
    UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID,
    UQ_USERS_EMAIL,
)
from budget.adapters.fx_tables import ExchangeRateRow as ExchangeRateRow
from budget.adapters.import_tables import ImportBatchRow as ImportBatchRow
from budget.adapters.import_tables import ImportTransactionRow as ImportTransactionRow
from budget.adapters.rules_tables import RuleRow as RuleRow
from budget.adapters.sync_tables import AuditEntryRow as AuditEntryRow
from budget.adapters.sync_tables import ChangeCounterRow as ChangeCounterRow
from budget.adapters.sync_tables import ChangeRow as ChangeRow
from budget.adapters.sync_tables import IdempotencyKeyRow as IdempotencyKeyRow
from budget.adapters.totals_tables import NO_CATEGORY as NO_CATEGORY
from budget.adapters.totals_tables import DailyTotalRow as DailyTotalRow
from budget.adapters.totals_tables import MonthlyTotalRow as MonthlyTotalRow
from budget.adapters.webhook_tables import WebhookBudgetAlertRow as WebhookBudgetAlertRow
from budget.adapters.webhook_tables import WebhookDeliveryRow as WebhookDeliveryRow
from budget.adapters.webhook_tables import WebhookRow as WebhookRow
from budget.adapters.webhook_tables import WebhookSubscriptionRow as WebhookSubscriptionRow

metadata = UUIDv7AuditBase.metadata


class UserRow(UUIDv7AuditBase):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name=UQ_USERS_EMAIL),)

    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(100))
    default_currency: Mapped[str] = mapped_column(String(3))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No foreign key: the use cases keep it pointing at one of the user's households
    # (a household's delete moves its members' defaults first).
    default_household_id: Mapped[UUID | None] = mapped_column(GUID)


class HouseholdRow(UUIDv7AuditBase):
    __tablename__ = "households"

    name: Mapped[str] = mapped_column(String(100))


class MembershipRow(DefaultBase):
    __tablename__ = "memberships"
    __table_args__ = (
        PrimaryKeyConstraint("household_id", "user_id"),
        Index("ix_memberships_user_id_household_id", "user_id", "household_id"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class InvitationRow(UUIDv7Base):
    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_household_id_created_at", "household_id", "created_at"),
        Index("ix_invitations_email_created_at", "email", "created_at"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    invited_by: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class RefreshTokenRow(UUIDv7Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_owner_id", "owner_id"),)

    owner_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    family_id: Mapped[UUID] = mapped_column(GUID, index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class AccountRow(UUIDv7AuditBase):
    """An account; ``balance`` and ``cleared_balance`` (opening balance plus the effects of
    its cleared and reconciled transactions) move only by increments (``accounts.py``)."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("household_id", "id", name=UQ_ACCOUNTS_HOUSEHOLD_ID_ID),
        Index(
            UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE,
            "household_id",
            "name",
            unique=True,
            sqlite_where=text("archived = 0"),
            postgresql_where=text("archived = false"),
        ),
        Index("ix_accounts_household_id_created_at", "household_id", "created_at"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int] = mapped_column(BigInteger)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    cleared_balance: Mapped[int] = mapped_column(BigInteger)
    last_reconciled_on: Mapped[date | None] = mapped_column(Date)


class CategoryRow(UUIDv7AuditBase):
    __tablename__ = "categories"
    __table_args__ = (
        Index(
            UQ_CATEGORIES_TOP_LEVEL_NAME,
            "household_id",
            "kind",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        Index(
            UQ_CATEGORIES_SUBCATEGORY_NAME,
            "household_id",
            "kind",
            "parent_id",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
        Index("ix_categories_parent_id", "parent_id"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("categories.id", ondelete="SET NULL")
    )
    color: Mapped[str | None] = mapped_column(String(7))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class TransactionRow(UUIDv7AuditBase):
    """A ledger entry; ``currency`` (``to_currency``) is the (destination) account's currency.

    ``search_text`` holds the lower-cased description and payee for ``q`` look-ups.
    ``split_count`` is how many parts the transaction has in ``transaction_splits`` (0: not
    split), so that a list reads the parts only when a row of its page has some.
    ``import_id`` is unique per (source) account; NULLs never clash, on either database.
    ``recurring_id`` names the recurring template that posted it (no foreign key: a
    template's deletion sets it NULL itself, ``recurring.py``).
    """

    __tablename__ = "transactions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["household_id", "account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_TRANSACTIONS_ACCOUNT,
        ),
        ForeignKeyConstraint(
            ["household_id", "to_account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_TRANSACTIONS_TO_ACCOUNT,
        ),
        Index("ix_transactions_household_date_id", "household_id", "date", "id"),
        Index("ix_transactions_household_account_date", "household_id", "account_id", "date"),
        Index("ix_transactions_household_to_account_date", "household_id", "to_account_id", "date"),
        Index("ix_transactions_household_category_date", "household_id", "category_id", "date"),
        Index(
            "ix_transactions_household_type_currency_date",
            "household_id",
            "type",
            "currency",
            "date",
            "amount",  # a report in one currency converts from the index alone (ADR 0015)
        ),
        Index("ix_transactions_household_amount_id", "household_id", "amount", "id"),
        Index("ix_transactions_household_created_id", "household_id", "created_at", "id"),
        Index(UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID, "account_id", "import_id", unique=True),
        # A reconciliation's rows: the account's cleared ones, few since the last one.
        Index(
            "ix_transactions_household_account_cleared",
            "household_id",
            "account_id",
            sqlite_where=text("status = 'cleared'"),
            postgresql_where=text("status = 'cleared'"),
        ),
        Index(
            "ix_transactions_household_to_account_cleared",
            "household_id",
            "to_account_id",
            sqlite_where=text("status = 'cleared'"),
            postgresql_where=text("status = 'cleared'"),
        ),
        # The transactions a recurring template posted: few, read when it is deleted.
        Index(
            "ix_transactions_household_recurring",
            "household_id",
            "recurring_id",
            sqlite_where=text("recurring_id IS NOT NULL"),
            postgresql_where=text("recurring_id IS NOT NULL"),
        ),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[UUID] = mapped_column(GUID)
    to_account_id: Mapped[UUID | None] = mapped_column(GUID)
    amount: Mapped[int] = mapped_column(BigInteger)
    to_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str | None] = mapped_column(String(3))
    category_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("categories.id", ondelete="SET NULL", name=FK_TRANSACTIONS_CATEGORY)
    )
    date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500), default="")
    payee: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    search_text: Mapped[str] = mapped_column(String(701), default="")
    status: Mapped[str] = mapped_column(String(10), default="uncleared", server_default="uncleared")
    import_id: Mapped[str | None] = mapped_column(String(100))
    recurring_id: Mapped[UUID | None] = mapped_column(GUID)
    split_count: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class TransactionSplitRow(DefaultBase):
    """One part of a split transaction (``position`` 0, 1, ... in the order sent), in the
    transaction's currency; deleted with it. The transaction's own ``category_id`` is NULL
    then. ``household_id`` is the transaction's, for row-level security and for the index
    that finds the parts of one category (the ``category_id`` filter and a category's
    deletion)."""

    __tablename__ = "transaction_splits"
    __table_args__ = (
        PrimaryKeyConstraint("transaction_id", "position"),
        Index(
            "ix_transaction_splits_household_category",
            "household_id",
            "category_id",
            "transaction_id",
        ),
    )

    transaction_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("transactions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    category_id: Mapped[UUID | None] = mapped_column(
        GUID,
        ForeignKey("categories.id", ondelete="SET NULL", name=FK_TRANSACTION_SPLITS_CATEGORY),
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500), default="")


class BudgetRow(UUIDv7AuditBase):
    """A budget; ``amount`` is the limit per period in minor units of ``currency``.

    Deleting its category deletes the budget (the contract says so); ``category_id`` NULL
    covers every expense.
    """

    __tablename__ = "budgets"
    __table_args__ = (
        Index(
            "ix_budgets_household_category_period_currency",
            "household_id",
            "category_id",
            "period",
            "currency",
        ),
        Index("ix_budgets_category_id", "category_id"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("categories.id", ondelete="CASCADE", name=FK_BUDGETS_CATEGORY)
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    rollover: Mapped[bool] = mapped_column(Boolean, default=False)
    alert_threshold: Mapped[int] = mapped_column(Integer)


# The recurring templates' rows live in their own module, on the same metadata.
from budget.adapters.recurring_tables import RecurringOccurrenceRow as RecurringOccurrenceRow  # noqa: E402
from budget.adapters.recurring_tables import RecurringRow as RecurringRow  # noqa: E402
