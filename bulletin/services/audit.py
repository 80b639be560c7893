"""The append-only audit log: who changed what, with the values before and after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bulletin.models import AuditEntry, utcnow


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ, as ``{field: {"before": old, "after": new}}``."""
    return {
        field: {"before": _plain(before.get(field)), "after": _plain(after.get(field))}
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def record(session: Session, actor, action: str, obj, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Add an entry to the session; it is written with the change it describes, in one transaction."""
    entry = AuditEntry(
        actor_id=actor.id,
        actor=actor.email,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        object_key=getattr(obj, "key", None) or getattr(obj, "email", None),
        changes=_plain(changes or {}),
    )
    session.add(entry)
    return entry


def record_changes(session: Session, actor, action: str, subject, snapshot: Callable[[Any], dict[str, Any]],
                   apply: Callable[[], None]) -> bool:
    """Run ``apply`` on ``subject`` and record what it changed, as ``snapshot`` sees it; returns whether
    anything changed. An edit that changes nothing writes nothing: no entry, no new ``updated_at``."""
    before = snapshot(subject)
    apply()
    changes = diff(before, snapshot(subject))
    if not changes:
        return False
    subject.updated_at = utcnow()
    record(session, actor, action, subject, changes)
    return True
