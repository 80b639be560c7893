"""The daily expiry reminder: one mail per organisation, a one-click renew link for each posting.

Composed in the current language; the daily run composes inside ``in_board_language()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import format_date, ngettext

from bulletin import i18n, settings
from bulletin.links import external_url
from bulletin.models import ExpiryReminder, Organisation, Posting
from bulletin.notifications.delivery import Mail
from bulletin.services import expiry


@dataclass(frozen=True)
class ReminderLine:
    title: str
    valid_until: str
    renew_url: str


def reminder_line(posting: Posting, reminder: ExpiryReminder, language: str) -> ReminderLine:
    """One posting of the mail; the renew link's token names the saved reminder, so it needs its id."""
    token = expiry.make_token(current_app.secret_key, reminder)
    shown = posting.text(language)
    return ReminderLine(
        title=shown.title if shown else posting.key,
        valid_until=format_date(posting.valid_until, format="long"),
        renew_url=external_url("renewal.renew", lang=language, token=token),
    )


def expiry_reminder_mail(organisation: Organisation, due: list[Posting],
                         reminders: list[ExpiryReminder]) -> Mail:
    """The mail about ``due``, the organisation's postings that expire soon, with their saved reminders."""
    board, language = settings.current(), i18n.current_language()
    lines = [reminder_line(posting, reminder, language)
             for posting, reminder in zip(due, reminders, strict=True)]
    body = render_template(
        "renewal/mail_reminder.txt",
        organisation=organisation,
        lines=lines,
        link_days=board.renew_link_days,
        renew_days=board.renew_days,
        dashboard_url=external_url("dashboard.index", lang=language),
    )
    subject = ngettext("%(num)d posting on %(site)s expires soon", "%(num)d postings on %(site)s expire soon",
                       len(due), site=board.site_name)
    return Mail(subject, body)
