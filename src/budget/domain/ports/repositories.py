"""Repositories: the aggregates a unit of work loads, adds and deletes, and the totals it keeps.

Methods named ``add``/``record_…`` only register a change: the unit of work writes it at
``commit()`` (see ``docs/architecture.md``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from budget.domain.model.account import Account
from budget.domain.model.auth import RefreshToken
from budget.domain.model.budget import Budget, BudgetFilters
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.household import Caller
from budget.domain.model.ids import (
    AccountId,
    BudgetId,
    CategoryId,
    HouseholdId,
    TokenFamilyId,
    TokenId,
    TransactionId,
    UserId,
)
from budget.domain.model.ledger_queries import (
    AccountFilters,
    CategoryFilters,
    Keyset,
    TransactionFilters,
)
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.totals import Totals, TotalsKey
from budget.domain.model.transaction import Transaction
from budget.domain.model.user import User


class UserRepository(Protocol):
    """Users by id and e-mail; the e-mail is unique."""

    async def get(self, user_id: UserId) -> User | None: ...

    async def get_caller(self, user_id: UserId) -> Caller | None:
        """The user with their role in each of their households, in one round trip."""
        ...

    async def get_by_email(self, email: str) -> User | None: ...

    def add(self, user: User) -> None: ...

    async def delete(self, user: User) -> None:
        """Remove the user with their memberships and refresh tokens."""
        ...

    async def list(self, page: PageRequest, sort: Sort) -> Page[User]: ...


class RefreshTokenRepository(Protocol):
    """Stored refresh tokens (hashes only)."""

    def add(self, token: RefreshToken) -> None: ...

    async def get(self, token_id: TokenId) -> RefreshToken | None: ...

    async def mark_used(self, token_id: TokenId, now: datetime) -> bool:
        """Atomically mark an unused token used; False if it was used already."""
        ...

    async def revoke_family(self, family_id: TokenFamilyId, now: datetime) -> None: ...

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> None: ...


class CategoryRepository(Protocol):
    """Households' categories; ``get`` and ``list`` only ever see the ``scope`` households'
    (the caller's visible ones: an empty scope sees nothing)."""

    def add(self, category: Category) -> None: ...

    async def get(
        self, scope: Sequence[HouseholdId], category_id: CategoryId
    ) -> Category | None: ...

    async def get_many(
        self, scope: Sequence[HouseholdId], category_ids: Collection[CategoryId]
    ) -> Sequence[Category]:
        """Those of ``category_ids`` found in the ``scope`` households, in one read (a
        split's part categories), handed out like ``get``."""
        ...

    async def delete(self, category: Category) -> None:
        """Delete the row. Changes to the categories handed out are written first, then the
        row goes and its children become top-level at once (``ON DELETE SET NULL``): rename
        a child whose name is taken at the top level before the delete, and
        ``Category.detach`` the children after it."""
        ...

    async def name_taken(
        self,
        household_id: HouseholdId,
        kind: CategoryKind,
        parent_id: CategoryId | None,
        name: str,
        exclude_id: CategoryId | None = None,
    ) -> bool:
        """Whether another category of the household (archived or not) has this exact name
        under the same kind and parent (None: among top-level ones)."""
        ...

    async def in_use(self, category_id: CategoryId) -> bool:
        """Whether any transaction or budget refers to the category."""
        ...

    async def children(self, category_id: CategoryId) -> Sequence[Category]:
        """The categories grouped under this one (handed out like ``get``)."""
        ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: CategoryFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Category]:
        """Filtered, sorted (ties on id, in the same direction) and counted."""
        ...


class AccountRepository(Protocol):
    """Households' accounts; ``get`` and ``list`` only ever see the ``scope`` households'.

    Accounts handed out by ``get`` and ``add`` are written back on commit, except their
    ``balance``: balances change only through ``record_balance_deltas``.
    """

    def add(self, account: Account) -> None:
        """Insert a new account; its ``balance`` is stored as given (its opening balance)."""
        ...

    async def get(
        self,
        scope: Sequence[HouseholdId],
        account_id: AccountId,
        *,
        for_update: bool = False,
    ) -> Account | None:
        """``for_update`` locks the row until the end of the unit of work (PostgreSQL
        ``FOR UPDATE``): a concurrent balance change or new transaction on the account
        waits for this unit of work, and this one waits for theirs."""
        ...

    async def delete(self, account: Account) -> None: ...

    async def name_taken(
        self, household_id: HouseholdId, name: str, exclude_id: AccountId | None = None
    ) -> bool:
        """Whether another unarchived account of the household has this exact name."""
        ...

    async def has_transactions(self, account_id: AccountId) -> bool:
        """Whether a transaction touches the account on either side."""
        ...

    async def record_balance_deltas(
        self, deltas: Mapping[AccountId, int], cleared: Mapping[AccountId, int] | None = None
    ) -> None:
        """Record each delta (minor units) to add to its account's stored balance (and each
        ``cleared`` delta to its cleared balance) when the unit of work commits, and bring
        any account handed out up to date at once (``Account.shift_balance``).

        At commit the adapter runs an atomic ``balance = balance + delta`` (and
        ``cleared_balance = cleared_balance + cleared delta``) per account in sorted id
        order, after every row and before the totals (so concurrent writers neither lose
        updates nor deadlock, and hold the row locks briefly).

        Raises:
            RuleViolationError: on ``account_id`` when an account no longer exists (it was
                deleted concurrently after it was read), here or from ``commit``.
        """
        ...

    async def cleared_balance_as_of(self, account: Account, day: date) -> int:
        """The account's cleared balance at the end of ``day`` in minor units: its opening
        balance plus the effects of its ``cleared`` and ``reconciled`` transactions dated
        on or before ``day`` (either side of a transfer), as stored: call it before this
        unit of work writes transactions (``reconciliation.cleared_as_of``)."""
        ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: AccountFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Account]:
        """Filtered, sorted (ties on id, in the same direction) and counted; ``balance``
        sorts by minor units."""
        ...


