"""The exchange rates' table, on the schema's one ``MetaData`` (``tables.metadata``).

``rate`` is the normalised decimal text the API echoes (``"1.0825"``, ``"100"``): exact on
both databases (SQLite's NUMERIC goes through a float), compared as text by the batch
upsert (two equal values have one normalised text), and cast to ``NUMERIC`` by the
PostgreSQL conversion once per (currency, day), never per transaction (ADR 0015).

The unique key ``(household_id, base, quote, date)`` is also the index of "the latest rate
on or before a day": one backward probe per (currency, day). The second index serves the
list, newest first, within the caller's households.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7Base
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from budget.adapters.errors import UQ_EXCHANGE_RATES_KEY
from budget.domain.model.exchange_rate import MAX_RATE_LENGTH

EXCHANGE_RATES_DATE_INDEX = "ix_exchange_rates_household_date_id"


class ExchangeRateRow(UUIDv7Base):
    """One rate: 1 ``base`` = ``rate`` ``quote`` on ``date``, in one household."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("household_id", "base", "quote", "date", name=UQ_EXCHANGE_RATES_KEY),
        Index(EXCHANGE_RATES_DATE_INDEX, "household_id", "date", "id"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    date: Mapped[date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(MAX_RATE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
