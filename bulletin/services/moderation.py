"""The coordinator's decisions: holding postings for review, hiding and restoring them, suspending and
restoring organisations, the verified badge, and messages asking an organisation for changes.

Every decision is the coordinator's alone, is written to the audit log, and acts through the one
visibility rule (listing_clause.is_listed_clause): what is held, hidden or suspended leaves every public list.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from bulletin.models import Organisation, OrganisationMessage, Posting, utcnow
from bulletin.services import audit, text_rules
from bulletin.services.errors import InvalidData
from bulletin.services.organisations import is_waiting_clause
from bulletin.services.permissions import ensure

MODERATION_STATES = ("visible", "held", "hidden")
REVIEW_POLICIES = ("none", "unverified")
REASON_MAX = 1000
MESSAGE_MAX = 2000


def needs_review(actor, organisation: Organisation, policy: str) -> bool:
    """Whether a new posting by ``actor`` waits for review: never the coordinator's own, nor an import."""
    return policy == "unverified" and not actor.is_coordinator and not organisation.verified


def hold_if_needed(session: Session, actor, posting: Posting, policy: str) -> bool:
    """Hold a just created posting for review when the board's policy (BULLETIN_POSTING_REVIEW) asks."""
    if not needs_review(actor, posting.organisation, policy):
        return False
    posting.moderation = "held"
    audit.record(session, actor, "posting.hold", posting, audit.diff({"moderation": "visible"},
                                                                    {"moderation": "held"}))
    return True


def _clean_text(value: str | None, field: str, limit: int, required_message) -> str:
    text = (value or "").strip()
    if not text and required_message is not None:
        raise InvalidData({field: required_message})
    if len(text) > limit:
        raise InvalidData({field: _l("At most %(max)d characters.", max=limit)})
    problem = text_rules.problem(text, multiline=True)  # reasons and messages may have several lines
    if problem is not None:
        raise InvalidData({field: problem})
    return text


def _set_moderation(session: Session, actor, posting: Posting, action: str, state: str,
                    reason: str | None) -> None:
    before = {"moderation": posting.moderation, "moderation_reason": posting.moderation_reason}
    posting.moderation, posting.moderation_reason = state, reason
    posting.updated_at = utcnow()
    after = {"moderation": state, "moderation_reason": reason}
    audit.record(session, actor, action, posting, audit.diff(before, after))


def hide_posting(session: Session, actor, posting: Posting, reason: str) -> bool:
    """Take a posting off the board with a reason its organisation sees. False if already so hidden."""
    ensure(actor.is_coordinator)
    reason = _clean_text(reason, "reason", REASON_MAX,
                         _l("Please give a reason: the organisation sees it."))
    if posting.moderation == "hidden" and posting.moderation_reason == reason:
        return False
    _set_moderation(session, actor, posting, "posting.hide", "hidden", reason)
    return True


def restore_posting(session: Session, actor, posting: Posting) -> bool:
    """Show a hidden posting again (if it is still open and valid). False if it was not hidden."""
    ensure(actor.is_coordinator)
    if posting.moderation != "hidden":
        return False
    _set_moderation(session, actor, posting, "posting.restore", "visible", None)
    return True


def release_posting(session: Session, actor, posting: Posting) -> bool:
    """Let a posting held for review onto the board. False if it was not held."""
    ensure(actor.is_coordinator)
    if posting.moderation != "held":
        return False
    _set_moderation(session, actor, posting, "posting.release", "visible", None)
    return True


def with_moderation(statement, state: str | None):
    """``statement`` (selecting postings) narrowed to one moderation state; all of them for None."""
    return statement if state is None else statement.where(Posting.moderation == state)


def count_held(session: Session) -> int:
    return session.scalar(select(func.count(Posting.id)).where(Posting.moderation == "held")) or 0


