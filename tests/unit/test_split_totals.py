"""Split parts in the totals rule, the balance rules and the list filters: each part counts
under its own category, the transaction once (contract section 10)."""

from dataclasses import replace
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from budget.domain.model.balance import balance_change, cleared_change
from budget.domain.model.ids import CategoryId
from budget.domain.model.ledger_queries import TransactionFilters
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.totals import totals_change, totals_effects
from budget.domain.model.transaction import Transaction, TransactionStatus
from tests.fakes import merge_totals, sum_totals
from tests.unit.test_totals import EUR, EXPENSE, FOOD, RENT, A, _key, _txn

PARTS = (
    Split(FOOD, Money(700, EUR), "groceries"),
    Split(RENT, Money(200, EUR)),
    Split(None, Money(50, EUR)),
    Split(FOOD, Money(50, EUR)),
)


def _split(
    parts: tuple[Split, ...] = PARTS, status: TransactionStatus = TransactionStatus.UNCLEARED
) -> Transaction:
    total = sum(part.amount.minor for part in parts)
    return replace(_txn(EXPENSE, A, Money(total, EUR)), splits=parts, status=status)


def test_each_part_counts_in_its_own_categorys_cell() -> None:
    effects = totals_effects(_split())

    assert effects == {
        _key(EXPENSE, A, FOOD): (750, 1, 2),
        _key(EXPENSE, A, RENT): (200, 0, 1),
        _key(EXPENSE, A, None): (50, 0, 1),
    }


def test_a_split_transaction_counts_once_over_all_its_cells() -> None:
    effects = totals_effects(_split())

    assert sum(count for _, count, _ in effects.values()) == 1


def test_replacing_the_parts_moves_only_the_cells_that_change() -> None:
    old = _split()
    new = replace(old, splits=(Split(FOOD, Money(800, EUR)), Split(RENT, Money(200, EUR))))

    assert totals_change(old, new) == {
        _key(EXPENSE, A, FOOD): (50, 0, -1),
        _key(EXPENSE, A, None): (-50, 0, -1),
    }


def test_splitting_does_not_move_the_balance() -> None:
    whole = _txn(EXPENSE, A, Money(1000, EUR), category=FOOD)

    assert balance_change(whole, _split()) == {}


def test_clearing_moves_the_cleared_balance_and_not_the_balance() -> None:
    old = _split()
    new = replace(old, status=TransactionStatus.CLEARED)

    assert (balance_change(old, new), cleared_change(old, new)) == ({}, {A: -1000})


def test_unclearing_a_reconciled_transaction_takes_it_off_the_cleared_balance() -> None:
    old = _split(status=TransactionStatus.RECONCILED)

    assert cleared_change(old, replace(old, status=TransactionStatus.UNCLEARED)) == {A: 1000}


def test_the_category_filter_matches_a_part_in_that_category() -> None:
    assert TransactionFilters(category_id=RENT).matches(_split())


def test_the_uncategorized_filter_matches_a_transaction_with_an_uncategorised_part() -> None:
    assert TransactionFilters(uncategorized=True).matches(_split())


def test_the_uncategorized_filter_skips_a_split_whose_parts_all_have_categories() -> None:
    parts = (Split(FOOD, Money(500, EUR)), Split(RENT, Money(500, EUR)))

    assert not TransactionFilters(uncategorized=True).matches(_split(parts))


_categories = st.sampled_from([FOOD, RENT, CategoryId(UUID(int=13)), None])
_parts = st.lists(
    st.tuples(_categories, st.integers(min_value=1, max_value=10**6)), min_size=2, max_size=8
)


@settings(max_examples=150)
@given(_parts, _categories)
def test_merging_a_deleted_categorys_cells_equals_recounting_without_it(
    drawn: list[tuple[CategoryId | None, int]], deleted: CategoryId | None
) -> None:
    parts = tuple(Split(category, Money(minor, EUR)) for category, minor in drawn)
    txn = _split(parts)
    moved = {k: v for k, v in sum_totals([txn]).items() if k.category_id == deleted}
    kept = {k: v for k, v in sum_totals([txn]).items() if k.category_id != deleted}

    merged = merge_totals(kept, {replace(k, category_id=None): v for k, v in moved.items()})

    if deleted is not None:
        txn.uncategorize(deleted)
    assert merged == sum_totals([txn])
