"""Reading the audit log: filtered lists for the coordinator, and the entries about one object.

Only reads: entries are written by services.audit.record and never changed (bulletin.db guards that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from bulletin.db import casefold
from bulletin.models import AuditEntry

DETAIL_LIMIT = 100  # entries shown on a desk detail page; the audit page has them all


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # part of the actor's email or label
    action: str | None = None
    object_type: str | None = None
    object_key: str | None = None  # part of the key (or a user's email)
    date_from: date | None = None  # days in UTC, both ends included
    date_to: date | None = None


def _contains(column, text: str):
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return casefold(column).like(f"%{escaped}%", escape="\\")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries(filters: AuditFilter = AuditFilter()):
    """A statement for the matching entries, newest first."""
    statement = select(AuditEntry)
    if filters.actor:
        statement = statement.where(_contains(AuditEntry.actor, filters.actor))
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEntry.object_type == filters.object_type)
    if filters.object_key:
        statement = statement.where(_contains(AuditEntry.object_key, filters.object_key))
    if filters.date_from:
        statement = statement.where(AuditEntry.created_at >= _start_of(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEntry.created_at < _start_of(filters.date_to + timedelta(days=1)))
    return statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def known_actions(session: Session) -> list[str]:
    return sorted(session.exec(select(AuditEntry.action).distinct()).all())


def known_object_types(session: Session) -> list[str]:
    return sorted(session.exec(select(AuditEntry.object_type).distinct()).all())


def entries_about(
    session: Session, object_type: str, object_id: int, limit: int = DETAIL_LIMIT
) -> list[AuditEntry]:
    """The newest entries about one organisation, posting, report or account."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.exec(statement))
