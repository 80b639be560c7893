"""What every command shares: the console's language, a clear message for an unusable database, the
commands' commit boundary, reading a file, and the check that mails can link to the board.

This module imports no command module, so every command module can import it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

import click
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, ProgrammingError

from bulletin import links
from bulletin.db import get_session
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData

CONSOLE_LOCALE = "en"
CLI_ACTOR = SystemActor("cli")  # named in the audit log for what an operator's command changes

Result = TypeVar("Result")


def console_command(function: Callable) -> Callable:
    """Run a command in the console's language, and turn an unusable database into a clear message.

    The console speaks English: its messages are translatable like every other text, but rendered in the
    English locale, whatever the board's default language is.
    """

    @functools.wraps(function)
    def run(*args, **kwargs):
        with force_locale(CONSOLE_LOCALE):
            try:
                return function(*args, **kwargs)
            except (OperationalError, ProgrammingError) as error:
                get_session().rollback()
                raise click.ClickException(
                    _("The database cannot be used (%(reason)s). If it is new, create its tables first: "
                      "flask --app bulletin db upgrade", reason=str(error.orig).strip())
                ) from error

    return run


def commit(change: Callable[[], Result]) -> Result:
    """Run one service call and commit it: how a command saves what it changed.

    Refused input (InvalidData) rolls back and stops the command with the service's reasons; any other
    error rolls back and passes on. A command whose service commits in steps of its own (the purge, the
    daily mails) does not come through here: each step is a short transaction, so the board keeps serving
    and a run stopped halfway keeps what it did.
    """
    session = get_session()
    try:
        result = change()
        session.commit()
    except InvalidData as error:
        session.rollback()
        raise click.ClickException(" ".join(str(message) for message in error.errors.values())) from error
    except Exception:
        session.rollback()
        raise
    return result


def require_mail_links(app: Flask) -> None:
    """Stop a command that mails, before it records anything, when the board's public address is unknown."""
    try:
        links.url_builder(app)
    except links.NoBaseUrl as error:
        raise click.ClickException(
            _("Set BULLETIN_BASE_URL to the board's public address (for example https://board.example.org): "
              "the mails link to it.")
        ) from error


def read_text(path: str) -> str:
    """The file's text; a missing, unreadable or non-UTF-8 file stops the command with a clear message."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except FileNotFoundError as error:
        raise click.ClickException(_("%(file)s: there is no such file.", file=path)) from error
    except OSError as error:
        raise click.ClickException(
            _("%(file)s cannot be read: %(reason)s", file=path, reason=error.strerror or error)
        ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise click.ClickException(
            _("%(file)s is not UTF-8 text (line %(line)d). Save it as UTF-8 and try again.", file=path,
              line=line)
        ) from error
