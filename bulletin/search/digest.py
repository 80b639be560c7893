"""The daily match digest: organisations that asked for it hear of new offers matching their open requests.

"New" means not mailed to them before for that request: each (request, offer) pair mailed is recorded,
before the mail goes out, so a crash never mails twice; when no mail at all could be sent, the records
are removed again and the next run tries once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session, select
from werkzeug.routing import MapAdapter

from bulletin.mail import send_mail_or_log
from bulletin.models import MatchDigestEntry, Organisation, Posting, User, utcnow
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


def mail_body(app: Flask, organisation: Organisation, lines: list[DigestLine], urls: MapAdapter,
              language: str) -> str:
    parts = [_("Hello,"), "",
             _("new offers on %(site)s match the requests of %(organisation)s:",
               site=app.config["BULLETIN_SITE_NAME"], organisation=organisation.name), ""]
    for line in lines:
        shown = line.request.text(language)
        parts.append(_("Your request: %(title)s", title=shown.title if shown else line.request.key))
        for offer in line.offers:
            offer_text = offer.text(language)
            url = urls.build("public.posting", {"lang": language, "posting_id": offer.id},
                             force_external=True)
            parts.append(f"  - {offer_text.title if offer_text else offer.key} ({offer.organisation.name})")
            parts.append(f"    {url}")
        parts.append("")
    parts.append(_("You get this mail because your organisation asked for it. To stop it, untick "
                   "“Daily mail of matching offers” on your dashboard: %(url)s",
                   url=urls.build("dashboard.index", {"lang": language}, force_external=True)))
    return "\n".join(parts) + "\n"


def send_digest(app: Flask, session: Session, search, organisation: Organisation, urls: MapAdapter,
                language: str, today: date) -> int:
    """Mail one organisation its new matches; returns how many offers it was told about (0: nothing new)."""
    lines = new_matches(session, search, organisation, today)
    if not lines:
        return 0
    recipients = [member.email for member in session.exec(
        select(User).where(User.organisation_id == organisation.id, User.active.is_(True))  # type: ignore
    )]
    if not recipients and organisation.email:
        recipients = [organisation.email]
    entries = [
        MatchDigestEntry(organisation_id=organisation.id, request_id=line.request.id, offer_id=offer.id)
        for line in lines for offer in line.offers
    ]
    session.add_all(entries)
    session.commit()
    count = len(entries)
    subject = ngettext("%(num)d new offer matches your requests on %(site)s",
                       "%(num)d new offers match your requests on %(site)s", count,
                       site=app.config["BULLETIN_SITE_NAME"])
    body = mail_body(app, organisation, lines, urls, language)
    if not any([send_mail_or_log(address, subject, body) for address in recipients]):
        for entry in entries:
            session.delete(entry)
        session.commit()
        raise OSError("no mail could be sent")
    return count
