"""Splits, status, import ids and the reconciled lock in the transaction use cases, run on
the in-memory fakes (contract section 10)."""

from __future__ import annotations

from typing import Any

import pytest

from budget.domain.errors import ConcurrentChangeError, PermissionDeniedError, RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.model.household import Role
from budget.domain.model.splits import SplitDraft
from budget.domain.model.transaction import TransactionLockedError, TransactionStatus
from budget.domain.services.categories import (
    CategoryChanges,
    CategoryInUseError,
    DeleteCategory,
    UpdateCategory,
)
from budget.domain.services.transactions import (
    DeleteTransaction,
    TransactionChanges,
    UpdateTransaction,
)
from tests.fakes import FakeUnitOfWork, personal_caller
from tests.unit.test_ledger_services import ALICE, EXPENSE, INCOME, TRANSFER, Ledger

CLEARED = TransactionStatus.CLEARED
RECONCILED = TransactionStatus.RECONCILED
UNCLEARED = TransactionStatus.UNCLEARED


def _fields(error: Exception) -> list[str]:
    assert isinstance(error, RuleViolationError)
    return [problem.field for problem in error.problems]


def _parts(*parts: tuple[str, Any]) -> list[SplitDraft]:
    return [SplitDraft(amount, category.id if category else None) for amount, category in parts]


async def _groceries_and_home(ledger: Ledger) -> tuple[Any, Any, Any]:
    account = await ledger.account(opening="100")
    food = await ledger.category("Food")
    home = await ledger.category("Home")
    return account, food, home


# -- recording ------------------------------------------------------------------------------


async def test_a_split_expense_keeps_its_parts_in_the_order_sent() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)

    txn = await ledger.record(
        EXPENSE, account, "30", splits=_parts(("20", food), ("7.5", home), ("2.5", None))
    )

    stored = ledger.transactions()[txn.id]
    assert [(p.category_id, p.amount.format()) for p in stored.splits] == [
        (food.id, "20.00"),
        (home.id, "7.50"),
        (None, "2.50"),
    ]


async def test_a_split_moves_the_balance_by_the_whole_amount_once() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)

    await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    assert ledger.balance(account) == "70.00"


async def test_parts_that_do_not_add_up_to_the_amount_are_refused_on_splits() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("9.99", home))),
        RuleViolationError,
    )

    assert _fields(error) == ["splits"]


async def test_a_single_part_is_refused_on_splits() -> None:
    ledger = Ledger.empty()
    account, food, _ = await _groceries_and_home(ledger)

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "30", splits=_parts(("30", food))), RuleViolationError
    )

    assert _fields(error) == ["splits"]


async def test_every_bad_part_is_named_at_once() -> None:
    ledger = Ledger.empty()
    account, food, _ = await _groceries_and_home(ledger)
    drafts = [SplitDraft("abc", food.id), SplitDraft("-1"), SplitDraft("1", None, "x" * 501)]

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "30", splits=drafts), RuleViolationError
    )

    assert _fields(error) == ["splits.0.amount", "splits.1.amount", "splits.2.description"]


async def test_a_part_in_a_category_of_the_other_kind_is_refused_on_its_category() -> None:
    ledger = Ledger.empty()
    account, food, _ = await _groceries_and_home(ledger)
    salary = await ledger.category("Salary", CategoryKind.INCOME)

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", salary))),
        RuleViolationError,
    )

    assert _fields(error) == ["splits.1.category_id"]


async def test_a_part_in_another_households_category_is_refused_on_its_category() -> None:
    ledger = Ledger.empty()
    account, food, _ = await _groceries_and_home(ledger)
    theirs = await ledger.category("Theirs", owner=personal_caller(2))

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "30", splits=_parts(("20", theirs), ("10", food))),
        RuleViolationError,
    )

    assert _fields(error) == ["splits.0.category_id"]


async def test_a_split_transfer_is_refused_on_splits() -> None:
    ledger = Ledger.empty()
    account, _food, _home = await _groceries_and_home(ledger)
    savings = await ledger.account("Savings")

    error = await ledger.refused(
        ledger.record(
            TRANSFER,
            account,
            "30",
            to_account_id=savings.id,
            splits=_parts(("20", None), ("10", None)),
        ),
        RuleViolationError,
    )

    assert _fields(error) == ["splits"]


async def test_a_split_with_a_category_of_its_own_is_refused_on_category_id() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)

    error = await ledger.refused(
        ledger.record(
            EXPENSE, account, "30", category_id=food.id, splits=_parts(("20", food), ("10", home))
        ),
        RuleViolationError,
    )

    assert _fields(error) == ["category_id"]


async def test_a_cleared_transaction_moves_the_cleared_balance_too() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")

    await ledger.record(EXPENSE, account, "30", status=CLEARED)
    await ledger.record(EXPENSE, account, "5")

    stored = ledger.uow.store.accounts[account.id]
    assert (stored.balance.format(), stored.cleared.format()) == ("65.00", "70.00")


async def test_a_transfer_clears_on_both_sides_at_once() -> None:
    ledger = Ledger.empty()
    checking = await ledger.account("Checking", opening="100")
    savings = await ledger.account("Savings")

    await ledger.record(TRANSFER, checking, "40", to_account_id=savings.id, status=CLEARED)

    accounts = ledger.uow.store.accounts
    assert (accounts[checking.id].cleared.format(), accounts[savings.id].cleared.format()) == (
        "60.00",
        "40.00",
    )


