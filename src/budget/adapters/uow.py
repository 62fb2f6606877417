"""The SQLAlchemy unit of work: one session, one database transaction, explicit commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budget.adapters.budgets import SqlAlchemyBudgetRepository
from budget.adapters.database import is_unavailable
from budget.adapters.ledger import (
    SqlAlchemyAccountRepository,
    SqlAlchemyCategoryRepository,
    SqlAlchemyTransactionRepository,
)
from budget.adapters.tables import metadata
from budget.adapters.tracking import Tracker
from budget.adapters.users import SqlAlchemyRefreshTokenRepository, SqlAlchemyUserRepository
from budget.domain.errors import ConflictError, StorageUnavailableError

# Unique constraints whose violation is an expected conflict, by name.
# PostgreSQL names the constraint; SQLite names the columns.
CONFLICTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("uq_users_email", "users.email"), "That e-mail address is already registered."),
    (
        ("uq_accounts_owner_name_active", "accounts.owner_id, accounts.name"),
        "You already have an unarchived account with that name.",
    ),
    (
        (
            "uq_categories_owner_kind_name_top",
            "uq_categories_owner_kind_parent_name",
            "categories.owner_id, categories.kind",
        ),
        "You already have a category with that name here.",
    ),
)


class SqlAlchemyUnitOfWork:
    """Opens a session on enter; ``commit`` writes tracked aggregates back and commits.

    Leaving the block without committing rolls back. Database failures are translated:
    lost connections and timeouts become ``StorageUnavailableError``, known unique
    constraints become ``ConflictError``.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._sessions = sessions
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._tracker = Tracker()
        self.users = SqlAlchemyUserRepository(self._session, self._tracker)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(self._session)
        self.categories = SqlAlchemyCategoryRepository(self._session, self._tracker)
        self.accounts = SqlAlchemyAccountRepository(self._session, self._tracker)
        self.transactions = SqlAlchemyTransactionRepository(self._session, self._tracker)
        self.budgets = SqlAlchemyBudgetRepository(self._session, self._tracker)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._session.rollback()
            await self._session.close()
        except Exception:  # noqa: S110 - the connection is already gone; nothing to undo
            pass
        translated = translate(error) if error is not None else None
        if translated is not None:
            raise translated from error

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._tracker.write_back()
        await self._flush_new_rows_parents_first()
        await self._session.commit()
        self._tracker.clear()

    async def _flush_new_rows_parents_first(self) -> None:
        # Rows have no ORM relationships, so the session cannot order inserts by foreign
        # key on its own: flush them table by table, parents before children.
        pending = list(self._session.new)
        for table in metadata.sorted_tables:
            rows = [row for row in pending if getattr(row, "__table__", None) is table]
            if rows:
                await self._session.flush(rows)


def translate(error: BaseException) -> Exception | None:
    """The domain error a persistence failure stands for, if any."""
    if isinstance(error, exc.IntegrityError):
        message = str(error.orig)
        for markers, detail in CONFLICTS:
            if any(marker in message for marker in markers):
                return ConflictError(detail)
        return None
    if is_unavailable(error):
        return StorageUnavailableError()
    return None
