"""flask --app bulletin send-match-digest: the daily mail of new offers matching an organisation's open
requests (bulletin.services.digest, one transaction per organisation)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from bulletin.commands.console import console_command, require_mail_links
from bulletin.db import get_session
from bulletin.search import get_search
from bulletin.services import clock, digest


@click.command("send-match-digest")
@with_appcontext
@console_command
def send_match_digest_command() -> None:
    """Mail the organisations that asked for it the new offers matching their open requests. Run daily."""
    require_mail_links(current_app._get_current_object())
    outcome = digest.send_digests(get_session(), get_search(), clock.today())
    click.echo(_("Match digest: %(organisations)d organisations told about %(offers)d offers.",
                 organisations=outcome.organisations, offers=outcome.offers))
    if outcome.failed:
        click.echo(ngettext("%(num)d organisation could not be mailed; it is tried again next time.",
                            "%(num)d organisations could not be mailed; they are tried again next time.",
                            outcome.failed), err=True)


COMMANDS = (send_match_digest_command,)
