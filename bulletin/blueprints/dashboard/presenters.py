"""What the dashboard shows: its posting table, the translation links and the organisation's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from bulletin.i18n import current_language
from bulletin.models import Organisation, Posting
from bulletin.services import permissions, postings
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGES, POSTING_TYPES


def state_labels() -> dict[str, str]:
    return {"open": _("Open"), "expired": _("Expired"), "closed": _("Closed")}


def organisation_status_labels() -> dict[str, str]:
    return {"pending": _("Waiting for approval"), "approved": _("Approved"), "suspended": _("Suspended")}


STATUS_BADGES = {"pending": "pending", "suspended": "closed"}  # an approved organisation needs no badge


@dataclass(frozen=True)
class PostingRow:
    """One posting in a table of the dashboard or the desk."""

    id: int
    title: str
    title_language: str
    type_label: str
    category_label: str
    organisation_name: str
    state: str
    state_label: str
    valid_until: str
    public_url: str | None
    editable: bool
    renewable: bool  # a closed posting is reopened first; renewing it alone would change nothing visible
    outdated: list[TranslationLink]  # translations made from an earlier version of the original


def posting_rows(items: list[Posting], today: date) -> list[PostingRow]:
    reader = current_language()
    labels = state_labels()
    rows = []
    for posting in items:
        shown = posting.text(reader)
        state = postings.posting_state(posting, today)
        category = CATEGORY_BY_SLUG.get(posting.category)
        rows.append(
            PostingRow(
                id=posting.id,
                title=shown.title if shown else posting.key,
                title_language=shown.language if shown else posting.original_language,
                type_label=str(POSTING_TYPES.get(posting.type, posting.type)),
                category_label=str(category.label) if category else posting.category,
                organisation_name=posting.organisation.name,
                state=state,
                state_label=labels[state],
                valid_until=format_date(posting.valid_until) if posting.valid_until else _("No end date"),
                public_url=url_for("public.posting", posting_id=posting.id)
                if posting.is_listed(today)
                else None,
                editable=permissions.can_edit_posting(current_user, posting),
                renewable=state != "closed",
                outdated=[link for link in translation_links(posting) if link.outdated],
            )
        )
    return rows


def status_notice(organisation: Organisation) -> str | None:
    if organisation.status == "pending":
        return _(
            "Your organisation is waiting for approval by the coordinator. Nothing is public yet. "
            "You can already complete your profile."
        )
    if organisation.status == "suspended":
        return _(
            "Your organisation is suspended: its page and its postings are not shown publicly and "
            "cannot be changed. Please contact the coordinator."
        )
    return None


@dataclass(frozen=True)
class TranslationLink:
    code: str
    native_name: str
    direction: str
    url: str
    exists: bool
    outdated: bool  # made from an earlier version of the original: save it again once checked


def translation_links(posting: Posting) -> list[TranslationLink]:
    present = {text.language: text for text in posting.texts}
    return [
        TranslationLink(
            language.code,
            language.native_name,
            language.direction,
            url_for("dashboard.translation", posting_id=posting.id, language=language.code),
            language.code in present,
            language.code in present and present[language.code].outdated,
        )
        for language in LANGUAGES
        if language.code != posting.original_language
    ]
