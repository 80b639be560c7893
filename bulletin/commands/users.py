"""flask --app bulletin create-user EMAIL --role ROLE [--organisation KEY] [--password-stdin]."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from bulletin.commands.console import CLI_ACTOR, commit, console_command
from bulletin.db import get_session
from bulletin.services import accounts, organisations, text_rules
from bulletin.taxonomy import ROLES


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.buffer.readline()
        try:
            return line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise click.ClickException(_("The password is not UTF-8 text.")) from error
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


def check_text_option(name: str, value: str | None) -> None:
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
    check_text_option("EMAIL", email)
    check_text_option("--organisation", organisation_key)
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
    password = read_password(password_stdin)
    user = commit(lambda: accounts.create_user(session, CLI_ACTOR, email, password, role=role,
                                               organisation=organisation))
    if organisation is not None:
        click.echo(
            _("Created the account %(email)s, member of %(name)s.", email=user.email, name=organisation.name)
        )
    else:
        click.echo(_("Created the coordinator account %(email)s.", email=user.email))


COMMANDS = (create_user_command,)
