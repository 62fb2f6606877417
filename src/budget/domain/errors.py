"""The domain's error tree.

Errors carry data and a human title, never an HTTP status: the HTTP edge maps each
category (not found, conflict, rule violation, ...) to its answer.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    title = "Domain error"

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


class NotFoundError(DomainError):
    """The resource does not exist for this user (or belongs to someone else)."""

    title = "Resource not found"


class ConflictError(DomainError):
    """The operation clashes with the current state (duplicate, or blocked delete)."""

    title = "Conflict"


class GoneError(DomainError):
    """What was asked for existed once and is no longer kept (an expired feed token)."""

    title = "Gone"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input: where it is (a field path such as ``amount``) and why."""

    field: str
    detail: str
    in_query: bool = False


class RuleViolationError(DomainError):
    """Input that breaks a business rule; ``problems`` say which fields and why."""

    title = "Validation failed"

    def __init__(self, *problems: FieldProblem, detail: str | None = None) -> None:
        self.problems = problems
        super().__init__(detail or "; ".join(f"{p.field}: {p.detail}" for p in problems))

    @classmethod
    def on(cls, field_name: str, detail: str) -> RuleViolationError:
        """A violation of a single body field."""
        return cls(FieldProblem(field_name, detail))

    @classmethod
    def on_query(cls, parameter: str, detail: str) -> RuleViolationError:
        """A violation of a single query parameter."""
        return cls(FieldProblem(parameter, detail, in_query=True))


class AuthenticationError(DomainError):
    """Credentials or a token that do not prove who the caller is."""

    title = "Authentication required"


class PermissionDeniedError(DomainError):
    """The caller is known but not allowed to do this."""

    title = "Forbidden"


class RateLimitedError(DomainError):
    """Too many attempts; retry after ``retry_after`` seconds."""

    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(detail or f"Too many attempts; retry in {self.retry_after} seconds.")


class StorageUnavailableError(DomainError):
    """The database cannot be reached right now; the caller may retry later."""

    title = "Service unavailable"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "The database is unavailable; retry shortly.")


ACCOUNT_IN_USE = "The account has transactions; archive it instead of deleting it."
RECURRING_ACCOUNT_IN_USE = (
    "A recurring transaction uses the account; delete the template or change its account first."
)


class AccountInUseError(ConflictError):
    """Transactions refer to the account, so it cannot be deleted."""

    title = "Account has transactions"


class ConcurrentChangeError(ConflictError):
    """Two writers needed each other's rows at once and the database chose this one to
    give way (a deadlock or a serialisation failure): nothing was written; the use case may
    run again."""

    title = "Concurrent change"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "Another change got in the way; retry the request.")


class ImportIdTakenError(ConflictError):
    """Another live transaction of the account already has this ``import_id``."""

    title = "Import id already in use"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "Another transaction of the account has this import_id.")
