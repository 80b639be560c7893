"""The daily command: expiry reminders with one-click renew links, and today's statistics snapshot.

flask --app bulletin send-expiry-reminders, run once a day by cron (docs/deployment.md). Running it
twice on a day does no harm: a reminder is recorded per posting and expiry, the snapshot per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask import Flask, current_app, g, render_template
from flask.cli import with_appcontext
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import MapAdapter

from bulletin import i18n
from bulletin.cli import console_command, mail_url_builder
from bulletin.db import get_session
from bulletin.mail import send_mail_or_log
from bulletin.models import Organisation, Posting
from bulletin.services import accounts, clock, expiry, statistics


@dataclass(frozen=True)
class ReminderLine:
    title: str
    valid_until: str
    renew_url: str


@dataclass
class Outcome:
    organisations: int = 0
    postings: int = 0
    without_members: int = 0
    failed: int = 0


def mail_language(app: Flask) -> str:
    default = app.config["BULLETIN_DEFAULT_LANGUAGE"]
    return default if default in i18n.ui_languages(app) else i18n.SOURCE_LANGUAGE


def remind(organisation: Organisation, due: list[Posting], urls: MapAdapter, language: str) -> int:
    """Record the reminders, then mail the organisation's active members; returns the mails sent.

    Recorded first, so a crash never mails twice; if no mail at all goes out, the records are removed
    again and tomorrow's run tries once more.
    """
    session, app = get_session(), current_app
    recipients = [member.email for member in accounts.members_of(session, organisation.id) if member.active]
    reminders = [expiry.record_reminder(session, posting) for posting in due]
    session.commit()
    lines = []
    for posting, reminder in zip(due, reminders, strict=True):
        token = expiry.make_token(app.secret_key, reminder)
        shown = posting.text(language)
        lines.append(ReminderLine(
            title=shown.title if shown else posting.key,
            valid_until=format_date(posting.valid_until, format="long"),
            renew_url=urls.build("renewal.renew", {"lang": language, "token": token}, force_external=True),
        ))
    body = render_template(
        "renewal/mail_reminder.txt",
        organisation=organisation,
        lines=lines,
        link_days=app.config["BULLETIN_RENEW_LINK_DAYS"],
        renew_days=app.config["BULLETIN_RENEW_DAYS"],
        dashboard_url=urls.build("dashboard.index", {"lang": language}, force_external=True),
    )
    subject = ngettext("%(num)d posting on %(site)s expires soon", "%(num)d postings on %(site)s expire soon",
                       len(due), site=app.config["BULLETIN_SITE_NAME"])
    sent = sum(send_mail_or_log(address, subject, body) for address in recipients)
    if not sent:
        for reminder in reminders:
            session.delete(reminder)
        session.commit()
    return sent


def send_reminders(app: Flask, today, days_ahead: int) -> Outcome:
    session, outcome = get_session(), Outcome()
    urls = mail_url_builder(app)
    language = mail_language(app)
    g.lang = language  # the mails' templates and dates speak the board's language
    due_groups = expiry.by_organisation(expiry.postings_due(session, today, days_ahead))
    with force_locale(language):
        for organisation, due in due_groups:
            if not any(member.active for member in accounts.members_of(session, organisation.id)):
                outcome.without_members += 1
                continue
            try:
                sent = remind(organisation, due, urls, language)
            except IntegrityError:  # another run reminded of these at the same moment
                session.rollback()
                continue
            if sent:
                outcome.organisations += 1
                outcome.postings += len(due)
            else:
                outcome.failed += 1
    return outcome


def record_statistics(today) -> bool:
    session = get_session()
    try:
        recorded = statistics.record_snapshot(session, today)
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return recorded


@click.command("send-expiry-reminders")
@with_appcontext
@console_command
def send_expiry_reminders_command() -> None:
    """Mail organisations about postings that expire within a week (with renew links), and record
    today's statistics. Run once a day."""
    app = current_app._get_current_object()
    today = clock.today()
    outcome = send_reminders(app, today, app.config["BULLETIN_EXPIRY_REMINDER_DAYS"])
    click.echo(
        _("Organisations reminded: %(organisations)d; postings they were reminded of: %(postings)d.",
          organisations=outcome.organisations, postings=outcome.postings)
    )
    if outcome.without_members:
        click.echo(
            _("Organisations without an active member to remind: %(num)d.", num=outcome.without_members)
        )
    if outcome.failed:
        message = _("Organisations whose reminder could not be mailed: %(num)d. The next run tries again.",
                    num=outcome.failed)
        click.echo(message, err=True)
    if record_statistics(today):
        click.echo(_("Recorded today's statistics."))
    else:
        click.echo(_("Today's statistics were recorded already."))
