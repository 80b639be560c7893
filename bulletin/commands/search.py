"""flask --app bulletin reindex [--check] and search-worker [--once]; and writing the search queue at the
end of a command that queued many changes (an import)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from bulletin.commands.console import console_command
from bulletin.db import get_engine
from bulletin.search import get_search, sync, worker
from bulletin.search.locking import LockTimeout


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


@click.command("search-worker")
@click.option("--once", is_flag=True, help="Work off the queue, then exit (for cron and tests).")
@click.option("--batch", type=click.IntRange(1, 10_000), default=worker.BATCH, show_default=True,
              help="Queued changes written per index commit.")
@click.option("--poll", type=click.FloatRange(0.1, 3600), default=worker.POLL_SECONDS, show_default=True,
              help="Seconds between two looks at an empty queue.")
@with_appcontext
@console_command
def search_worker_command(once: bool, batch: int, poll: float) -> None:
    """Write the queued changes into the search index, in order, until stopped by SIGTERM or SIGINT.

    Run it as a service beside the web server: a web request writes only its own change, and only if
    the index is free within a second.
    """
    worker.configure_logging()
    running = worker.Worker(get_search(), get_engine(), batch=batch, poll=poll)
    try:
        with running.signals_handled():
            running.run(once=once)
    except (LockTimeout, sync.RebuildRunning) as error:
        raise click.ClickException(
            _("The search index is busy (another writer or a reindex). Try again when it is free.")
        ) from error
    if once:
        click.echo(ngettext("Wrote %(num)d posting to the search index.",
                            "Wrote %(num)d postings to the search index.", running.postings))


def write_queue() -> None:
    """Work off the search queue with progress: the end of a command that queued many changes (an import).

    Never fails the command: what cannot be written now stays queued for the search worker.
    """
    search, engine = get_search(), get_engine()
    try:
        sync.process_queue(search, engine, progress=_queue_progress)
    except (LockTimeout, sync.RebuildRunning):
        click.echo(_("The search index is busy: the search worker writes the remaining changes."), err=True)


def _queue_progress(done: int, total: int) -> None:
    click.echo(_("%(done)d of %(total)d queued changes written to the search index", done=done, total=total),
               err=True)


COMMANDS = (reindex_command, search_worker_command)
