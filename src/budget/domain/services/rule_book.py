"""Applying a household's rules to new transactions: the piece every creator of income and
expenses calls (``RecordTransaction``; an import, once per file).

    book = await load_rule_book(uow, household_id)      # once per unit of work and household
    draft, category = apply_to_draft(book, draft, amount)  # per new transaction, pure

``apply_to_draft`` returns the draft with what the rules filled in and the ``Category`` a
rule chose (None when none did): put it in the transaction's ``Links`` instead of looking it
up again. Reconciliation adjustments and recurring postings never call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from budget.domain.model.category import Category
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.money import Money
from budget.domain.model.rule import Rule, RuleBook, Sent, Subject, applies_to
from budget.domain.model.transaction import Transaction
from budget.domain.ports import UnitOfWork
from budget.domain.services.transaction_inputs import TransactionDraft


async def book_of(uow: UnitOfWork, household_id: HouseholdId, rules: Iterable[Rule]) -> RuleBook:
    """``rules`` with the categories their actions name, found in the household (one read,
    none when no action sets a category)."""
    rules = list(rules)
    wanted: set[CategoryId] = set()
    for rule in rules:
        wanted |= rule.category_ids
    categories = await uow.categories.get_many((household_id,), wanted) if wanted else []
    return RuleBook.of(rules, categories)


async def load_rule_book(uow: UnitOfWork, household_id: HouseholdId) -> RuleBook:
    """The household's active rules, ready to apply to any number of new transactions.

    Without active rules it costs no round trip on the SQL adapter once the unit of work
    has read an account of the household (``RuleRepository.active_for``); with some, two
    reads (the rules, then the categories their actions name).
    """
    rules = await uow.rules.active_for(household_id)
    if not rules:
        return RuleBook()
    return await book_of(uow, household_id, rules)


def apply_to_draft(
    book: RuleBook, draft: TransactionDraft, amount: Money
) -> tuple[TransactionDraft, Category | None]:
    """``draft`` with what the rules fill in (payee, tags, category), and the category a
    rule chose (None when none did); ``amount`` is the draft's amount, already parsed in
    its account's currency. Pure: no I/O."""
    if not book or not applies_to(draft.type):
        return draft, None
    subject = Subject(
        draft.type,
        draft.account_id,
        amount.minor,
        amount.currency.exponent,
        draft.payee,
        draft.description,
    )
    sent = Sent(draft.category_id, draft.payee, tuple(draft.tags), bool(draft.splits))
    outcome = book.apply(subject, sent)
    category_id = draft.category_id if outcome.category is None else outcome.category.id
    filled = replace(draft, category_id=category_id, payee=outcome.payee, tags=outcome.tags)
    return filled, outcome.category


def subject_of(txn: Transaction) -> Subject:
    """An existing transaction as rules see it (``/rules/{id}/apply``)."""
    return Subject(
        txn.type,
        txn.account_id,
        txn.amount.minor,
        txn.currency.exponent,
        txn.payee,
        txn.description,
    )
