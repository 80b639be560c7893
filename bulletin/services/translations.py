"""Volunteer translators: what waits to be translated, their translations, and the coordinator's review.

A translator (role "translator", created by the coordinator) translates public postings and organisation
profiles into the languages in ``User.languages``; the coordinator may translate into any language. With
``BULLETIN_TRANSLATION_REVIEW = "none"`` a translation is published at once; with ``"coordinator"`` it
waits as a TranslationDraft until the coordinator approves or rejects it. Every step is in the audit log,
recorded on the posting or organisation it concerns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, TranslationDraft, utcnow
from bulletin.services import audit, listing, organisations, postings
from bulletin.services.errors import InvalidData, NotFound
from bulletin.services.permissions import ensure
from bulletin.taxonomy import LANGUAGE_CODES

REVIEW_MODES = ("none", "coordinator")
ORDERS = ("newest", "most-read")
JOB_STATES = ("missing", "outdated", "waiting")  # waiting: a translation waits for the coordinator


class OriginalChanged(InvalidData):
    """The original was changed while the translator worked from an earlier version of it."""

    def __init__(self):
        super().__init__({"original": _l(
            "The original text was changed while you were translating. Please compare your translation "
            "with the new original below and send it again."
        )})


@dataclass(frozen=True)
class Job:
    """One posting or profile to translate into one language."""

    kind: str  # "posting" or "organisation"
    subject: Posting | Organisation
    language: str
    state: str  # one of JOB_STATES
    created_at: datetime
    views: int


# Who may translate what ---------------------------------------------------------------------------------


def is_translator(actor) -> bool:
    return getattr(actor, "role", None) == "translator" and getattr(actor, "active", True)


def languages_of(actor) -> list[str]:
    """The languages ``actor`` translates into, in the board's order: all of them for the coordinator."""
    if actor.is_coordinator:
        return list(LANGUAGE_CODES)
    if is_translator(actor):
        return [code for code in LANGUAGE_CODES if code in (actor.languages or [])]
    return []


def may_translate(actor) -> bool:
    return bool(languages_of(actor))


def can_translate(actor, language: str) -> bool:
    return language in languages_of(actor)


def _ensure_subject_is_public(actor, subject, today: date) -> None:
    """Translators work on what the public sees; the coordinator on anything."""
    if isinstance(subject, Posting):
        ensure(actor.is_coordinator or subject.is_listed(today))
    else:
        ensure(actor.is_coordinator or subject.is_public)


# What a translation is made from ------------------------------------------------------------------------


def original_text(subject) -> tuple[str, str, str] | None:
    """The original as (language, title, text): a profile has no title."""
    if isinstance(subject, Posting):
        text = subject.text(subject.original_language)
        return (text.language, text.title, text.body) if text else None
    text = next((text for text in subject.texts if text.is_original), None)
    return (text.language, "", text.description) if text and text.description else None


def source_digest(subject) -> str:
    """A fingerprint of the original: a translation made from it is current while this stays the same."""
    original = original_text(subject) or ("", "", "")
    return hashlib.sha256("\x1f".join(original).encode("utf-8")).hexdigest()


def translation_of(subject, language: str):
    """The published text in ``language`` (PostingText or OrganisationText), or None."""
    return next((text for text in subject.texts if text.language == language), None)


# What a translator may open ---------------------------------------------------------------------------


def posting_to_translate(session: Session, actor, posting_id: int, today: date) -> Posting:
    """A public posting (the coordinator may translate any); NotFound for anything else."""
    posting = session.get(Posting, posting_id)
    if posting is None or not (actor.is_coordinator or posting.is_listed(today)):
        raise NotFound()
    return posting


