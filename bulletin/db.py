"""The database engine, one session per request, and the audit log's append-only guard (with its one
exception: the retention purge removing personal details)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g
from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import Session, create_engine

from bulletin import settings
from bulletin.models import AuditEntry

ENGINE_KEY = "bulletin.engine"


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()
    # SQLite's lower() folds ASCII only; Python's casefold() knows every script.
    dbapi_connection.create_function(
        "bulletin_casefold", 1, lambda text: text.casefold() if text else text, deterministic=True
    )


class casefold(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """Unicode-aware case folding in SQL, on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True
    name = "casefold"


@compiles(casefold)
def _casefold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element, compiler, **kw):
    return f"bulletin_casefold({compiler.process(element.clauses, **kw)})"


REDACTING = "bulletin.audit_redaction"
# What the retention purge may change in an old entry: the personal details, and the mark that says so.
REDACTABLE_COLUMNS = frozenset({"actor", "object_key", "changes", "redacted_at"})


@contextmanager
def audit_redaction(session: Session) -> Iterator[None]:
    """The one exception to the append-only rule: inside this block the session may remove personal
    details from entries (services/audit_redaction.py, services/signups.py). Nothing else about an
    entry may change, and no entry may be deleted, even here."""
    session.info[REDACTING] = True
    try:
        yield
    finally:
        session.info.pop(REDACTING, None)


def _is_redaction(entry: AuditEntry) -> bool:
    state = inspect(entry)
    changed = {attribute.key for attribute in state.attrs if attribute.history.has_changes()}
    return entry.redacted_at is not None and changed <= REDACTABLE_COLUMNS


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _context, _instances) -> None:
    redacting = session.info.get(REDACTING, False)
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit entries can be added, never changed or deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and not (redacting and _is_redaction(obj)):
            raise AuditLogIsAppendOnly("audit entries can be added, never changed or deleted")


def init_app(app: Flask) -> None:
    app.extensions[ENGINE_KEY] = make_engine(settings.of(app).database_url)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    from flask import current_app

    return (app or current_app).extensions[ENGINE_KEY]


def get_session() -> Session:
    """The session of the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exception=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


_UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_insert(connection):
    """The INSERT construct of ``connection``'s database: the one that knows ON CONFLICT."""
    return _UPSERT_INSERTS[connection.dialect.name]
