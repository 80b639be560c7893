"""Sending mail: SMTP in production, the console in development, a list in tests."""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

OUTBOX_KEY = "bulletin.outbox"


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault(OUTBOX_KEY, []).append(message)
    elif backend == "console":
        print(f"\n--- mail (not sent: development) ---\n{message}--- end of mail ---\n", file=sys.stderr)
    else:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)


def send_mail_or_log(to: str, subject: str, body: str) -> bool:
    """Send, and log a failure instead of raising: the change the mail reports is already saved."""
    try:
        send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send mail to %s", to)
        return False
    return True


def outbox() -> list[EmailMessage]:
    """The mails sent with the memory backend (tests)."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])
