"""Command-line tools for the operator: flask --app bulletin <command>.

Each command opens the request-less database session of its app context, calls the services, and commits
once at the end. The console speaks English: its messages are translatable like every other text, but
rendered in the English locale, whatever the board's default language is.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import select

from bulletin import exporter, importer, links
from bulletin.db import get_session
from bulletin.models import Organisation
from bulletin.services import accounts, organisations, retention, text_rules
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData
from bulletin.taxonomy import ROLES

CONSOLE_LOCALE = "en"
CLI_ACTOR = SystemActor("cli")
DEMO_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "demo.jsonl")
# Printed on purpose: the demo accounts are for trying the board out, never for real data.
DEMO_PASSWORD = "demo-board-2026"  # noqa: S105
DEMO_COORDINATOR = "koordination@neustetten.example"
DEMO_MEMBERS = (
    ("kleiderstube@neustetten.example", "org-kleiderstube-muehlbach"),
    ("sprachcafe@neustetten.example", "org-sprachcafe-sonnenhang"),
)


def mail_url_builder(app):
    """Links for the mails a command sends, or a clear refusal when the board's address is unknown."""
    try:
        return links.url_builder(app)
    except links.NoBaseUrl as error:
        raise click.ClickException(
            _("Set BULLETIN_BASE_URL to the board's public address (for example https://board.example.org): "
              "the mails link to it.")
        ) from error


def console_command(function: Callable) -> Callable:
    """Run a command in the console's language, and turn an unusable database into a clear message."""

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


def _read_text(path: str) -> str:
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


def _write_search_queue() -> None:
    """Write the imported postings into the search index now, with progress: the commit itself writes no
    more than a web request may, and a killed import leaves the rest queued for the search worker."""
    from bulletin.search import cli as search_cli  # imported here: it uses console_command from this module

    search_cli.write_queue()


def _echo_counts(result: importer.ImportResult) -> None:
    names = {"organisation": _("Organisations"), "posting": _("Postings")}
    for kind in importer.KINDS:
        click.echo(
            _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
              kind=names[kind], created=result.count(kind, "created"),
              updated=result.count(kind, "updated"), unchanged=result.count(kind, "unchanged"))
        )


def _echo_errors(result: importer.ImportResult) -> None:
    for error in result.errors:
        # Messages may quote the file's values: a control character must not steer the terminal.
        click.echo(text_rules.shown(str(error.describe())), err=True)


@click.command("import-data")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--skip-invalid", is_flag=True, help="Import the valid lines; report the others as skipped.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, without saving.")
@with_appcontext
@console_command
def import_data_command(file: str, skip_invalid: bool, dry_run: bool) -> None:
    """Import organisations and postings from a JSON Lines FILE ("-" reads standard input)."""
    text = _read_text(file)
    session = get_session()
    result = importer.import_text(session, text, skip_invalid=skip_invalid, dry_run=dry_run)
    if result.refused:
        _echo_errors(result)
        raise click.ClickException(
            ngettext("%(file)s has %(num)d invalid line: nothing was imported.",
                     "%(file)s has %(num)d invalid lines: nothing was imported.",
                     len(result.invalid_lines), file=file)
        )
    if result.saved:
        session.commit()
        _write_search_queue()
    if result.errors:
        click.echo(
            ngettext("Skipped %(num)d invalid line:", "Skipped %(num)d invalid lines:",
                     len(result.invalid_lines)),
            err=True,
        )
        _echo_errors(result)
    if dry_run:
        click.echo(_("Dry run: nothing was saved. The import would do this:"))
    _echo_counts(result)


