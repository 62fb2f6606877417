"""The SQLAlchemy unit of work: one session, one database transaction, explicit commit."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budget.adapters.budgets import SqlAlchemyBudgetRepository
from budget.adapters.database import WriterQueue, is_unavailable
from budget.adapters.ledger import (
    SqlAlchemyAccountRepository,
    SqlAlchemyCategoryRepository,
    SqlAlchemyTransactionRepository,
)
from budget.adapters.tables import metadata
from budget.adapters.totals import SqlAlchemyLedgerTotals
from budget.adapters.tracking import Tracker
from budget.adapters.users import SqlAlchemyRefreshTokenRepository, SqlAlchemyUserRepository
from budget.domain.errors import (
    ACCOUNT_IN_USE,
    AccountInUseError,
    ConflictError,
    RuleViolationError,
    StorageUnavailableError,
)
from budget.domain.model.budget import FOREIGN_CATEGORY as FOREIGN_BUDGET_CATEGORY
from budget.domain.model.transaction import FOREIGN_ACCOUNT, FOREIGN_CATEGORY

# Parents before children (computing the order walks every foreign key: do it once).
TABLES_PARENTS_FIRST = tuple(metadata.sorted_tables)

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

# Foreign keys a row may lose to a concurrent delete, by name: the field that referred to
# the vanished row, and why. (SQLite names no constraint, but it serialises writers, so
# these races only happen on PostgreSQL.)
LOST_REFERENCES: dict[str, tuple[str, str]] = {
    "fk_transactions_account": ("account_id", FOREIGN_ACCOUNT),
    "fk_transactions_to_account": ("to_account_id", FOREIGN_ACCOUNT),
    "fk_transactions_category_id_categories": ("category_id", FOREIGN_CATEGORY),
    "fk_budgets_category_id_categories": ("category_id", FOREIGN_BUDGET_CATEGORY),
}

# PostgreSQL's two messages: a child row refers to a missing parent ("insert or update"),
# or a parent row is still referred to ("update or delete").
_FOREIGN_KEY = re.compile(
    r'(?P<direction>insert or update|update or delete) on table "(?P<table>\w+)"'
    r' violates foreign key constraint "(?P<constraint>\w+)"'
)


class SqlAlchemyUnitOfWork:
    """Opens a session on enter; ``commit`` writes tracked aggregates back and commits.

    Leaving the block without committing rolls back. With ``writers`` (SQLite), a unit
    of work that may write waits its turn in that queue on enter and leaves it on exit.
    Database failures are translated: lost connections and timeouts become
    ``StorageUnavailableError``, known unique constraints become ``ConflictError``, and
    foreign keys broken by a concurrent delete become a ``RuleViolationError`` on the
    field that referred to the deleted row (or ``AccountInUseError`` when the deleted
    account gained a transaction meanwhile).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        read_only: bool = False,
        writers: WriterQueue | None = None,
    ) -> None:
        self._sessions = sessions
        self._read_only = read_only
        self._writers = None if read_only else writers
        self._end_turn: Callable[[], None] | None = None

    async def __aenter__(self) -> Self:
        if self._writers is not None:
            self._end_turn = await self._writers.wait_turn()
        session = self._session = self._sessions()
        tracker = self._tracker = Tracker(session)
        read_only = self._read_only
        self.users = SqlAlchemyUserRepository(session, tracker, read_only=read_only)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(session)
        self.categories = SqlAlchemyCategoryRepository(session, tracker, read_only=read_only)
        self.accounts = SqlAlchemyAccountRepository(session, tracker, read_only=read_only)
        self.transactions = SqlAlchemyTransactionRepository(session, tracker, read_only=read_only)
        self.budgets = SqlAlchemyBudgetRepository(session, tracker, read_only=read_only)
        self.totals = SqlAlchemyLedgerTotals(session)
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
        finally:
            if self._end_turn is not None:
                self._end_turn()
                self._end_turn = None
        translated = translate(error) if error is not None else None
        if translated is not None:
            raise translated from error

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        # Rows first, then the balance and totals increments: they lock rows that every
        # writer of the same account and day needs, so they come last, right before the
        # database commits.
        await self._tracker.write_back()
        await self._flush_new_rows_parents_first()
        await self.transactions.write_new()
        await self.accounts.write_balances()
        await self.totals.write()
        await self._session.commit()
        self._tracker.clear()

    async def _flush_new_rows_parents_first(self) -> None:
        # Rows have no ORM relationships, so the session cannot order inserts by foreign
        # key on its own: flush them table by table, parents before children.
        pending = list(self._session.new)
        if not pending:
            return
        for table in TABLES_PARENTS_FIRST:
            rows = [row for row in pending if getattr(row, "__table__", None) is table]
            if rows:
                await self._session.flush(rows)


def translate(error: BaseException) -> Exception | None:
    """The domain error a persistence failure stands for, if any."""
    if isinstance(error, exc.IntegrityError):
        message = str(error.orig)
        foreign_key = _FOREIGN_KEY.search(message)
        if foreign_key is not None:
            return _broken_reference(**foreign_key.groupdict())
        for markers, detail in CONFLICTS:
            if any(marker in message for marker in markers):
                return ConflictError(detail)
        return None
    if is_unavailable(error):
        return StorageUnavailableError()
    return None


def _broken_reference(direction: str, table: str, constraint: str) -> Exception | None:
    if direction == "update or delete":
        # Only accounts refuse to go while referred to (categories and users cascade).
        return AccountInUseError(ACCOUNT_IN_USE) if table == "accounts" else None
    lost = LOST_REFERENCES.get(constraint)
    return None if lost is None else RuleViolationError.on(*lost)
