"""Use cases of a user's accounts: open, read, list, change and delete them."""

from __future__ import annotations

from dataclasses import dataclass

from budget.domain.errors import ACCOUNT_IN_USE, AccountInUseError, ConflictError, NotFoundError
from budget.domain.model.account import Account, AccountType, parse_opening_balance
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, UserId
from budget.domain.model.ledger_queries import AccountFilters
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.ports import Clock, IdFactory, UnitOfWork


class AccountNotFoundError(NotFoundError):
    """The account does not exist for this user."""

    title = "Account not found"


class AccountNameTakenError(ConflictError):
    """Another unarchived account of the user has this name."""

    title = "Account name already in use"


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """A new account as the client sent it; ``opening_balance`` is still wire text."""

    name: str
    type: AccountType
    currency: str
    opening_balance: str = "0"
    archived: bool = False


@dataclass(frozen=True, slots=True)
class AccountChanges:
    """The fields a PATCH sent; the others are ``UNSET``."""

    name: str | Unset = UNSET
    type: AccountType | Unset = UNSET
    currency: str | Unset = UNSET
    opening_balance: str | Unset = UNSET
    archived: bool | Unset = UNSET


async def existing_account(
    uow: UnitOfWork, owner: UserId, account_id: AccountId, *, for_update: bool = False
) -> Account:
    """The owner's account, or ``AccountNotFoundError`` (also for someone else's)."""
    account = await uow.accounts.get(owner, account_id, for_update=for_update)
    if account is None:
        raise AccountNotFoundError()
    return account


async def _check_name_free(uow: UnitOfWork, account: Account) -> None:
    if account.archived:
        return
    if await uow.accounts.name_taken(account.owner_id, account.name, account.id):
        raise AccountNameTakenError(f"You already have an account named {account.name!r}.")


class CreateAccount:
    """Open an account; its balance starts at its opening balance.

    Raises:
        RuleViolationError: bad name, currency or opening balance.
        AccountNameTakenError: an unarchived account of the user has the name already.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, owner: UserId, draft: AccountDraft) -> Account:
        opening = parse_opening_balance(draft.opening_balance, Currency.of(draft.currency))
        account = Account.open(
            AccountId(self._ids.new_id()),
            owner,
            draft.name,
            draft.type,
            opening,
            self._clock.now(),
            archived=draft.archived,
        )
        async with self._uow as uow:
            await _check_name_free(uow, account)
            uow.accounts.add(account)
            await uow.commit()
        return account


class GetAccount:
    """Read one of the user's accounts.

    Raises:
        AccountNotFoundError: no such account for this user.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, owner: UserId, account_id: AccountId) -> Account:
        async with self._uow as uow:
            return await existing_account(uow, owner, account_id)


class ListAccounts:
    """List the user's accounts, filtered, sorted and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, owner: UserId, filters: AccountFilters, page: PageRequest, sort: Sort
    ) -> Page[Account]:
        async with self._uow as uow:
            return await uow.accounts.list(owner, filters, page, sort)


class UpdateAccount:
    """Change an account's name, type, opening balance or archived flag.

    The currency cannot change; sending the same one is accepted. A new opening balance
    moves the balance by the difference, through the balance rule's deltas.

    Raises:
        AccountNotFoundError: no such account for this user.
        RuleViolationError: bad name or opening balance, or another currency.
        AccountNameTakenError: the account would be unarchived under a taken name.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, owner: UserId, account_id: AccountId, changes: AccountChanges
    ) -> Account:
        async with self._uow as uow:
            # Locked, so that a concurrent delete either waits for this change or wins
            # before it (then the account is not found).
            account = await existing_account(uow, owner, account_id, for_update=True)
            _apply_fields(account, changes)
            await _check_name_free(uow, account)
            if not isinstance(changes.opening_balance, Unset):
                opening = parse_opening_balance(changes.opening_balance, account.currency)
                delta = account.change_opening_balance(opening)
                await uow.accounts.record_balance_deltas({account.id: delta} if delta else {})
            account.touch(self._clock.now())
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
        AccountNotFoundError: no such account for this user.
        AccountInUseError: transactions refer to the account.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, owner: UserId, account_id: AccountId) -> None:
        async with self._uow as uow:
            account = await existing_account(uow, owner, account_id, for_update=True)
            if await uow.accounts.has_transactions(account.id):
                raise AccountInUseError(ACCOUNT_IN_USE)
            await uow.accounts.delete(account)
            await uow.commit()
