"""flask --app bulletin import-data FILE [--skip-invalid] [--dry-run] [--leave-index-to-worker], and
export-data FILE."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from bulletin import exporter, importer
from bulletin.commands.console import commit, console_command, read_text
from bulletin.commands.search import write_queue
from bulletin.db import get_engine, get_session
from bulletin.search.sync import pending_count
from bulletin.services import text_rules


def echo_counts(result: importer.ImportResult) -> None:
    names = {"organisation": _("Organisations"), "posting": _("Postings")}
    for kind in importer.KINDS:
        click.echo(
            _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
              kind=names[kind], created=result.count(kind, "created"),
              updated=result.count(kind, "updated"), unchanged=result.count(kind, "unchanged"))
        )


def echo_errors(result: importer.ImportResult) -> None:
    for error in result.errors:
        # Messages may quote the file's values: a control character must not steer the terminal.
        click.echo(text_rules.shown(str(error.describe())), err=True)


@click.command("import-data")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--skip-invalid", is_flag=True, help="Import the valid lines; report the others as skipped.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, without saving.")
@click.option("--leave-index-to-worker", is_flag=True,
              help="Save, and leave the search index to the running search worker instead of writing it now.")
@with_appcontext
@console_command
def import_data_command(file: str, skip_invalid: bool, dry_run: bool, leave_index_to_worker: bool) -> None:
    """Import organisations and postings from a JSON Lines FILE ("-" reads standard input)."""
    text = read_text(file)
    session = get_session()
    # A refused file and a dry run leave nothing to save: the importer has rolled their changes back.
    result = commit(lambda: importer.import_text(session, text, skip_invalid=skip_invalid, dry_run=dry_run))
    if result.refused:
        echo_errors(result)
        raise click.ClickException(
            ngettext("%(file)s has %(num)d invalid line: nothing was imported.",
                     "%(file)s has %(num)d invalid lines: nothing was imported.",
                     len(result.invalid_lines), file=file)
        )
    if result.saved and leave_index_to_worker:
        # Committed and queued: search finds the new postings once the search worker has written them.
        waiting = pending_count(get_engine())
        click.echo(ngettext("%(num)d change is queued for the search index: the search worker writes it.",
                            "%(num)d changes are queued for the search index: the search worker writes them.",
                            waiting), err=True)
    elif result.saved:
        # Written now, with progress: the commit itself writes no more than a web request may, and a
        # killed import leaves the rest queued for the search worker.
        write_queue()
    if result.errors:
        click.echo(
            ngettext("Skipped %(num)d invalid line:", "Skipped %(num)d invalid lines:",
                     len(result.invalid_lines)),
            err=True,
        )
        echo_errors(result)
    if dry_run:
        click.echo(_("Dry run: nothing was saved. The import would do this:"))
    echo_counts(result)


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
        counts = export_to_file(session, file)
    click.echo(
        _("Exported. Organisations: %(organisations)d, postings: %(postings)d.",
          organisations=counts.organisations, postings=counts.postings),
        err=file == "-",
    )


def export_to_file(session, path: str) -> exporter.ExportCounts:
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


COMMANDS = (import_data_command, export_data_command)
