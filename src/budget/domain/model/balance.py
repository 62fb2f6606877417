"""The balance rule: how a transaction moves the balances of the accounts it touches.

An account's balance is its opening balance plus the effects of its transactions, and its
cleared balance the opening balance plus the effects of its ``cleared`` and ``reconciled``
transactions. Every write of a transaction hands ``balance_change(old, new)`` and
``cleared_change(old, new)`` to the account repository, so the rules live here once and
no use case re-implements them.
"""

from __future__ import annotations

from collections import defaultdict

from budget.domain.model.ids import AccountId
from budget.domain.model.transaction import Transaction, TransactionType


def balance_effects(txn: Transaction) -> dict[AccountId, int]:
    """What ``txn`` adds to each account's balance, in that account's minor units.

    Income adds ``amount`` to its account, an expense subtracts it, and a transfer
    subtracts ``amount`` from the source and adds ``to_amount`` to the destination.

    Raises:
        ValueError: for a transfer without a destination or ``to_amount`` (a broken
            transaction; the model never builds one).
    """
    if txn.type is TransactionType.INCOME:
        return {txn.account_id: txn.amount.minor}
    if txn.type is TransactionType.EXPENSE:
        return {txn.account_id: -txn.amount.minor}
    if txn.to_account_id is None or txn.to_amount is None:
        raise ValueError(f"transfer {txn.id} has no destination or to_amount")
    return {txn.account_id: -txn.amount.minor, txn.to_account_id: txn.to_amount.minor}


def balance_change(old: Transaction | None, new: Transaction | None) -> dict[AccountId, int]:
    """The deltas that take balances from ``old``'s effects to ``new``'s.

    ``old`` None is a creation, ``new`` None a deletion; otherwise an update, where
    ``old`` must be a snapshot taken before the change. Accounts whose balance does not
    move are left out, so an update that touches no money yields ``{}``.
    """
    deltas: defaultdict[AccountId, int] = defaultdict(int)
    if old is not None:
        for account_id, effect in balance_effects(old).items():
            deltas[account_id] -= effect
    if new is not None:
        for account_id, effect in balance_effects(new).items():
            deltas[account_id] += effect
    return {account_id: delta for account_id, delta in deltas.items() if delta != 0}


def cleared_change(old: Transaction | None, new: Transaction | None) -> dict[AccountId, int]:
    """The deltas that take cleared balances from ``old``'s effects to ``new``'s: like
    ``balance_change``, counting only transactions whose status is ``cleared`` or
    ``reconciled``."""
    return balance_change(
        old if old is not None and old.status.is_cleared else None,
        new if new is not None and new.status.is_cleared else None,
    )
