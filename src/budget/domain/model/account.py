"""Accounts: where money sits, in one currency, with a balance that only the ledger moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import clean_name
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.money import Money


class AccountType(StrEnum):
    """What kind of account it is; informational only, no rule depends on it."""

    CHECKING = "checking"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    INVESTMENT = "investment"
    LOAN = "loan"
    OTHER = "other"


def parse_opening_balance(text: str, currency: Currency) -> Money:
    """Read an opening balance (any sign) in the account's currency.

    Raises:
        RuleViolationError: on ``opening_balance`` for a malformed or out-of-range amount.
    """
    return Money.parse(text, currency, field="opening_balance")


@dataclass(eq=False, slots=True)
class Account:
    """A user's account in one currency.

    ``balance`` is always ``opening_balance`` plus the balance effects of the account's
    transactions. Use cases never assign it: they hand deltas to
    ``AccountRepository.record_balance_deltas``, which calls ``shift_balance``.

    Raises:
        RuleViolationError: on ``name`` (1-100 characters after trimming) and on
            ``currency`` (fixed at creation).
    """

    id: AccountId
    household_id: HouseholdId
    name: str
    type: AccountType
    currency: Currency
    opening_balance: Money
    balance: Money
    archived: bool
    created_at: datetime
    updated_at: datetime
    cleared_balance: Money | None = None
    last_reconciled_on: date | None = None

    def __post_init__(self) -> None:
        if self.cleared_balance is None:
            self.cleared_balance = self.opening_balance

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Account) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def open(
        cls,
        account_id: AccountId,
        household_id: HouseholdId,
        name: str,
        account_type: AccountType,
        opening_balance: Money,
        now: datetime,
        *,
        archived: bool = False,
    ) -> Account:
        """A new account whose balance is its opening balance."""
        return cls(
            account_id,
            household_id,
            clean_name(name),
            account_type,
            opening_balance.currency,
            opening_balance,
            opening_balance,
            archived,
            now,
            now,
        )

    def rename(self, name: str) -> None:
        """Trim and set the name (uniqueness is the use case's concern)."""
        self.name = clean_name(name)

    def check_currency(self, code: str) -> None:
        """Accept a currency only if it is the account's own: it cannot change.

        Raises:
            RuleViolationError: on ``currency`` for an unknown code or another currency.
        """
        if Currency.of(code) != self.currency:
            raise RuleViolationError.on(
                "currency", "cannot be changed after the account is created"
            )

    def change_opening_balance(self, opening_balance: Money) -> int:
        """Set a new opening balance; returns the delta the balance must move by."""
        if opening_balance.currency != self.currency:
            raise RuleViolationError.on("opening_balance", f"must be in {self.currency.code}")
        delta = opening_balance.minor - self.opening_balance.minor
        self.opening_balance = opening_balance
        return delta

    def shift_balance(self, delta: int, cleared_delta: int = 0) -> None:
        """Move the balance by ``delta`` and the cleared balance by ``cleared_delta`` minor
        units (for repositories applying deltas)."""
        self.balance = Money(self.balance.minor + delta, self.currency)
        cleared = self.opening_balance if self.cleared_balance is None else self.cleared_balance
        self.cleared_balance = Money(cleared.minor + cleared_delta, self.currency)

    @property
    def cleared(self) -> Money:
        """The cleared balance (opening balance plus cleared and reconciled effects)."""
        return self.opening_balance if self.cleared_balance is None else self.cleared_balance

    def mark_reconciled(self, statement_date: date, now: datetime) -> None:
        """Record a reconciliation on ``statement_date``; ``last_reconciled_on`` never moves
        back."""
        if self.last_reconciled_on is None or statement_date > self.last_reconciled_on:
            self.last_reconciled_on = statement_date
        self.updated_at = now

    def touch(self, now: datetime) -> None:
        """Record a change."""
        self.updated_at = now
