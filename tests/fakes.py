"""In-memory fakes of the domain's ports, behaving like the real adapters."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from budget.domain.errors import AuthenticationError, RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.auth import RefreshToken, TokenClaims, TokenType
from budget.domain.model.budget import Budget, BudgetFilters, SpendingQuery
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.household import Caller, Role
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
    sort_value,
)
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.period import Period
from budget.domain.model.reconciliation import cleared_as_of, to_reconcile
from budget.domain.model.totals import Totals, TotalsKey, totals_effects
from budget.domain.model.transaction import (
    FOREIGN_ACCOUNT,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from budget.domain.model.user import User
from tests.fakes_households import (
    FakeHouseholdRepository,
    FakeInvitationRepository,
    drop_memberships_of,
    roles_of,
)
from tests.fakes_recurring import FakeRecurringRepository
from tests.fakes_rules import FakeRuleRepository
from tests.fakes_webhooks import FakeWebhookOutbox


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.date()

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeIds:
    """Sequential, time-ordered-looking UUIDs."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=(0x0190 << 112) + next(self._counter))


class FakeHasher:
    """Reversible 'hashing' that records which verifications happened."""

    def __init__(self) -> None:
        self.verified: list[str] = []
        self.dummy_verifications = 0

    async def hash(self, password: str) -> str:
        return f"hashed:{password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return password_hash == f"hashed:{password}"

    async def verify_dummy(self, password: str) -> None:
        self.dummy_verifications += 1


class FakeCodec:
    """Tokens as readable strings; decoding checks the type like the real codec."""

    def __init__(self) -> None:
        self._issued: dict[str, TokenClaims] = {}

    def encode(self, claims: TokenClaims) -> str:
        token = f"{claims.token_type}.{claims.token_id}"
        self._issued[token] = claims
        return token

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        claims = self._issued.get(token)
        if claims is None or claims.token_type is not expected:
            raise AuthenticationError("bad token")
        return claims


class _Store:
    """What the fake database holds; shared by every unit of work over it."""

    def __init__(self) -> None:
        self.users: dict[UUID, User] = {}
        self.refresh_tokens: dict[UUID, RefreshToken] = {}
        self.categories: dict[UUID, Category] = {}
        self.accounts: dict[UUID, Account] = {}
        self.stored_balances: dict[UUID, int] = {}
        self.stored_cleared: dict[UUID, int] = {}
        self.transactions: dict[UUID, Transaction] = {}
        self.budgets: dict[UUID, Budget] = {}
        self.totals: dict[TotalsKey, Totals] = {}
        self.extra: dict[str, dict[UUID, Any]] = defaultdict(dict)


class FakeUserRepository:
    """Users; with a ``store``, their memberships too (``get_caller``, and ``delete``
    removes them like ``ON DELETE CASCADE``)."""

    def __init__(self, rows: dict[UUID, User], store: _Store | None = None) -> None:
        self.rows = rows
        self._store = store

    async def get(self, user_id: UserId) -> User | None:
        return self.rows.get(user_id)

    async def get_caller(self, user_id: UserId) -> Caller | None:
        user = self.rows.get(user_id)
        if user is None:
            return None
        return Caller(user, {} if self._store is None else roles_of(self._store, user.id))

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.rows.values() if u.email == email), None)

    def add(self, user: User) -> None:
        self.rows[user.id] = user

    async def delete(self, user: User) -> None:
        del self.rows[user.id]
        if self._store is not None:
            drop_memberships_of(self._store, user.id)

    async def list(self, page: PageRequest, sort: Sort) -> Page[User]:
        users = sorted(
            self.rows.values(),
            key=lambda u: (getattr(u, sort.field), u.id),
            reverse=sort.descending,
        )
        return Page(
            users[page.offset : page.offset + page.limit], len(users), page.limit, page.offset
        )


class FakeRefreshTokenRepository:
    def __init__(self, rows: dict[UUID, RefreshToken]) -> None:
        self.rows = rows

    def add(self, token: RefreshToken) -> None:
        self.rows[token.id] = token

    async def get(self, token_id: TokenId) -> RefreshToken | None:
        return self.rows.get(token_id)

    async def mark_used(self, token_id: TokenId, now: datetime) -> bool:
        token = self.rows[token_id]
        if token.used_at is not None:
            return False
        token.used_at = now
        return True

    async def revoke_family(self, family_id: TokenFamilyId, now: datetime) -> None:
        for token in self.rows.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> None:
        for token in self.rows.values():
            if token.user_id == user_id and token.revoked_at is None:
                token.revoked_at = now


