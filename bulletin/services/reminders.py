"""The daily run of expiry reminders with one-click renew links.

Running it twice on a day does no harm: a reminder is recorded per posting and expiry, and a posting is
due only while it has none for its expiry date (services.expiry.postings_due). Each organisation's
reminders are their own transaction (record, mail, undo when none was sent:
bulletin.notifications.delivery.record_then_send), so one that fails leaves the others sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bulletin.models import Organisation, Posting
from bulletin.notifications.delivery import record_then_send
from bulletin.notifications.language import in_board_language
from bulletin.notifications.reminders import expiry_reminder_mail
from bulletin.services import accounts, expiry


@dataclass
class ReminderOutcome:
    organisations: int = 0
    postings: int = 0
    without_members: int = 0
    failed: int = 0


def remind(session: Session, organisation: Organisation, due: list[Posting]) -> int:
    """Record the reminders, then mail the organisation's active members; returns the mails sent."""
    recipients = [member.email for member in accounts.members_of(session, organisation.id) if member.active]
    reminders = [expiry.record_reminder(session, posting) for posting in due]
    return record_then_send(session, reminders, lambda: expiry_reminder_mail(organisation, due, reminders),
                            recipients)


def send_reminders(session: Session, today: date, days_ahead: int) -> ReminderOutcome:
    """Remind every organisation of its postings that expire within ``days_ahead`` days, in the board's
    language."""
    outcome = ReminderOutcome()
    due_groups = expiry.by_organisation(expiry.postings_due(session, today, days_ahead))
    with in_board_language():
        for organisation, due in due_groups:
            if not any(member.active for member in accounts.members_of(session, organisation.id)):
                outcome.without_members += 1
                continue
            try:
                sent = remind(session, organisation, due)
            except IntegrityError:  # another run reminded of these at the same moment
                session.rollback()
                continue
            if sent:
                outcome.organisations += 1
                outcome.postings += len(due)
            else:
                outcome.failed += 1
    return outcome

