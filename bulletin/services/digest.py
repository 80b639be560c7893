"""The daily match digest: organisations that asked for it hear of new offers matching their open requests.

"New" means not mailed to them before for that request: each (request, offer) pair mailed is recorded,
before the mail goes out, so a crash never mails twice; when no mail at all could be sent, the records
are removed again and the next run tries once more (bulletin.notifications.delivery.record_then_send).
The search finds the matches (bulletin.search.match); what the mail says is bulletin.notifications.digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from bulletin.models import MatchDigestEntry, Organisation, Posting, User, utcnow
from bulletin.notifications.delivery import record_then_send
from bulletin.notifications.digest import digest_mail
from bulletin.notifications.language import in_board_language
from bulletin.search.match import matches_for
from bulletin.services import audit
from bulletin.services.permissions import can_post_for, ensure

MATCHES_PER_REQUEST = 5


@dataclass(frozen=True)
class DigestLine:
    request: Posting
    offers: list[Posting]


@dataclass
class DigestOutcome:
    organisations: int = 0
    offers: int = 0
    failed: int = 0


def set_match_digest(session: Session, actor, organisation: Organisation, wanted: bool) -> bool:
    """Ask for the daily mail, or stop it; returns whether anything changed. Members of an approved
    organisation (who can post requests) and the coordinator may."""
    ensure(can_post_for(actor, organisation))
    if organisation.match_digest == wanted:
        return False
    organisation.match_digest = wanted
    organisation.updated_at = utcnow()
    audit.record(session, actor, "organisation.match_digest", organisation,
                 audit.diff({"match_digest": not wanted}, {"match_digest": wanted}))
    return True


def subscribers(session: Session) -> list[Organisation]:
    statement = select(Organisation).where(Organisation.match_digest.is_(True),  # type: ignore[attr-defined]
                                           Organisation.status == "approved")
    return list(session.exec(statement.order_by(Organisation.id)))


def new_matches(session: Session, search, organisation: Organisation, today: date) -> list[DigestLine]:
    """For each listed request of the organisation, the matching offers it was not told about yet."""
    requests = session.exec(
        select(Posting).where(Posting.organisation_id == organisation.id, Posting.type == "request")
        .order_by(Posting.id)
    ).all()
    lines = []
    for request in requests:
        if not request.is_listed(today):
            continue
        told = set(session.exec(
            select(MatchDigestEntry.offer_id).where(MatchDigestEntry.request_id == request.id)
        ))
        found = matches_for(search, request, limit=MATCHES_PER_REQUEST * 4, today=today)
        fresh = [match for match in found if match.posting_id not in told][:MATCHES_PER_REQUEST]
        offers = [session.get(Posting, match.posting_id) for match in fresh]
        offers = [offer for offer in offers if offer is not None and offer.is_listed(today)]
        if offers:
            lines.append(DigestLine(request, offers))
    return lines


def recipients(session: Session, organisation: Organisation) -> list[str]:
    """The organisation's active members; its own address when it has none."""
    members = [member.email for member in session.exec(
        select(User).where(User.organisation_id == organisation.id, User.active.is_(True))  # type: ignore
    )]
    return members or ([organisation.email] if organisation.email else [])


def send_digest(session: Session, search, organisation: Organisation, today: date) -> int | None:
    """Mail one organisation its new matches: how many offers it was told about (0: nothing new), or
    None when no mail could be sent (nothing is recorded then)."""
    lines = new_matches(session, search, organisation, today)
    if not lines:
        return 0
    entries = [
        MatchDigestEntry(organisation_id=organisation.id, request_id=line.request.id, offer_id=offer.id)
        for line in lines for offer in line.offers
    ]
    sent = record_then_send(session, entries, lambda: digest_mail(organisation, lines),
                            recipients(session, organisation))
    return len(entries) if sent else None


def send_digests(session: Session, search, today: date) -> DigestOutcome:
    """The daily run: every organisation that asked, in the board's language. Commits per organisation."""
    outcome = DigestOutcome()
    with in_board_language():
        for organisation in subscribers(session):
            told = send_digest(session, search, organisation, today)
            if told is None:
                outcome.failed += 1
            elif told:
                outcome.organisations += 1
                outcome.offers += told
    return outcome
