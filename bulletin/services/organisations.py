"""Organisations: sign-up, profile, approval. Import goes through the same functions."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from bulletin.models import Organisation, OrganisationText, Posting, User, utcnow
from bulletin.services import audit, text_rules
from bulletin.services.errors import InvalidData
from bulletin.services.permissions import can_edit_profile, ensure
from bulletin.taxonomy import LANGUAGE_BY_CODE, ORGANISATION_STATUSES, ORGANISATION_TYPES, language_rank

NAME_MAX = 200
DESCRIPTION_MAX = 5000
CONTACT_MAX = {"email": 254, "phone": 50, "website": 300, "address": 300, "district": 100}
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/.\-]{3,50}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class OrganisationInput:
    name: str
    type: str = "other"
    descriptions: dict[str, str] = field(default_factory=dict)  # the first entry is the original
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    district: str | None = None
    languages: list[str] = field(default_factory=list)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def validate(data: OrganisationInput) -> None:
    errors: dict[str, object] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _l("A name is required.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("The name may have at most %(max)d characters.", max=NAME_MAX)
    text_rules.check(errors, "name", name)
    if data.type not in ORGANISATION_TYPES:
        errors["type"] = _l("Unknown type of organisation.")
    for code, text in data.descriptions.items():
        if code not in LANGUAGE_BY_CODE:
            errors["description"] = _l("Unknown language: %(code)s", code=code)
        elif len(text or "") > DESCRIPTION_MAX:
            errors["description"] = _l(
                "The description may have at most %(max)d characters.", max=DESCRIPTION_MAX
            )
        text_rules.check(errors, "description", text, multiline=True)
    unknown = [code for code in data.languages if code not in LANGUAGE_BY_CODE]
    if unknown:
        errors["languages"] = _l("Unknown language: %(code)s", code=", ".join(unknown))
    for name_, limit in CONTACT_MAX.items():
        value = _clean(getattr(data, name_))
        if value and len(value) > limit:
            errors[name_] = _l("At most %(max)d characters.", max=limit)
        text_rules.check(errors, name_, value)
    email = _clean(data.email)
    if email and "email" not in errors and not EMAIL_PATTERN.match(email):
        errors["email"] = _l("This is not an email address.")
    phone = _clean(data.phone)
    if phone and "phone" not in errors and not PHONE_PATTERN.match(phone):
        errors["phone"] = _l("A phone number has digits, spaces and + ( ) / - only.")
    website = _clean(data.website)
    if website and "website" not in errors and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", website):
        errors["website"] = _l("A web address starts with http:// or https://.")
    if errors:
        raise InvalidData(errors)


def profile_record(organisation: Organisation) -> dict:
    """What an organisation says about itself, in the order of the import format's fields.

    Descriptions come original first: in the import format the first one is the original.
    """
    texts = sorted(organisation.texts, key=lambda text: (not text.is_original, language_rank(text.language)))
    return {
        "name": organisation.name,
        "type": organisation.type,
        "description": {text.language: text.description for text in texts},
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "address": organisation.address,
        "district": organisation.district,
        "languages": list(organisation.languages),
        "verified": organisation.verified,
    }


def _snapshot(organisation: Organisation) -> dict:
    outdated = sorted(text.language for text in organisation.texts if text.outdated)
    return {**profile_record(organisation), "status": organisation.status, "outdated": outdated}


def _original_description(organisation: Organisation) -> tuple[str, str] | None:
    text = next((text for text in organisation.texts if text.is_original), None)
    return (text.language, text.description) if text else None


def _apply(organisation: Organisation, data: OrganisationInput) -> None:
    organisation.name = data.name.strip()
    organisation.type = data.type
    for name in CONTACT_MAX:
        setattr(organisation, name, _clean(getattr(data, name)))
    organisation.languages = list(dict.fromkeys(data.languages))
    wanted = {code: text.strip() for code, text in data.descriptions.items() if text and text.strip()}
    original = next(iter(wanted), None)
    existing = {text.language: text for text in organisation.texts}
    current_original = next((text.source_language for text in organisation.texts if text.is_original), None)
    source = current_original if current_original in wanted else original
    original_before = _original_description(organisation)
    rewritten = set()  # translations given anew with this change: they follow the new original
    for code, description in wanted.items():
        text = existing.get(code)
        if text is None:
            organisation.texts.append(
                OrganisationText(language=code, description=description, source_language=source)
            )
        elif text.description != description or text.source_language != source:
            if text.description != description:
                rewritten.add(code)
                text.outdated = False
            text.description, text.source_language, text.updated_at = description, source, utcnow()
    for code, text in existing.items():
        if code not in wanted:
            organisation.texts.remove(text)
    if original_before is not None and _original_description(organisation) != original_before:
        # The original changed: a translation not written anew along with it may now say something else.
        for text in organisation.texts:
            if text.is_original or text.language in rewritten:
                text.outdated = False
            elif text.id is not None:
                text.outdated = True


def slug_key(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]
    return slug or "org"


def unique_key(session: Session, name: str) -> str:
    base = slug_key(name)
    key = base
    while get_by_key(session, key) is not None:
        key = f"{base}-{secrets.token_hex(2)}"
    return key


def get_by_key(session: Session, key: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.key == key)).first()


def existing_keys(session: Session, keys: set[str]) -> set[str]:
    """Those of ``keys`` that name an organisation on the board, in one query."""
    if not keys:
        return set()
    return set(session.exec(select(Organisation.key).where(Organisation.key.in_(keys))))


def is_waiting_clause():
    """Pending sign-ups whose address is confirmed: until then a sign-up is nobody's business but the
    address owner's (services/signups.py), and the daily purge removes it if it stays unconfirmed."""
    unconfirmed = select(User.organisation_id).where(User.email_confirmed_at.is_(None),
                                                     User.organisation_id.is_not(None))
    return (Organisation.status == "pending") & Organisation.id.not_in(unconfirmed)


