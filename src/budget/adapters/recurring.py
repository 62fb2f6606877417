"""The recurring template repository: plain-row reads, Core writes at commit
(``TableWrites`` for templates and for posted occurrences).

``next_date`` and ``next_planned`` are written from the template at every write
(``recurring_columns``), so lists sort on them and the scheduler finds due templates by
index. ``claim_due`` locks one due template with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(schedulers in several processes share the work); SQLite serialises writers (the writer
queue in a process, ``BEGIN IMMEDIATE`` across processes), and the occurrences' primary key
refuses a date posted twice on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, Table, delete, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows, plain_value
from budget.adapters.paging import page_of
from budget.adapters.recurring_tables import RecurringOccurrenceRow, RecurringRow
from budget.adapters.scoping import in_households
from budget.adapters.tables import TransactionRow
from budget.adapters.writes import PendingWrites, TableWrites, rank_of
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RecurringId
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.recurring import (
    Frequency,
    Occurrence,
    RecurrenceSchedule,
    WeekendRule,
)
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.splits import Split
from budget.domain.model.transaction import TransactionType

RECURRING = cast("Table", RecurringRow.__table__)
OCCURRENCES = cast("Table", RecurringOccurrenceRow.__table__)
TRANSACTIONS = cast("Table", TransactionRow.__table__)
_r = RECURRING.c
_txn = TRANSACTIONS.c


def _splits_from(values: list[dict[str, Any]], currency: Currency) -> tuple[Split, ...]:
    return tuple(
        Split(
            None if part["category_id"] is None else CategoryId(_uuid(part["category_id"])),
            Money(int(part["amount"]), currency),
            part["description"],
        )
        for part in values
    )


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def recurring_from_row(row: RowValues) -> RecurringTransaction:
    """A template from a row of ``recurring`` (a plain row's ``_mapping``)."""
    currency = Currency.of(row["currency"])
    to_amount = None
    if row["to_amount"] is not None:
        to_amount = Money(row["to_amount"], Currency.of(row["to_currency"] or row["currency"]))
    schedule = RecurrenceSchedule(
        Frequency(row["frequency"]),
        row["start_date"],
        row["interval"],
        row["end_date"],
        row["count"],
        WeekendRule(row["weekend"]),
    )
    return RecurringTransaction(
        RecurringId(row["id"]),
        HouseholdId(row["household_id"]),
        TransactionType(row["type"]),
        AccountId(row["account_id"]),
        None if row["to_account_id"] is None else AccountId(row["to_account_id"]),
        Money(row["amount"], currency),
        to_amount,
        None if row["category_id"] is None else CategoryId(row["category_id"]),
        _splits_from(row["splits"], currency),
        row["description"],
        row["payee"],
        tuple(row["tags"]),
        schedule,
        row["auto_post"],
        row["created_at"],
        row["updated_at"],
        row["last_planned"],
        row["posted_count"],
    )


def recurring_columns(template: RecurringTransaction) -> dict[str, Any]:
    """Every column of a template's row (``next_*`` derived from the template)."""
    schedule = template.schedule
    following = template.next_occurrence
    return {
        "id": template.id,
        "household_id": template.household_id,
        "type": template.type.value,
        "account_id": template.account_id,
        "to_account_id": template.to_account_id,
        "amount": template.amount.minor,
        "to_amount": None if template.to_amount is None else template.to_amount.minor,
        "currency": template.amount.currency.code,
        "to_currency": None if template.to_amount is None else template.to_amount.currency.code,
        "category_id": template.category_id,
        "splits": [
            {
                "category_id": None if part.category_id is None else str(part.category_id),
                "amount": part.amount.minor,
                "description": part.description,
            }
            for part in template.splits
        ],
        "description": template.description,
        "payee": template.payee,
        "tags": list(template.tags),
        "frequency": schedule.frequency.value,
        "interval": schedule.interval,
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
        "count": schedule.count,
        "weekend": schedule.weekend.value,
        "auto_post": template.auto_post,
        "last_planned": template.last_planned,
        "posted_count": template.posted_count,
        "next_planned": None if following is None else following.planned,
        "next_date": None if following is None else following.date,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    }


def occurrence_columns(posted: tuple[RecurringTransaction, Occurrence]) -> dict[str, Any]:
    """Every column of a posted occurrence's row."""
    template, occurrence = posted
    return {
        "recurring_id": template.id,
        "planned_date": occurrence.planned,
        "household_id": template.household_id,
        "posted_on": occurrence.date,
    }


class PostedWrites:
    """Posted occurrences: only ever inserted, one ``INSERT`` at commit, after their
    templates (``rank_of``)."""

    def __init__(self) -> None:
        self.rank = rank_of(OCCURRENCES)
        self._added: list[dict[str, Any]] = []

    def add(self, template: RecurringTransaction, occurrence: Occurrence) -> None:
        self._added.append(occurrence_columns((template, occurrence)))

    async def write(self, connection: AsyncConnection) -> None:
        if self._added:
            rows, self._added = self._added, []
            await connection.execute(insert(OCCURRENCES), rows)


class SqlAlchemyRecurringRepository:
    """``RecurringRepository`` in the unit of work's session."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(RECURRING, recurring_columns))
        self._posted = writes.register(PostedWrites())

    def _handed_out(self, row: RowValues) -> RecurringTransaction:
        template = recurring_from_row(row)
        return template if self._read_only else self._rows.seen(template)

    def add(self, template: RecurringTransaction) -> None:
        self._rows.add(template)

    async def get(
        self,
        scope: Sequence[HouseholdId],
        recurring_id: RecurringId,
        *,
        for_update: bool = False,
    ) -> RecurringTransaction | None:
        statement = select(RECURRING).where(
            in_households(_r.household_id, scope), _r.id == recurring_id
        )
        if for_update and not self._read_only:
            statement = statement.with_for_update()
        found = await plain_row(self._session, statement)
        return None if found is None else self._handed_out(found._mapping)

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[RecurringTransaction]:
        conditions: list[ColumnElement[bool]] = [in_households(_r.household_id, scope)]
        statement = select(RECURRING).where(*conditions)
        if sort.field == "next_date":
            # A finished template (no next date) sorts after every date.
            key = (
                _r.next_date.desc().nulls_first()
                if sort.descending
                else _r.next_date.asc().nulls_last()
            )
        else:
            key = _r.created_at.desc() if sort.descending else _r.created_at.asc()
        tie = _r.id.desc() if sort.descending else _r.id.asc()
        rows, total = await page_of(
            self._session, RECURRING, statement.order_by(key, tie), conditions, page
        )
        items = [recurring_from_row(r._mapping) for r in rows]
        return Page(items, total, page.limit, page.offset)

    async def active(
        self, scope: Sequence[HouseholdId], due_by: dt.date
    ) -> Sequence[RecurringTransaction]:
        statement = (
            select(RECURRING)
            .where(
                in_households(_r.household_id, scope),
                _r.next_date.is_not(None),
                _r.next_date <= due_by,
            )
            .order_by(_r.next_date, _r.id)
        )
        return [recurring_from_row(r._mapping) for r in await plain_rows(self._session, statement)]

    async def claim_due(
        self, today: dt.date, skipped: Collection[RecurringId]
    ) -> RecurringTransaction | None:
        statement = (
            select(RECURRING)
            .where(_r.auto_post.is_(True), _r.next_date.is_not(None), _r.next_date <= today)
            .order_by(_r.next_date, _r.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if skipped:
            statement = statement.where(_r.id.not_in(sorted(skipped, key=str)))
        found = await plain_row(self._session, statement)
        return None if found is None else self._handed_out(found._mapping)

    def record_posted(self, template: RecurringTransaction, occurrence: Occurrence) -> None:
        self._posted.add(template, occurrence)

    async def delete(self, template: RecurringTransaction) -> None:
        if self._rows.forget(template):
            return
        connection = await self._session.connection()
        await connection.execute(
            update(TRANSACTIONS)
            .where(_txn.household_id == template.household_id, _txn.recurring_id == template.id)
            .values(recurring_id=None)
        )
        await connection.execute(delete(RECURRING).where(_r.id == template.id))

    async def uses_account(self, household_id: HouseholdId, account_id: AccountId) -> bool:
        used = exists().where(
            _r.household_id == household_id,
            or_(_r.account_id == account_id, _r.to_account_id == account_id),
        )
        return bool(await plain_value(self._session, select(used)))

    async def using_category(
        self, household_id: HouseholdId, category_id: CategoryId
    ) -> Sequence[RecurringTransaction]:
        # Parts live in JSON: the household's templates with a category or parts are few,
        # and the template itself decides (``uncategorize``).
        statement = select(RECURRING).where(
            _r.household_id == household_id,
            or_(_r.category_id == category_id, _r.type != TransactionType.TRANSFER.value),
        )
        rows = await plain_rows(self._session, statement)
        return [
            self._handed_out(r._mapping)
            for r in rows
            if r._mapping["category_id"] == category_id
            or any(str(part["category_id"]) == str(category_id) for part in r._mapping["splits"])
        ]
