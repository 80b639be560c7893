"""What the desk pages show of organisations, postings, reports, accounts and the audit log.

Templates only print these view models; every label, link and formatted date is chosen here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from bulletin.i18n import current_language
from bulletin.models import AuditEntry, Organisation, OrganisationMessage, Posting, Report, User
from bulletin.models.audit import is_removed
from bulletin.services import postings, reports
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_BY_CODE, ORGANISATION_TYPES, POSTING_TYPES


def organisation_status_labels() -> dict[str, str]:
    return {"pending": _("Waiting for approval"), "approved": _("Approved"), "suspended": _("Suspended")}


def posting_state_labels() -> dict[str, str]:
    return {"open": _("Open"), "expired": _("Expired"), "closed": _("Closed")}


def moderation_labels() -> dict[str, str]:
    return {
        "visible": _("Visible"),
        "held": _("Waiting for review"),
        "hidden": _("Hidden by the coordinator"),
    }


def report_status_labels() -> dict[str, str]:
    return {"open": _("Open"), "resolved": _("Resolved"), "dismissed": _("Dismissed")}


def role_labels() -> dict[str, str]:
    return {"coordinator": _("Coordinator"), "translator": _("Translator"), "member": _("Member")}


def when(moment: datetime | None) -> str:
    return format_datetime(moment, format="short") if moment else ""


# Postings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    value: str
    language: str


def posting_title(posting: Posting) -> Title:
    shown = posting.text(current_language())
    return Title(shown.title, shown.language) if shown else Title(posting.key, posting.original_language)


@dataclass(frozen=True)
class DeskPostingRow:
    id: int
    title: Title
    type_label: str
    category_label: str
    organisation_name: str
    state: str
    state_label: str
    moderation: str
    moderation_label: str
    valid_until: str
    detail_url: str
    public_url: str | None


def category_label(slug: str) -> str:
    category = CATEGORY_BY_SLUG.get(slug)
    return str(category.label) if category else slug


def desk_posting_rows(items: list[Posting], today: date) -> list[DeskPostingRow]:
    states, moderation = posting_state_labels(), moderation_labels()
    rows = []
    for posting in items:
        state = postings.posting_state(posting, today)
        rows.append(
            DeskPostingRow(
                id=posting.id,
                title=posting_title(posting),
                type_label=str(POSTING_TYPES.get(posting.type, posting.type)),
                category_label=category_label(posting.category),
                organisation_name=posting.organisation.name,
                state=state,
                state_label=states[state],
                moderation=posting.moderation,
                moderation_label=moderation.get(posting.moderation, posting.moderation),
                valid_until=format_date(posting.valid_until) if posting.valid_until else _("No end date"),
                detail_url=url_for("moderation.posting", posting_id=posting.id),
                public_url=url_for("public.posting", posting_id=posting.id)
                if posting.is_listed(today)
                else None,
            )
        )
    return rows


@dataclass(frozen=True)
class LanguageText:
    code: str
    native_name: str
    direction: str
    title: str
    body: str
    is_original: bool


@dataclass(frozen=True)
class PostingDetail:
    row: DeskPostingRow
    key: str
    district: str | None
    moderation_reason: str | None
    created: str
    updated: str
    organisation_url: str
    edit_url: str
    texts: list[LanguageText]


def posting_detail(posting: Posting, today: date) -> PostingDetail:
    texts = sorted(posting.texts, key=lambda text: (not text.is_original, text.language))
    return PostingDetail(
        row=desk_posting_rows([posting], today)[0],
        key=posting.key,
        district=posting.district,
        moderation_reason=posting.moderation_reason,
        created=when(posting.created_at),
        updated=when(posting.updated_at),
        organisation_url=url_for("moderation.organisation", organisation_id=posting.organisation_id),
        edit_url=url_for("dashboard.edit_posting", posting_id=posting.id),
        texts=[
            LanguageText(
                code=text.language,
                native_name=LANGUAGE_BY_CODE[text.language].native_name
                if text.language in LANGUAGE_BY_CODE else text.language,
                direction=LANGUAGE_BY_CODE[text.language].direction
                if text.language in LANGUAGE_BY_CODE else "auto",
                title=text.title,
                body=text.body,
                is_original=text.language == posting.original_language,
            )
            for text in texts
        ],
    )


# Organisations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    type_label: str
    status: str
    status_label: str
    verified: bool
    signed_up: str
    detail_url: str


def organisation_rows(items: list[Organisation]) -> list[OrganisationRow]:
    labels = organisation_status_labels()
    return [
        OrganisationRow(
            id=organisation.id,
            name=organisation.name,
            type_label=str(ORGANISATION_TYPES.get(organisation.type, organisation.type)),
            status=organisation.status,
            status_label=labels.get(organisation.status, organisation.status),
            verified=organisation.verified,
            signed_up=format_date(organisation.created_at),
            detail_url=url_for("moderation.organisation", organisation_id=organisation.id),
        )
        for organisation in items
    ]


@dataclass(frozen=True)
class MessageView:
    id: int
    text: str
    author: str
    written: str
    is_open: bool
    resolved: str  # "by whom, when", empty while open


def message_views(messages: list[OrganisationMessage]) -> list[MessageView]:
    return [
        MessageView(
            id=message.id,
            text=message.text,
            author=message.author,
            written=when(message.created_at),
            is_open=message.is_open,
            resolved=""
            if message.is_open
            else _("Resolved by %(who)s on %(when)s", who=message.resolved_by or "",
                   when=when(message.resolved_at)),
        )
        for message in messages
    ]


@dataclass(frozen=True)
class MemberView:
    email: str
    active: bool
    last_sign_in: str


@dataclass(frozen=True)
class OrganisationDetail:
    row: OrganisationRow
    key: str
    public_url: str | None
    email: str | None
    phone: str | None
    website: str | None
    address: str | None
    district: str | None
    languages: list[tuple[str, str, str]]  # code, native name, direction
    description: str | None
    description_language: str | None
    members: list[MemberView]


def organisation_detail(organisation: Organisation, members: list[User]) -> OrganisationDetail:
    original = next((text for text in organisation.texts if text.is_original), None)
    return OrganisationDetail(
        row=organisation_rows([organisation])[0],
        key=organisation.key,
        public_url=url_for("public.organisation", key=organisation.key) if organisation.is_public else None,
        email=organisation.email,
        phone=organisation.phone,
        website=organisation.website,
        address=organisation.address,
        district=organisation.district,
        languages=[
            (code, LANGUAGE_BY_CODE[code].native_name, LANGUAGE_BY_CODE[code].direction)
            for code in organisation.languages
            if code in LANGUAGE_BY_CODE
        ],
        description=original.description if original and original.description else None,
        description_language=original.language if original else None,
        members=[
            MemberView(member.email, member.active, when(member.last_login_at) or _("never"))
            for member in members
        ],
    )


# Reports ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    id: int
    created: str
    reason_label: str
    text: str
    about_kind: str
    about: Title
    about_url: str
    status: str
    status_label: str
    note: str | None
    closed: str  # "by whom, when", empty while open


def report_rows(session, items: list[Report]) -> list[ReportRow]:
    labels = report_status_labels()
    rows = []
    for report in items:
        if report.posting_id is not None:
            posting = session.get(Posting, report.posting_id)
            about_kind, about = _("Posting"), posting_title(posting)
            about_url = url_for("moderation.posting", posting_id=report.posting_id)
        else:
            organisation = session.get(Organisation, report.organisation_id)
            about_kind, about = _("Organisation"), Title(organisation.name, "")
            about_url = url_for("moderation.organisation", organisation_id=report.organisation_id)
        rows.append(
            ReportRow(
                id=report.id,
                created=when(report.created_at),
                reason_label=str(reports.REASONS.get(report.reason, report.reason)),
                text=report.text,
                about_kind=about_kind,
                about=about,
                about_url=about_url,
                status=report.status,
                status_label=labels.get(report.status, report.status),
                note=report.note,
                closed=""
                if report.status == "open"
                else _("By %(who)s on %(when)s", who=report.resolved_by or "", when=when(report.resolved_at)),
            )
        )
    return rows


# The audit log ----------------------------------------------------------------------------------------


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


DESK_PAGES = {"organisation": ("moderation.organisation", "organisation_id"),
              "posting": ("moderation.posting", "posting_id")}


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


# Accounts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    role: str
    role_label: str
    organisation_name: str | None
    languages: list[tuple[str, str, str]]
    active: bool
    last_sign_in: str
    created: str
    is_self: bool


def account_rows(items: list[User], current_user_id: int) -> list[AccountRow]:
    labels = role_labels()
    return [
        AccountRow(
            id=user.id,
            email=user.email,
            role=user.role,
            role_label=labels.get(user.role, user.role),
            organisation_name=user.organisation.name if user.organisation else None,
            languages=[
                (code, LANGUAGE_BY_CODE[code].native_name, LANGUAGE_BY_CODE[code].direction)
                for code in (getattr(user, "languages", None) or [])
                if code in LANGUAGE_BY_CODE
            ],
            active=user.active,
            last_sign_in=when(user.last_login_at) or _("never"),
            created=format_date(user.created_at),
            is_self=user.id == current_user_id,
        )
        for user in items
    ]


# The organisation's dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class WithheldPosting:
    title: Title
    moderation: str
    label: str
    reason: str | None
    edit_url: str


@dataclass(frozen=True)
class CoordinatorNotices:
    """What the coordinator has to say to an organisation: open messages, held and hidden postings."""

    messages: list[MessageView]
    withheld: list[WithheldPosting]

    def __bool__(self) -> bool:
        return bool(self.messages or self.withheld)


def coordinator_notices(messages: list[OrganisationMessage], withheld: list[Posting]) -> CoordinatorNotices:
    labels = moderation_labels()
    return CoordinatorNotices(
        messages=message_views(messages),
        withheld=[
            WithheldPosting(
                title=posting_title(posting),
                moderation=posting.moderation,
                label=labels.get(posting.moderation, posting.moderation),
                reason=posting.moderation_reason,
                edit_url=url_for("dashboard.edit_posting", posting_id=posting.id),
            )
            for posting in withheld
        ],
    )
