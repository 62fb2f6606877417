"""The SQLAlchemy unit of work: one connection, one database transaction, explicit commit.

**One write path.** Repositories never write what a use case adds or changes when it
happens: each registers its writers with the unit of work's ``PendingWrites``
(``writes.py``), and ``commit()`` has them write, then commits. ``commit()`` names no
repository; the order comes from each writer's ``rank``:

1. rows, parents before children (``metadata.sorted_tables``: users, refresh tokens,
   accounts, categories, transactions, their split parts, budgets): per table, the changed
   columns of the rows handed out, then one ``INSERT`` of every new row (a transaction's
   changed parts are replaced, ``splits.PartsWrites``);
2. balances: the recorded deltas, one atomic ``balance = balance + :delta, cleared_balance
   = cleared_balance + :cleared`` per account in sorted id order (``accounts.BalanceDeltas``);
3. the daily and monthly totals, last: one atomic upsert per cell in sorted key order
   (``totals.SqlAlchemyLedgerTotals``).

Balances and totals come last because they lock rows every writer of the same account
and day needs: taken in one global order right before the commit, those locks are held
briefly and never deadlock.

**One write strategy.** Every table is written with Core statements built from the
table's one ``*_columns(entity)`` mapper (``TableWrites``); entities are read as plain
rows (``*_from_row``), never as ORM objects: the ``*Row`` classes only define the tables.
A new table follows the same rule: a mapper pair next to its repository, a
``TableWrites`` ranked by its foreign keys, derived rows ranked after the balances.
Statements whose outcome the caller needs at once run when called: deletes (a category's
first writes its table's pending changes), and set-based updates (``mark_used``,
``revoke_*``, ``uncategorize``, ``delete_for_category``).

**One error translation.** Leaving the block with a persistence failure raises its
domain error (``errors.translate``): lost connections and timeouts become
``StorageUnavailableError``, known unique constraints ``ConflictError`` (an import id taken:
``ImportIdTakenError``), a deadlock or serialisation failure ``ConcurrentChangeError``, foreign keys
broken by a concurrent delete a ``RuleViolationError`` on the field that referred to the
deleted row (or ``AccountInUseError`` when a deleted account gained a transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.accounts import SqlAlchemyAccountRepository
from budget.adapters.budgets import SqlAlchemyBudgetRepository
from budget.adapters.categories import SqlAlchemyCategoryRepository
from budget.adapters.database import Scope, UnitSession, WriterQueue
from budget.adapters.errors import translate
from budget.adapters.households import (
    SqlAlchemyHouseholdRepository,
    SqlAlchemyInvitationRepository,
)
from budget.adapters.totals import SqlAlchemyLedgerTotals
from budget.adapters.transactions import SqlAlchemyTransactionRepository
from budget.adapters.users import SqlAlchemyRefreshTokenRepository, SqlAlchemyUserRepository
from budget.adapters.webhooks import EventData, SqlAlchemyWebhookRepository
from budget.adapters.writes import PendingWrites


class SqlAlchemyUnitOfWork:
    """Opens a ``UnitSession`` on ``engine`` on enter (its connection is checked out by the
    first statement); ``commit`` writes what was recorded and commits.

    Leaving the block without committing rolls back. With ``writers`` (SQLite), a unit
    of work that may write waits its turn in that queue on enter and leaves it on exit.
    ``scope`` is what row-level security lets it touch on PostgreSQL (``database.restrict``):
    the caller's households for ledger work, ``ALL_HOUSEHOLDS`` for registration and
    household management, None for work on users, tokens and memberships alone.
    Persistence failures are translated (see the module).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        writers: WriterQueue | None = None,
        scope: Scope = None,
        event_data: EventData | None = None,
    ) -> None:
        self._engine = engine
        self._event_data = event_data
        self._scope = scope
        self._read_only = read_only
        self._writers = None if read_only else writers
        self._end_turn: Callable[[], None] | None = None

    async def __aenter__(self) -> Self:
        if self._writers is not None:
            self._end_turn = await self._writers.wait_turn()
        session = self._session = UnitSession(self._engine, self._scope)
        writes = self._writes = PendingWrites()
        read_only = self._read_only
        self.users = SqlAlchemyUserRepository(session, writes, read_only=read_only)
        self.households = SqlAlchemyHouseholdRepository(session, writes, read_only=read_only)
        self.invitations = SqlAlchemyInvitationRepository(session, writes, read_only=read_only)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(session, writes)
        self.categories = SqlAlchemyCategoryRepository(session, writes, read_only=read_only)
        self.accounts = SqlAlchemyAccountRepository(session, writes, read_only=read_only)
        self.transactions = SqlAlchemyTransactionRepository(session, writes, read_only=read_only)
        self.budgets = SqlAlchemyBudgetRepository(session, writes, read_only=read_only)
        self.totals = writes.register(SqlAlchemyLedgerTotals())
        self.webhooks = SqlAlchemyWebhookRepository(
            session, writes, event_data=self._event_data, read_only=read_only
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
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
        """Write every pending write in rank order (see the module), then commit."""
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self._writes.write_all(await self._session.connection())
        await self._session.commit()
