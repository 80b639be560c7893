"""Creating and changing postings. Every path (forms, import, API) goes through these functions."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, PostingText, utcnow
from bulletin.services import audit, moderation, text_rules
from bulletin.services.errors import InvalidData, NotFound
from bulletin.services.permissions import can_edit_posting, can_post_for, ensure
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_BY_CODE, POSTING_STATUSES, POSTING_TYPES

POSTING_STATES = ("open", "expired", "closed")  # what a reader experiences; see posting_state

TITLE_MAX = 200
BODY_MAX = 5000
DISTRICT_MAX = 100
KEY_MAX = 100


@dataclass
class PostingInput:
    """What an author says about a posting, whichever way it arrives."""

    type: str
    category: str
    titles: dict[str, str]
    original_language: str
    bodies: dict[str, str] = field(default_factory=dict)
    district: str | None = None
    valid_until: date | None = None
    status: str = "open"


def validate(data: PostingInput) -> None:
    """Raise InvalidData naming every field that breaks a rule."""
    errors: dict[str, object] = {}
    if data.type not in POSTING_TYPES:
        errors["type"] = _l("Choose offer or request.")
    if data.category not in CATEGORY_BY_SLUG:
        errors["category"] = _l("Unknown category.")
    if data.status not in POSTING_STATUSES:
        errors["status"] = _l("The status must be open or closed.")
    if data.original_language not in LANGUAGE_BY_CODE:
        errors["original_language"] = _l("Unknown language.")
    titles = {code: (text or "").strip() for code, text in data.titles.items()}
    if not any(titles.values()):
        errors["title"] = _l("A title is required.")
    elif not titles.get(data.original_language):
        errors["title"] = _l("A title in the original language is required.")
    for code in (*data.titles, *data.bodies):
        if code not in LANGUAGE_BY_CODE:
            errors["language"] = _l("Unknown language: %(code)s", code=code)
    if any(len(text) > TITLE_MAX for text in titles.values()):
        errors["title"] = _l("The title may have at most %(max)d characters.", max=TITLE_MAX)
    if any(len(text or "") > BODY_MAX for text in data.bodies.values()):
        errors["body"] = _l("The description may have at most %(max)d characters.", max=BODY_MAX)
    for text in titles.values():
        text_rules.check(errors, "title", text)
    for text in data.bodies.values():
        text_rules.check(errors, "body", text, multiline=True)
    bodies = [code for code, text in data.bodies.items() if (text or "").strip()]
    if any(code not in titles or not titles[code] for code in bodies):
        errors["body"] = _l("Every description needs a title in the same language.")
    if data.district and len(data.district) > DISTRICT_MAX:
        errors["district"] = _l("The district may have at most %(max)d characters.", max=DISTRICT_MAX)
    text_rules.check(errors, "district", (data.district or "").strip())
    if errors:
        raise InvalidData(errors)


def new_key() -> str:
    return "p-" + secrets.token_hex(6)


def _snapshot(posting: Posting) -> dict:
    return {
        "type": posting.type,
        "category": posting.category,
        "district": posting.district,
        "valid_until": posting.valid_until,
        "status": posting.status,
        "original_language": posting.original_language,
        "title": {text.language: text.title for text in posting.texts},
        "body": {text.language: text.body for text in posting.texts if text.body},
        "outdated": sorted(text.language for text in posting.texts if text.outdated),
    }


def _original_words(posting: Posting) -> tuple[str, str, str] | None:
    """The original text as (language, title, body): what every translation is made from."""
    text = next((text for text in posting.texts if text.language == posting.original_language), None)
    return (text.language, text.title, text.body) if text else None


def _wanted_texts(data: PostingInput) -> dict[str, tuple[str, str]]:
    """The texts ``data`` asks for, by language: (title, body), stripped; no title, no text."""
    return {code: (title.strip(), (data.bodies.get(code) or "").strip())
            for code, title in data.titles.items() if title and title.strip()}


def _apply(posting: Posting, data: PostingInput) -> None:
    original_before = _original_words(posting)
    posting.type = data.type
    posting.category = data.category
    posting.district = (data.district or "").strip() or None
    posting.valid_until = data.valid_until
    posting.status = data.status
    posting.original_language = data.original_language
    existing = {text.language: text for text in posting.texts}
    wanted = _wanted_texts(data)
    rewritten = set()  # translations given anew with this change: they follow the new original
    for code, (title, body) in wanted.items():
        text = existing.get(code)
        if text is None:
            posting.texts.append(
                PostingText(language=code, title=title, body=body, source_language=data.original_language)
            )
        elif (text.title, text.body, text.source_language) != (title, body, data.original_language):
            if (text.title, text.body) != (title, body):
                rewritten.add(code)
                text.outdated = False  # written anew: it follows the original as it is now
            text.title, text.body, text.updated_at = title, body, utcnow()
            text.source_language = data.original_language
    for code, text in existing.items():
        if code not in wanted:
            posting.texts.remove(text)
    if original_before is not None and _original_words(posting) != original_before:
        _mark_outdated(posting, rewritten)


def _mark_outdated(posting: Posting, rewritten: set[str]) -> None:
    """The original changed: a translation not written anew along with it may now say something else."""
    for text in posting.texts:
        if text.language == posting.original_language or text.language in rewritten:
            text.outdated = False
        elif text.id is not None:  # one added with this very change was made from the new original
            text.outdated = True


def create_posting(
    session: Session, actor, organisation: Organisation, data: PostingInput, key: str | None = None, *,
    review: str = "none",
) -> Posting:
    """A new posting. ``review`` is the board's BULLETIN_POSTING_REVIEW: with "unverified", a member of an
    unverified organisation waits for the coordinator; "none" (imports, the command line) holds nothing."""
    ensure(can_post_for(actor, organisation))
    validate(data)
    posting = Posting(key=key or new_key(), organisation_id=organisation.id, organisation=organisation,
                      type=data.type, category=data.category, original_language=data.original_language)
    _apply(posting, data)
    session.add(posting)
    session.flush()
    audit.record(session, actor, "posting.create", posting, audit.diff({}, _snapshot(posting)))
    moderation.hold_if_needed(session, actor, posting, review)
    return posting


@dataclass(frozen=True)
class NewPosting:
    """What create_posting stores for a PostingInput, as plain column values, with its audit entry's
    changes: a bulk import inserts many of these at once (bulletin/bulk_import.py)."""

    values: dict  # the posting's columns, but id, key, organisation_id and the times
    texts: list[dict]  # per text: language, title, body, source_language
    changes: dict  # of the "posting.create" audit entry


def new_posting(data: PostingInput) -> NewPosting:
    """The rows create_posting would write for ``data`` (checked with validate), by the same rules
    (_apply, _snapshot): no hold for review, as for an import or the command line."""
    values = {"type": data.type, "category": data.category, "district": (data.district or "").strip() or None,
              "valid_until": data.valid_until, "status": data.status, "moderation": "visible",
              "original_language": data.original_language}
    texts = [{"language": code, "title": title, "body": body, "source_language": data.original_language}
             for code, (title, body) in _wanted_texts(data).items()]
    written = SimpleNamespace(**values, texts=[SimpleNamespace(**text, outdated=False) for text in texts])
    return NewPosting(values, texts, audit.diff({}, _snapshot(written)))


def update_posting(session: Session, actor, posting: Posting, data: PostingInput) -> bool:
    """Apply ``data``; returns whether anything changed (an unchanged save writes nothing)."""
    ensure(can_edit_posting(actor, posting))
    validate(data)
    return audit.record_changes(session, actor, "posting.update", posting, _snapshot,
                                lambda: _apply(posting, data))


def _set_fields(session: Session, actor, posting: Posting, action: str, **values) -> None:
    ensure(can_edit_posting(actor, posting))
    before = {name: getattr(posting, name) for name in values}
    for name, value in values.items():
        setattr(posting, name, value)
    posting.updated_at = utcnow()
    audit.record(session, actor, action, posting, audit.diff(before, values))


def renew_posting(session: Session, actor, posting: Posting, today: date, days: int) -> None:
    """Extend valid-until to ``days`` from today (never shortening it)."""
    new_until = today + timedelta(days=days)
    if posting.valid_until is not None and posting.valid_until > new_until:
        new_until = posting.valid_until
    _set_fields(session, actor, posting, "posting.renew", valid_until=new_until)


def close_posting(session: Session, actor, posting: Posting) -> None:
    _set_fields(session, actor, posting, "posting.close", status="closed")


def reopen_posting(session: Session, actor, posting: Posting) -> None:
    _set_fields(session, actor, posting, "posting.reopen", status="open")


def set_translation(session: Session, actor, posting: Posting, language: str, title: str, body: str) -> bool:
    """Add or replace the text in ``language``; returns whether anything changed.

    The original text is changed with update_posting, never here: a translation always follows it.
    Saving an outdated translation again, even unchanged, confirms it: it is no longer outdated.
    """
    ensure(can_edit_posting(actor, posting))
    return write_translation(session, actor, posting, language, title, body)


def check_translation(posting: Posting, language: str, title: str, body: str) -> tuple[str, str]:
    """The title and body, stripped; raises InvalidData when they cannot be a translation of ``posting``."""
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, object] = {}
    if language not in LANGUAGE_BY_CODE:
        errors["language"] = _l("Unknown language: %(code)s", code=language)
    elif language == posting.original_language:
        errors["language"] = _l(
            "This is the original language: change the original text by editing the posting."
        )
    if not title:
        errors["title"] = _l("A title is required.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title may have at most %(max)d characters.", max=TITLE_MAX)
    if len(body) > BODY_MAX:
        errors["body"] = _l("The description may have at most %(max)d characters.", max=BODY_MAX)
    text_rules.check(errors, "title", title)
    text_rules.check(errors, "body", body, multiline=True)
    if errors:
        raise InvalidData(errors)
    return title, body


def write_translation(session: Session, actor, posting: Posting, language: str, title: str, body: str,
                      *, outdated: bool = False) -> bool:
    """Store a translation and audit it. The caller has checked that ``actor`` may (set_translation,
    bulletin.services.translations); ``outdated`` when it was made from an earlier original."""
    title, body = check_translation(posting, language, title, body)
    text = next((text for text in posting.texts if text.language == language), None)
    before = {"outdated": False}
    if text is not None:
        before = {"title": text.title, "body": text.body, "outdated": text.outdated}
    after = {"title": title, "body": body, "outdated": outdated}
    if text is None:
        posting.texts.append(PostingText(language=language, title=title, body=body, outdated=outdated,
                                         source_language=posting.original_language))
    elif before == after and text.source_language == posting.original_language:
        return False
    else:
        text.title, text.body, text.outdated, text.updated_at = title, body, outdated, utcnow()
        text.source_language = posting.original_language
    posting.updated_at = utcnow()
    changes = audit.diff(before, after)
    audit.record(session, actor, "posting.translate", posting, {"language": language, **changes})
    return True


def count_views(connection: Connection, views: Mapping[int, int]) -> None:
    """Add ``views`` {posting id: readers} to the postings' view counts (a posting gone since is skipped).

    One UPDATE each, adding to what is stored, so workers writing at the same moment all count.

    Core statements, not the ORM: a page view is no change of the posting (no audit entry, no index
    write, no new listing revision)."""
    table = Posting.__table__
    for posting_id, count in sorted(views.items()):  # one order: no deadlock between workers
        connection.execute(
            update(table).where(table.c.id == posting_id).values(view_count=table.c.view_count + count)
        )


def overview(today: date, *, state: str | None = None, organisation_id: int | None = None):
    """Every posting, whatever its organisation's status, newest change first: for dashboards and the desk.

    ``state`` is what a reader sees: "open" (open and not expired), "expired" or "closed".
    """
    statement = select(Posting)
    if organisation_id is not None:
        statement = statement.where(Posting.organisation_id == organisation_id)
    not_expired = or_(Posting.valid_until.is_(None), Posting.valid_until >= today)
    if state == "open":
        statement = statement.where(Posting.status == "open", not_expired)
    elif state == "expired":
        statement = statement.where(Posting.status == "open", Posting.valid_until < today)
    elif state == "closed":
        statement = statement.where(Posting.status == "closed")
    return statement.order_by(Posting.updated_at.desc(), Posting.id.desc())


def organisation_postings(session: Session, today: date, organisation_id: int) -> list[Posting]:
    """Every posting of one organisation, newest change first: its dashboard's table."""
    return list(session.exec(overview(today, organisation_id=organisation_id)))


