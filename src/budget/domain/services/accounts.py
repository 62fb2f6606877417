"""Use cases of accounts: open, read, list, change and delete them, in the caller's households."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from budget.domain.errors import (
    ACCOUNT_IN_USE,
    RECURRING_ACCOUNT_IN_USE,
    AccountInUseError,
    ConflictError,
    NotFoundError,
)
from budget.domain.model.account import Account, AccountType, parse_opening_balance
from budget.domain.model.currency import Currency
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.ledger_queries import AccountFilters
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.webhook import EventType
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.webhooks import announce, deleted


class AccountNotFoundError(NotFoundError):
    """The account does not exist in the caller's households."""

    title = "Account not found"


class AccountNameTakenError(ConflictError):
    """Another unarchived account of the household has this name."""

    title = "Account name already in use"


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """A new account as the client sent it; ``opening_balance`` is still wire text."""

    name: str
    type: AccountType
    currency: str
    opening_balance: str = "0"
    archived: bool = False
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class AccountChanges:
    """The fields a PATCH sent; the others are ``UNSET``."""

    name: str | Unset = UNSET
    type: AccountType | Unset = UNSET
    currency: str | Unset = UNSET
    opening_balance: str | Unset = UNSET
    archived: bool | Unset = UNSET


async def existing_account(
    uow: UnitOfWork,
    scope: Sequence[HouseholdId],
    account_id: AccountId,
    *,
    for_update: bool = False,
) -> Account:
    """The account in one of the ``scope`` households, or ``AccountNotFoundError`` (also
    for another household's)."""
    account = await uow.accounts.get(scope, account_id, for_update=for_update)
    if account is None:
        raise AccountNotFoundError()
    return account


async def _check_name_free(uow: UnitOfWork, account: Account) -> None:
    if account.archived:
        return
    if await uow.accounts.name_taken(account.household_id, account.name, account.id):
        raise AccountNameTakenError(f"The household already has an account named {account.name!r}.")


class CreateAccount:
    """Open an account; its balance starts at its opening balance.

    Raises:
        RuleViolationError: bad name, currency or opening balance; on ``household_id``, a
            household the caller is not in.
        PermissionDeniedError: the caller is a viewer of the household.
        AccountNameTakenError: an unarchived account of the household has the name already.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: AccountDraft) -> Account:
        opening = parse_opening_balance(draft.opening_balance, Currency.of(draft.currency))
        household = caller.household_for_new(draft.household_id)
        account = Account.open(
            AccountId(self._ids.new_id()),
            household,
            draft.name,
            draft.type,
            opening,
            self._clock.now(),
            archived=draft.archived,
        )
        async with self._uow as uow:
            await _check_name_free(uow, account)
            uow.accounts.add(account)
            announce(uow, caller, household, EventType.ACCOUNT_CREATED, account, account.created_at)
            await uow.commit()
        return account


class GetAccount:
    """Read an account of one of the caller's households.

    Raises:
        AccountNotFoundError: no such account in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, account_id: AccountId) -> Account:
        async with self._uow as uow:
            return await existing_account(uow, caller.visible(), account_id)


class ListAccounts:
    """List the accounts of every household of the caller (or of ``household_id`` alone),
    filtered, sorted and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        filters: AccountFilters,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[Account]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.accounts.list(scope, filters, page, sort)


class UpdateAccount:
    """Change an account's name, type, opening balance or archived flag.

    The currency cannot change; sending the same one is accepted. A new opening balance
    moves the balance and the cleared balance by the difference, through the balance
    rule's deltas.

    Raises:
        AccountNotFoundError: no such account in the caller's households.
        PermissionDeniedError: the caller is a viewer of the account's household.
        RuleViolationError: bad name or opening balance, or another currency.
        AccountNameTakenError: the account would be unarchived under a taken name.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, account_id: AccountId, changes: AccountChanges
    ) -> Account:
        async with self._uow as uow:
            # Locked, so that a concurrent delete either waits for this change or wins
            # before it (then the account is not found).
            account = await existing_account(uow, caller.visible(), account_id, for_update=True)
            caller.require_write(account.household_id)
            _apply_fields(account, changes)
            await _check_name_free(uow, account)
            if not isinstance(changes.opening_balance, Unset):
                opening = parse_opening_balance(changes.opening_balance, account.currency)
                delta = account.change_opening_balance(opening)
                # The cleared balance starts from the opening balance too.
                moved = {account.id: delta} if delta else {}
                await uow.accounts.record_balance_deltas(moved, moved)
            account.touch(self._clock.now())
            announce(
                uow,
                caller,
                account.household_id,
                EventType.ACCOUNT_UPDATED,
                account,
                account.updated_at,
            )
            await uow.commit()
        return account


def _apply_fields(account: Account, changes: AccountChanges) -> None:
    if not isinstance(changes.currency, Unset):
        account.check_currency(changes.currency)
    if not isinstance(changes.name, Unset):
        account.rename(changes.name)
    account.type = pick(changes.type, account.type)
    account.archived = pick(changes.archived, account.archived)


class DeleteAccount:
    """Delete an account that no transaction touches (archive it otherwise).

    The account is locked before the check, so a transaction recorded on it concurrently
    either lands first (and the delete is refused) or waits and finds the account gone.

    Raises:
        AccountNotFoundError: no such account in the caller's households.
        PermissionDeniedError: the caller is a viewer of the account's household.
        AccountInUseError: transactions or recurring templates refer to the account.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, account_id: AccountId) -> None:
        async with self._uow as uow:
            account = await existing_account(uow, caller.visible(), account_id, for_update=True)
            caller.require_write(account.household_id)
            if await uow.accounts.has_transactions(account.id):
                raise AccountInUseError(ACCOUNT_IN_USE)
            if await uow.recurring.uses_account(account.household_id, account.id):
                raise AccountInUseError(RECURRING_ACCOUNT_IN_USE)
            await uow.accounts.delete(account)
            announce(
                uow, caller, account.household_id, EventType.ACCOUNT_DELETED, deleted(account.id)
            )
            await uow.commit()
