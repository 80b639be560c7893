"""What the translators' pages show: the queue's rows, the side-by-side editor, the review items."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import format_date, format_number
from flask_babel import gettext as _

from bulletin.blueprints.presenters import Text, text
from bulletin.i18n import isolate
from bulletin.models import Posting, TranslationDraft
from bulletin.services import translations
from bulletin.taxonomy import LANGUAGE_BY_CODE, Language


def state_labels() -> dict[str, str]:
    return {
        "missing": _("Not translated yet"),
        "outdated": _("Translation out of date"),
        "waiting": _("Waiting for review"),
    }


STATE_BADGES = {"missing": "request", "outdated": "pending", "waiting": "open"}


def order_options() -> list[tuple[str, str]]:
    return [("newest", _("Newest first")), ("most-read", _("Most read first"))]


@dataclass(frozen=True)
class JobRow:
    kind_label: str
    title: Text
    organisation_name: str | None
    language: Language
    state: str
    state_label: str
    badge: str
    views: str
    created: str
    url: str


def subject_title(subject) -> Text:
    """What names a posting (its original title) or a profile (the organisation's name)."""
    if isinstance(subject, Posting):
        original = subject.text(subject.original_language)
        return text(original.title, original.language)
    original = translations.original_text(subject)
    return text(subject.name, original[0] if original else "und")


def editor_url(kind: str, subject_id: int, language: str) -> str:
    endpoint = ".posting" if kind == "posting" else ".organisation"
    key = "posting_id" if kind == "posting" else "organisation_id"
    return url_for(endpoint, **{key: subject_id, "language": language})


def job_rows(jobs: list[translations.Job]) -> list[JobRow]:
    labels = state_labels()
    return [
        JobRow(
            kind_label=_("Posting") if job.kind == "posting" else _("Organisation profile"),
            title=subject_title(job.subject),
            organisation_name=job.subject.organisation.name if job.kind == "posting" else None,
            language=LANGUAGE_BY_CODE[job.language],
            state=job.state,
            state_label=labels[job.state],
            badge=STATE_BADGES[job.state],
            views=format_number(job.views),
            created=format_date(job.created_at),
            url=editor_url(job.kind, job.subject.id, job.language),
        )
        for job in jobs
    ]


@dataclass(frozen=True)
class Editor:
    """The side-by-side page: the original on one side, the translation form on the other."""

    heading: str
    kind: str
    name: Text  # the organisation's name, for a profile; the posting's organisation, for a posting
    original_title: Text | None
    original_body: Text | None
    target: Language
    notices: list[str]
    public_url: str
    action: str


def editor_page(kind: str, subject, language: str, draft: TranslationDraft | None) -> Editor:
    target = LANGUAGE_BY_CODE[language]
    original_language, original_title, original_body = translations.original_text(subject)
    published = translations.translation_of(subject, language)
    notices = []
    if published is not None and published.outdated:
        notices.append(_("The original was changed after this translation was made. Please compare them and "
                         "bring the translation up to date: until then readers see a warning."))
    if draft is not None:
        notices.append(_("A translation by %(email)s is waiting for the coordinator's review. Sending yours "
                         "replaces it.", email=isolate(draft.translator_email)))
    if isinstance(subject, Posting):
        public_url = url_for("public.posting", posting_id=subject.id, text=subject.original_language)
        name = text(subject.organisation.name, original_language)
    else:
        public_url = url_for("public.organisation", key=subject.key)
        name = text(subject.name, original_language)
    return Editor(
        heading=_("Translation into %(language)s", language=isolate(target.native_name)),
        kind=kind,
        name=name,
        original_title=text(original_title, original_language) if original_title else None,
        original_body=text(original_body, original_language) if original_body else None,
        target=target,
        notices=notices,
        public_url=public_url,
        action=editor_url(kind, subject.id, language),
    )


@dataclass(frozen=True)
class ReviewItem:
    id: int
    kind_label: str
    name: Text
    target: Language
    translator: str
    submitted: str
    original_title: Text | None
    original_body: Text | None
    draft_title: Text | None
    draft_body: Text
    published_body: Text | None  # what readers see now in that language, to compare
    original_changed: bool
    approve_url: str
    reject_url: str


def review_item(waiting: translations.WaitingTranslation) -> ReviewItem:
    draft, subject = waiting.draft, waiting.subject
    original_language, original_title, original_body = translations.original_text(subject) or ("und", "", "")
    published = translations.translation_of(subject, draft.language)
    published_words = None
    if published is not None:
        published_words = published.body if isinstance(subject, Posting) else published.description
    return ReviewItem(
        id=draft.id,
        kind_label=_("Posting") if isinstance(subject, Posting) else _("Organisation profile"),
        name=subject_title(subject),
        target=LANGUAGE_BY_CODE[draft.language],
        translator=draft.translator_email,
        submitted=format_date(draft.created_at),
        original_title=text(original_title, original_language) if original_title else None,
        original_body=text(original_body, original_language) if original_body else None,
        draft_title=text(draft.title, draft.language) if draft.title else None,
        draft_body=text(draft.body, draft.language),
        published_body=text(published_words, draft.language) if published_words else None,
        original_changed=draft.source_digest != translations.source_digest(subject),
        approve_url=url_for(".approve", draft_id=draft.id),
        reject_url=url_for(".reject", draft_id=draft.id),
    )