def posting_in_reach(session: Session, actor, posting_id: int) -> Posting:
    """The posting if ``actor`` may know it exists: their organisation's, or any for the coordinator.

    NotFound otherwise, so that a member need not learn of another organisation's posting.
    """
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise NotFound()
    if not actor.is_coordinator and posting.organisation_id != actor.organisation_id:
        raise NotFound()
    return posting


def posting_state(posting: Posting, today: date) -> str:
    """The status as a reader of the board experiences it: open, expired or closed."""
    if posting.status == "closed":
        return "closed"
    return "expired" if posting.is_expired(today) else "open"


def get_by_key(session: Session, key: str) -> Posting | None:
    return session.exec(select(Posting).where(Posting.key == key)).first()


def upsert_posting(session: Session, actor, organisation: Organisation, key: str, data: PostingInput) -> str:
    """Create or update the posting with this external key: "created", "updated" or "unchanged"."""
    posting = get_by_key(session, key)
    if posting is None:
        create_posting(session, actor, organisation, data, key=key)
        return "created"
    return upsert_loaded(session, actor, organisation, posting, data)


def upsert_loaded(session: Session, actor, organisation: Organisation, posting: Posting,
                  data: PostingInput) -> str:
    """upsert_posting for a posting already loaded by its key: "updated" or "unchanged"."""
    if posting.organisation_id != organisation.id:
        before = posting.organisation.key
        ensure(actor.is_coordinator)
        posting.organisation_id, posting.organisation = organisation.id, organisation
        audit.record(session, actor, "posting.move", posting,
                     audit.diff({"organisation": before}, {"organisation": organisation.key}))
        update_posting(session, actor, posting, data)
        return "updated"
    return "updated" if update_posting(session, actor, posting, data) else "unchanged"
