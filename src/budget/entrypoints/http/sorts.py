"""The ``sort`` parameter of each list: an enum of its allow-list, ``field`` or ``-field``.

Being enums, the allow-lists reach the OpenAPI document (one component per list) and are
checked with every other parameter, so a bad ``sort`` is reported together with the rest
of a request's bad fields. ``Sort.parse`` still guards the use cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum, StrEnum

from budget.domain.model.budget import BUDGET_SORTS, DEFAULT_BUDGET_SORT
from budget.domain.model.ledger_queries import (
    ACCOUNT_SORTS,
    CATEGORY_SORTS,
    DEFAULT_ACCOUNT_SORT,
    DEFAULT_CATEGORY_SORT,
    DEFAULT_TRANSACTION_SORT,
    TRANSACTION_SORTS,
)
from budget.domain.services.exchange_rates import EXCHANGE_RATE_SORTS
from budget.domain.services.households import HOUSEHOLD_SORTS
from budget.domain.services.recurring import DEFAULT_RECURRING_SORT, RECURRING_SORTS
from budget.domain.services.users import USER_SORTS
from budget.domain.services.webhooks import DEFAULT_WEBHOOK_SORT, WEBHOOK_SORTS


def sort_keys(allowed: Sequence[str]) -> dict[str, str]:
    """Each field of ``allowed`` ascending, then descending: ``name``, ``-name``, ..."""
    return {key: key for field in allowed for key in (field, f"-{field}")}


# Made from the domain's allow-lists: mypy cannot list the members (it still knows each is
# a StrEnum, a str), hence the ignores.
AccountSort = StrEnum("AccountSort", sort_keys(ACCOUNT_SORTS))  # type: ignore[misc]
CategorySort = StrEnum("CategorySort", sort_keys(CATEGORY_SORTS))  # type: ignore[misc]
TransactionSort = StrEnum("TransactionSort", sort_keys(TRANSACTION_SORTS))  # type: ignore[misc]
BudgetSort = StrEnum("BudgetSort", sort_keys(BUDGET_SORTS))  # type: ignore[misc]
UserSort = StrEnum("UserSort", sort_keys(USER_SORTS))  # type: ignore[misc]
HouseholdSort = StrEnum("HouseholdSort", sort_keys(HOUSEHOLD_SORTS))  # type: ignore[misc]
ExchangeRateSort = StrEnum(  # type: ignore[misc]
    "ExchangeRateSort", sort_keys(EXCHANGE_RATE_SORTS)
)
RecurringSort = StrEnum("RecurringSort", sort_keys(RECURRING_SORTS))  # type: ignore[misc]
WebhookSort = StrEnum("WebhookSort", sort_keys(WEBHOOK_SORTS))  # type: ignore[misc]

ACCOUNTS_BY_DEFAULT = AccountSort(DEFAULT_ACCOUNT_SORT)
CATEGORIES_BY_DEFAULT = CategorySort(DEFAULT_CATEGORY_SORT)
TRANSACTIONS_BY_DEFAULT = TransactionSort(DEFAULT_TRANSACTION_SORT)
BUDGETS_BY_DEFAULT = BudgetSort(DEFAULT_BUDGET_SORT)
USERS_BY_DEFAULT = UserSort("created_at")
HOUSEHOLDS_BY_DEFAULT = HouseholdSort("created_at")
EXCHANGE_RATES_BY_DEFAULT = ExchangeRateSort("-date")
RECURRING_BY_DEFAULT = RecurringSort(DEFAULT_RECURRING_SORT)
WEBHOOKS_BY_DEFAULT = WebhookSort(DEFAULT_WEBHOOK_SORT)

SORT_DESCRIPTIONS: dict[type[Enum], str] = {
    AccountSort: "How a list of accounts is ordered: a field, or -field to reverse",
    CategorySort: "How a list of categories is ordered: a field, or -field to reverse",
    TransactionSort: "How a list of transactions is ordered: a field, or -field to reverse",
    BudgetSort: "How a list of budgets is ordered: a field, or -field to reverse",
    UserSort: "How a list of users is ordered: a field, or -field to reverse",
    HouseholdSort: "How a list of households is ordered: a field, or -field to reverse",
    ExchangeRateSort: "How a list of exchange rates is ordered: date, or -date to reverse",
    RecurringSort: "How a list of recurring transactions is ordered: a field, or -field to reverse",
    WebhookSort: "How a list of webhooks is ordered: a field, or -field to reverse",
}
"""The enum components' descriptions in the OpenAPI document."""
