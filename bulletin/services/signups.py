"""Signing up without telling anybody which addresses have accounts, and confirming the address.

A sign-up with a new address creates the pending organisation and its member account, unconfirmed; the
account cannot sign in until the owner of the address opens the signed link mailed to it. A sign-up with
an address that has an account changes nothing (the owner is told by mail). Both cost one Argon2 hash, so
neither the answer nor its time tells the two apart.

Unconfirmed sign-ups are removed once their link has expired (``remove_unconfirmed_signups``, run by the
daily purge), with the personal details their audit entries hold: the address may belong to somebody who
never signed up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import or_
from sqlmodel import Session, select

from bulletin.db import audit_redaction
from bulletin.models import AuditEntry, Organisation, User, utcnow
from bulletin.models.audit import REMOVED
from bulletin.passwords import hash_password
from bulletin.services import accounts, audit, organisations
from bulletin.services.actors import Applicant
from bulletin.services.audit_redaction import KEPT_FIELDS
from bulletin.services.organisations import OrganisationInput, validate

CONFIRM_SALT = "signup-confirm"


@dataclass(frozen=True)
class SignupResult:
    """What a sign-up did: ``created`` is the new, unconfirmed account; ``existing`` the account that
    already had the address (nothing was created). Exactly one of them is set."""

    created: User | None = None
    existing: User | None = None


def sign_up(session: Session, data: OrganisationInput, email: str, password: str) -> SignupResult:
    """A new pending organisation with its unconfirmed member, or nothing when the address is taken.

    The applicant's consent to the privacy notice is recorded as the audit entry ``user.consent``.
    Raises InvalidData for bad input, in both cases alike.
    """
    email = accounts.normalise_email(email)
    existing = accounts.get_by_email(session, email)
    if existing is not None:
        # The same checks a new sign-up passes, so a refusal does not tell the two apart either.
        accounts.validate_password(password, (email,))
        validate(data)
        hash_password(password)  # the hash a new account costs, so the answer takes as long
        return SignupResult(existing=existing)
    applicant = Applicant(email)
    user = accounts.sign_up(session, applicant, data, email, password)
    user.email_confirmed_at = None
    audit.record(session, applicant, "user.consent", user, {"privacy_notice": True})
    return SignupResult(created=user)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)


def make_confirm_token(secret_key: str, user: User) -> str:
    # The address is in the token: should the id ever name another account, the token names nobody.
    return _serializer(secret_key).dumps({"user": user.id, "email": user.email})


def user_for_confirm_token(session: Session, secret_key: str, token: str, max_age: int) -> User | None:
    """The unconfirmed account this token confirms, or None: forged, expired, or used already (a
    confirmed account makes every one of its tokens void, so each link works once)."""
    found = accounts.signed_user(session, _serializer(secret_key), token, max_age)
    if found is None:
        return None
    user, payload = found
    if user.email_confirmed_at is not None:
        return None
    return user if user.email == payload.get("email") else None


def confirm(session: Session, user: User) -> None:
    user.email_confirmed_at = utcnow()
    audit.record(session, user, "user.confirm", user, {})


def is_confirmed(user: User) -> bool:
    return user.email_confirmed_at is not None


def _forget_in_audit_log(session: Session, organisation_id: int, user_ids: list[int], emails: list[str],
                         now: datetime) -> None:
    """Remove the personal details of a sign-up from its audit entries at once, as the retention purge
    would after its period: codes and the organisation's name stay, addresses and contacts go."""
    statement = select(AuditEntry).where(or_(
        (AuditEntry.object_type == "organisation") & (AuditEntry.object_id == organisation_id),
        (AuditEntry.object_type == "user") & AuditEntry.object_id.in_(user_ids),
        AuditEntry.actor.in_(emails),
    ))
    with audit_redaction(session):
        for entry in session.exec(statement):
            kept = KEPT_FIELDS.get(entry.object_type, frozenset())
            changes = {field: value if field in kept else dict(REMOVED)
                       for field, value in (entry.changes or {}).items()}
            actor = "" if entry.actor in emails else entry.actor
            object_key = None if entry.object_type == "user" else entry.object_key
            if (actor, object_key, changes) == (entry.actor, entry.object_key, entry.changes):
                continue
            entry.actor, entry.object_key, entry.changes, entry.redacted_at = actor, object_key, changes, now
        session.flush()


def remove_unconfirmed_signups(session: Session, actor, created_before: datetime,
                               now: datetime | None = None) -> int:
    """Delete sign-ups whose address was not confirmed and that were made before ``created_before``
    (now minus BULLETIN_SIGNUP_CONFIRM_HOURS: their link no longer works): the organisation, its
    account, and the personal details in their audit entries. Returns how many; commits each one."""
    now = now or utcnow()
    statement = select(User).where(
        User.email_confirmed_at.is_(None), User.role == "member", User.created_at < created_before,
    ).order_by(User.id)
    removed = 0
    for user in list(session.exec(statement)):
        organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
        members = list(session.exec(select(User).where(User.organisation_id == user.organisation_id)))
        # Only a sign-up nobody confirmed: never an organisation the coordinator approved meanwhile, or
        # one that has a confirmed member.
        if organisation is None or organisation.status != "pending" or any(map(is_confirmed, members)):
            continue
        emails = [member.email for member in members]
        _forget_in_audit_log(session, organisation.id, [member.id for member in members], emails, now)
        audit.record(session, actor, "organisation.unconfirmed", organisation, {"name": organisation.name})
        organisations.delete_with_members(session, organisation, members)
        session.commit()
        removed += 1
    return removed
