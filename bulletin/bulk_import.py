"""Writing an import's postings a chunk at a time, for importer.py: what makes 100,000 postings take
seconds rather than minutes, with the same rows, audit entries and queue rows as one at a time.

- New postings are plain INSERTs of many rows at once (postings.new_posting says what create_posting
  would store), with their texts, their "posting.create" audit entries and their ``search_queue`` rows:
  the ORM's flush, which queues a changed posting by itself (search/sync.py), does not see these
  INSERTs, so they queue their postings themselves, in the same transaction.
- Postings already on the board are looked up for the whole chunk in one query and go through the
  services as before (postings.upsert_loaded): a re-import is mostly "unchanged", and an update keeps
  every rule of the ORM path (moved texts, outdated translations, the move to another organisation).

The caller has checked every record (import_checks) and owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlmodel import Session

from bulletin.import_checks import PostingRecord, Record
from bulletin.models import AuditEntry, Organisation, Posting, PostingText, SearchQueueEntry, utcnow
from bulletin.search import sync
from bulletin.services import postings
from bulletin.services.errors import ServiceError

CHUNK = 2000  # postings per round of queries: large enough to pay off, small enough for any IN (...)
# Existing postings updated between two flushes: a flush looks at each touched object against all the
# others (search/sync.py, listing_revision.py), so its cost grows with the square of their number.
FLUSH_EVERY = 100


class RecordRefused(Exception):
    """A service refused one record while writing; the caller rolls back and names its line."""

    def __init__(self, record: Record, error: ServiceError):
        super().__init__(str(error))
        self.record = record
        self.error = error


def chunks(records: list[PostingRecord]) -> Iterator[list[PostingRecord]]:
    for start in range(0, len(records), CHUNK):
        yield records[start:start + CHUNK]


class OrganisationsByKey:
    """The organisations postings name, each loaded once per import (one query per chunk for new ones)."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[str, Organisation] = {}

    def forget(self, key: str) -> None:
        """An organisation record is being written: look it up again when a posting names it."""
        self.known.pop(key, None)

    def load(self, keys: Iterable[str]) -> dict[str, Organisation]:
        missing = set(keys) - self.known.keys()
        if missing:
            found = self.session.scalars(select(Organisation).where(Organisation.key.in_(missing)))
            self.known.update((organisation.key, organisation) for organisation in found)
        return self.known


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def write_chunk(session: Session, actor, records: list[PostingRecord],
                organisations: OrganisationsByKey) -> ChunkOutcome:
    """Create or update the postings of ``records`` (at most CHUNK), as postings.upsert_posting would."""
    owners = organisations.load(record.organisation_key for record in records)
    existing = _existing(session, [record.key for record in records])
    outcome = ChunkOutcome()
    new = [record for record in records if record.key not in existing]
    if new:
        _insert_new(session, actor, new, owners)
        outcome.created = len(new)
    for number, record in enumerate(record for record in records if record.key in existing):
        try:
            owner = owners[record.organisation_key]
            result = postings.upsert_loaded(session, actor, owner, existing[record.key], record.data)
        except ServiceError as error:
            raise RecordRefused(record, error) from error
        setattr(outcome, result, getattr(outcome, result) + 1)
        if number % FLUSH_EVERY == FLUSH_EVERY - 1:
            session.flush()
    if existing:
        # The changes, their audit entries and queue rows (search/sync.py) are written now. Once written,
        # the session holds the postings only weakly: a re-import of 100,000 does not keep them all.
        session.flush()
    return outcome


def _existing(session: Session, keys: list[str]) -> dict[str, Posting]:
    """The postings with these keys on the board, by key: one query (and one for their texts)."""
    found = session.scalars(select(Posting).where(Posting.key.in_(keys))).unique()
    return {posting.key: posting for posting in found}


def _insert_new(session: Session, actor, records: list[PostingRecord],
                owners: dict[str, Organisation]) -> None:
    """INSERT the new postings, their texts, audit entries and queue rows, each table in one statement."""
    connection = session.connection()
    made = [_new_posting(record) for record in records]
    rows = []
    for record, new in zip(records, made, strict=True):
        now = utcnow()
        rows.append({"key": record.key, "organisation_id": owners[record.organisation_key].id, **new.values,
                     "moderation_reason": None, "view_count": 0, "created_at": now, "updated_at": now})
    # Plain executemany, and the ids read back by key: on PostgreSQL, INSERT ... RETURNING of many rows
    # is one long statement per thousand rows, which psycopg parses anew each time (a third of the import).
    connection.execute(insert(Posting.__table__), rows)
    keys = [record.key for record in records]
    by_key = dict(connection.execute(select(Posting.key, Posting.id).where(Posting.key.in_(keys))).all())
    ids = [by_key[record.key] for record in records]
    texts = [{**text, "posting_id": posting_id, "outdated": False, "updated_at": row["updated_at"]}
             for posting_id, row, new in zip(ids, rows, made, strict=True) for text in new.texts]
    connection.execute(insert(PostingText.__table__), texts)
    connection.execute(insert(AuditEntry.__table__), [
        _created_entry(actor, posting_id, record.key, new.changes)
        for posting_id, record, new in zip(ids, records, made, strict=True)
    ])
    _queue(session, ids)


def _new_posting(record: PostingRecord) -> postings.NewPosting:
    try:
        return postings.new_posting(record.data)
    except ServiceError as error:
        raise RecordRefused(record, error) from error


def _created_entry(actor, posting_id: int, key: str, changes: dict) -> dict:
    """The row audit.record writes for create_posting's entry."""
    return {"created_at": utcnow(), "actor_id": actor.id, "actor": actor.email, "action": "posting.create",
            "object_type": "posting", "object_id": posting_id, "object_key": key, "changes": changes,
            "redacted_at": None}


def _queue(session: Session, posting_ids: list[int]) -> None:
    """Queue the postings for the search index, as the ORM's flush would have (search/sync.py); the
    session's commit then writes them itself when there are few enough, like any other commit."""
    connection = session.connection()
    now = utcnow()
    rows = [{"posting_id": posting_id, "done": False, "created_at": now} for posting_id in posting_ids]
    connection.execute(insert(SearchQueueEntry.__table__), rows)
    added = connection.execute(
        select(SearchQueueEntry.id).where(SearchQueueEntry.posting_id.in_(posting_ids))  # new postings' only
    ).scalars().all()
    session.info.setdefault(sync.PENDING_KEY, []).extend(added)
