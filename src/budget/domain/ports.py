"""Ports: what the domain needs from the outside world, as ``typing.Protocol`` classes.

Adapters implement them with SQLAlchemy, Argon2, PyJWT and the system clock; unit tests
implement them with in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from budget.domain.model.account import Account
from budget.domain.model.auth import RefreshToken, TokenClaims, TokenType
from budget.domain.model.budget import Budget, BudgetFilters, SpendingQuery
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import (
    AccountId,
    BudgetId,
    CategoryId,
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
from budget.domain.model.reports import AccountBalance, CategoryTotal, Interval, SummaryRow
from budget.domain.model.totals import Totals, TotalsKey
from budget.domain.model.transaction import Transaction
from budget.domain.model.user import User
from budget.domain.ports_base import Clock, IdFactory

__all__ = ["Clock", "IdFactory"]


class PasswordHasher(Protocol):
    """One-way password hashing; slow on purpose, so both calls are async."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the same time as a real verification (for unknown accounts)."""
        ...


class TokenCodec(Protocol):
    """Signs and verifies tokens.

    ``decode`` raises ``AuthenticationError`` for anything not valid, including a token of
    the wrong type.
    """

    def encode(self, claims: TokenClaims) -> str: ...

    def decode(self, token: str, expected: TokenType) -> TokenClaims: ...


class UserRepository(Protocol):
    """Users by id and e-mail; the e-mail is unique."""

    async def get(self, user_id: UserId) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    def add(self, user: User) -> None: ...

    async def delete(self, user: User) -> None:
        """Remove the user and everything they own."""
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


class LoginAttemptStore(Protocol):
    """Counts failed logins per key in a sliding window (a shared store fits several replicas)."""

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]: ...

    async def record_failure(self, key: str, at: datetime) -> None: ...

    async def clear(self, key: str) -> None: ...


class CategoryRepository(Protocol):
    """A user's categories; ``get`` and ``list`` only ever see the owner's own."""

    def add(self, category: Category) -> None: ...

    async def get(self, owner: UserId, category_id: CategoryId) -> Category | None: ...

    async def delete(self, category: Category) -> None:
        """Delete the row. Changes to the categories handed out are written first, then the
        row goes and its children become top-level at once (``ON DELETE SET NULL``): rename
        a child whose name is taken at the top level before the delete, and
        ``Category.detach`` the children after it."""
        ...

    async def name_taken(
        self,
        owner: UserId,
        kind: CategoryKind,
        parent_id: CategoryId | None,
        name: str,
        exclude_id: CategoryId | None = None,
    ) -> bool:
        """Whether another category of ``owner`` (archived or not) has this exact name
        under the same kind and parent (None: among top-level ones)."""
        ...

    async def in_use(self, category_id: CategoryId) -> bool:
        """Whether any transaction or budget refers to the category."""
        ...

    async def children(self, category_id: CategoryId) -> Sequence[Category]:
        """The categories grouped under this one (handed out like ``get``)."""
        ...

    async def list(
        self, owner: UserId, filters: CategoryFilters, page: PageRequest, sort: Sort
    ) -> Page[Category]:
        """Filtered, sorted (ties on id, in the same direction) and counted."""
        ...


class AccountRepository(Protocol):
    """A user's accounts; ``get`` and ``list`` only ever see the owner's own.

    Accounts handed out by ``get`` and ``add`` are written back on commit, except their
    ``balance``: balances change only through ``apply_balance_deltas``.
    """

    def add(self, account: Account) -> None:
        """Insert a new account; its ``balance`` is stored as given (its opening balance)."""
        ...

    async def get(
        self, owner: UserId, account_id: AccountId, *, for_update: bool = False
    ) -> Account | None:
        """``for_update`` locks the row until the end of the unit of work (PostgreSQL
        ``FOR UPDATE``): a concurrent balance change or new transaction on the account
        waits for this unit of work, and this one waits for theirs."""
        ...

    async def delete(self, account: Account) -> None: ...

    async def name_taken(
        self, owner: UserId, name: str, exclude_id: AccountId | None = None
    ) -> bool:
        """Whether another unarchived account of ``owner`` has this exact name."""
        ...

    async def has_transactions(self, account_id: AccountId) -> bool:
        """Whether a transaction touches the account on either side."""
        ...

    async def apply_balance_deltas(self, deltas: Mapping[AccountId, int]) -> None:
        """Add each delta (minor units) to its account's stored balance, as part of the
        unit of work, and bring any account handed out up to date (``Account.shift_balance``).

        The adapter runs an atomic ``balance = balance + delta`` per account in sorted id
        order (so concurrent writers neither lose updates nor deadlock); it may defer them
        to the commit, so that the row locks are held briefly.

        Raises:
            RuleViolationError: on ``account_id`` when an account no longer exists (it was
                deleted concurrently after it was read), here or from ``commit``.
        """
        ...

    async def list(
        self, owner: UserId, filters: AccountFilters, page: PageRequest, sort: Sort
    ) -> Page[Account]:
        """Filtered, sorted (ties on id, in the same direction) and counted; ``balance``
        sorts by minor units."""
        ...


