"""Ports: what the domain needs from the outside world, as ``typing.Protocol`` classes, one
module per role. Adapters implement them with SQLAlchemy, Argon2, PyJWT and the system clock;
unit tests implement them with in-memory fakes."""

from budget.domain.ports.households import HouseholdRepository, InvitationRepository
from budget.domain.ports.readers import BudgetSpendingReader, ReportReader
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
from budget.domain.ports.security import LoginAttemptStore, PasswordHasher, TokenCodec
from budget.domain.ports.system import Clock, IdFactory
from budget.domain.ports.unit_of_work import UnitOfWork
from budget.domain.ports.verification import BalanceVerifier, TotalsVerifier

__all__ = [
    "AccountRepository",
    "BalanceVerifier",
    "BudgetRepository",
    "BudgetSpendingReader",
    "CategoryRepository",
    "Clock",
    "HouseholdRepository",
    "IdFactory",
    "InvitationRepository",
    "LedgerTotals",
    "LoginAttemptStore",
    "PasswordHasher",
    "RecurringRepository",
    "RefreshTokenRepository",
    "ReportReader",
    "RuleRepository",
    "TokenCodec",
    "TotalsVerifier",
    "TransactionRepository",
    "UnitOfWork",
    "UserRepository",
]
