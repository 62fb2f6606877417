"""The SQLAlchemy unit of work: one connection, one database transaction, explicit commit.

**One write path.** Repositories never write what a use case adds or changes when it
happens: each registers its writers with the unit of work's ``PendingWrites``
(``writes.py``), and ``commit()`` has them write, then commits. ``commit()`` names no
repository; the order comes from each writer's ``rank``:

1. rows, parents before children (``metadata.sorted_tables``: users, refresh tokens,
   accounts, categories, transactions, their split parts, budgets, rules): per table, the changed
   columns of the rows handed out, then one ``INSERT`` of every new row (a transaction's
   changed parts are replaced, ``splits.PartsWrites``);
2. balances: the recorded deltas, one atomic ``balance = balance + :delta, cleared_balance
   = cleared_balance + :cleared`` per account in sorted id order (``accounts.BalanceDeltas``);
3. the daily and monthly totals: one atomic upsert per cell in sorted key order
   (``totals.SqlAlchemyLedgerTotals``);
4. the change feed and audit trail, last (``changes.ChangeLog``, docs/adr/0017): the
   household's change counter, then the change rows and audit entries.

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
from budget.adapters.changes import ChangeLog, Recording
from budget.adapters.database import Scope, UnitSession, WriterQueue
from budget.adapters.errors import translate
from budget.adapters.households import (
    SqlAlchemyHouseholdRepository,
    SqlAlchemyInvitationRepository,
)
from budget.adapters.idempotency import CLAIM
from budget.adapters.recurring import SqlAlchemyRecurringRepository
from budget.adapters.rules import RuleHints, SqlAlchemyRuleRepository
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
        recording: Recording | None = None,
        event_data: EventData | None = None,
    ) -> None:
        self._engine = engine
        self._event_data = event_data
        self._scope = scope
        self._read_only = read_only
        self._writers = None if read_only else writers
        self._recording = None if read_only else recording
        self._end_turn: Callable[[], None] | None = None
        self._handed_over = False

    async def __aenter__(self) -> Self:
        if self._writers is not None:
            self._end_turn = await self._writers.wait_turn()
        self._handed_over = False
        session = self._session = UnitSession(self._engine, self._scope)
        log = None if self._recording is None else ChangeLog(self._recording)
        writes = self._writes = PendingWrites(log)
        if log is not None:
            writes.register(log)
        read_only = self._read_only
        self.users = SqlAlchemyUserRepository(session, writes, read_only=read_only)
        self.households = SqlAlchemyHouseholdRepository(session, writes, read_only=read_only)
        self.invitations = SqlAlchemyInvitationRepository(session, writes, read_only=read_only)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(session, writes)
        self.categories = SqlAlchemyCategoryRepository(session, writes, read_only=read_only)
        hints = None if read_only else RuleHints()
        self.accounts = SqlAlchemyAccountRepository(
            session, writes, read_only=read_only, rule_hints=hints
        )
        self.transactions = SqlAlchemyTransactionRepository(session, writes, read_only=read_only)
        self.budgets = SqlAlchemyBudgetRepository(session, writes, read_only=read_only)
        self.recurring = SqlAlchemyRecurringRepository(session, writes, read_only=read_only)
        self.totals = writes.register(SqlAlchemyLedgerTotals())
        self.rules = SqlAlchemyRuleRepository(
            session, writes, hints or RuleHints(), read_only=read_only
        )
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
        # Once committed under an idempotency claim, the claim owns the connection (and
        # SQLite's writer turn): it commits or rolls back when the answer is known.
        if not self._handed_over:
            await self._close()
        translated = translate(error) if error is not None else None
        if translated is not None:
            raise translated from error

    async def _close(self) -> None:
        try:
            await self._session.close()
        except Exception:  # noqa: S110 - the connection is already gone; nothing to undo
            pass
        finally:
            if self._end_turn is not None:
                self._end_turn()
                self._end_turn = None

    async def commit(self) -> None:
        """Write every pending write in rank order (see the module), then commit."""
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        connection = await self._session.connection()
        claim = CLAIM.get()
        if claim is not None and claim.open:
            # The key is claimed in this very transaction (docs/adr/0017): the request's
            # answer is stored on this connection, then it commits (``claim.finish``).
            await claim.take(connection)
            await self._writes.write_all(connection)
            claim.hand_over(self._session, self._end_turn)
            self._handed_over, self._end_turn = True, None
            return
        await self._writes.write_all(connection)
        await self._session.commit()