class TransactionRepository(Protocol):
    """A user's transactions; ``get`` and the lists only ever see the owner's own.

    Lists order by the sort field, ties broken on id in the same direction, and select
    exactly what ``TransactionFilters.matches`` accepts: ``q`` is a literal substring
    (escape ``%`` and ``_``), and amount bounds apply per currency through
    ``TransactionFilters.min_minor(exponent)`` / ``max_minor(exponent)``.
    """

    def add(self, txn: Transaction) -> None: ...

    async def get(
        self, owner: UserId, transaction_id: TransactionId, *, for_update: bool = False
    ) -> Transaction | None:
        """``for_update`` locks the row until the end of the unit of work (PostgreSQL
        ``FOR UPDATE``), so that concurrent changes of one transaction serialise and
        their balance deltas are computed from the state they replace."""
        ...

    async def delete(self, txn: Transaction) -> None: ...

    async def uncategorize(self, category_id: CategoryId) -> None:
        """Remove the category from every transaction that has it, and move its daily
        totals into the uncategorised cells (``LedgerTotals``) in the same unit of work."""
        ...

    async def list(
        self, owner: UserId, filters: TransactionFilters, sort: Sort, page: PageRequest
    ) -> Page[Transaction]:
        """One offset page and the total number of matches (``next_cursor`` left None)."""
        ...

    async def list_after(
        self, owner: UserId, filters: TransactionFilters, sort: Sort, after: Keyset, limit: int
    ) -> Sequence[Transaction]:
        """Up to ``limit`` matches strictly after ``after`` in sort order (keyset paging:
        ``(value, id) > (after.value, after.last_id)``, ``<`` when descending); no count."""
        ...


class BudgetRepository(Protocol):
    """A user's budgets; ``get`` and the lists only ever see the owner's own.

    Budgets handed out by ``get`` and ``add`` are written back on commit.
    """

    def add(self, budget: Budget) -> None: ...

    async def get(self, owner: UserId, budget_id: BudgetId) -> Budget | None: ...

    async def delete(self, budget: Budget) -> None: ...

    async def list(
        self, owner: UserId, filters: BudgetFilters, page: PageRequest, sort: Sort
    ) -> Page[Budget]:
        """Filtered (exactly what ``BudgetFilters.matches`` accepts), sorted (ties on id, in
        the same direction) and counted."""
        ...

    async def active_on(self, owner: UserId, day: date) -> Sequence[Budget]:
        """Every budget of ``owner`` whose dates contain ``day``, by name then id."""
        ...

    async def active_clash(self, budget: Budget, today: date) -> bool:
        """Whether another budget of the owner clashes with ``budget``
        (``Budget.clashes_with``: same category, period and currency, neither ended
        before ``today``, overlapping dates).

        Serialises with the same check of concurrent units of work of the owner until this
        one ends, so that two clashing budgets cannot both be written."""
        ...

    async def delete_for_category(self, category_id: CategoryId) -> None:
        """Remove every budget of the category (a budget of its parent stays)."""
        ...


class UnitOfWork(Protocol):
    """One atomic piece of work: commit makes every change visible at once.

    Leaving the ``async with`` block without ``commit()`` rolls everything back.
    """

    @property
    def users(self) -> UserRepository: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...

    @property
    def categories(self) -> CategoryRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def transactions(self) -> TransactionRepository: ...

    @property
    def budgets(self) -> BudgetRepository: ...

    @property
    def totals(self) -> LedgerTotals: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class ReportReader(Protocol):
    """Report sums computed by the database (never by loading transactions into Python).

    Every method sees only ``owner``'s data; date bounds are inclusive; amounts are integer
    minor units of the row's currency. Transfers never count as income or expense.
    """

    async def has_account(self, owner: UserId, account_id: AccountId) -> bool:
        """Whether the account exists and is ``owner``'s (archived or not)."""
        ...

    async def summary(
        self, owner: UserId, date_from: date, date_to: date, account_id: AccountId | None
    ) -> list[SummaryRow]:
        """Income, expense, net and count per currency that has any; transfers excluded.

        ``account_id`` keeps only the income and expenses booked on that account (they
        live on ``account_id``; ``to_account_id`` belongs to transfers, which never count).
        """
        ...

    async def category_totals(
        self, owner: UserId, kind: CategoryKind, date_from: date, date_to: date
    ) -> list[tuple[str, CategoryTotal]]:
        """``(currency, total)`` per currency and category of the ``kind`` transactions,
        with the category's name; uncategorised ones form the ``None`` bucket."""
        ...

    async def cashflow(
        self, owner: UserId, date_from: date, date_to: date, interval: Interval
    ) -> list[tuple[str, date, int, int]]:
        """``(currency, interval start, income, expense)`` for every non-empty bucket of the
        range (weeks start on Monday), counting only days inside the range."""
        ...

    async def balances_as_of(self, owner: UserId, day: date) -> list[tuple[str, AccountBalance]]:
        """``(currency, balance)`` of every account, archived ones included: the opening
        balance plus the effects of the transactions dated on or before ``day`` (a transfer
        takes ``amount`` from its source and gives ``to_amount`` to its destination)."""
        ...


class BudgetSpendingReader(Protocol):
    """Sums a budget's expenses per span of days, in SQL (no transaction reaches Python)."""

    async def spent_per_period(self, queries: Sequence[SpendingQuery]) -> list[list[int]]:
        """For each query, in order, one total per span (0 for a span without expenses).

        Counts expenses only, of the query's owner and currency, in its category or that
        category's subcategories (any expense when the category is None). Costs one round
        trip per batch of queries, never one per query or per span.
        """
        ...


class LedgerTotals(Protocol):
    """The daily totals of income and expenses (``totals.py``), the read model of reports
    and budgets, kept in step with the ledger inside the writer's unit of work."""

    async def apply(self, changes: Mapping[TotalsKey, Totals]) -> None:
        """Add each ``(amount, count)`` change to its cell, creating missing cells and
        dropping cells left without transactions.

        The adapter runs one atomic upsert per cell in sorted key order, after the balance
        updates (so writers take their locks in one global order and never deadlock); it
        may sum the changes and write them at commit.
        """
        ...
