"""The ``sort`` parameter of the rule list (see ``sorts.py``) and the OpenAPI descriptions
of the rules' enums."""

from __future__ import annotations

from enum import Enum, StrEnum

from budget.domain.model.rule import DEFAULT_RULE_SORT, RULE_SORTS, RuleField, RuleOp, SetField
from budget.entrypoints.http.sorts import sort_keys

RuleSort = StrEnum("RuleSort", sort_keys(RULE_SORTS))  # type: ignore[misc]
RULES_BY_DEFAULT = RuleSort(DEFAULT_RULE_SORT)

RULE_ENUM_DESCRIPTIONS: dict[type[Enum], str] = {
    RuleSort: "How a list of rules is ordered: a field, or -field to reverse",
    RuleField: "What a rule's condition looks at, on the transaction as sent",
    RuleOp: "How a rule's condition compares (text: case-insensitive; amount: as a value)",
    SetField: "The field a rule's set action fills when the request left it empty",
}
