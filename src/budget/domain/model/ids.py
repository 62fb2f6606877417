"""Typed identifiers: every aggregate's id is a UUID with its own name."""

from typing import NewType
from uuid import UUID

UserId = NewType("UserId", UUID)
HouseholdId = NewType("HouseholdId", UUID)
InvitationId = NewType("InvitationId", UUID)
AccountId = NewType("AccountId", UUID)
CategoryId = NewType("CategoryId", UUID)
TransactionId = NewType("TransactionId", UUID)
BudgetId = NewType("BudgetId", UUID)
RecurringId = NewType("RecurringId", UUID)
TokenId = NewType("TokenId", UUID)
TokenFamilyId = NewType("TokenFamilyId", UUID)
RuleId = NewType("RuleId", UUID)
WebhookId = NewType("WebhookId", UUID)
