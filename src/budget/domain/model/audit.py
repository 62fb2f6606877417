"""The audit trail's rule: which fields of a resource's wire representation a write changed.

An audit entry says who (``actor_id``, None for the service itself), when, and for each
changed field of the representation its ``{"from": ..., "to": ...}`` in wire format.
``updated_at`` and derived fields (balances) are never recorded; read-only fields are not
recorded on create either (only what a client could have written). A write that changes
nothing records nothing (``update_changes`` is empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

NEVER_RECORDED = frozenset({"id", "created_at", "updated_at", "balance", "cleared_balance"})
"""Fields no audit entry carries: identity, timestamps and derived balances."""

READ_ONLY_ON_CREATE = frozenset({"last_reconciled_on", "recurring_id"})
"""Read-only fields a create leaves out (nobody wrote them)."""

Changes = dict[str, dict[str, Any]]


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded write of one resource."""

    at: datetime
    actor_id: UUID | None
    action: AuditAction
    changes: Changes


def creation_changes(after: Mapping[str, Any]) -> Changes:
    """Every writable field of a new resource's representation, ``from`` null."""
    hidden = NEVER_RECORDED | READ_ONLY_ON_CREATE
    return {
        name: {"from": None, "to": value} for name, value in after.items() if name not in hidden
    }


def update_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields whose wire value differs between ``before`` and ``after`` (none: the write
    changed nothing a client can see)."""
    return {
        name: {"from": before.get(name), "to": value}
        for name, value in after.items()
        if name not in NEVER_RECORDED and before.get(name) != value
    }
