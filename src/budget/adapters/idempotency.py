"""The idempotency store: keys, fingerprints and kept answers in ``idempotency_keys``.

A request with a key goes through three steps (docs/adr/0017):

1. ``begin``: one short transaction inserts the claim (fingerprint, a fresh claim token,
   not done) or reads what is stored and decides (``domain.model.idempotency.decide``):
   replay, mismatch, in flight, or take an expired or abandoned claim over.
2. The request runs with the claim in ``CLAIM``. The unit of work that commits a write
   first locks the claim row *in its own transaction*, checking it still holds the token
   (``Claim.take``), writes, and hands its connection to the claim instead of committing.
3. ``finish``: the answer is stored on that connection and the transaction commits: the
   write, the claim and the answer commit together or not at all. A request that wrote
   nothing stores its answer in a transaction of its own. An answer that is not kept
   (5xx, 429) rolls a pending write back and deletes the claim (``release``).

So a crash at any point before the commit leaves no write and a claim that a retry takes
over once its lease has passed; a crash after it leaves the write with its answer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Integer, Table, and_, bindparam, column, delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from budget.adapters.changes import ACTOR
from budget.adapters.database import UnitSession, WriterQueue
from budget.adapters.sync_tables import IdempotencyKeyRow
from budget.domain.errors import ConflictError
from budget.domain.model.idempotency import KEEP_FOR, Decision, StoredKey, decide

KEYS = cast("Table", IdempotencyKeyRow.__table__)
_keys = KEYS.c

PURGE_EVERY = 64
"""One claim in this many also purges a batch of expired keys, in the background."""
PURGE_BATCH = 500

CLAIM: ContextVar[Claim | None] = ContextVar("budget_idempotency_claim", default=None)
"""The claim of the running request, if it has a key (set by the HTTP edge)."""


class IdempotencyClaimLostError(ConflictError):
    """The request's claim was taken over (its lease passed): it must not write."""

    title = "Idempotency key in use"

    def __init__(self) -> None:
        super().__init__("Another request with this Idempotency-Key is being processed.")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    location: str | None
    content_type: str | None
    body: bytes


def _mine(claim: Claim) -> Any:
    return and_(
        _keys.user_id == claim.user_id,
        _keys.key == claim.key,
        _keys.token == claim.token,
        _keys.done.is_(False),
    )


class Claim:
    """A request's hold on its key (see the module)."""

    def __init__(self, user_id: UUID, key: str, token: UUID) -> None:
        self.user_id, self.key, self.token = user_id, key, token
        self.open = True
        self._session: UnitSession | None = None
        self._end_turn: Callable[[], None] | None = None

    async def take(self, connection: AsyncConnection) -> None:
        """Lock the claim row in the writing transaction, or fail if the claim was lost."""
        found = await connection.execute(
            update(KEYS).where(_mine(self)).values(token=self.token).returning(_keys.token)
        )
        if found.first() is None:
            raise IdempotencyClaimLostError

    def hand_over(self, session: UnitSession, end_turn: Callable[[], None] | None) -> None:
        """Keep the writing transaction open until the answer is stored."""
        self._session, self._end_turn, self.open = session, end_turn, False

    @property
    def wrote(self) -> bool:
        return self._session is not None

    async def store(self, answer: Answer) -> None:
        """Store ``answer`` in the writing transaction and commit it."""
        assert self._session is not None
        try:
            connection = await self._session.connection()
            await connection.execute(update(KEYS).where(_mine(self)).values(_answer(answer)))
            await self._session.commit()
        finally:
            await self.abandon()

    async def abandon(self) -> None:
        """Roll the writing transaction back (if still open) and give its connection back."""
        session, self._session = self._session, None
        try:
            if session is not None:
                await session.close()
        finally:
            end_turn, self._end_turn = self._end_turn, None
            if end_turn is not None:
                end_turn()


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "done": True,
        "status": answer.status,
        "location": answer.location,
        "content_type": answer.content_type,
        "body": answer.body,
    }


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    claim: Claim | None = None
    answer: Answer | None = None


