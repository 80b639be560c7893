"""Alembic's entry point: runs the migrations against the database of the board's configuration.

bulletin.migrate builds the Alembic configuration in code, with the app's SQLALCHEMY_DATABASE_URI as
``sqlalchemy.url``; use its functions or ``flask --app bulletin db ...`` rather than the alembic command.
"""

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import bulletin.models  # noqa: F401 - registers every table on SQLModel.metadata

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    # An engine of its own, without the app's SQLite pragmas: batch mode drops and recreates tables,
    # which enforced foreign keys would turn into cascading deletes or errors.
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=True,
                # SQLite can alter little in place: Alembic copies the table ("batch mode") instead.
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