def withheld_postings(session: Session, organisation_id: int) -> list[Posting]:
    """An organisation's postings the coordinator holds or has hidden, for its dashboard."""
    statement = select(Posting).where(
        Posting.organisation_id == organisation_id, Posting.moderation != "visible"
    )
    return list(session.exec(statement.order_by(Posting.updated_at.desc(), Posting.id.desc())))


# Organisations ---------------------------------------------------------------------------------------


def organisations_by_name(status: str | None = None, verified: bool | None = None):
    """A statement for the desk's list of organisations, by name."""
    statement = select(Organisation)
    if status is not None:
        statement = statement.where(Organisation.status == status)
    if verified is not None:
        statement = statement.where(Organisation.verified.is_(verified))
    return statement.order_by(Organisation.name, Organisation.id)


def count_waiting(session: Session) -> int:
    return session.scalar(select(func.count(Organisation.id)).where(is_waiting_clause())) or 0


def suspend_organisation(session: Session, actor, organisation: Organisation, reason: str = "") -> None:
    """Hide an approved organisation and all its postings at once, until it is restored."""
    ensure(actor.is_coordinator)
    reason = _clean_text(reason, "reason", REASON_MAX, None)
    if organisation.status != "approved":
        raise InvalidData({"status": _l("Only approved organisations can be suspended.")})
    organisation.status = "suspended"
    organisation.updated_at = utcnow()
    changes = audit.diff({"status": "approved"}, {"status": "suspended"})
    audit.record(session, actor, "organisation.suspend", organisation, {**changes, "reason": reason})


def restore_organisation(session: Session, actor, organisation: Organisation) -> None:
    """Approve a suspended organisation again: its open postings return to the board."""
    ensure(actor.is_coordinator)
    if organisation.status != "suspended":
        raise InvalidData({"status": _l("Only suspended organisations can be restored.")})
    organisation.status = "approved"
    organisation.updated_at = utcnow()
    audit.record(session, actor, "organisation.restore", organisation,
                 audit.diff({"status": "suspended"}, {"status": "approved"}))


def set_verified(session: Session, actor, organisation: Organisation, verified: bool) -> bool:
    """Grant or withdraw the "verified" badge. False if it was already so."""
    ensure(actor.is_coordinator)
    if organisation.verified == verified:
        return False
    organisation.verified = verified
    organisation.updated_at = utcnow()
    action = "organisation.verify" if verified else "organisation.unverify"
    audit.record(session, actor, action, organisation, audit.diff({"verified": not verified},
                                                                   {"verified": verified}))
    return True


def ask_for_changes(session: Session, actor, organisation: Organisation, text: str) -> OrganisationMessage:
    """A message to the organisation, shown on its dashboard until the coordinator marks it resolved."""
    ensure(actor.is_coordinator)
    text = _clean_text(text, "text", MESSAGE_MAX, _l("Please write what the organisation should change."))
    message = OrganisationMessage(organisation_id=organisation.id, author=actor.email, text=text)
    session.add(message)
    session.flush()
    audit.record(session, actor, "organisation.message", organisation, {"message": message.id, "text": text})
    return message


def resolve_message(session: Session, actor, message: OrganisationMessage) -> bool:
    """Mark a message as dealt with; it leaves the organisation's dashboard. False if it already had."""
    ensure(actor.is_coordinator)
    if not message.is_open:
        return False
    message.resolved_at, message.resolved_by = utcnow(), actor.email
    organisation = session.get(Organisation, message.organisation_id)
    audit.record(session, actor, "organisation.message_resolved", organisation, {"message": message.id})
    return True


def messages_of(
    session: Session, organisation_id: int, *, open_only: bool = False
) -> list[OrganisationMessage]:
    """An organisation's messages from the coordinator, newest first."""
    statement = select(OrganisationMessage).where(OrganisationMessage.organisation_id == organisation_id)
    if open_only:
        statement = statement.where(OrganisationMessage.resolved_at.is_(None))
    return list(session.exec(statement.order_by(OrganisationMessage.created_at.desc(),
                                                OrganisationMessage.id.desc())))
