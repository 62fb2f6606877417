"""Users, e-mail addresses and the password policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import HouseholdId, UserId

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_DISPLAY_NAME_LENGTH = 100


def normalize_email(raw: str, *, field: str = "email") -> str:
    """Trim and lower-case an address so that look-ups ignore case; reject malformed ones."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise RuleViolationError.on(field, "must be a valid e-mail address")
    return email


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, lower-cased."""
    text = resources.files("budget.domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_password_policy(password: str, email: str, *, field: str = "password") -> None:
    """Enforce the contract's policy: 8-128 characters, not the e-mail, not a common password.

    Raises:
        RuleViolationError: naming ``field`` with the reason.
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise RuleViolationError.on(
            field, f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long"
        )
    lowered = password.strip().lower()
    if lowered == email.lower() or lowered == email.split("@", 1)[0].lower():
        raise RuleViolationError.on(field, "must not be your e-mail address")
    if lowered in common_passwords():
        raise RuleViolationError.on(field, "is too common; choose a less guessable password")


def clean_display_name(raw: str | None) -> str | None:
    """Trim a display name; blank becomes None."""
    if raw is None:
        return None
    name = raw.strip()
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise RuleViolationError.on(
            "display_name", f"must be at most {MAX_DISPLAY_NAME_LENGTH} characters"
        )
    return name or None


@dataclass(eq=False, slots=True)
class User:
    """A person: a member of one or more households."""

    id: UserId
    email: str
    password_hash: str
    display_name: str | None
    default_currency: str
    is_admin: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime
    default_household_id: HouseholdId | None = None
    """Where new resources go and what reports cover unless told otherwise; always set
    once the user is registered (see ``household.py``)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def touch(self, now: datetime) -> None:
        """Record a change."""
        self.updated_at = now
