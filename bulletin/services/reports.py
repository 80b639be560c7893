"""Reports from visitors ("report a problem") and the coordinator's queue of them.

A report keeps only what the visitor chose and wrote: no address, account or cookie value. Throttling
per address happens in the web layer, in memory (Flask-Limiter), and never reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, Report, utcnow
from bulletin.services import audit, text_rules
from bulletin.services.errors import InvalidData
from bulletin.services.permissions import ensure

TEXT_MAX = 1000
NOTE_MAX = 1000
STATUSES = ("open", "resolved", "dismissed")
CLOSING = {"resolved": "report.resolve", "dismissed": "report.dismiss"}

# The fixed list a visitor chooses from; the codes are stored, the labels translated when shown.
REASONS = {
    "wrong": _l("The information is wrong or out of date"),
    "unavailable": _l("It is no longer available, or nobody answers"),
    "money": _l("They ask for money or it looks like fraud"),
    "offensive": _l("It is offensive or discriminating"),
    "privacy": _l("It shows private details about someone"),
    "other": _l("Something else"),
}


@dataclass(frozen=True)
class Visitor:
    """Someone without an account who reports a problem. Named in the audit log only as "visitor"."""

    email: str = "visitor"
    id: None = None
    organisation_id: None = None
    is_coordinator: bool = False


VISITOR = Visitor()


def validate(reason: str, text: str) -> str:
    """The cleaned free text; InvalidData for an unknown reason, too long a text, or "other" unexplained."""
    text = (text or "").strip()
    errors: dict[str, object] = {}
    if reason not in REASONS:
        errors["reason"] = _l("Please choose one of the options.")
    if len(text) > TEXT_MAX:
        errors["text"] = _l("At most %(max)d characters.", max=TEXT_MAX)
    elif reason == "other" and not text:
        errors["text"] = _l("Please describe the problem in a few words.")
    text_rules.check(errors, "text", text, multiline=True)
    if errors:
        raise InvalidData(errors)
    return text


def report_posting(session: Session, posting: Posting, reason: str, text: str) -> Report:
    text = validate(reason, text)
    report = Report(organisation_id=posting.organisation_id, posting_id=posting.id, reason=reason, text=text)
    return _save(session, report, posting)


def report_organisation(session: Session, organisation: Organisation, reason: str, text: str) -> Report:
    text = validate(reason, text)
    report = Report(organisation_id=organisation.id, reason=reason, text=text)
    return _save(session, report, organisation)


def _save(session: Session, report: Report, target) -> Report:
    session.add(report)
    session.flush()
    audit.record(session, VISITOR, "report.create", report,
                 {"about": f"{type(target).__name__.lower()}:{target.key}", "reason": report.reason})
    return report


def close_report(session: Session, actor, report: Report, status: str, note: str = "") -> None:
    """Resolve (something was done) or dismiss (nothing needed doing) an open report, with a note."""
    ensure(actor.is_coordinator)
    if status not in CLOSING:
        raise InvalidData({"status": _l("Unknown status.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidData({"note": _l("At most %(max)d characters.", max=NOTE_MAX)})
    problem = text_rules.problem(note, multiline=True)
    if problem is not None:
        raise InvalidData({"note": problem})
    if report.status != "open":
        raise InvalidData({"status": _l("This report has already been dealt with.")})
    report.status, report.note = status, note or None
    report.resolved_by, report.resolved_at = actor.email, utcnow()
    audit.record(session, actor, CLOSING[status], report,
                 {**audit.diff({"status": "open"}, {"status": status}), "note": note})


def queue(status: str = "open"):
    """Reports with ``status``: open ones oldest first (a queue), the others most recently closed first."""
    statement = select(Report).where(Report.status == status)
    if status == "open":
        return statement.order_by(Report.created_at, Report.id)
    return statement.order_by(Report.resolved_at.desc(), Report.id.desc())


def open_count(session: Session) -> int:
    return session.scalar(select(func.count(Report.id)).where(Report.status == "open")) or 0


def about_organisation(session: Session, organisation_id: int) -> list[Report]:
    """Every report about the organisation or one of its postings, newest first."""
    statement = select(Report).where(Report.organisation_id == organisation_id)
    return list(session.exec(statement.order_by(Report.created_at.desc(), Report.id.desc())))


def about_posting(session: Session, posting_id: int) -> list[Report]:
    statement = select(Report).where(Report.posting_id == posting_id)
    return list(session.exec(statement.order_by(Report.created_at.desc(), Report.id.desc())))
