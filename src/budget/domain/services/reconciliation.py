"""Reconciling an account against a bank statement (``model/reconciliation.py``).

One unit of work locks the account first (``for_update``), so two reconciliations of one
account run one after the other and the second sees what the first did (no double
adjustment); then it reads the cleared balance as of the statement date, records the
adjustment if one is asked for, moves the cleared transactions to ``reconciled`` and sets
``last_reconciled_on``, all committed together. It runs again when the database makes it
give way to a concurrent writer (``concurrency.retrying``).
"""

from __future__ import annotations

import datetime as dt

from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.reconciliation import (
    ADJUSTMENT_PAYEE,
    Reconciliation,
    StatementMismatchError,
    adjustment_for,
    check_statement_date,
)
from budget.domain.model.transaction import (
    Links,
    Note,
    Posting,
    Transaction,
    TransactionStatus,
)
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.accounts import existing_account
from budget.domain.services.concurrency import retrying
from budget.domain.services.transactions import record_effects


class ReconcileAccount:
    """Reconcile an account with a statement (the contract, section 10).

    Raises:
        RuleViolationError: on ``statement_date`` (after today) or ``statement_balance``
            (not an amount of the account's currency).
        AccountNotFoundError: no such account in the caller's households.
        PermissionDeniedError: the caller is a viewer of the account's household.
        StatementMismatchError: the balances differ and ``adjust`` is false.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self,
        caller: Caller,
        account_id: AccountId,
        statement_date: dt.date,
        statement_balance: str,
        *,
        adjust: bool = False,
    ) -> Reconciliation:
        check_statement_date(statement_date, self._clock.today())
        return await retrying(
            lambda: self._attempt(caller, account_id, statement_date, statement_balance, adjust)
        )

    async def _attempt(
        self,
        caller: Caller,
        account_id: AccountId,
        statement_date: dt.date,
        statement_balance: str,
        adjust: bool,
    ) -> Reconciliation:
        async with self._uow as uow:
            account = await existing_account(uow, caller.visible(), account_id, for_update=True)
            caller.require_write(account.household_id)
            statement = Money.parse(statement_balance, account.currency, field="statement_balance")
            cleared = Money(
                await uow.accounts.cleared_balance_as_of(account, statement_date),
                account.currency,
            )
            difference = statement.minus(cleared)
            adjustment = adjustment_for(difference)
            adjustment_id: TransactionId | None = None
            if adjustment is not None:
                if not adjust:
                    raise StatementMismatchError(difference)
                kind, amount = adjustment
                now = self._clock.now()
                txn = Transaction.record(
                    TransactionId(self._ids.new_id()),
                    account.household_id,
                    Posting(kind, Links(account, None, None), amount, None),
                    statement_date,
                    Note("", ADJUSTMENT_PAYEE, ()),
                    now,
                    status=TransactionStatus.RECONCILED,
                )
                uow.transactions.add(txn)
                await record_effects(uow, None, txn)
                adjustment_id = txn.id
            now = self._clock.now()
            count = await uow.transactions.reconcile(account.id, statement_date, now)
            account.mark_reconciled(statement_date, now)
            await uow.commit()
        return Reconciliation(
            account.id, statement_date, statement, cleared, difference, count, adjustment_id
        )
