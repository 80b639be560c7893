"""The listing revision: a number that moves in the same transaction as every change visitors could see.

Counts, district lists and facets are cached under the revision (bulletin/services/listing_tally.py),
and public pages name it in their Last-Modified. Reading the revision is one primary-key lookup; the
cache is valid exactly while it is unchanged, in every worker on every host, because the number is
stored in the database and committed together with the change it stands for.

1. A flush that touches a posting, one of its texts or an organisation marks the session (an ORM
   session event, like the search queue's: no service has to remember it).
2. Just before that session commits, the revision row moves: ``number + 1`` and ``changed_at``. It is
   the transaction's last write, so a transaction holding the row lock never waits for another lock
   (no deadlock between writers on PostgreSQL).
3. Writers that bypass the ORM (bulk inserts of an import) call ``bump`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from bulletin.db import upsert_insert
from bulletin.models import ListingRevision, Organisation, Posting, PostingText, utcnow

CHANGED_KEY = "bulletin.listing.changed"
ROW_ID = 1
# A page view is no change of what the page shows.
IGNORED_POSTING_ATTRIBUTES = frozenset({"view_count"})
WATCHED = (Posting, PostingText, Organisation)
_TABLE = ListingRevision.__table__
_READ = select(_TABLE.c.number, _TABLE.c.changed_at).where(_TABLE.c.id == ROW_ID)


@dataclass(frozen=True)
class Revision:
    number: int
    changed_at: datetime | None  # None: nothing was ever recorded (a database made before the table)


def current(session: Session) -> Revision:
    """The revision as this session sees it now (one primary-key lookup).

    Read afresh each time, not once per transaction: on PostgreSQL (read committed) and SQLite a long
    transaction sees later commits in its later statements, and the counts must agree with those.
    Pending changes are flushed first, so ``uncommitted_changes`` is then true
    for a transaction that changed what is listed.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    row = session.connection().execute(_READ).first()  # Core, not ORM: this runs on every list
    return Revision(0, None) if row is None else Revision(row.number, row.changed_at)


def uncommitted_changes(session: Session) -> bool:
    """Whether this transaction has changed what is listed and not committed yet."""
    return bool(session.info.get(CHANGED_KEY))


def bump(connection: Connection) -> None:
    """Move the revision inside ``connection``'s transaction: for writes that bypass the ORM."""
    table = ListingRevision.__table__
    insert = upsert_insert(connection)
    # An upsert, so a database whose row is missing (emptied by hand) gets it back without a race.
    statement = insert(table).values(id=ROW_ID, number=1, changed_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"number": table.c.number + 1, "changed_at": statement.excluded.changed_at},
    )
    connection.execute(statement)


def mark_changed(session: Session) -> None:
    """Note that this transaction changed what visitors could see; the revision moves at its commit."""
    session.info[CHANGED_KEY] = True


def _touches_listing(session: Session) -> bool:
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted)):
        return True
    return any(isinstance(obj, WATCHED) and _changed(obj) for obj in session.dirty)


def _changed(obj) -> bool:
    ignored = IGNORED_POSTING_ATTRIBUTES if isinstance(obj, Posting) else frozenset()
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key not in ignored)


@event.listens_for(Session, "before_flush")
def _note_changes(session, _context, _instances) -> None:
    if _touches_listing(session):
        mark_changed(session)


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session) -> None:
    session.flush()  # what is still pending may mark the session too
    if session.info.pop(CHANGED_KEY, False):
        bump(session.connection())


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(CHANGED_KEY, None)
