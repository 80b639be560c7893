"""Sending mail: SMTP in production, the console in development, a list in tests.

This is the transport only: what a mail says, and to whom, is composed in bulletin.notifications.
"""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Callable
from email.errors import MessageError
from email.message import EmailMessage

from flask import after_this_request, current_app, g
from flask_babel import force_locale

from bulletin import i18n, settings
from bulletin.services import text_rules

OUTBOX_KEY = "bulletin.outbox"


class UnwritableMail(ValueError):
    """A mail that cannot be put together: an address with a line break, a text that is no UTF-8."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """The mail, with its subject on one line: subjects quote names and titles, and one stored before the
    text rules (bulletin.services.text_rules) may hold a line break, which a header cannot."""
    message = EmailMessage()
    try:
        message["From"] = settings.current().mail_default_sender
        message["To"] = to
        message["Subject"] = text_rules.one_line(subject)
        message.set_content(body)
        message.as_bytes()  # what SMTP will send: fails now, not halfway through sending
    except (ValueError, TypeError, MessageError) as error:
        raise UnwritableMail(str(error)) from error
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    board = settings.current()
    message = build_message(to, subject, body)
    backend = board.mail_backend
    if backend == "memory":
        current_app.extensions.setdefault(OUTBOX_KEY, []).append(message)
    elif backend == "console":
        print(f"\n--- mail (not sent: development) ---\n{message}--- end of mail ---\n", file=sys.stderr)
    else:
        with smtplib.SMTP(board.mail_server, board.mail_port, timeout=30) as smtp:
            if board.mail_use_tls:
                smtp.starttls()
            if board.mail_username:
                smtp.login(board.mail_username, board.mail_password or "")
            smtp.send_message(message)


def send_mail_or_log(to: str, subject: str, body: str) -> bool:
    """Send, and log a failure instead of raising: the change the mail reports is already saved."""
    try:
        send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException, UnwritableMail):
        current_app.logger.exception("Could not send mail to %r", to)  # %r: an address may hold a line break
        return False
    return True


def after_response(task: Callable[[], None]) -> None:
    """Run ``task`` once the response has gone out, in an app context that speaks the request's language.

    What a visitor waits for must not tell whether a mail was written: the forgotten-password and sign-up
    answers are the same for known and unknown addresses, and so is their time. The task must not rely on
    the request (it is over); it reads what it needs from the database again.
    """
    app = current_app._get_current_object()
    language = i18n.current_language()

    @after_this_request
    def _run_when_closed(response):
        def run() -> None:
            with app.app_context(), force_locale(language):
                g.lang = language
                try:
                    task()
                except Exception:  # the answer has gone: nobody is left to show an error to  # noqa: BLE001
                    app.logger.exception("A task after the response failed")

        response.call_on_close(run)
        return response


def send_after_response(to: str, subject: str, body: str) -> None:
    """Send a mail once the response has gone out (see ``after_response``)."""
    after_response(lambda: send_mail_or_log(to, subject, body))


def outbox() -> list[EmailMessage]:
    """The mails sent with the memory backend (tests)."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])