def organisation_to_translate(session: Session, actor, organisation_id: int) -> Organisation:
    """A public profile with a description (the coordinator may translate any); NotFound otherwise."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not (actor.is_coordinator or organisation.is_public):
        raise NotFound()
    if original_text(organisation) is None:
        raise NotFound()  # no description: nothing to translate
    return organisation


# The queue --------------------------------------------------------------------------------------------


def _pending_drafts():
    return select(TranslationDraft).where(TranslationDraft.status == "pending")


def _waiting(session: Session) -> set[tuple[str, int, str]]:
    rows = session.exec(_pending_drafts()).all()
    return {
        ("posting", draft.posting_id, draft.language) if draft.posting_id is not None
        else ("organisation", draft.organisation_id, draft.language)
        for draft in rows
    }


def _state(subject, kind: str, language: str, waiting: set) -> str | None:
    if (kind, subject.id, language) in waiting:
        return "waiting"
    text = translation_of(subject, language)
    if text is None:
        return "missing"
    return "outdated" if text.outdated else None


def _posting_jobs(session: Session, today: date, languages: list[str], waiting: set) -> list[Job]:
    jobs = []
    for posting in listing.listed_postings(session, today):
        for language in languages:
            if language == posting.original_language:
                continue
            state = _state(posting, "posting", language, waiting)
            if state:
                jobs.append(Job("posting", posting, language, state, posting.created_at, posting.view_count))
    return jobs


def _organisation_jobs(session: Session, languages: list[str], waiting: set) -> list[Job]:
    # A profile is read about as often as the organisation's postings: their views rank it.
    views = dict(session.exec(
        select(Posting.organisation_id, func.sum(Posting.view_count)).group_by(Posting.organisation_id)
    ).all())
    jobs = []
    for organisation in listing.approved_organisations(session):
        original = original_text(organisation)
        if original is None:
            continue
        for language in languages:
            if language == original[0]:
                continue
            state = _state(organisation, "organisation", language, waiting)
            if state:
                jobs.append(Job("organisation", organisation, language, state, organisation.created_at,
                                int(views.get(organisation.id) or 0)))
    return jobs


def queue(session: Session, actor, today: date, *, language: str | None = None,
          order: str = "newest") -> list[Job]:
    """What ``actor`` could translate: public postings and profiles that lack one of their languages or
    whose translation is outdated. Newest first, or most-read first (``order="most-read"``)."""
    languages = [code for code in languages_of(actor) if language in (None, code)]
    if not languages:
        return []
    waiting = _waiting(session)
    jobs = _posting_jobs(session, today, languages, waiting) + _organisation_jobs(session, languages, waiting)
    if order == "most-read":
        jobs.sort(key=lambda job: (job.views, job.created_at), reverse=True)
    else:
        jobs.sort(key=lambda job: (job.created_at, job.views), reverse=True)
    return jobs


# Translating ------------------------------------------------------------------------------------------


def waiting_draft(session: Session, subject, language: str) -> TranslationDraft | None:
    column = TranslationDraft.posting_id if isinstance(subject, Posting) else TranslationDraft.organisation_id
    statement = select(TranslationDraft).where(
        column == subject.id, TranslationDraft.language == language, TranslationDraft.status == "pending"
    )
    return session.exec(statement).first()


def _checked(subject, language: str, title: str, text: str) -> tuple[str, str]:
    """The translation stripped, or InvalidData: the same rules as when it is published."""
    if isinstance(subject, Posting):
        return postings.check_translation(subject, language, title, text)
    return "", organisations.check_description_translation(subject, language, text)


def _publish(session: Session, actor, subject, language: str, title: str, text: str, outdated: bool) -> bool:
    if isinstance(subject, Posting):
        return postings.write_translation(session, actor, subject, language, title, text, outdated=outdated)
    return organisations.write_description_translation(session, actor, subject, language, text,
                                                       outdated=outdated)


def submit(session: Session, actor, subject, language: str, title: str, text: str, *, based_on: str,
           review: str, today: date) -> str:
    """A translator's translation of a posting (title and text) or a profile (text only).

    ``based_on`` is the source_digest of the original the translator saw. Returns "published", or
    "waiting" when the coordinator reviews translations (``review="coordinator"``); the coordinator's own
    translations are published at once.
    """
    ensure(can_translate(actor, language))
    _ensure_subject_is_public(actor, subject, today)
    title, text = _checked(subject, language, title, text)
    if based_on != source_digest(subject):
        raise OriginalChanged()
    if review not in REVIEW_MODES:
        raise ValueError(f"unknown review mode {review!r}")
    if review == "none" or actor.is_coordinator:
        _publish(session, actor, subject, language, title, text, outdated=False)
        _close_waiting(session, actor, subject, language)
        return "published"
    draft = waiting_draft(session, subject, language)
    if draft is None:
        draft = TranslationDraft(language=language, source_digest=based_on, translator_email=actor.email)
        if isinstance(subject, Posting):
            draft.posting_id = subject.id
        else:
            draft.organisation_id = subject.id
    draft.title, draft.body, draft.source_digest = title, text, based_on
    draft.translator_id, draft.translator_email, draft.created_at = actor.id, actor.email, utcnow()
    session.add(draft)
    session.flush()
    audit.record(session, actor, "translation.submit", subject,
                 {"language": language, "draft": draft.id, "title": title or None, "text": text})
    return "waiting"


def _close_waiting(session: Session, actor, subject, language: str) -> None:
    """A translation published directly replaces one that waited for review."""
    draft = waiting_draft(session, subject, language)
    if draft is not None:
        _decide(session, actor, draft, subject, "rejected", "translation.replace")


# The coordinator's review ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingTranslation:
    """A translation waiting for the coordinator, with the posting or profile it translates."""

    draft: TranslationDraft
    subject: Posting | Organisation


def waiting_for_review(session: Session) -> list[WaitingTranslation]:
    """Translations waiting for the coordinator, oldest first, their subjects loaded in one query each."""
    drafts = list(session.exec(_pending_drafts().order_by(TranslationDraft.created_at, TranslationDraft.id)))
    posting_ids = {draft.posting_id for draft in drafts if draft.posting_id is not None}
    organisation_ids = {draft.organisation_id for draft in drafts if draft.organisation_id is not None}
    subjects: dict[tuple[str, int], Posting | Organisation] = {}
    if posting_ids:
        for posting in session.exec(select(Posting).where(Posting.id.in_(posting_ids))):
            subjects["posting", posting.id] = posting
    if organisation_ids:
        for organisation in session.exec(select(Organisation).where(Organisation.id.in_(organisation_ids))):
            subjects["organisation", organisation.id] = organisation
    waiting = []
    for draft in drafts:
        key = ("posting", draft.posting_id) if draft.posting_id is not None else (
            "organisation", draft.organisation_id)
        if key in subjects:  # a draft goes with its posting or organisation (ON DELETE CASCADE)
            waiting.append(WaitingTranslation(draft, subjects[key]))
    return waiting


def count_waiting_for_review(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_pending_drafts().subquery())) or 0


def draft_by_id(session: Session, draft_id: int) -> TranslationDraft:
    """A translation draft, reviewed or not; NotFound if there is none with this id."""
    found = session.get(TranslationDraft, draft_id)
    if found is None:
        raise NotFound()
    return found


def _subject_of(session: Session, draft: TranslationDraft) -> Posting | Organisation:
    subject = (session.get(Posting, draft.posting_id) if draft.posting_id is not None
               else session.get(Organisation, draft.organisation_id))
    if subject is None:  # deleted with its posting or organisation (ON DELETE CASCADE): not reached
        raise NotFound()
    return subject


def _decide(session: Session, actor, draft: TranslationDraft, subject, status: str, action: str) -> None:
    draft.status, draft.reviewed_at, draft.reviewer_id = status, utcnow(), actor.id
    session.add(draft)
    audit.record(session, actor, action, subject,
                 {"language": draft.language, "draft": draft.id, "translator": draft.translator_email})


def _ensure_waiting(draft: TranslationDraft) -> None:
    if draft.status != "pending":
        raise InvalidData({"status": _l("This translation was already reviewed.")})


def approve(session: Session, actor, draft: TranslationDraft) -> None:
    """Publish a waiting translation. Made from an original that has changed since, it is published
    marked outdated, so readers see the warning until someone brings it up to date."""
    ensure(actor.is_coordinator)
    _ensure_waiting(draft)
    subject = _subject_of(session, draft)
    title, text = _checked(subject, draft.language, draft.title, draft.body)
    outdated = draft.source_digest != source_digest(subject)
    _publish(session, actor, subject, draft.language, title, text, outdated)
    _decide(session, actor, draft, subject, "approved", "translation.approve")


def reject(session: Session, actor, draft: TranslationDraft) -> None:
    ensure(actor.is_coordinator)
    _ensure_waiting(draft)
    _decide(session, actor, draft, _subject_of(session, draft), "rejected", "translation.reject")
