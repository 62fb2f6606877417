"""Split transactions in storage, on SQLite and PostgreSQL: the parts come back with their
transaction in the order sent, are replaced only when they change, are found by the
category filters, and count in the totals under their own categories (which verification
and rebuilds recompute from them).

The writes go through the use cases (``RecordTransaction``, ``UpdateTransaction``, ...)
over the real units of work, as the HTTP layer drives them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, exc, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, read_only_engine, restrict
from budget.adapters.reports import SqlAlchemyReportReader
from budget.adapters.spending import SqlAlchemyBudgetSpendingReader
from budget.adapters.system import UuidV7Factory
from budget.adapters.tables import NO_CATEGORY, DailyTotalRow, TransactionSplitRow
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.adapters.verification import SqlAlchemyBalanceVerifier, SqlAlchemyTotalsVerifier
from budget.domain.model.account import Account, AccountType
from budget.domain.model.budget import SpendingQuery
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.household import Caller, Household, Membership, Role
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId, UserId
from budget.domain.model.ledger_queries import Keyset, TransactionFilters
from budget.domain.model.money import Money
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.period import Period
from budget.domain.model.splits import Split, SplitDraft
from budget.domain.model.transaction import Transaction, TransactionType
from budget.domain.model.user import User
from budget.domain.services.categories import DeleteCategory
from budget.domain.services.transactions import (
    DeleteTransaction,
    RecordTransaction,
    TransactionChanges,
    TransactionDraft,
    UpdateTransaction,
)
from tests.fakes import FakeClock

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 3)
EUR = Currency.of("EUR")
CLOCK = FakeClock()
IDS = UuidV7Factory()


@dataclass(frozen=True)
class Ledger:
    """A user's personal household with two accounts and four categories, and the use
    cases over it."""

    engine: AsyncEngine
    caller: Caller
    household: HouseholdId
    account: AccountId
    savings: AccountId
    food: CategoryId
    rent: CategoryId
    fun: CategoryId
    salary: CategoryId

    def uow(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        if read_only:
            engine = read_only_engine(self.engine)
            return SqlAlchemyUnitOfWork(engine, read_only=True, scope=[self.household])
        return SqlAlchemyUnitOfWork(self.engine, scope=[self.household])

    async def record(self, **fields: Any) -> Transaction:
        values: dict[str, Any] = {
            "type": TransactionType.EXPENSE,
            "account_id": self.account,
            "date": DAY,
        }
        draft = TransactionDraft(**(values | fields))
        return await RecordTransaction(self.uow(), CLOCK, IDS).execute(self.caller, draft)

    async def update(self, transaction_id: TransactionId, **changes: Any) -> Transaction:
        use_case = UpdateTransaction(self.uow(), CLOCK)
        return await use_case.execute(self.caller, transaction_id, TransactionChanges(**changes))

    async def delete(self, transaction_id: TransactionId) -> None:
        await DeleteTransaction(self.uow()).execute(self.caller, transaction_id)

    async def get(self, transaction_id: TransactionId, *, read_only: bool = True) -> Transaction:
        async with self.uow(read_only=read_only) as uow:
            found = await uow.transactions.get([self.household], transaction_id)
        assert found is not None
        return found

    async def listed(self, **filters: Any) -> set[TransactionId]:
        async with self.uow(read_only=True) as uow:
            page = await uow.transactions.list(
                [self.household], TransactionFilters(**filters), Sort("date"), PageRequest(50, 0)
            )
        return {txn.id for txn in page.items}


def _category(household: HouseholdId, name: str, kind: CategoryKind) -> Category:
    return Category(CategoryId(uuid.uuid4()), household, name, kind, None, None, False, T0, T0)


async def a_ledger(engine: AsyncEngine) -> Ledger:
    """A new user, their personal household (with the user's id), its accounts and
    categories, stored."""
    user_id = UserId(uuid.uuid4())
    household = HouseholdId(user_id)
    email = f"splits-{uuid.uuid4().hex[:10]}@example.com"
    user = User(user_id, email, "hash", None, "EUR", False, True, T0, T0, household)
    accounts = [
        Account.open(AccountId(uuid.uuid4()), household, name, AccountType.CHECKING, opening, T0)
        for name, opening in (("Bank", Money(100_000, EUR)), ("Savings", Money(0, EUR)))
    ]
    categories = [
        _category(household, name, kind)
        for name, kind in (
            ("Food", CategoryKind.EXPENSE),
            ("Rent", CategoryKind.EXPENSE),
            ("Fun", CategoryKind.EXPENSE),
            ("Salary", CategoryKind.INCOME),
        )
    ]
    async with SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS) as uow:
        uow.users.add(user)
        uow.households.add(Household(household, "Personal", T0, T0))
        uow.households.add_membership(Membership(household, user_id, Role.OWNER, T0))
        for account in accounts:
            uow.accounts.add(account)
        for category in categories:
            uow.categories.add(category)
        await uow.commit()
    caller = Caller(user, {household: Role.OWNER})
    bank, savings = (account.id for account in accounts)
    food, rent, fun, salary = (category.id for category in categories)
    return Ledger(engine, caller, household, bank, savings, food, rent, fun, salary)


def parts(*sent: tuple[str, CategoryId | None, str]) -> tuple[SplitDraft, ...]:
    """Split drafts from ``(amount, category, description)``."""
    return tuple(
        SplitDraft(amount, category, description) for amount, category, description in sent
    )


def euros(minor: int) -> Money:
    return Money(minor, EUR)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def stored_parts(ledger: Ledger, transaction_id: TransactionId) -> int:
    """How many rows of ``transaction_splits`` the transaction has."""
    async with ledger.engine.connect() as connection:
        await restrict(connection, [ledger.household])
        counted = select(func.count()).where(TransactionSplitRow.transaction_id == transaction_id)
        return int((await connection.execute(counted)).scalar() or 0)


async def cells_of(ledger: Ledger) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    """``(type, category_key) -> (amount, count, entries)`` of the household's daily cells
    (every transaction here is on ``DAY`` in one account)."""
    cell = DailyTotalRow
    async with ledger.engine.connect() as connection:
        await restrict(connection, [ledger.household])
        rows = await connection.execute(
            select(cell.type, cell.category_key, cell.amount, cell.count, cell.entries).where(
                cell.household_id == ledger.household
            )
        )
        return {(kind, key): (amount, n, entries) for kind, key, amount, n, entries in rows}


async def drifted(ledger: Ledger) -> list[Any]:
    """The household's drifted totals cells and balances (other tests share the database)."""
    totals = await SqlAlchemyTotalsVerifier(ledger.engine).drifted_totals()
    balances = await SqlAlchemyBalanceVerifier(ledger.engine).drifted()
    return [d for d in totals if d.key.household_id == ledger.household] + [
        d for d in balances if d.household_id == ledger.household
    ]


GROCERIES = ("20.00", "7.50", "2.50")


async def _groceries(ledger: Ledger) -> Transaction:
    """30.00 of expenses in three parts: Food, uncategorised, Fun."""
    amounts = dict(zip(("food", "none", "fun"), GROCERIES, strict=True))
    return await ledger.record(
        amount="30.00",
        splits=parts(
            (amounts["food"], ledger.food, "vegetables"),
            (amounts["none"], None, ""),
            (amounts["fun"], ledger.fun, "a toy"),
        ),
    )


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writing"])
async def test_a_split_transaction_reads_back_with_its_parts_in_the_order_sent(
    engine: AsyncEngine, read_only: bool
) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    found = await ledger.get(txn.id, read_only=read_only)

    assert found.splits == (
        Split(ledger.food, euros(2000), "vegetables"),
        Split(None, euros(750), ""),
        Split(ledger.fun, euros(250), "a toy"),
    )
    assert (found.category_id, found.amount) == (None, euros(3000))


async def test_sending_new_parts_replaces_all_of_them(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await ledger.update(
        txn.id, splits=parts(("10.00", ledger.rent, "half"), ("20.00", ledger.rent, "other half"))
    )

    found = await ledger.get(txn.id)
    assert found.splits == (
        Split(ledger.rent, euros(1000), "half"),
        Split(ledger.rent, euros(2000), "other half"),
    )
    assert await stored_parts(ledger, txn.id) == 2


async def test_an_update_that_leaves_the_parts_alone_writes_none(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    with statements(engine) as seen:
        await ledger.update(txn.id, description="Saturday market")

    writes = [sql for sql in seen if sql.startswith(("INSERT", "DELETE", "UPDATE"))]
    assert [sql for sql in writes if "transaction_splits" in sql] == []
    assert (await ledger.get(txn.id)).splits == txn.splits


async def test_removing_the_parts_makes_the_transaction_whole_again(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await ledger.update(txn.id, splits=(), category_id=ledger.food)

    found = await ledger.get(txn.id)
    assert (found.splits, found.category_id) == ((), ledger.food)
    assert await stored_parts(ledger, txn.id) == 0


async def test_deleting_a_split_transaction_deletes_its_parts(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await ledger.delete(txn.id)

    assert await stored_parts(ledger, txn.id) == 0


# --- lists -------------------------------------------------------------------------------------


async def test_a_page_without_split_rows_never_queries_the_parts(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    for amount in ("1.00", "2.00"):
        await ledger.record(amount=amount, category_id=ledger.food)

    with statements(engine) as seen:
        listed = await ledger.listed()

    assert len(listed) == 2
    assert [sql for sql in seen if "transaction_splits" in sql] == []


async def test_a_page_with_split_rows_reads_all_their_parts_in_one_query(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    first, second = await _groceries(ledger), await _groceries(ledger)
    await ledger.record(amount="1.00")

    with statements(engine) as seen:
        async with ledger.uow(read_only=True) as uow:
            page = await uow.transactions.list(
                [ledger.household], TransactionFilters(), Sort("amount"), PageRequest(50, 0)
            )

    assert [len(txn.splits) for txn in page.items] == [0, 3, 3]
    assert {txn.id for txn in page.items if txn.splits} == {first.id, second.id}
    assert len([sql for sql in seen if "FROM transaction_splits" in sql]) == 1


async def test_a_keyset_page_carries_the_parts_too(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)
    whole = await ledger.record(amount="99.00")

    async with ledger.uow(read_only=True) as uow:
        after = Keyset(whole.amount.minor, whole.id)
        found = await uow.transactions.list_after(
            [ledger.household], TransactionFilters(), Sort("amount", descending=True), after, 10
        )

    assert [(t.id, len(t.splits)) for t in found] == [(txn.id, 3)]


async def test_the_category_filter_finds_whole_transactions_and_those_with_a_part_in_it(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    whole_food = await ledger.record(amount="4.00", category_id=ledger.food)
    with_food = await _groceries(ledger)
    await ledger.record(
        amount="9.00", splits=parts(("3.00", ledger.rent, ""), ("6.00", ledger.fun, ""))
    )
    await ledger.record(amount="5.00", category_id=ledger.rent)

    assert await ledger.listed(category_id=ledger.food) == {whole_food.id, with_food.id}


async def test_uncategorized_finds_a_split_transaction_only_by_an_uncategorised_part(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    whole = await ledger.record(amount="4.00")
    with_an_uncategorised_part = await _groceries(ledger)
    await ledger.record(
        amount="9.00", splits=parts(("3.00", ledger.rent, ""), ("6.00", ledger.fun, ""))
    )
    await ledger.record(type=TransactionType.TRANSFER, amount="1.00", to_account_id=ledger.savings)

    assert await ledger.listed(uncategorized=True) == {whole.id, with_an_uncategorised_part.id}


async def test_a_filtered_list_counts_split_matches_in_its_total(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    for _ in range(3):
        await _groceries(ledger)
    await ledger.record(amount="1.00", category_id=ledger.rent)

    async with ledger.uow(read_only=True) as uow:
        page = await uow.transactions.list(
            [ledger.household],
            TransactionFilters(category_id=ledger.fun),
            Sort("date"),
            PageRequest(2, 0),
        )

    assert (len(page.items), page.total) == (2, 3)


async def test_the_unfiltered_total_counts_a_split_transaction_once(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)
    await ledger.record(amount="1.00")
    await ledger.record(type=TransactionType.TRANSFER, amount="1.00", to_account_id=ledger.savings)

    async with ledger.uow(read_only=True) as uow:
        page = await uow.transactions.list(
            [ledger.household], TransactionFilters(), Sort("date"), PageRequest(1, 0)
        )

    assert page.total == 3


# --- totals ------------------------------------------------------------------------------------


async def test_each_part_counts_in_its_own_categorys_cell(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)

    await _groceries(ledger)

    assert await cells_of(ledger) == {
        ("expense", ledger.food): (2000, 1, 1),
        ("expense", NO_CATEGORY): (750, 0, 1),
        ("expense", ledger.fun): (250, 0, 1),
    }
    assert await drifted(ledger) == []


async def test_replacing_the_parts_moves_their_cells_and_leaves_no_drift(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await ledger.update(
        txn.id, splits=parts(("10.00", ledger.rent, ""), ("20.00", ledger.rent, ""))
    )

    assert await cells_of(ledger) == {("expense", ledger.rent): (3000, 1, 2)}
    assert await drifted(ledger) == []


async def test_turning_a_split_expense_into_income_moves_every_part(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await ledger.update(
        txn.id,
        type=TransactionType.INCOME,
        splits=parts(("25.00", ledger.salary, ""), ("5.00", None, "")),
    )

    assert await cells_of(ledger) == {
        ("income", ledger.salary): (2500, 1, 1),
        ("income", NO_CATEGORY): (500, 0, 1),
    }
    assert await drifted(ledger) == []


async def test_deleting_the_category_of_a_part_uncategorises_it_and_merges_its_cells(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    txn = await _groceries(ledger)

    await DeleteCategory(ledger.uow(), CLOCK).execute(ledger.caller, ledger.food)

    found = await ledger.get(txn.id)
    assert [part.category_id for part in found.splits] == [None, None, ledger.fun]
    assert await cells_of(ledger) == {
        ("expense", NO_CATEGORY): (2750, 1, 2),
        ("expense", ledger.fun): (250, 0, 1),
    }
    assert await drifted(ledger) == []


async def test_a_category_used_by_a_part_alone_is_in_use(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)

    async with ledger.uow(read_only=True) as uow:
        assert await uow.categories.in_use(ledger.fun)
        assert not await uow.categories.in_use(ledger.rent)


async def test_rebuilding_the_totals_recounts_the_parts(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)
    await ledger.record(amount="4.00", category_id=ledger.food)
    kept = await cells_of(ledger)

    await SqlAlchemyTotalsVerifier(engine).rebuild_totals([ledger.household])

    assert await cells_of(ledger) == kept
    assert kept[("expense", ledger.food)] == (2400, 2, 2)


async def test_a_tampered_entries_count_is_drift_and_a_rebuild_repairs_it(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)
    async with engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        await connection.execute(
            update(DailyTotalRow)
            .where(DailyTotalRow.household_id == ledger.household)
            .values(entries=DailyTotalRow.entries + 1)
        )
        await connection.commit()

    found = await drifted(ledger)
    await SqlAlchemyTotalsVerifier(engine).rebuild_totals([ledger.household])

    assert {(d.monthly, d.stored[2], d.expected[2]) for d in found} == {(False, 2, 1)}
    assert len(found) == 3  # the three daily cells of the parts
    assert await drifted(ledger) == []


async def test_the_category_report_counts_parts_and_the_summary_counts_transactions(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)
    await ledger.record(
        amount="9.00", splits=parts(("3.00", ledger.food, ""), ("6.00", ledger.food, ""))
    )
    reader = SqlAlchemyReportReader(engine)

    by_category = await reader.category_totals(ledger.household, CategoryKind.EXPENSE, DAY, DAY)
    [summary] = await reader.summary(ledger.household, DAY, DAY, None)

    counted = {
        total.category_id: (total.total, total.transaction_count) for _, total in by_category
    }
    assert counted == {ledger.food: (2900, 3), None: (750, 1), ledger.fun: (250, 1)}
    assert (summary.expense, summary.transaction_count) == (3900, 2)


async def test_a_budget_of_a_category_spends_its_parts(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await _groceries(ledger)
    await ledger.record(amount="1.00", category_id=ledger.fun)
    spans = (Period(DAY, DAY), Period(date(2026, 11, 1), date(2026, 11, 30)))
    queries = [
        SpendingQuery(ledger.household, EUR, category, spans)
        for category in (ledger.fun, ledger.food, None)
    ]

    spent = await SqlAlchemyBudgetSpendingReader(engine).spent_per_period(queries)

    assert spent == [[350, 350], [2000, 2000], [3100, 3100]]


# --- row-level security (PostgreSQL) -----------------------------------------------------------


def _postgresql_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")


async def test_the_parts_of_another_household_stay_hidden_from_raw_sql(
    engine: AsyncEngine,
) -> None:
    _postgresql_only(engine)
    mine, theirs = await a_ledger(engine), await a_ledger(engine)
    await _groceries(mine)
    await _groceries(theirs)

    async with engine.connect() as connection:
        await restrict(connection, [mine.household])
        seen = (
            await connection.execute(text("SELECT DISTINCT household_id FROM transaction_splits"))
        ).scalars()
        households = set(seen)

    assert households == {mine.household}


async def test_the_apps_role_may_read_and_write_the_parts(engine: AsyncEngine) -> None:
    _postgresql_only(engine)
    rights = ("SELECT", "INSERT", "UPDATE", "DELETE")

    async with engine.connect() as connection:
        granted = [
            (
                await connection.execute(
                    text("SELECT has_table_privilege('budget_app', 'transaction_splits', :r)"),
                    {"r": right},
                )
            ).scalar()
            for right in rights
        ]

    assert granted == [True] * len(rights)


async def test_writing_a_part_into_a_household_outside_the_scope_is_refused(
    engine: AsyncEngine,
) -> None:
    _postgresql_only(engine)
    mine, theirs = await a_ledger(engine), await a_ledger(engine)
    txn = await _groceries(mine)
    planted = {
        "transaction_id": txn.id,
        "position": 3,
        "household_id": theirs.household,
        "category_id": None,
        "amount": 1,
        "description": "",
    }

    async with engine.connect() as connection:
        await restrict(connection, [mine.household])
        with pytest.raises(exc.DBAPIError, match="row-level security"):
            await connection.execute(insert(TransactionSplitRow), [planted])