async def test_an_import_id_over_100_characters_is_refused() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "1", import_id="x" * 101), RuleViolationError
    )

    assert _fields(error) == ["import_id"]


# -- changing -------------------------------------------------------------------------------


async def test_sending_parts_alone_clears_the_category() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", category_id=food.id)

    changed = await ledger.update(txn, splits=_parts(("20", food), ("10", home)))

    assert (changed.category_id, len(changed.splits)) == (None, 2)


async def test_an_empty_split_list_removes_the_parts() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    changed = await ledger.update(txn, splits=[], category_id=home.id)

    assert (changed.splits, changed.category_id) == ((), home.id)


async def test_changing_the_amount_of_a_split_transaction_without_new_parts_is_refused() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    error = await ledger.refused(ledger.update(txn, amount="31"), RuleViolationError)

    assert _fields(error) == ["splits"]


async def test_a_category_on_a_split_transaction_without_clearing_the_parts_is_refused() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    error = await ledger.refused(ledger.update(txn, category_id=food.id), RuleViolationError)

    assert _fields(error) == ["category_id"]


async def test_the_import_id_cannot_change_after_create() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "1")

    error = await ledger.refused(ledger.update(txn, import_id="bank-1"), RuleViolationError)

    assert _fields(error) == ["import_id"]


async def test_sending_the_current_import_id_is_not_a_change() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "1", import_id="bank-1")

    changed = await ledger.update(txn, import_id="bank-1", payee="Bakery")

    assert (changed.import_id, changed.payee) == ("bank-1", "Bakery")


async def test_uncleared_to_cleared_moves_the_cleared_balance_alone() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")
    txn = await ledger.record(EXPENSE, account, "30")

    await ledger.update(txn, status=CLEARED)

    stored = ledger.uow.store.accounts[account.id]
    assert (stored.balance.format(), stored.cleared.format()) == ("70.00", "70.00")


# -- the reconciled lock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"amount": "31"}, {"date": "later"}, {"type": INCOME}, {"splits": "new"}],
    ids=["amount", "date", "type", "splits"],
)
async def test_a_reconciled_transaction_keeps_its_locked_fields(change: dict[str, Any]) -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)
    if change.get("date") == "later":
        change = {"date": txn.date.replace(day=txn.date.day + 1)}
    if change.get("splits") == "new":
        change = {"splits": _parts(("20", food), ("10", home))}

    await ledger.refused(ledger.update(txn, **change), TransactionLockedError)


async def test_a_reconciled_transaction_may_change_its_category_and_texts() -> None:
    ledger = Ledger.empty()
    account, food, _ = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    changed = await ledger.update(txn, category_id=food.id, payee="Market", tags=["weekly"])

    assert (changed.category_id, changed.payee, changed.tags) == (food.id, "Market", ("weekly",))


async def test_sending_a_locked_fields_current_value_is_not_a_change() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    changed = await ledger.update(txn, amount="30.00", date=txn.date, type=EXPENSE)

    assert changed.status is RECONCILED


async def test_moving_the_status_back_unlocks_the_transaction() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    await ledger.update(txn, status=CLEARED)
    changed = await ledger.update(txn, amount="31")

    assert changed.amount.format() == "31.00"


async def test_moving_the_status_back_and_changing_a_locked_field_at_once_is_refused() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    await ledger.refused(ledger.update(txn, status=UNCLEARED, amount="31"), TransactionLockedError)


async def test_a_reconciled_transaction_cannot_be_deleted() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    await ledger.refused(
        DeleteTransaction(ledger.uow).execute(ALICE, txn.id), TransactionLockedError
    )


async def test_a_rule_violation_is_reported_before_the_lock() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30", status=RECONCILED)

    await ledger.refused(ledger.update(txn, amount="-1"), RuleViolationError)


async def test_a_viewer_cannot_change_the_status() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "30")
    viewer = personal_caller(3, h1=Role.VIEWER)

    await ledger.refused(ledger.update(txn, owner=viewer, status=CLEARED), PermissionDeniedError)


# -- running again after a concurrent change ---------------------------------------------------


class _GivesWayOnce(FakeUnitOfWork):
    """A unit of work whose first commit gives way to a concurrent writer."""

    async def commit(self) -> None:
        if not getattr(self, "gave_way", False):
            self.gave_way = True
            raise ConcurrentChangeError()
        await super().commit()


async def test_a_change_that_gave_way_to_a_concurrent_writer_runs_again() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")
    txn = await ledger.record(EXPENSE, account, "30")
    retrying = _GivesWayOnce()
    retrying.store = ledger.uow.store

    await UpdateTransaction(retrying, ledger.clock).execute(
        ALICE, txn.id, TransactionChanges(amount="40")
    )

    assert ledger.uow.store.accounts[account.id].balance.format() == "60.00"


async def test_a_category_used_only_by_a_part_cannot_change_its_kind() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    await ledger.refused(
        UpdateCategory(ledger.uow, ledger.clock).execute(
            ALICE, home.id, CategoryChanges(kind=CategoryKind.INCOME)
        ),
        CategoryInUseError,
    )


async def test_deleting_a_category_leaves_its_parts_uncategorised() -> None:
    ledger = Ledger.empty()
    account, food, home = await _groceries_and_home(ledger)
    txn = await ledger.record(EXPENSE, account, "30", splits=_parts(("20", food), ("10", home)))

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, home.id)

    assert [p.category_id for p in ledger.transactions()[txn.id].splits] == [food.id, None]