class _Identified(Protocol):
    @property
    def id(self) -> UUID: ...


T = TypeVar("T", bound=_Identified)


def _sort_key(item: Any, field: str) -> Any:
    value = getattr(item, field)
    return value.minor if isinstance(value, Money) else value


def _page(items: Iterable[T], key: Callable[[T], Any], sort: Sort, page: PageRequest) -> Page[T]:
    """Sort on (key, id) in the sort's direction, then cut the offset page."""
    ordered = sorted(items, key=lambda item: (key(item), item.id), reverse=sort.descending)
    chosen = ordered[page.offset : page.offset + page.limit]
    return Page(chosen, len(ordered), page.limit, page.offset)


def _matches(value: Any, wanted: Any) -> bool:
    return wanted is None or value == wanted


class FakeCategoryRepository:
    def __init__(self, rows: dict[UUID, Category], store: _Store | None = None) -> None:
        self.rows = rows
        self._store = store

    def add(self, category: Category) -> None:
        self.rows[category.id] = category

    async def get(self, scope: Sequence[HouseholdId], category_id: CategoryId) -> Category | None:
        category = self.rows.get(category_id)
        return category if category is not None and category.household_id in scope else None

    async def get_many(
        self, scope: Sequence[HouseholdId], category_ids: Collection[CategoryId]
    ) -> Sequence[Category]:
        found = (self.rows.get(category_id) for category_id in sorted(category_ids))
        return [c for c in found if c is not None and c.household_id in scope]

    async def delete(self, category: Category) -> None:
        del self.rows[category.id]

    async def name_taken(
        self,
        household_id: HouseholdId,
        kind: CategoryKind,
        parent_id: CategoryId | None,
        name: str,
        exclude_id: CategoryId | None = None,
    ) -> bool:
        return any(
            c.household_id == household_id
            and c.kind is kind
            and c.parent_id == parent_id
            and c.name == name
            and c.id != exclude_id
            for c in self.rows.values()
        )

    async def in_use(self, category_id: CategoryId) -> bool:
        store = self._store or _Store()
        return any(category_id in t.categories for t in store.transactions.values()) or any(
            getattr(b, "category_id", None) == category_id for b in store.budgets.values()
        )

    async def children(self, category_id: CategoryId) -> Sequence[Category]:
        return [c for c in self.rows.values() if c.parent_id == category_id]

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: CategoryFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Category]:
        found = [
            c
            for c in self.rows.values()
            if c.household_id in scope
            and _matches(c.kind, filters.kind)
            and _matches(c.parent_id, filters.parent_id)
            and _matches(c.archived, filters.archived)
        ]
        return _page(found, lambda c: _sort_key(c, sort.field), sort, page)


