"""Reminders before a posting expires, and the one-click renew link they carry.

A reminder is recorded per posting and valid-until date, so a daily run never mails the same expiry
twice. Its link is signed (itsdangerous), names the reminder and a random nonce, expires after a few
days, and works once: using it marks the reminder used in the same transaction as the renewal.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, exists, update
from sqlmodel import Session, select

from bulletin.models import ExpiryReminder, Organisation, Posting, utcnow
from bulletin.services import postings
from bulletin.services.errors import InvalidData

TOKEN_SALT = "posting-renewal"  # noqa: S105 - a namespace for signatures, not a secret


@dataclass(frozen=True)
class RenewalLink:
    """Whoever holds a posting's renew link: trusted like a member of its organisation, for this one act."""

    organisation_id: int
    email: str = "renewal link"
    id: None = None
    is_coordinator: bool = False


def postings_due(session: Session, today: date, days_ahead: int) -> list[Posting]:
    """Open postings of approved organisations that expire within ``days_ahead`` days and whose current
    expiry has not been reminded of yet; ordered by organisation. Hidden postings are left alone."""
    reminded = exists().where(
        ExpiryReminder.posting_id == Posting.id, ExpiryReminder.valid_until == Posting.valid_until
    )
    statement = (
        select(Posting)
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(
            Posting.status == "open",
            Posting.moderation != "hidden",
            Organisation.status == "approved",
            and_(Posting.valid_until >= today, Posting.valid_until <= today + timedelta(days=days_ahead)),
            ~reminded,
        )
        .order_by(Posting.organisation_id, Posting.valid_until, Posting.id)
    )
    return list(session.exec(statement))


def by_organisation(due: list[Posting]) -> list[tuple[Organisation, list[Posting]]]:
    """``due`` (ordered by organisation) in one group per organisation: one mail each."""
    return [
        (group[0].organisation, group)
        for group in (list(items) for _id, items in groupby(due, key=lambda posting: posting.organisation_id))
    ]


def record_reminder(session: Session, posting: Posting) -> ExpiryReminder:
    reminder = ExpiryReminder(posting_id=posting.id, valid_until=posting.valid_until,
                              nonce=secrets.token_urlsafe(24))
    session.add(reminder)
    session.flush()
    return reminder


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def make_token(secret_key: str, reminder: ExpiryReminder) -> str:
    return _serializer(secret_key).dumps({"reminder": reminder.id, "nonce": reminder.nonce})


def reminder_for_token(
    session: Session, secret_key: str, token: str, max_age_days: int
) -> ExpiryReminder | None:
    """The unused reminder this link belongs to, or None: forged, expired, used, or its posting gone."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_days * 24 * 3600)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("reminder"), int):
        return None
    if not isinstance(payload.get("nonce"), str):
        return None
    reminder = session.get(ExpiryReminder, payload["reminder"])
    if reminder is None or reminder.used_at is not None:
        return None
    if not hmac.compare_digest(reminder.nonce, payload["nonce"]):
        return None
    return reminder


def posting_of(session: Session, reminder: ExpiryReminder) -> Posting:
    return session.get(Posting, reminder.posting_id)


def renew_with_link(session: Session, reminder: ExpiryReminder, today: date, days: int) -> Posting:
    """Renew the reminder's posting and use the link up. InvalidData when it cannot be renewed this way."""
    posting = posting_of(session, reminder)
    if posting.status != "open":
        raise InvalidData({"posting": _l("This posting has been closed, so it cannot be renewed.")})
    # Claim the link in the database first: of two clicks at the same moment only one renews.
    claimed = session.execute(
        update(ExpiryReminder)
        .where(ExpiryReminder.id == reminder.id, ExpiryReminder.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise InvalidData({"token": _l("This link has already been used.")})
    postings.renew_posting(session, RenewalLink(posting.organisation_id), posting, today, days)
    return posting
