"""The read model's tables: the daily and monthly totals that reports, budgets and the
unfiltered list's total read (``budget.domain.model.totals``; ADR 0003). Part of the schema
of ``tables.py``, which re-exports them; kept apart so that each module stays one role.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID
from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

NO_CATEGORY = UUID(int=0)
"""``category_key`` of uncategorised totals: a real value (not NULL), so that the primary
key and ``ON CONFLICT`` treat the uncategorised cell like any other on both dialects."""


class DailyTotalRow(DefaultBase):
    """The read model of reports and budgets: per household, type, day,
    currency, category and account, the sum of the amounts, how many transactions
    (``count``: a split transaction counts once, in its first part's cell) and how many
    entries (``entries``: whole transactions and split parts; see
    ``budget.domain.model.totals``). Transfers have cells of their own (type ``transfer``,
    uncategorised), read only to count transactions.

    Kept in step with ``transactions`` in the writer's database transaction (see
    ``budget.domain.model.totals``); cells without entries are deleted. The primary
    key leads with ``(household_id, type, date)`` for the range reads of reports and budgets
    that cover every category; the second index serves budgets of one category. Long
    ranges read their whole months from ``monthly_totals`` and only their ragged ends here.
    """

    __tablename__ = "daily_totals"
    __table_args__ = (
        PrimaryKeyConstraint(
            "household_id", "type", "date", "currency", "category_key", "account_id"
        ),
        Index(
            "ix_daily_totals_household_type_currency_category_date",
            "household_id",
            "type",
            "currency",
            "category_key",
            "date",
        ),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(10))
    date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    category_key: Mapped[UUID] = mapped_column(GUID)
    account_id: Mapped[UUID] = mapped_column(GUID)
    amount: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)


class MonthlyTotalRow(DefaultBase):
    """``daily_totals`` rolled up to calendar months (``month`` is the month's first day),
    kept in step with it by the same writes: a year of a household's expenses is a few hundred
    cells here instead of thousands of daily ones."""

    __tablename__ = "monthly_totals"
    __table_args__ = (
        PrimaryKeyConstraint(
            "household_id", "type", "month", "currency", "category_key", "account_id"
        ),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(10))
    month: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    category_key: Mapped[UUID] = mapped_column(GUID)
    account_id: Mapped[UUID] = mapped_column(GUID)
    amount: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
