"""flask --app bulletin db upgrade|downgrade|current|check|revision: the database schema's command line.

Alembic does its own transactions; these commands run outside the console's commit boundary and speak
English only, like Alembic's own messages.
"""

from __future__ import annotations

import click
from alembic.util import CommandError
from flask import current_app
from flask.cli import AppGroup

from bulletin import migrate

db_cli = AppGroup("db", help="Create and migrate the database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    try:
        migrate.upgrade_database(current_app, revision)
    except CommandError as error:  # an unknown revision, for example: a message, not a traceback
        raise click.ClickException(str(error)) from None
    click.echo(f"Database at revision {migrate.current_revision(current_app)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Migrate the database down to REVISION ("base" removes every table, "-1" goes one step back)."""
    try:
        migrate.downgrade_database(current_app, revision)
    except CommandError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Database at revision {migrate.current_revision(current_app) or 'base'}.")


@db_cli.command("current")
def current_command() -> None:
    """Show the revision the database is at and whether it is the newest."""
    revision = migrate.current_revision(current_app)
    if revision is None:
        click.echo("The database has no revision: run 'flask --app bulletin db upgrade'.")
    elif revision == migrate.head_revision():
        click.echo(f"{revision} (head)")
    else:
        head = migrate.head_revision()
        click.echo(f"{revision} (behind head {head}: run 'flask --app bulletin db upgrade')")


@db_cli.command("check")
def check_command() -> None:
    """Fail if the models have changes that no migration creates."""
    differences = migrate.unmigrated_model_changes()
    if differences:
        for difference in differences:
            click.echo(f"  {difference}", err=True)
        raise click.ClickException(
            "The models differ from the migrations' head. Create a migration with "
            "'flask --app bulletin db revision -m \"what changed\"' and review it."
        )
    click.echo(f"The migrations' head ({migrate.head_revision()}) matches the models.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes, in a few words.")
def revision_command(message: str) -> None:
    """Write a new migration from the differences between the models and a database at head."""
    path = migrate.write_revision(message)
    click.echo(f"Wrote {path}: read it and adjust it before committing.")


COMMANDS = (db_cli,)
