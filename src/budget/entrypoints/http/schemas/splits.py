"""Wire shapes of split transactions (contract section 10): the parts and the body rules.

A part's amount travels as a decimal string, kept as text in requests (the use cases parse
it in the transaction's currency) and printed with exactly the currency's decimals in
responses. What the body alone tells about its parts (their number, none on a transfer,
no category of the transaction's own beside them) is checked here (``SPLIT_RULES``), so
those 422s come before any lookup; the use cases check the same and the rest (amounts in
the currency, the sum, the parts' categories).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from budget.domain.model.splits import (
    MAX_PART_DESCRIPTION_LENGTH,
    MAX_PARTS,
    MIN_PARTS,
    Split,
    SplitDraft,
    check_count,
    refuse_category_beside_parts,
    refuse_split_transfer,
)
from budget.domain.model.transaction import TransactionType
from budget.entrypoints.http.schemas.common import (
    MONEY_RULE,
    BodyRule,
    MoneyOut,
    MoneyText,
    Strict,
    Text,
    category_ref,
)

PartAmount = Annotated[
    MoneyText,
    msgspec.Meta(
        description=f"Strictly positive, in the transaction's currency. {MONEY_RULE}",
        examples=["7.50"],
    ),
]
PartDescription = Annotated[
    Text,
    msgspec.Meta(
        max_length=MAX_PART_DESCRIPTION_LENGTH,
        description=f"0-{MAX_PART_DESCRIPTION_LENGTH} characters",
        examples=["Cleaning supplies"],
    ),
]
PartCategoryRef = Annotated[
    UUID,
    msgspec.Meta(
        description=(
            "A category of the transaction's household and kind; null: an uncategorised part"
        )
    ),
]


class SplitPart(Strict):
    """One part of a split transaction."""

    amount: PartAmount
    category_id: PartCategoryRef | None = None
    description: PartDescription = ""

    def draft(self) -> SplitDraft:
        return SplitDraft(self.amount, category_ref(self.category_id), self.description)


Splits = Annotated[
    list[SplitPart],
    msgspec.Meta(
        max_length=MAX_PARTS,
        description=(
            "Absent or `[]`: not split. Otherwise income and expenses only (not transfers), "
            f"{MIN_PARTS}-{MAX_PARTS} parts adding up exactly to `amount` (else 422 on "
            "`splits`); the transaction then has no `category_id` of its own, each part has "
            "one. A bad part is a 422 on `splits/<index>/<field>`."
        ),
        # A single part is not a split: JSON Schema says "0 or 2-50" as "not exactly 1".
        extra_json_schema={"extra": {"not": {"type": "array", "minItems": 1, "maxItems": 1}}},
    ),
]


class SplitRead(msgspec.Struct):
    category_id: Annotated[UUID | None, msgspec.Meta(description="null: an uncategorised part")]
    amount: Annotated[
        MoneyOut, msgspec.Meta(description="In the transaction's currency, exactly its decimals")
    ]
    description: str

    @classmethod
    def of(cls, part: Split) -> SplitRead:
        return cls(part.category_id, part.amount.format(), part.description)


# --- the body rules ---------------------------------------------------------------------------


def _part_count(splits: list[SplitPart] | msgspec.UnsetType) -> None:
    if not isinstance(splits, msgspec.UnsetType):
        check_count(len(splits))


def _not_on_a_transfer(
    kind: TransactionType | msgspec.UnsetType, splits: list[SplitPart] | msgspec.UnsetType
) -> None:
    sent = not isinstance(splits, msgspec.UnsetType) and bool(splits)
    refuse_split_transfer(transfer=kind is TransactionType.TRANSFER, split=sent)


def _no_category_beside_parts(
    splits: list[SplitPart] | msgspec.UnsetType, category_id: UUID | msgspec.UnsetType | None
) -> None:
    refuse_category_beside_parts(
        split=not isinstance(splits, msgspec.UnsetType) and bool(splits),
        has_category=category_id is not None and not isinstance(category_id, msgspec.UnsetType),
    )


SPLIT_RULES = (
    BodyRule(("splits",), _part_count),
    BodyRule(("type", "splits"), _not_on_a_transfer),
    BodyRule(("splits", "category_id"), _no_category_beside_parts),
)
"""What a transaction body alone tells about its splits (create and PATCH alike)."""
