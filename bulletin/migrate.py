"""Database migrations (Alembic) and their command line: flask --app bulletin db ...

The migration scripts ship inside the package (bulletin/migrations), and the Alembic configuration is
built here in code, so an installed board needs no alembic.ini to upgrade its database.
"""

from __future__ import annotations

import os
import tempfile

import click
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import MetaData, create_engine, pool
from sqlmodel import SQLModel

import bulletin.models  # noqa: F401 - registers every table on SQLModel.metadata

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` without any .ini file."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # The .ini syntax treats "%" as interpolation; URL-escaped passwords and options contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _app_config(app: Flask) -> Config:
    return alembic_config(app.config["SQLALCHEMY_DATABASE_URI"])


def upgrade_database(app: Flask, revision: str = "head") -> None:
    command.upgrade(_app_config(app), revision)


def downgrade_database(app: Flask, revision: str) -> None:
    command.downgrade(_app_config(app), revision)


def current_revision(app: Flask) -> str | None:
    """The revision the database is at, or None for a database that was never migrated."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_differences(connection, metadata: MetaData | None = None) -> list:
    """What Alembic would have to change in the database behind ``connection`` to match the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata if metadata is not None else SQLModel.metadata)


def unmigrated_model_changes(metadata: MetaData | None = None) -> list:
    """The differences between the models and the schema the migrations build, on a scratch database."""
    with tempfile.TemporaryDirectory() as folder:
        url = "sqlite:///" + os.path.join(folder, "scratch.sqlite")
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(url, poolclass=pool.NullPool)
        try:
            with engine.connect() as connection:
                return schema_differences(connection, metadata)
        finally:
            engine.dispose()


db_cli = AppGroup("db", help="Create and migrate the database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    try:
        upgrade_database(current_app, revision)
    except CommandError as error:  # an unknown revision, for example: a message, not a traceback
        raise click.ClickException(str(error)) from None
    click.echo(f"Database at revision {current_revision(current_app)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Migrate the database down to REVISION ("base" removes every table, "-1" goes one step back)."""
    try:
        downgrade_database(current_app, revision)
    except CommandError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Database at revision {current_revision(current_app) or 'base'}.")


@db_cli.command("current")
def current_command() -> None:
    """Show the revision the database is at and whether it is the newest."""
    revision = current_revision(current_app)
    if revision is None:
        click.echo("The database has no revision: run 'flask --app bulletin db upgrade'.")
    elif revision == head_revision():
        click.echo(f"{revision} (head)")
    else:
        click.echo(f"{revision} (behind head {head_revision()}: run 'flask --app bulletin db upgrade')")


@db_cli.command("check")
def check_command() -> None:
    """Fail if the models have changes that no migration creates."""
    differences = unmigrated_model_changes()
    if differences:
        for difference in differences:
            click.echo(f"  {difference}", err=True)
        raise click.ClickException(
            "The models differ from the migrations' head. Create a migration with "
            "'flask --app bulletin db revision -m \"what changed\"' and review it."
        )
    click.echo(f"The migrations' head ({head_revision()}) matches the models.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes, in a few words.")
def revision_command(message: str) -> None:
    """Write a new migration from the differences between the models and a database at head."""
    with tempfile.TemporaryDirectory() as folder:
        config = alembic_config("sqlite:///" + os.path.join(folder, "scratch.sqlite"))
        command.upgrade(config, "head")
        # Numbered names keep the folder in the order the migrations run.
        number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
        script = command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")
    click.echo(f"Wrote {script.path}: read it and adjust it before committing.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
