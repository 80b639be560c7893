"""Removing personal details from old audit entries, the one change the append-only log allows.

An entry keeps who did what to which object, and when. What may name people goes once the retention
period (BULLETIN_AUDIT_PERSONAL_DAYS) has passed since the last entry that speaks of it:

- an e-mail address (as the actor, as a user entry's object key, as a draft's translator) whose account
  no longer exists or has been deactivated;
- every value not on the list below from entries about an organisation, posting, account or report that
  no longer exists: a rejected sign-up's e-mail, phone, street address and self-description, the members
  it listed, the coordinator's reason; a deleted posting's title and text; a deleted report's note.

"The last entry that speaks of it" makes the period count from the end: a sign-up rejected today keeps
its details for the full period, however old its first entries are, and an account deactivated
yesterday keeps its address in the log for as long as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bulletin.db import audit_redaction
from bulletin.models import AuditEntry, Organisation, Posting, Report, User, utcnow
from bulletin.models.audit import REMOVED, is_removed

BATCH = 500  # entries per transaction: the board keeps serving while the purge runs

# What an entry about a vanished object keeps: codes, dates, flags and keys, never free text or contacts.
# Anything else (and so any field added later) is removed; a new field that names nobody belongs here.
KEPT_FIELDS = {
    "organisation": frozenset({
        "name", "type", "district", "languages", "verified", "status", "outdated", "featured",
        "match_digest", "logo", "language", "draft", "message",
    }),
    "posting": frozenset({
        "type", "category", "district", "valid_until", "status", "original_language", "outdated",
        "moderation", "language", "draft", "organisation",
    }),
    "user": frozenset({"role", "organisation", "languages", "active", "privacy_notice"}),
    "report": frozenset({"about", "reason", "status"}),
}
ADDRESS_FIELDS = ("translator",)  # values in ``changes`` that are one account's address
LIST_OF_ADDRESSES = ("members",)  # values in ``changes`` that list accounts' addresses


def _is_address(value: Any) -> bool:
    return isinstance(value, str) and "@" in value


def _normal(address: str) -> str:
    return address.strip().lower()  # as accounts store them; an applicant's may be typed otherwise


@dataclass
class _Board:
    """What exists now, and what the log has spoken of within the period."""

    living: dict[str, dict[int, str | None]]  # object type -> id -> key (a user's: the address)
    active_addresses: set[str]
    recent_subjects: set[tuple[str, int]]
    recent_addresses: set[str]

    def address_ended(self, address: str) -> bool:
        address = _normal(address)
        return address not in self.recent_addresses and address not in self.active_addresses

    def subject_gone(self, entry: AuditEntry) -> bool:
        if entry.object_type not in KEPT_FIELDS or entry.object_id is None:
            return False
        if (entry.object_type, entry.object_id) in self.recent_subjects:
            return False
        keys = self.living[entry.object_type]
        if entry.object_id not in keys:
            return True
        # Same id, other key: SQLite may give a deleted row's id to a new one. None: redacted before.
        key = entry.object_key
        if key is None or keys[entry.object_id] is None:
            return False
        if entry.object_type == "user":
            return _normal(key) != keys[entry.object_id]
        return key != keys[entry.object_id]


def _mentions(actor: str, object_type: str, object_key: str | None, changes: dict) -> Iterable[str]:
    if _is_address(actor):
        yield actor
    if object_type == "user" and _is_address(object_key):
        yield object_key
    for field in ADDRESS_FIELDS:
        if _is_address(changes.get(field)):
            yield changes[field]
    for field in LIST_OF_ADDRESSES:
        value = changes.get(field)
        if isinstance(value, list):
            yield from (item for item in value if _is_address(item))


def _survey(session: Session, before: datetime) -> _Board:
    living = {
        "organisation": dict(session.exec(select(Organisation.id, Organisation.key)).all()),
        "posting": dict(session.exec(select(Posting.id, Posting.key)).all()),
        "user": dict(session.exec(select(User.id, User.email)).all()),
        "report": {report_id: None for report_id in session.exec(select(Report.id)).all()},
    }
    active = set(session.exec(select(User.email).where(User.active.is_(True))).all())
    recent_subjects: set[tuple[str, int]] = set()
    recent_addresses: set[str] = set()
    recent = select(AuditEntry.actor, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.object_key,
                    AuditEntry.changes).where(AuditEntry.created_at >= before)
    for actor, object_type, object_id, object_key, changes in session.exec(recent):
        if object_id is not None:
            recent_subjects.add((object_type, object_id))
        recent_addresses.update(_normal(address) for address in _mentions(actor, object_type, object_key,
                                                                           changes or {}))
    return _Board(living, active, recent_subjects, recent_addresses)


def _must_go(field: str, value: Any, board: _Board, kept: frozenset[str] | None) -> bool:
    """Whether one value of ``changes`` goes; ``kept`` when the entry's object is gone, else None."""
    if is_removed(value):
        return False
    if kept is not None and field not in kept:
        return True
    if field in ADDRESS_FIELDS:
        return _is_address(value) and board.address_ended(value)
    if field in LIST_OF_ADDRESSES and isinstance(value, list):
        return any(_is_address(item) and board.address_ended(item) for item in value)
    return False


def _redacted_changes(entry: AuditEntry, board: _Board) -> dict:
    kept = KEPT_FIELDS.get(entry.object_type, frozenset()) if board.subject_gone(entry) else None
    return {
        field: dict(REMOVED) if _must_go(field, value, board, kept) else value
        for field, value in (entry.changes or {}).items()
    }


def _redact(entry: AuditEntry, board: _Board, now: datetime) -> bool:
    """Remove what this entry may no longer keep; whether anything was removed."""
    actor = "" if _is_address(entry.actor) and board.address_ended(entry.actor) else entry.actor
    object_key = entry.object_key
    if entry.object_type == "user" and _is_address(object_key) and board.address_ended(object_key):
        object_key = None
    changes = _redacted_changes(entry, board)
    if (actor, object_key, changes) == (entry.actor, entry.object_key, entry.changes):
        return False
    entry.actor, entry.object_key, entry.changes, entry.redacted_at = actor, object_key, changes, now
    return True


def redact_old_entries(session: Session, before: datetime, now: datetime | None = None) -> int:
    """Remove personal details from entries older than ``before`` that may no longer keep them.

    Returns how many entries changed; a second run changes none. Commits once per batch.
    """
    now = now or utcnow()
    board = _survey(session, before)
    session.commit()
    changed, last_id = 0, 0
    while True:
        batch = list(session.exec(
            select(AuditEntry).where(AuditEntry.created_at < before, AuditEntry.id > last_id)
            .order_by(AuditEntry.id).limit(BATCH)
        ))
        if not batch:
            return changed
        with audit_redaction(session):
            changed += sum(_redact(entry, board, now) for entry in batch)
            session.commit()
        last_id = batch[-1].id
        for entry in batch:  # the log may be long: hold one batch in memory, not all of it
            session.expunge(entry)
