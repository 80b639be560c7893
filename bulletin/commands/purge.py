"""flask --app bulletin purge: remove personal data whose time is up (bulletin.services.retention).

The purge commits step by step, in the service: each step is a short transaction, so it can run while
the board serves, and a purge stopped halfway keeps what it removed.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from bulletin import settings
from bulletin.commands.console import console_command
from bulletin.db import get_session
from bulletin.services import retention


@click.command("purge")
@with_appcontext
@console_command
def purge_command() -> None:
    """Remove personal data whose time is up: unconfirmed sign-ups, closed reports, personal details in old
    audit entries, spent renew links, ended login sessions, reviewed translation drafts, unused logos.
    Run once a day."""
    app = current_app._get_current_object()
    removed = retention.purge(get_session(), retention.Periods.from_config(app.config),
                              settings.of(app).upload_dir)
    click.echo(_("Unconfirmed sign-ups removed: %(num)d.", num=removed.unconfirmed_signups))
    click.echo(_("Closed reports removed: %(num)d.", num=removed.reports))
    click.echo(_("Audit entries whose personal details were removed: %(num)d.", num=removed.audit_entries))
    click.echo(_("Spent renew links removed: %(num)d.", num=removed.renew_links))
    click.echo(_("Expired login sessions removed: %(num)d.", num=removed.login_sessions))
    click.echo(_("Reviewed translation drafts removed: %(num)d.", num=removed.translation_drafts))
    click.echo(_("Unused logo files removed: %(num)d.", num=removed.logos))


COMMANDS = (purge_command,)
