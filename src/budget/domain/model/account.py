"""Accounts: where money sits, in one currency, with a balance that only the ledger moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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

    def shift_balance(self, delta: int) -> None:
        """Move the balance by ``delta`` minor units (for repositories applying deltas)."""
        self.balance = Money(self.balance.minor + delta, self.currency)

    def touch(self, now: datetime) -> None:
        """Record a change."""
        self.updated_at = now