class TransactionRepository(Protocol):
    """Households' transactions; ``get`` and the lists only ever see the ``scope``
    households'.

    Lists order by the sort field, ties broken on id in the same direction, and select
    exactly what ``TransactionFilters.matches`` accepts: ``q`` is a literal substring
    (escape ``%`` and ``_``), and amount bounds apply per currency through
    ``TransactionFilters.min_minor(exponent)`` / ``max_minor(exponent)``.
    """

    def add(self, txn: Transaction) -> None: ...

    async def get(
        self,
        scope: Sequence[HouseholdId],
        transaction_id: TransactionId,
        *,
        for_update: bool = False,
    ) -> Transaction | None:
        """``for_update`` locks the row until the end of the unit of work (PostgreSQL
        ``FOR UPDATE``), so that concurrent changes of one transaction serialise and
        their balance deltas are computed from the state they replace."""
        ...

    async def delete(self, txn: Transaction) -> None: ...

    async def uncategorize(self, category_id: CategoryId) -> None:
        """Remove the category from every transaction and split part that has it, and move
        its daily totals into the uncategorised cells (``LedgerTotals``) in the same unit
        of work."""
        ...

    async def reconcile(self, account_id: AccountId, day: date, now: datetime) -> int:
        """Move every ``cleared`` transaction of the account (either side of a transfer)
        dated on or before ``day`` to ``reconciled`` (``updated_at`` = ``now``); how many
        moved (``reconciliation.to_reconcile``)."""
        ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        page: PageRequest,
    ) -> Page[Transaction]:
        """One offset page and the total number of matches (``next_cursor`` left None)."""
        ...

    async def list_after(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        after: Keyset,
        limit: int,
    ) -> Sequence[Transaction]:
        """Up to ``limit`` matches strictly after ``after`` in sort order (keyset paging:
        ``(value, id) > (after.value, after.last_id)``, ``<`` when descending); no count."""
        ...


class BudgetRepository(Protocol):
    """Households' budgets; ``get`` and the lists only ever see the ``scope`` households'.

    Budgets handed out by ``get`` and ``add`` are written back on commit.
    """

    def add(self, budget: Budget) -> None: ...

    async def get(self, scope: Sequence[HouseholdId], budget_id: BudgetId) -> Budget | None: ...

    async def delete(self, budget: Budget) -> None: ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: BudgetFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Budget]:
        """Filtered (exactly what ``BudgetFilters.matches`` accepts), sorted (ties on id, in
        the same direction) and counted."""
        ...

    async def active_on(self, scope: Sequence[HouseholdId], day: date) -> Sequence[Budget]:
        """Every budget of the ``scope`` households whose dates contain ``day``, by name then
        id."""
        ...

    async def active_clash(self, budget: Budget, today: date) -> bool:
        """Whether another budget of the household clashes with ``budget``
        (``Budget.clashes_with``: same category, period and currency, neither ended
        before ``today``, overlapping dates).

        Serialises with the same check of concurrent units of work of the household until this
        one ends, so that two clashing budgets cannot both be written."""
        ...

    async def delete_for_category(self, category_id: CategoryId) -> None:
        """Remove every budget of the category (a budget of its parent stays)."""
        ...


class LedgerTotals(Protocol):
    """The daily totals of income and expenses (``totals.py``), the read model of reports
    and budgets, kept in step with the ledger inside the writer's unit of work."""

    async def record(self, changes: Mapping[TotalsKey, Totals]) -> None:
        """Record each ``(amount, count)`` change to add to its cell when the unit of work
        commits, creating missing cells and dropping cells left without transactions.

        The adapter sums the changes and, at commit, runs one atomic upsert per cell in
        sorted key order, last of all writes (after the balance updates: writers take
        their locks in one global order and never deadlock).
        """
        ...
