"""What the audit log pages show: each entry with its changes, in the coordinator's words and dates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from bulletin.blueprints.desk.presenters import when
from bulletin.models import AuditEntry
from bulletin.models.audit import is_removed


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the entry states a value, not a change
    after: str
    removed: bool = False  # the retention purge removed the value: ``after`` says so


@dataclass(frozen=True)
class AuditRow:
    id: int
    when: str
    actor: str
    action: str
    object_type: str
    object_id: int | None
    object_key: str | None
    object_url: str | None
    changes: list[Change]
    redacted: str | None = None  # when the retention purge removed personal details


def _actor(entry: AuditEntry) -> str:
    if entry.actor:
        return entry.actor
    if entry.actor_id is not None:  # an account's address, removed with its time
        return _("account %(number)s, address removed", number="#" + str(entry.actor_id))
    return _("address removed")


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(changes: dict[str, Any]) -> list[Change]:
    shown = []
    for field, value in changes.items():
        if is_removed(value):
            shown.append(Change(field, None, _("removed"), removed=True))
        elif isinstance(value, dict) and set(value) == {"before", "after"}:
            shown.append(Change(field, _shown(value["before"]), _shown(value["after"])))
        else:
            shown.append(Change(field, None, _shown(value)))
    return shown


DESK_PAGES = {"organisation": ("desk.organisation", "organisation_id"),
              "posting": ("desk.posting", "posting_id")}


def audit_rows(entries: list[AuditEntry]) -> list[AuditRow]:
    rows = []
    for entry in entries:
        page = DESK_PAGES.get(entry.object_type)
        object_url = url_for(page[0], **{page[1]: entry.object_id}) if page and entry.object_id else None
        rows.append(
            AuditRow(
                id=entry.id,
                when=when(entry.created_at),
                actor=_actor(entry),
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                object_key=entry.object_key
                or (f"#{entry.object_id}" if entry.redacted_at and entry.object_id else None),
                object_url=object_url,
                changes=_changes(entry.changes or {}),
                redacted=_("Personal details removed on %(day)s", day=format_date(entry.redacted_at))
                if entry.redacted_at else None,
            )
        )
    return rows
