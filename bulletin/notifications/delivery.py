"""Handing composed mails to bulletin.mail, which sends them (SMTP, the console, or a list in tests).

Sending never raises: a mail that cannot go out is logged and counts as not sent, because the change it
tells of is saved already. ``record_then_send`` is the one place that commits, for the daily mails that
must go out once and only once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session

from bulletin import mail


@dataclass(frozen=True)
class Mail:
    """A composed mail: its subject and its text, in the reader's language. The address is the sender's
    choice, so one mail can go to each of several people."""

    subject: str
    body: str


def send(message: Mail, to: str) -> bool:
    """Send now; False when it could not go out (logged)."""
    return mail.send_mail_or_log(to, message.subject, message.body)


def send_to_each(message: Mail, addresses: Iterable[str]) -> int:
    """Send to every address, also after a failure; returns how many mails went out."""
    return sum(send(message, address) for address in addresses)


def send_after_response(message: Mail, addresses: Iterable[str]) -> None:
    """Send once the response has gone out, so its time does not tell whether a mail was written
    (see ``bulletin.mail.after_response``)."""
    for address in addresses:
        mail.send_after_response(address, message.subject, message.body)


def record_then_send(session: Session, records: list, compose: Callable[[], Mail],
                     addresses: Iterable[str]) -> int:
    """Save ``records`` (what the mail tells of, so that it is told once), then send the mail ``compose``
    writes to every address; when not one mail went out, remove the records again. Returns the mails sent.

    Saved before sending, so that a crash halfway never mails twice; removed when nothing went out, so
    that the next run tries again. ``compose`` runs after the commit: a mail may name what the commit
    gave the records (their ids, in a renew link's token). An IntegrityError from the first commit (a
    parallel run recorded the same) passes on, and nothing is sent.
    """
    session.add_all(records)
    session.commit()
    sent = send_to_each(compose(), addresses)
    if not sent:
        for record in records:
            session.delete(record)
        session.commit()
    return sent
