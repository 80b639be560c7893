"""flask --app bulletin reindex [--check] and flask --app bulletin send-match-digest."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from bulletin import i18n
from bulletin.cli import console_command
from bulletin.db import get_engine, get_session
from bulletin.search import digest, get_search, sync
from bulletin.services import clock


@click.command("reindex")
@click.option("--check", is_flag=True,
              help="Only compare index and database; exit 1 listing every difference.")
@click.option("--procs", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Processes reading, analysing and writing the new index, from 5,000 postings on "
                   "(2 is faster on two or more cores).")
@with_appcontext
@console_command
def reindex_command(check: bool, procs: int) -> None:
    """Rebuild the search index from the database beside the live one, then swap it in.

    Search keeps working with the old index until the new one is ready.
    """
    search, engine = get_search(), get_engine()
    if check:
        _check(search, engine)
        return
    try:
        count = sync.rebuild(search, engine, procs=procs, progress=_progress)
    except sync.RebuildRunning as error:
        raise click.ClickException(
            _("Another reindex is running. Try again when it has finished.")
        ) from error
    click.echo(ngettext("Indexed %(num)d posting.", "Indexed %(num)d postings.", count))


def _progress(done: int, total: int) -> None:
    click.echo(_("%(done)d of %(total)d postings indexed", done=done, total=total), err=True)


def _check(search, engine) -> None:
    differences = sync.check(search, engine)
    if differences is None:
        click.echo(_("There is no readable search index. Build it with: flask --app bulletin reindex"),
                   err=True)
        sys.exit(1)
    waiting = sync.queued_count(engine)
    if waiting:
        click.echo(ngettext("%(num)d change is waiting to be written to the index.",
                            "%(num)d changes are waiting to be written to the index.", waiting), err=True)
    if not differences:
        click.echo(_("The search index matches the database."))
        return
    for difference in differences:
        click.echo(str(difference))
    click.echo(ngettext("%(num)d difference. Repair it with: flask --app bulletin reindex",
                        "%(num)d differences. Repair them with: flask --app bulletin reindex",
                        len(differences)), err=True)
    sys.exit(1)


@click.command("send-match-digest")
@with_appcontext
@console_command
def send_match_digest_command() -> None:
    """Mail the organisations that asked for it the new offers matching their open requests. Run daily."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    session, search, today = get_session(), get_search(), clock.today()
    try:
        urls = digest.url_adapter(app)
    except digest.NoBaseUrl as error:
        raise click.ClickException(
            _("Set BULLETIN_BASE_URL to the board's public address (for example https://board.example.org): "
              "the mails link to it.")
        ) from error
    default = app.config["BULLETIN_DEFAULT_LANGUAGE"]
    language = default if default in i18n.ui_languages(app) else i18n.SOURCE_LANGUAGE
    g.lang = language
    outcome = digest.DigestOutcome()
    with force_locale(language):
        for organisation in digest.subscribers(session):
            try:
                sent = digest.send_digest(app, session, search, organisation, urls, language, today)
            except OSError:
                outcome.failed += 1
                continue
            if sent:
                outcome.organisations += 1
                outcome.offers += sent
    click.echo(_("Match digest: %(organisations)d organisations told about %(offers)d offers.",
                 organisations=outcome.organisations, offers=outcome.offers))
    if outcome.failed:
        click.echo(ngettext("%(num)d organisation could not be mailed; it is tried again next time.",
                            "%(num)d organisations could not be mailed; they are tried again next time.",
                            outcome.failed), err=True)


COMMANDS = (reindex_command, send_match_digest_command)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
