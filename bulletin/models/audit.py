from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow

# What stands in ``changes`` for a value the retention purge removed (bulletin.services.retention).
REMOVED = {"removed": True}


def is_removed(value: Any) -> bool:
    return value == REMOVED


class AuditEntry(SQLModel, table=True):
    """One change by one actor. Append-only: bulletin.db refuses updates and deletes of these rows.

    The one exception: once the retention period has passed, the purge removes personal details (an
    address as ``actor`` or ``object_key``, the values in ``changes`` that may name people) and sets
    ``redacted_at``; who did what to which object, and when, stays.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # No foreign key: the log must outlive the accounts and objects it speaks of.
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=254)  # the user's email, or "import" / "cli" for the command line
    action: str = Field(max_length=50, index=True)  # e.g. "posting.create"
    object_type: str = Field(max_length=30)
    object_id: int | None = Field(default=None)
    object_key: str | None = Field(default=None, max_length=100)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    redacted_at: datetime | None = Field(default=None)  # when personal details were last removed
