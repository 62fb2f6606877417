"""The unit of work: one atomic piece of work over every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from budget.domain.ports.households import HouseholdRepository, InvitationRepository
from budget.domain.ports.recurring import RecurringRepository
from budget.domain.ports.repositories import (
    AccountRepository,
    BudgetRepository,
    CategoryRepository,
    LedgerTotals,
    RefreshTokenRepository,
    TransactionRepository,
    UserRepository,
)
from budget.domain.ports.rules import RuleRepository
from budget.domain.ports.webhooks import WebhookRepository


class UnitOfWork(Protocol):
    """One atomic piece of work: commit makes every change visible at once.

    Leaving the ``async with`` block without ``commit()`` rolls everything back.
    """

    @property
    def users(self) -> UserRepository: ...

    @property
    def households(self) -> HouseholdRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

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

    @property
    def rules(self) -> RuleRepository: ...

    @property
    def recurring(self) -> RecurringRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
