"""The household's rules (contract section 13) applied to every row of a statement import:
the ``ImportRowRules`` the import use case calls once per file.

Rules see each row as drafted: its type by sign, its amount (unsigned, in the account's
currency), the target account, payee and description as the file gave them, and a category
matched from the file's ``category`` column counting as set. The rule book is read once
per import (``load_rule_book``); each row then goes through ``apply_to_draft``, pure. A row
whose amount the account's currency cannot hold (or in another currency) is left as it
is: it is invalid, and the import refuses it anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from budget.domain.model.account import Account
from budget.domain.model.currency import Currency
from budget.domain.model.imports import RowDraft
from budget.domain.model.money import Money
from budget.domain.model.rule import RuleBook
from budget.domain.ports import UnitOfWork
from budget.domain.services.rule_book import apply_to_draft, load_rule_book
from budget.domain.services.transaction_inputs import TransactionDraft


class HouseholdRowRules:
    """The ``ImportRowRules`` of the household's active rules."""

    async def apply(
        self, uow: UnitOfWork, account: Account, drafts: Sequence[RowDraft]
    ) -> Sequence[RowDraft]:
        if not drafts:
            return drafts
        book = await load_rule_book(uow, account.household_id)
        if not book:
            return drafts
        return [apply_to_row(book, account, draft) for draft in drafts]


def apply_to_row(book: RuleBook, account: Account, draft: RowDraft) -> RowDraft:
    """``draft`` with what the rules fill in (category, payee, tags). Pure."""
    amount = _amount(draft, account.currency)
    if amount is None:
        return draft
    sent = TransactionDraft(
        type=draft.type,
        account_id=account.id,
        amount=amount.format(),
        date=draft.line.date,
        category_id=draft.category_id,
        description=draft.description,
        payee=draft.payee,
        tags=draft.tags,
    )
    filled, _ = apply_to_draft(book, sent, amount)
    return replace(
        draft, category_id=filled.category_id, payee=filled.payee, tags=tuple(filled.tags)
    )


def _amount(draft: RowDraft, currency: Currency) -> Money | None:
    """The row's unsigned amount in ``currency``; None when the row is invalid for it."""
    line = draft.line
    if line.currency is not None and line.currency.strip().upper() != currency.code:
        return None
    amount: Decimal = abs(line.amount)
    if not amount.is_finite() or amount == 0:
        return None
    scaled = amount.scaleb(currency.exponent)
    if scaled != scaled.to_integral_value():
        return None
    return Money(int(scaled), currency)