def waiting_for_approval(session: Session) -> list[Organisation]:
    """Pending sign-ups, oldest first: the coordinator's queue."""
    statement = select(Organisation).where(is_waiting_clause())
    return list(session.exec(statement.order_by(Organisation.created_at, Organisation.id)))


def all_by_name(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(Organisation.name, Organisation.id)))


def create_organisation(
    session: Session, actor, data: OrganisationInput, *, key: str | None = None,
    status: str = "pending", verified: bool = False,
) -> Organisation:
    validate(data)
    if status not in ORGANISATION_STATUSES:
        raise InvalidData({"status": _l("Unknown status.")})
    organisation = Organisation(key=key or unique_key(session, data.name), name=data.name.strip(),
                                status=status, verified=verified)
    _apply(organisation, data)
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "organisation.create", organisation, audit.diff({}, _snapshot(organisation)))
    return organisation


def update_profile(session: Session, actor, organisation: Organisation, data: OrganisationInput) -> bool:
    ensure(can_edit_profile(actor, organisation))
    validate(data)
    return audit.record_changes(session, actor, "organisation.update", organisation, _snapshot,
                                lambda: _apply(organisation, data))


def set_status(session: Session, actor, organisation: Organisation, *, status: str | None = None,
               verified: bool | None = None) -> bool:
    """Approve, suspend or verify: the coordinator's decisions."""
    ensure(actor.is_coordinator)
    before = _snapshot(organisation)
    if status is not None:
        if status not in ORGANISATION_STATUSES:
            raise InvalidData({"status": _l("Unknown status.")})
        organisation.status = status
    if verified is not None:
        organisation.verified = verified
    changes = audit.diff(before, _snapshot(organisation))
    if not changes:
        return False
    organisation.updated_at = utcnow()
    action = {"approved": "organisation.approve", "suspended": "organisation.suspend"}.get(
        organisation.status if "status" in changes else "", "organisation.update"
    )
    audit.record(session, actor, action, organisation, changes)
    return True


def approve(session: Session, actor, organisation: Organisation) -> bool:
    return set_status(session, actor, organisation, status="approved")


