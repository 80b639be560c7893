"""Personal data has an end: what the daily purge (flask --app bulletin purge) removes, and when.

Every step is one short transaction of its own and removes only what no request can still need, so the
purge can run while the board serves, and running it twice removes nothing more. The periods come from
the configuration; docs/deployment.md ("What the board keeps, and for how long") says the same for
operators and the privacy notice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from bulletin.models import ExpiryReminder, LoginSession, Organisation, Report, TranslationDraft, User
from bulletin.models.base import utcnow
from bulletin.services import audit_redaction, clock, signups
from bulletin.services.actors import SystemActor
from bulletin.services.logos import LOGO_FILE

PURGE = SystemActor("purge")  # named in the audit log for what the purge itself records
# A logo file younger than this may belong to an upload whose organisation is not saved yet.
LOGO_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Periods:
    report_days: int
    audit_personal_days: int
    draft_days: int
    renew_link_days: int
    session_lifetime: timedelta
    session_idle: timedelta
    signup_confirm: timedelta

    @classmethod
    def from_config(cls, config) -> Periods:
        return cls(
            report_days=config["BULLETIN_REPORT_RETENTION_DAYS"],
            audit_personal_days=config["BULLETIN_AUDIT_PERSONAL_DAYS"],
            draft_days=config["BULLETIN_DRAFT_RETENTION_DAYS"],
            renew_link_days=config["BULLETIN_RENEW_LINK_DAYS"],
            session_lifetime=config["PERMANENT_SESSION_LIFETIME"],
            session_idle=timedelta(minutes=config.get("BULLETIN_SESSION_IDLE_MINUTES", 120)),
            signup_confirm=timedelta(hours=config.get("BULLETIN_SIGNUP_CONFIRM_HOURS", 48)),
        )


@dataclass
class Removed:
    """What one purge removed, by kind."""

    unconfirmed_signups: int = 0
    reports: int = 0
    audit_entries: int = 0  # entries whose personal details were removed; the entries stay
    renew_links: int = 0
    login_sessions: int = 0
    translation_drafts: int = 0
    logos: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))


def _deleted(session: Session, statement) -> int:
    count = session.execute(statement).rowcount
    session.commit()
    return count


def remove_closed_reports(session: Session, closed_before: datetime) -> int:
    """Reports resolved or dismissed before ``closed_before``. Open reports stay: they are the
    coordinator's queue, and the clock starts when the coordinator closes one."""
    closed = delete(Report).where(Report.status != "open", Report.resolved_at < closed_before)
    return _deleted(session, closed)


def remove_spent_renew_links(session: Session, today: date, links_sent_before: datetime) -> int:
    """Reminders whose expiry date has passed and whose link is used or no longer works.

    The "never twice" rule (services.expiry.postings_due) only looks at expiry dates from today on, so a
    row about a past date guards nothing any more; its link, though, works for BULLETIN_RENEW_LINK_DAYS
    after it was mailed, also for a posting that has just expired, and so stays until then.
    """
    return _deleted(session, delete(ExpiryReminder).where(
        ExpiryReminder.valid_until < today,
        or_(ExpiryReminder.used_at.is_not(None), ExpiryReminder.sent_at < links_sent_before),
    ))


def remove_expired_login_sessions(session: Session, now: datetime, lifetime: timedelta,
                                  idle: timedelta) -> int:
    """Signed-in browsers past the session lifetime, idle for longer than allowed, or ended by a new
    password or "reset access" (their secret is no longer the account's): bulletin.login_sessions lets
    none of them sign anybody in again, so the rows would only keep who used the board when."""
    secret_now = select(User.session_secret).where(User.id == LoginSession.user_id).scalar_subquery()
    return _deleted(session, delete(LoginSession).where(or_(
        LoginSession.created_at < now - lifetime,
        LoginSession.last_seen_at < now - idle,
        LoginSession.user_secret != secret_now,
    )))


def remove_reviewed_drafts(session: Session, reviewed_before: datetime) -> int:
    """Translation drafts approved or rejected before ``reviewed_before``. An approved draft's words are
    in the posting or profile; the audit log keeps the record of the review."""
    return _deleted(session, delete(TranslationDraft).where(
        TranslationDraft.status != "pending", TranslationDraft.reviewed_at < reviewed_before
    ))


def remove_unused_logos(session: Session, upload_dir: str, older_than: datetime) -> int:
    """Logo files (as services.logos names them) that no organisation uses, last written before
    ``older_than``; a rejected organisation's logo, a replaced one, a write that never finished."""
    try:
        entries = [entry for entry in os.scandir(upload_dir)
                   if LOGO_FILE.match(entry.name) and entry.is_file(follow_symlinks=False)]
    except FileNotFoundError:
        return 0
    cutoff = older_than.timestamp()
    # Asked after listing the files: a logo saved meanwhile is either in this answer or too new.
    used = set(session.exec(select(Organisation.logo).where(Organisation.logo.is_not(None))).all())
    session.commit()
    removed = 0
    for entry in entries:
        if entry.name in used:
            continue
        try:
            if os.stat(entry.path).st_mtime >= cutoff:  # stored again since listing (store_logo touches it)
                continue
            os.remove(entry.path)
        except FileNotFoundError:  # another purge was quicker
            continue
        removed += 1
    return removed


def purge(session: Session, periods: Periods, upload_dir: str, now: datetime | None = None,
          today: date | None = None) -> Removed:
    """Every step, in turn. ``now`` and ``today`` are the clock's unless given."""
    now, today = now or utcnow(), today or clock.today()
    return Removed(
        # These go with their audit details at once (services/signups.py), not after the audit period.
        unconfirmed_signups=signups.remove_unconfirmed_signups(session, PURGE, now - periods.signup_confirm,
                                                               now),
        reports=remove_closed_reports(session, now - timedelta(days=periods.report_days)),
        audit_entries=audit_redaction.redact_old_entries(
            session, now - timedelta(days=periods.audit_personal_days), now
        ),
        renew_links=remove_spent_renew_links(session, today, now - timedelta(days=periods.renew_link_days)),
        login_sessions=remove_expired_login_sessions(session, now, periods.session_lifetime,
                                                     periods.session_idle),
        translation_drafts=remove_reviewed_drafts(session, now - timedelta(days=periods.draft_days)),
        logos=remove_unused_logos(session, upload_dir, now - LOGO_GRACE),
    )
