"""The coordinators' mail about a visitor's report: in the board's language, not the visitor's."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from bulletin.db import get_session
from bulletin.links import external_url
from bulletin.models import Report
from bulletin.notifications.delivery import Mail, send_to_each
from bulletin.notifications.language import in_board_language
from bulletin.services import accounts, reports


def new_report_mail(report: Report, about: str) -> Mail:
    """The mail about ``report``; ``about`` is the title of the posting or the organisation's name."""
    with in_board_language() as language:
        body = render_template(
            "reports/mail_new_report.txt",
            about=about,
            reason=str(reports.REASONS[report.reason]),
            text=report.text,
            url=external_url("desk.reports", lang=language),
        )
        # One line: a title with a line break would be refused as a mail header.
        subject = _("A visitor reported a problem: %(about)s", about=" ".join(about.split()))
    return Mail(subject, body)


def tell_coordinators(report: Report, about: str) -> int:
    """Mail every coordinator about ``report``; returns how many mails went out."""
    return send_to_each(new_report_mail(report, about), accounts.coordinator_emails(get_session()))
