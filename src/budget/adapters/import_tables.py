"""The tables of statement imports (contract section 12), on the schema's ``MetaData``
(re-exported by ``tables.py``, so the write order and the migrations know them).

``imports`` keeps each batch (who, when, which file and format, its counts) for listing
and undo. ``import_transactions`` links a batch to the transactions it created: a link
table, not a column of ``transactions``, so the ledger's rows, mappers and hot writes stay
as they are. It has no foreign key to ``transactions``: a transaction deleted on its own
leaves a dangling link that undo ignores (it reads the links joined to the live
transactions) and that goes with its batch, so deleting a transaction never pays for a
check of this table.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

FK_IMPORTS_ACCOUNT = "fk_imports_account"


class ImportBatchRow(DefaultBase):
    """One import: ``user_id`` is who made it (NULL once that user is gone); ``account_id``
    NULL for a backup restore (into the whole household)."""

    __tablename__ = "imports"
    __table_args__ = (
        ForeignKeyConstraint(
            ["household_id", "account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_IMPORTS_ACCOUNT,
            ondelete="CASCADE",
        ),
        Index("ix_imports_household_created_id", "household_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    account_id: Mapped[UUID | None] = mapped_column(GUID)
    user_id: Mapped[UUID | None] = mapped_column(GUID, ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    row_count: Mapped[int] = mapped_column(Integer)
    created_count: Mapped[int] = mapped_column(Integer)
    duplicate_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ImportTransactionRow(DefaultBase):
    """A transaction an import created (see the module for why no foreign key to it)."""

    __tablename__ = "import_transactions"
    __table_args__ = (PrimaryKeyConstraint("household_id", "import_id", "transaction_id"),)

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    import_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("imports.id", ondelete="CASCADE"))
    transaction_id: Mapped[UUID] = mapped_column(GUID)
