"""flask --app bulletin send-expiry-reminders, run once a day by cron (docs/deployment.md).

Mails the expiry reminders (bulletin.services.reminders, one transaction per organisation) and records
today's statistics snapshot (one transaction through the commands' commit boundary).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from bulletin import settings
from bulletin.commands.console import commit, console_command, require_mail_links
from bulletin.db import get_session
from bulletin.services import clock, reminders, statistics


def record_statistics(today) -> bool:
    """Today's snapshot of open postings; False when it was recorded already (also by a parallel run)."""
    session = get_session()
    try:
        return commit(lambda: statistics.record_snapshot(session, today))
    except IntegrityError:
        return False


@click.command("send-expiry-reminders")
@with_appcontext
@console_command
def send_expiry_reminders_command() -> None:
    """Mail organisations about postings that expire within a week (with renew links), and record
    today's statistics. Run once a day."""
    app = current_app._get_current_object()
    require_mail_links(app)
    today = clock.today()
    outcome = reminders.send_reminders(get_session(), today, settings.of(app).expiry_reminder_days)
    click.echo(
        _("Organisations reminded: %(organisations)d; postings they were reminded of: %(postings)d.",
          organisations=outcome.organisations, postings=outcome.postings)
    )
    if outcome.without_members:
        click.echo(
            _("Organisations without an active member to remind: %(num)d.", num=outcome.without_members)
        )
    if outcome.failed:
        message = _("Organisations whose reminder could not be mailed: %(num)d. The next run tries again.",
                    num=outcome.failed)
        click.echo(message, err=True)
    if record_statistics(today):
        click.echo(_("Recorded today's statistics."))
    else:
        click.echo(_("Today's statistics were recorded already."))


COMMANDS = (send_expiry_reminders_command,)