def reject(session: Session, actor, organisation: Organisation, reason: str = "") -> list[str]:
    """Refuse a sign-up: the organisation, its postings and its accounts are deleted.

    Returns the members' email addresses, so the caller can tell them why. Only pending
    organisations can be rejected; an approved one is suspended instead.
    """
    ensure(actor.is_coordinator)
    if organisation.status != "pending":
        raise InvalidData({"status": _l("Only organisations waiting for approval can be rejected.")})
    problem = text_rules.problem(reason, multiline=True)
    if problem is not None:
        raise InvalidData({"reason": problem})
    members = list(session.exec(select(User).where(User.organisation_id == organisation.id)))
    emails = [member.email for member in members]
    audit.record(session, actor, "organisation.reject", organisation,
                 {"name": organisation.name, "reason": reason, "members": emails})
    delete_with_members(session, organisation, members)
    return emails


def delete_with_members(session: Session, organisation: Organisation, members: list[User]) -> None:
    """Remove an organisation that never went public, with its postings (drafts) and its accounts."""
    for posting in session.exec(select(Posting).where(Posting.organisation_id == organisation.id)):
        session.delete(posting)
    for member in members:
        session.delete(member)
    session.flush()  # the accounts first: they point at the organisation
    session.delete(organisation)


def check_description_translation(organisation: Organisation, language: str, description: str) -> str:
    """The description, stripped; raises InvalidData when it cannot be a translation of the profile."""
    description = (description or "").strip()
    original = next((text for text in organisation.texts if text.is_original), None)
    errors: dict[str, object] = {}
    if language not in LANGUAGE_BY_CODE:
        errors["language"] = _l("Unknown language: %(code)s", code=language)
    elif original is None or not original.description:
        errors["language"] = _l("There is no description to translate yet.")
    elif language == original.language:
        errors["language"] = _l("This is the original language: only the organisation changes its text.")
    if not description:
        errors["description"] = _l("A description is required.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _l(
            "The description may have at most %(max)d characters.", max=DESCRIPTION_MAX
        )
    text_rules.check(errors, "description", description, multiline=True)
    if errors:
        raise InvalidData(errors)
    return description


def write_description_translation(session: Session, actor, organisation: Organisation, language: str,
                                  description: str, *, outdated: bool = False) -> bool:
    """Store a translation of the self-description and audit it; returns whether anything changed.

    The caller has checked that ``actor`` may (bulletin.services.translations). ``outdated`` when it was
    made from an earlier original. The original itself is changed with update_profile, never here.
    """
    description = check_description_translation(organisation, language, description)
    original = next(text for text in organisation.texts if text.is_original)
    text = next((text for text in organisation.texts if text.language == language), None)
    before = {"description": text.description, "outdated": text.outdated} if text else {"outdated": False}
    after = {"description": description, "outdated": outdated}
    if text is None:
        organisation.texts.append(OrganisationText(language=language, description=description,
                                                   source_language=original.language, outdated=outdated))
    elif before == after and text.source_language == original.language:
        return False
    else:
        text.description, text.outdated, text.updated_at = description, outdated, utcnow()
        text.source_language = original.language
    organisation.updated_at = utcnow()
    audit.record(session, actor, "organisation.translate", organisation,
                 {"language": language, **audit.diff(before, after)})
    return True


def set_logo(session: Session, actor, organisation: Organisation, filename: str | None) -> None:
    ensure(can_edit_profile(actor, organisation))
    before = organisation.logo
    organisation.logo = filename
    organisation.updated_at = utcnow()
    audit.record(
        session, actor, "organisation.logo", organisation,
        audit.diff({"logo": before}, {"logo": filename}),
    )


def upsert_organisation(session: Session, actor, key: str, data: OrganisationInput, *, status: str,
                        verified: bool) -> str:
    """Create or update by external key: "created", "updated" or "unchanged"."""
    organisation = get_by_key(session, key)
    if organisation is None:
        create_organisation(session, actor, data, key=key, status=status, verified=verified)
        return "created"
    changed = update_profile(session, actor, organisation, data)
    changed = set_status(session, actor, organisation, status=status, verified=verified) or changed
    return "updated" if changed else "unchanged"