class FakeAccountRepository:
    """Accounts; like the real adapter, the balance lives in ``store.stored_balances``
    and only ``record_balance_deltas`` moves it (``FakeUnitOfWork.commit`` never takes a
    balance from the entity)."""

    def __init__(
        self,
        store: _Store,
        applied: list[dict[AccountId, int]] | None = None,
        locked: list[AccountId] | None = None,
    ) -> None:
        self._store = store
        self.applied = [] if applied is None else applied
        self.locked = [] if locked is None else locked

    def add(self, account: Account) -> None:
        self._store.accounts[account.id] = account
        self._store.stored_balances[account.id] = account.balance.minor
        self._store.stored_cleared[account.id] = account.cleared.minor

    async def get(
        self,
        scope: Sequence[HouseholdId],
        account_id: AccountId,
        *,
        for_update: bool = False,
    ) -> Account | None:
        account = self._store.accounts.get(account_id)
        if account is None or account.household_id not in scope:
            return None
        if for_update:
            self.locked.append(account.id)
        return account

    async def delete(self, account: Account) -> None:
        del self._store.accounts[account.id]
        del self._store.stored_balances[account.id]
        del self._store.stored_cleared[account.id]

    async def name_taken(
        self, household_id: HouseholdId, name: str, exclude_id: AccountId | None = None
    ) -> bool:
        return any(
            a.household_id == household_id
            and not a.archived
            and a.name == name
            and a.id != exclude_id
            for a in self._store.accounts.values()
        )

    async def has_transactions(self, account_id: AccountId) -> bool:
        return any(
            account_id in (t.account_id, t.to_account_id) for t in self._store.transactions.values()
        )

    async def record_balance_deltas(
        self, deltas: Mapping[AccountId, int], cleared: Mapping[AccountId, int] | None = None
    ) -> None:
        self.applied.append(dict(deltas))
        cleared = cleared or {}
        for account_id in sorted(set(deltas) | set(cleared)):
            delta, cleared_delta = deltas.get(account_id, 0), cleared.get(account_id, 0)
            if delta == 0 and cleared_delta == 0:
                continue
            if account_id not in self._store.accounts:
                raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)
            self._store.stored_balances[account_id] += delta
            self._store.stored_cleared[account_id] += cleared_delta
            self._store.accounts[account_id].shift_balance(delta, cleared_delta)

    async def cleared_balance_as_of(self, account: Account, day: date) -> int:
        return cleared_as_of(
            account.opening_balance, account.id, self._store.transactions.values(), day
        ).minor

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: AccountFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Account]:
        found = [
            a
            for a in self._store.accounts.values()
            if a.household_id in scope
            and _matches(a.archived, filters.archived)
            and _matches(a.type, filters.type)
            and _matches(a.currency.code, filters.currency)
        ]
        return _page(found, lambda a: _sort_key(a, sort.field), sort, page)


class FakeTransactionRepository:
    def __init__(self, store: _Store, locked: list[TransactionId] | None = None) -> None:
        self._store = store
        self.locked = [] if locked is None else locked

    def add(self, txn: Transaction) -> None:
        self._store.transactions[txn.id] = txn

    async def get(
        self,
        scope: Sequence[HouseholdId],
        transaction_id: TransactionId,
        *,
        for_update: bool = False,
    ) -> Transaction | None:
        txn = self._store.transactions.get(transaction_id)
        if txn is None or txn.household_id not in scope:
            return None
        if for_update:
            self.locked.append(txn.id)
        return txn

    async def delete(self, txn: Transaction) -> None:
        del self._store.transactions[txn.id]

    async def reconcile(self, account_id: AccountId, day: date, now: datetime) -> int:
        moving = to_reconcile(account_id, self._store.transactions.values(), day)
        for txn in moving:
            txn.mark(TransactionStatus.RECONCILED, now)
        return len(moving)

    async def uncategorize(self, category_id: CategoryId) -> None:
        for txn in self._store.transactions.values():
            if category_id in txn.categories:
                txn.uncategorize(category_id)
        # Like the SQL adapter: the category's cells merge into the uncategorised ones.
        moved = {k: v for k, v in self._store.totals.items() if k.category_id == category_id}
        kept = {k: v for k, v in self._store.totals.items() if k.category_id != category_id}
        self._store.totals = merge_totals(
            kept, {replace(key, category_id=None): totals for key, totals in moved.items()}
        )

    def _matching(
        self, scope: Sequence[HouseholdId], filters: TransactionFilters
    ) -> list[Transaction]:
        return [
            t
            for t in self._store.transactions.values()
            if t.household_id in scope and filters.matches(t)
        ]

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        page: PageRequest,
    ) -> Page[Transaction]:
        found = self._matching(scope, filters)
        return _page(found, lambda t: sort_value(t, sort.field), sort, page)

    async def list_after(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        after: Keyset,
        limit: int,
    ) -> Sequence[Transaction]:
        def position(t: Transaction) -> tuple[Any, UUID]:
            return (sort_value(t, sort.field), t.id)

        start = (after.value, after.last_id)
        found = [
            t
            for t in self._matching(scope, filters)
            if (position(t) < start if sort.descending else position(t) > start)
        ]
        return sorted(found, key=position, reverse=sort.descending)[:limit]


def _shares_of(txn: Transaction) -> dict[CategoryId | None, int]:
    """What the transaction puts in each category: its amount, or each part's (its cells of
    the totals rule, one per category)."""
    return {key.category_id: amount for key, (amount, _, _) in totals_effects(txn).items()}


