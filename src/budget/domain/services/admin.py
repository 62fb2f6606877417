"""Bootstrap administrators (the ``budget create-admin`` command)."""

from __future__ import annotations

from budget.domain.model.user import User, normalize_email
from budget.domain.ports import Clock, IdFactory, PasswordHasher, UnitOfWork
from budget.domain.services.auth import RegisterUser, Registration


class EnsureAdministrator:
    """Register a new administrator, or promote (and re-activate) an existing user.

    An existing user's password is left unchanged.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, ids: IdFactory
    ) -> None:
        self._uow = uow
        self._register = RegisterUser(uow, hasher, clock, ids)
        self._clock = clock

    async def execute(self, registration: Registration) -> User:
        email = normalize_email(registration.email)
        async with self._uow as uow:
            user = await uow.users.get_by_email(email)
            if user is not None:
                user.is_admin = True
                user.is_active = True
                user.touch(self._clock.now())
                await uow.commit()
                return user
        return await self._register.execute(registration, is_admin=True)