class SqlAlchemyIdempotencyStore:
    """``begin``, ``finish`` and ``release`` of requests with a key (see the module)."""

    def __init__(self, engine: AsyncEngine, writers: WriterQueue | None) -> None:
        self._engine = engine
        self._writers = writers
        self._claims = 0
        self._background: set[asyncio.Task[int]] = set()

    async def _transaction(self) -> Callable[[], None] | None:
        """SQLite: wait for the writer turn (``database.WriterQueue``)."""
        return await self._writers.wait_turn() if self._writers is not None else None

    async def begin(self, user_id: UUID, key: str, fingerprint: str, now: datetime) -> Outcome:
        """Claim ``key`` for this request, or say why not (see the module)."""
        self._claims += 1
        if self._claims % PURGE_EVERY == 0:
            self._purge_in_background(now)
        end_turn = await self._transaction()
        try:
            async with self._engine.begin() as connection:
                return await self._begin(connection, user_id, key, fingerprint, now)
        finally:
            if end_turn is not None:
                end_turn()

    async def _begin(
        self, connection: AsyncConnection, user_id: UUID, key: str, fingerprint: str, now: datetime
    ) -> Outcome:
        token = uuid.uuid4()
        values = {"user_id": user_id, "key": key, "fingerprint": fingerprint, "token": token}
        new = {**values, "done": False, "created_at": now}
        # Read first: a retry (the common case with a key) is then one statement.
        row = (await connection.execute(_FIND, {"user_id": user_id, "key": key})).first()
        if row is None:
            inserted = await connection.execute(_insert_if_absent(connection), new)
            if inserted.rowcount:
                return Outcome(Decision.RUN, Claim(user_id, key, token))
            row = (await connection.execute(_FIND, {"user_id": user_id, "key": key})).first()
            if row is None:  # pragma: no cover - inserted and deleted in between
                return Outcome(Decision.IN_FLIGHT)
        stored = StoredKey(row.fingerprint, row.token, row.done, row.created_at)
        decision = decide(stored, fingerprint, now)
        if decision is Decision.REPLAY:
            answer = Answer(row.status, row.location, row.content_type, row.body or b"")
            return Outcome(decision, answer=answer)
        if decision is not Decision.RUN:
            return Outcome(decision)
        taken = await connection.execute(
            update(KEYS)
            # Unchanged since read: an abandoned claim whose request did finish meanwhile
            # (its write committed with the answer) is not run again.
            .where(
                _keys.user_id == user_id,
                _keys.key == key,
                _keys.token == row.token,
                _keys.done.is_(row.done),
            )
            .values(
                fingerprint=fingerprint,
                token=token,
                done=False,
                created_at=now,
                status=None,
                location=None,
                content_type=None,
                body=None,
            )
        )
        if not taken.rowcount:
            return Outcome(Decision.IN_FLIGHT)
        return Outcome(Decision.RUN, Claim(user_id, key, token))

    async def finish(self, claim: Claim, answer: Answer) -> None:
        """Keep ``answer``: with the write it protects, or alone when nothing was written."""
        claim.open = False
        if claim.wrote:
            await claim.store(answer)
            return
        end_turn = await self._transaction()
        try:
            async with self._engine.begin() as connection:
                await connection.execute(update(KEYS).where(_mine(claim)).values(_answer(answer)))
        finally:
            if end_turn is not None:
                end_turn()

    async def release(self, claim: Claim) -> None:
        """Keep nothing: roll back a pending write and free the key (a retry runs again)."""
        claim.open = False
        await claim.abandon()
        end_turn = await self._transaction()
        try:
            async with self._engine.begin() as connection:
                await connection.execute(delete(KEYS).where(_mine(claim)))
        finally:
            if end_turn is not None:
                end_turn()

    def _purge_in_background(self, now: datetime) -> None:
        task = asyncio.get_running_loop().create_task(
            purge_expired(self._engine, now, writers=self._writers)
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)


_FIND = select(
    _keys.fingerprint,
    _keys.token,
    _keys.done,
    _keys.status,
    _keys.location,
    _keys.content_type,
    _keys.body,
    _keys.created_at,
).where(_keys.user_id == bindparam("user_id"), _keys.key == bindparam("key"))


def _insert_if_absent(connection: AsyncConnection) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql_insert(KEYS).on_conflict_do_nothing()
    return sqlite_insert(KEYS).on_conflict_do_nothing()


async def purge_expired(
    engine: AsyncEngine,
    now: datetime,
    *,
    writers: WriterQueue | None = None,
    batch: int = PURGE_BATCH,
) -> int:
    """Delete at most ``batch`` keys older than ``KEEP_FOR``; how many went. Never waits on
    a row another transaction holds (PostgreSQL: ``SKIP LOCKED``), so a scheduler or the
    store itself may call it at any time."""
    cutoff = now - KEEP_FOR
    end_turn = await writers.wait_turn() if writers is not None else None
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                victims = (
                    select(_keys.user_id, _keys.key)
                    .where(_keys.created_at < cutoff)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
                condition = tuple_(_keys.user_id, _keys.key).in_(victims)
            else:
                rowid = column("rowid", Integer)
                victims = select(rowid).select_from(KEYS).where(_keys.created_at < cutoff)
                condition = rowid.in_(victims.limit(batch))
            result = await connection.execute(delete(KEYS).where(condition))
            return int(result.rowcount)
    finally:
        if end_turn is not None:
            end_turn()


class RequestContext:
    """What the HTTP edge sets for the running request: its actor (``changes.ACTOR``) and
    its claim (``CLAIM``); each setter returns its undo."""

    def act_as(self, user_id: UUID) -> Callable[[], None]:
        token = ACTOR.set(user_id)
        return lambda: ACTOR.reset(token)

    def hold(self, claim: Claim) -> Callable[[], None]:
        token = CLAIM.set(claim)
        return lambda: CLAIM.reset(token)

    def answer(
        self, status: int, location: str | None, content_type: str | None, body: bytes
    ) -> Answer:
        return Answer(status, location, content_type, body)