def sum_totals(transactions: Iterable[Transaction]) -> dict[TotalsKey, Totals]:
    """The daily totals of a whole ledger recomputed from scratch, as the SQL GROUP BY does
    (what the maintained totals must always equal); cells without transactions are left out."""
    sums: defaultdict[TotalsKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for txn in transactions:
        for key, totals in totals_effects(txn).items():
            for position, value in enumerate(totals):
                sums[key][position] += value
    return {key: (a, c, e) for key, (a, c, e) in sums.items() if e}


def merge_totals(
    totals: Mapping[TotalsKey, Totals], changes: Mapping[TotalsKey, Totals]
) -> dict[TotalsKey, Totals]:
    """``totals`` with ``changes`` added cell by cell, as the SQL adapter's adding upserts
    do; cells left without transactions are dropped, as it deletes them."""
    merged = dict(totals)
    for key, (amount, count, entries) in changes.items():
        old_amount, old_count, old_entries = merged.get(key, (0, 0, 0))
        merged[key] = (old_amount + amount, old_count + count, old_entries + entries)
        if merged[key][2] == 0:
            del merged[key]
    return merged


class FakeLedgerTotals:
    """The daily totals in ``store.totals``; ``applied`` records every change set."""

    def __init__(self, store: _Store, applied: list[dict[TotalsKey, Totals]] | None = None) -> None:
        self._store = store
        self.applied = [] if applied is None else applied

    async def record(self, changes: Mapping[TotalsKey, Totals]) -> None:
        self.applied.append(dict(changes))
        self._store.totals = merge_totals(self._store.totals, changes)


class FakeBudgetRepository:
    def __init__(self, store: _Store) -> None:
        self._store = store

    def _own(self, scope: Sequence[HouseholdId]) -> list[Budget]:
        return [b for b in self._store.budgets.values() if b.household_id in scope]

    def add(self, budget: Budget) -> None:
        self._store.budgets[budget.id] = budget

    async def get(self, scope: Sequence[HouseholdId], budget_id: BudgetId) -> Budget | None:
        budget = self._store.budgets.get(budget_id)
        return budget if budget is not None and budget.household_id in scope else None

    async def delete(self, budget: Budget) -> None:
        del self._store.budgets[budget.id]

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: BudgetFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Budget]:
        found = [b for b in self._own(scope) if filters.matches(b)]
        return _page(found, lambda b: _sort_key(b, sort.field), sort, page)

    async def active_on(self, scope: Sequence[HouseholdId], day: date) -> Sequence[Budget]:
        found = [b for b in self._own(scope) if b.is_active_on(day)]
        return sorted(found, key=lambda b: (b.name, b.id))

    async def active_clash(self, budget: Budget, today: date) -> bool:
        return any(budget.clashes_with(other, today) for other in self._own((budget.household_id,)))

    async def delete_for_category(self, category_id: CategoryId) -> None:
        for budget_id, budget in list(self._store.budgets.items()):
            if budget.category_id == category_id:
                del self._store.budgets[budget_id]


class FakeBudgetSpendingReader:
    """Sums the committed transactions of the store, as the SQL reader does; ``calls``
    counts round trips."""

    def __init__(self, store: _Store) -> None:
        self._store = store
        self.calls = 0

    async def spent_per_period(self, queries: Sequence[SpendingQuery]) -> list[list[int]]:
        self.calls += 1
        return [[self._spent(query, span) for span in query.spans] for query in queries]

    def _spent(self, query: SpendingQuery, span: Period) -> int:
        covered = self._covered(query.category_id)
        return sum(
            amount
            for t in self._store.transactions.values()
            if t.household_id == query.household_id
            and t.type is TransactionType.EXPENSE
            and t.currency == query.currency
            and span.contains(t.date)
            for category_id, amount in _shares_of(t).items()
            if covered is None or category_id in covered
        )

    def _covered(self, category_id: CategoryId | None) -> set[CategoryId | None] | None:
        if category_id is None:
            return None
        children = {c.id for c in self._store.categories.values() if c.parent_id == category_id}
        return {category_id, *children}