@click.command("export-data")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@with_appcontext
@console_command
def export_data_command(file: str) -> None:
    """Export every organisation and posting to a JSON Lines FILE ("-" writes to standard output)."""
    session = get_session()
    if file == "-":
        sys.stdout.flush()
        counts = exporter.write_export(session, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        counts = _export_to_file(session, file)
    click.echo(
        _("Exported. Organisations: %(organisations)d, postings: %(postings)d.",
          organisations=counts.organisations, postings=counts.postings),
        err=file == "-",
    )


def _export_to_file(session, path: str) -> exporter.ExportCounts:
    # Written beside the target and renamed at the end: a failed export never leaves half a file.
    partial = path + ".partial"
    try:
        with open(partial, "wb") as handle:
            counts = exporter.write_export(session, handle)
        os.replace(partial, path)
    except OSError as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise click.ClickException(
            _("%(file)s cannot be written: %(reason)s", file=path, reason=error.strerror or error)
        ) from error
    return counts


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.buffer.readline()
        try:
            return line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise click.ClickException(_("The password is not UTF-8 text.")) from error
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


def _check_text_option(name: str, value: str | None) -> None:
    """Stop the command when ``value`` breaks the rule for one-line text (bulletin.services.text_rules)."""
    problem = text_rules.problem(value)
    if problem is not None:
        raise click.ClickException(_("%(option)s: %(problem)s", option=name, problem=problem))


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--organisation", "organisation_key", metavar="KEY", help="The key of a member's organisation.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
@console_command
def create_user_command(email: str, role: str, organisation_key: str | None, password_stdin: bool) -> None:
    """Create an account for EMAIL: the coordinator, or a member of an organisation."""
    # Checked before any lookup: a value the database cannot hold must be a message, not a traceback.
    _check_text_option("EMAIL", email)
    _check_text_option("--organisation", organisation_key)
    session = get_session()
    if accounts.get_by_email(session, email) is not None:
        raise click.ClickException(_("There is already an account with this email address."))
    organisation = None
    if role == "coordinator" and organisation_key:
        raise click.ClickException(_("A coordinator belongs to no organisation: leave out --organisation."))
    if role == "member":
        if not organisation_key:
            raise click.ClickException(_("A member belongs to an organisation: add --organisation KEY."))
        organisation = organisations.get_by_key(session, organisation_key)
        if organisation is None:
            raise click.ClickException(
                _("There is no organisation with the key %(key)s.", key=organisation_key)
            )
    password = _read_password(password_stdin)
    try:
        user = accounts.create_user(session, CLI_ACTOR, email, password, role=role, organisation=organisation)
    except InvalidData as error:
        session.rollback()
        raise click.ClickException(" ".join(str(message) for message in error.errors.values())) from error
    session.commit()
    if organisation is not None:
        click.echo(
            _("Created the account %(email)s, member of %(name)s.", email=user.email, name=organisation.name)
        )
    else:
        click.echo(_("Created the coordinator account %(email)s.", email=user.email))


def _create_demo_accounts(session) -> list[tuple[str, str]]:
    """The demo accounts that did not exist yet, created now: (email, what the account is)."""
    created = []
    wanted = [(DEMO_COORDINATOR, "coordinator", None)]
    wanted += [(email, "member", key) for email, key in DEMO_MEMBERS]
    for email, role, organisation_key in wanted:
        if accounts.get_by_email(session, email) is not None:
            continue
        organisation = organisations.get_by_key(session, organisation_key) if organisation_key else None
        accounts.create_user(session, CLI_ACTOR, email, DEMO_PASSWORD, role=role, organisation=organisation)
        created.append((email, organisation.name if organisation else _("coordinator")))
    return created


@click.command("load-demo")
@with_appcontext
@console_command
def load_demo_command() -> None:
    """Fill an empty board with the demo content of Neustetten and demo accounts."""
    session = get_session()
    if session.exec(select(Organisation.id).limit(1)).first() is not None:
        click.echo(_("The board already has content, nothing loaded."))
        return
    result = importer.import_text(session, _read_text(DEMO_FILE))
    if result.refused:
        _echo_errors(result)
        raise click.ClickException(_("The demo content has errors: nothing was loaded."))
    created = _create_demo_accounts(session)
    session.commit()
    _write_search_queue()
    _echo_counts(result)
    if created:
        click.echo(_("Demo accounts, all with the password %(password)s:", password=DEMO_PASSWORD))
        for email, description in created:
            click.echo(f"  {email} ({description})")
        click.echo(
            _("Warning: these are demo accounts with a published password. Never use them on a board with "
              "real people's data."),
            err=True,
        )


@click.command("purge")
@with_appcontext
@console_command
def purge_command() -> None:
    """Remove personal data whose time is up: unconfirmed sign-ups, closed reports, personal details in old
    audit entries, spent renew links, ended login sessions, reviewed translation drafts, unused logos.
    Run once a day."""
    app = current_app._get_current_object()
    removed = retention.purge(get_session(), retention.Periods.from_config(app.config),
                              app.config["BULLETIN_UPLOAD_DIR"])
    click.echo(_("Unconfirmed sign-ups removed: %(num)d.", num=removed.unconfirmed_signups))
    click.echo(_("Closed reports removed: %(num)d.", num=removed.reports))
    click.echo(_("Audit entries whose personal details were removed: %(num)d.", num=removed.audit_entries))
    click.echo(_("Spent renew links removed: %(num)d.", num=removed.renew_links))
    click.echo(_("Expired login sessions removed: %(num)d.", num=removed.login_sessions))
    click.echo(_("Reviewed translation drafts removed: %(num)d.", num=removed.translation_drafts))
    click.echo(_("Unused logo files removed: %(num)d.", num=removed.logos))


COMMANDS = (import_data_command, export_data_command, create_user_command, load_demo_command, purge_command)


def init_app(app: Flask) -> None:
    from bulletin import reminders  # imported here: it uses console_command from this module

    for command in (*COMMANDS, reminders.send_expiry_reminders_command):
        app.cli.add_command(command)
    from bulletin.search import cli as search_cli  # reindex, send-match-digest

    search_cli.init_app(app)

