"""flask --app bulletin load-demo: the demo content of Neustetten, and demo accounts to try the board."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlmodel import select

from bulletin import importer
from bulletin.commands.console import CLI_ACTOR, commit, console_command, read_text
from bulletin.commands.data import echo_counts, echo_errors
from bulletin.commands.search import write_queue
from bulletin.db import get_session
from bulletin.models import Organisation
from bulletin.services import accounts, organisations

DEMO_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "demo.jsonl")
# Printed on purpose: the demo accounts are for trying the board out, never for real data.
DEMO_PASSWORD = "demo-board-2026"  # noqa: S105
DEMO_COORDINATOR = "koordination@neustetten.example"
DEMO_MEMBERS = (
    ("kleiderstube@neustetten.example", "org-kleiderstube-muehlbach"),
    ("sprachcafe@neustetten.example", "org-sprachcafe-sonnenhang"),
)


def create_demo_accounts(session) -> list[tuple[str, str]]:
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


def load_demo(session) -> tuple[importer.ImportResult, list[tuple[str, str]]]:
    """The demo content and accounts, in one transaction: a demo file with errors loads nothing."""
    result = importer.import_text(session, read_text(DEMO_FILE))
    if result.refused:
        echo_errors(result)
        raise click.ClickException(_("The demo content has errors: nothing was loaded."))
    return result, create_demo_accounts(session)


@click.command("load-demo")
@with_appcontext
@console_command
def load_demo_command() -> None:
    """Fill an empty board with the demo content of Neustetten and demo accounts."""
    session = get_session()
    if session.exec(select(Organisation.id).limit(1)).first() is not None:
        click.echo(_("The board already has content, nothing loaded."))
        return
    result, created = commit(lambda: load_demo(session))
    write_queue()
    echo_counts(result)
    if created:
        click.echo(_("Demo accounts, all with the password %(password)s:", password=DEMO_PASSWORD))
        for email, description in created:
            click.echo(f"  {email} ({description})")
        click.echo(
            _("Warning: these are demo accounts with a published password. Never use them on a board with "
              "real people's data."),
            err=True,
        )


COMMANDS = (load_demo_command,)