class FakeLoginAttemptStore:
    def __init__(self) -> None:
        self.failures: dict[str, list[datetime]] = defaultdict(list)

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]:
        return [at for at in self.failures[key] if at > since]

    async def record_failure(self, key: str, at: datetime) -> None:
        self.failures[key].append(at)

    async def clear(self, key: str) -> None:
        self.failures.pop(key, None)


class FakeUnitOfWork:
    """Works on copies; ``commit`` publishes them, leaving without commit discards them."""

    def __init__(self, store: _Store | None = None) -> None:
        self.store = store or _Store()
        self.commits = 0
        self.applied_deltas: list[dict[AccountId, int]] = []
        self.locked_transactions: list[TransactionId] = []
        self.applied_totals: list[dict[TotalsKey, Totals]] = []
        self.locked_accounts: list[AccountId] = []
        self._bind(self.store)

    def _bind(self, store: _Store) -> None:
        self.users = FakeUserRepository(store.users, store)
        self.households = FakeHouseholdRepository(
            store, vars(self).setdefault("locked_households", [])
        )
        self.invitations = FakeInvitationRepository(store)
        self.refresh_tokens = FakeRefreshTokenRepository(store.refresh_tokens)
        self.categories = FakeCategoryRepository(store.categories, store)
        self.accounts = FakeAccountRepository(store, self.applied_deltas, self.locked_accounts)
        self.transactions = FakeTransactionRepository(store, self.locked_transactions)
        self.budgets = FakeBudgetRepository(store)
        self.totals = FakeLedgerTotals(store, self.applied_totals)
        self.rules = FakeRuleRepository(store)
        self.recurring = FakeRecurringRepository(store.extra)
        self.webhooks = vars(self).setdefault("webhook_outbox", FakeWebhookOutbox())

    async def __aenter__(self) -> Self:
        self._working = _Store()
        self._working.users = {k: replace(v) for k, v in self.store.users.items()}
        self._working.refresh_tokens = {k: replace(v) for k, v in self.store.refresh_tokens.items()}
        self._working.categories = {k: replace(v) for k, v in self.store.categories.items()}
        self._working.accounts = {k: replace(v) for k, v in self.store.accounts.items()}
        self._working.stored_balances = dict(self.store.stored_balances)
        self._working.stored_cleared = dict(self.store.stored_cleared)
        self._working.transactions = {k: replace(v) for k, v in self.store.transactions.items()}
        self._working.budgets = {k: _copy(v) for k, v in self.store.budgets.items()}
        self._working.totals = dict(self.store.totals)
        self._working.extra = defaultdict(
            dict,
            {n: {k: _copy(v) for k, v in rows.items()} for n, rows in self.store.extra.items()},
        )
        self._bind(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bind(self.store)

    async def commit(self) -> None:
        self.store.users = self._working.users
        self.store.refresh_tokens = self._working.refresh_tokens
        self.store.categories = self._working.categories
        for account in self._working.accounts.values():
            # The real adapter never writes a balance back: only the deltas count.
            stored = self._working.stored_balances[account.id]
            account.balance = Money(stored, account.currency)
            cleared = self._working.stored_cleared[account.id]
            account.cleared_balance = Money(cleared, account.currency)
        self.store.accounts = self._working.accounts
        self.store.stored_balances = self._working.stored_balances
        self.store.stored_cleared = self._working.stored_cleared
        self.store.transactions = self._working.transactions
        self.store.budgets = self._working.budgets
        self.store.totals = self._working.totals
        self.store.extra = self._working.extra
        self.commits += 1

    @property
    def committed(self) -> bool:
        return self.commits > 0


def _copy(value: Any) -> Any:
    try:
        return replace(value)
    except TypeError:
        return value


def personal_caller(number: int, **shared: Role) -> Caller:
    """User ``number`` (``UUID(int=number)``) signed in as the owner of their personal
    household, whose id is the user's own id (as the data migration makes them); ``shared``
    adds memberships by household number, e.g. ``personal_caller(1, h2=Role.VIEWER)``."""
    user_id = UserId(UUID(int=number))
    household = HouseholdId(user_id)
    user = User(
        user_id,
        f"user{number}@example.com",
        "hash",
        None,
        "EUR",
        False,
        True,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        household,
    )
    roles = {household: Role.OWNER}
    roles |= {HouseholdId(UUID(int=int(name[1:]))): role for name, role in shared.items()}
    return Caller(user, roles)
