"""Whatever sequence of writes runs (rejected ones included: they roll back), the daily
totals equal the GROUP BY of the remaining transactions, also across category deletions
that make transactions uncategorised."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.services.categories import CategoryDraft, CreateCategory, DeleteCategory
from tests.fakes import sum_totals
from tests.unit.test_balance_property import Delete, Update, World, changes, creates

DAYS = (date(2026, 11, 19), date(2026, 11, 20))
subcategories = st.integers(0, 3)  # the two top-level categories, then their children


@dataclass(frozen=True)
class Redate:
    index: int
    day: int


@dataclass(frozen=True)
class DeleteCategoryOp:
    index: int


class TotalsWorld(World):
    """The balance property's world plus a subcategory of each kind (so that a deleted
    parent's children stay and keep their own cells) and category deletion."""

    async def setup(self) -> None:
        await super().setup()
        make = CreateCategory(self.uow, self.clock, self.ids)
        for parent in list(self.categories):
            kind = CategoryKind.INCOME if parent is self.categories[0] else CategoryKind.EXPENSE
            draft = CategoryDraft(f"Sub {kind}", kind, parent_id=parent.id)
            self.categories.append(await make.execute(self.owner, draft))

    async def run(self, op: object) -> None:
        with contextlib.suppress(RuleViolationError):
            if isinstance(op, DeleteCategoryOp):
                category = self.categories[op.index % len(self.categories)]
                if category.id in self.uow.store.categories:
                    await DeleteCategory(self.uow, self.clock).execute(self.owner, category.id)
            elif isinstance(op, Redate):
                await self._dispatch(Update(op.index, {"date": DAYS[op.day]}))
            else:
                await self._dispatch(op)

    def check_totals(self) -> None:
        store = self.uow.store
        assert store.totals == sum_totals(store.transactions.values())


totals_operations = st.lists(
    st.one_of(
        creates(),
        creates(),
        st.builds(Update, st.integers(0, 30), changes),
        st.builds(
            Update, st.integers(0, 30), st.fixed_dictionaries({"category_id": subcategories})
        ),
        st.builds(Delete, st.integers(0, 30)),
        st.builds(Redate, st.integers(0, 30), st.integers(0, len(DAYS) - 1)),
        st.builds(DeleteCategoryOp, st.integers(0, 3)),
    ),
    max_size=40,
)


async def _play(ops: list[object]) -> None:
    world = TotalsWorld()
    await world.setup()
    for op in ops:
        await world.run(op)
        world.check_totals()
        world.check_balances()


@settings(max_examples=200, deadline=None)
@given(totals_operations)
def test_daily_totals_always_equal_the_group_by_of_the_remaining_transactions(
    ops: list[object],
) -> None:
    asyncio.run(_play(ops))
