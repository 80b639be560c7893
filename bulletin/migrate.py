"""Database migrations (Alembic): upgrading, downgrading, and comparing the models with the migrations.

The migration scripts ship inside the package (bulletin/migrations), and the Alembic configuration is
built here in code, so an installed board needs no alembic.ini to upgrade its database. The command line
(flask --app bulletin db ...) is bulletin/commands/database.py.
"""

from __future__ import annotations

import os
import tempfile

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import MetaData, create_engine, pool
from sqlmodel import SQLModel

import bulletin.models  # noqa: F401 - registers every table on SQLModel.metadata
from bulletin import settings

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
    return alembic_config(settings.of(app).database_url)


def upgrade_database(app: Flask, revision: str = "head") -> None:
    command.upgrade(_app_config(app), revision)


def downgrade_database(app: Flask, revision: str) -> None:
    command.downgrade(_app_config(app), revision)


def current_revision(app: Flask) -> str | None:
    """The revision the database is at, or None for a database that was never migrated."""
    engine = create_engine(settings.of(app).database_url, poolclass=pool.NullPool)
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


def write_revision(message: str) -> str:
    """Write a new migration from the differences between the models and a database at head; its path."""
    with tempfile.TemporaryDirectory() as folder:
        config = alembic_config("sqlite:///" + os.path.join(folder, "scratch.sqlite"))
        command.upgrade(config, "head")
        # Numbered names keep the folder in the order the migrations run.
        number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
        script = command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")
    return script.path
