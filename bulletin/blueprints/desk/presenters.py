"""What the desk pages show of organisations, postings, reports and accounts.

Templates only print these view models; every label, link and formatted date is chosen here. Organisations
have theirs in ``organisation_presenters``, the audit log in ``audit_rows``, and what an organisation's
dashboard shows of the desk in ``notices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from bulletin.i18n import current_language
from bulletin.models import Posting, User
from bulletin.services import postings, reports
from bulletin.services.desk_listings import ReportAbout
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_BY_CODE, POSTING_TYPES


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


class SpokenLanguage(NamedTuple):
    """A language by its own name; a tuple, so a template may also unpack it."""

    code: str
    native_name: str
    direction: str


def spoken_languages(codes: list[str]) -> list[SpokenLanguage]:
    """The known languages among ``codes``, in their order."""
    return [
        SpokenLanguage(code, LANGUAGE_BY_CODE[code].native_name, LANGUAGE_BY_CODE[code].direction)
        for code in codes
        if code in LANGUAGE_BY_CODE
    ]


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
                detail_url=url_for("desk.posting", posting_id=posting.id),
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
        organisation_url=url_for("desk.organisation", organisation_id=posting.organisation_id),
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


def report_rows(items: list[ReportAbout]) -> list[ReportRow]:
    labels = report_status_labels()
    rows = []
    for item in items:
        report = item.report
        if item.posting is not None:
            about_kind, about = _("Posting"), posting_title(item.posting)
            about_url = url_for("desk.posting", posting_id=report.posting_id)
        else:
            about_kind, about = _("Organisation"), Title(item.organisation.name, "")
            about_url = url_for("desk.organisation", organisation_id=report.organisation_id)
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
            languages=spoken_languages(getattr(user, "languages", None) or []),
            active=user.active,
            last_sign_in=when(user.last_login_at) or _("never"),
            created=format_date(user.created_at),
            is_self=user.id == current_user_id,
        )
        for user in items
    ]
