"""The migrations build exactly the models' schema, go down to nothing and up again, and keep data.

Runs on a fresh SQLite file, and on PostgreSQL when TEST_DATABASE_URL is set: there in a schema of its
own, because other tests use the public schema of the same database at the same time.
"""

from __future__ import annotations

import os
import secrets
import shutil

import pytest
from sqlalchemy import Column, Integer, Table, create_engine, inspect, pool, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, select

from bulletin import create_app, migrate
from bulletin.models import Organisation

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
MODEL_TABLES = set(SQLModel.metadata.tables)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    schema = f"migration_test_{secrets.token_hex(6)}"
    admin = create_engine(server, poolclass=pool.NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # Every connection of this test finds (and creates) its tables in that schema only.
        scoped = server.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migration_app(database_url, tmp_path):
    return create_app(
        {
            "TESTING": True,
            "BULLETIN_ENV": "test",
            "SECRET_KEY": "test-migrations",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )


@pytest.fixture
def engine(migration_app):
    engine = create_engine(migration_app.config["SQLALCHEMY_DATABASE_URI"], poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def probe_table():
    """A table the models gain but no migration creates yet; removed again after the test."""
    table = Table("migration_probe", SQLModel.metadata, Column("id", Integer, primary_key=True))
    yield table
    SQLModel.metadata.remove(table)


@pytest.fixture
def migrations_copy(tmp_path, monkeypatch):
    """The migrations folder copied aside, so a test can write a revision without touching the package."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", str(folder))
    return folder


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_builds_exactly_the_schema_of_the_models(migration_app, engine):
    migrate.upgrade_database(migration_app)

    assert migrate.current_revision(migration_app) == migrate.head_revision()
    assert table_names(engine) == MODEL_TABLES | {"alembic_version"}
    with engine.connect() as connection:
        assert migrate.schema_differences(connection) == []


def test_downgrade_to_base_leaves_no_tables_and_upgrade_works_again(migration_app, engine):
    migrate.upgrade_database(migration_app)

    migrate.downgrade_database(migration_app, "base")
    assert table_names(engine) - {"alembic_version"} == set()
    assert migrate.current_revision(migration_app) is None

    migrate.upgrade_database(migration_app)
    assert table_names(engine) == MODEL_TABLES | {"alembic_version"}
    with engine.connect() as connection:
        assert migrate.schema_differences(connection) == []


def test_upgrading_an_up_to_date_database_keeps_what_is_stored(migration_app, engine):
    migrate.upgrade_database(migration_app)
    with Session(engine) as session:
        session.add(Organisation(key="tafel", name="Neustetter Tafel", status="approved"))
        session.commit()

    migrate.upgrade_database(migration_app)

    with Session(engine) as session:
        assert session.exec(select(Organisation.name)).all() == ["Neustetter Tafel"]


def test_db_commands_upgrade_report_and_downgrade(migration_app, engine):
    runner = migration_app.test_cli_runner()
    head = migrate.head_revision()

    before = runner.invoke(args=["db", "current"])
    assert "no revision" in before.output

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"Database at revision {head}" in upgraded.output
    assert runner.invoke(args=["db", "current"]).output.strip() == f"{head} (head)"

    downgraded = runner.invoke(args=["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    assert "Database at revision base" in downgraded.output
    assert table_names(engine) - {"alembic_version"} == set()


def test_db_downgrade_to_an_unknown_revision_explains_and_changes_nothing(migration_app, engine):
    runner = migration_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])

    result = runner.invoke(args=["db", "downgrade", "no-such-revision"])

    assert result.exit_code == 1
    assert "Error:" in result.output and "no-such-revision" in result.output
    assert migrate.current_revision(migration_app) == migrate.head_revision()
    assert table_names(engine) == MODEL_TABLES | {"alembic_version"}


def test_db_check_passes_while_the_migrations_match_the_models(migration_app):
    result = migration_app.test_cli_runner().invoke(args=["db", "check"])

    assert result.exit_code == 0, result.output
    assert "matches the models" in result.output


def test_db_check_fails_when_a_model_change_has_no_migration(migration_app, probe_table):
    result = migration_app.test_cli_runner().invoke(args=["db", "check"])

    assert result.exit_code != 0
    assert "migration_probe" in result.output
    assert "differ from the migrations' head" in result.output


def test_db_revision_writes_the_missing_migration(migration_app, probe_table, migrations_copy):
    runner = migration_app.test_cli_runner()
    head = int(migrate.head_revision())

    written = runner.invoke(args=["db", "revision", "-m", "add probe"])
    assert written.exit_code == 0, written.output

    [script] = (migrations_copy / "versions").glob("*_add_probe.py")
    assert script.name == f"{head + 1:04d}_add_probe.py"  # numbered after the newest
    assert "create_table('migration_probe'" in script.read_text()
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output
