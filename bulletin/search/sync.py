"""Keeping the index equal to the database.

1. Whenever a flush touches a posting, its texts or its organisation, a row per posting goes into the
   ``search_queue`` table, in the same transaction (SQLAlchemy session events: no service has to
   remember it). A rolled-back change leaves no row; a committed one always does.
2. After the commit, the queue is written to the index by one writer at a time (a file lock, waited for
   with growing pauses). The rows are deleted only once the index holds the change: if the write fails or
   the process dies, they stay, and the next write or ``reindex`` catches up.
3. ``rebuild`` writes a new index generation from the database beside the live one, applies the changes
   queued meanwhile, and swaps it in. While a rebuild runs, writers keep the live index current and mark
   their rows done instead of deleting them, so the rebuild applies them to the new index too.
4. ``check`` compares index and database and lists every difference.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from bulletin.models import Organisation, Posting, PostingText, SearchQueueEntry, utcnow
from bulletin.search import bulk
from bulletin.search.index import date_number, fingerprint
from bulletin.search.locking import LockTimeout
from bulletin.services import clock

log = logging.getLogger(__name__)

PENDING_KEY = "bulletin.search.pending"
BATCH = 2000  # queue rows written per index commit
CHUNK = 500  # postings loaded from the database at once
REQUEST_LOCK_WAIT = 20.0  # seconds a web request waits for the writer lock before leaving it to the next
# Changes to these attributes do not touch the index: a page view is no reason to rewrite a document.
POSTING_IGNORED = frozenset({"view_count"})
ORGANISATION_IGNORED = frozenset({
    "name", "type", "email", "phone", "website", "address", "district", "languages", "verified", "logo",
    "created_at", "updated_at", "texts", "match_digest",
})


# 1. Recording changes ---------------------------------------------------------------------------------


def _changed(obj, ignored: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in ignored)


@event.listens_for(Session, "after_flush")
def _record_changes(session, _context) -> None:
    """Queue every posting this flush touched (ids are known here, after the INSERTs)."""
    posting_ids: set[int] = set()
    organisation_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Posting):
            if obj in session.dirty and not _changed(obj, POSTING_IGNORED):
                continue
            if obj.id is not None:
                posting_ids.add(obj.id)
        elif isinstance(obj, PostingText):
            posting_id = obj.posting_id if obj.posting_id is not None else getattr(obj.posting, "id", None)
            if posting_id is not None:
                posting_ids.add(posting_id)
        elif isinstance(obj, Organisation) and obj.id is not None:
            if obj in session.dirty and not _changed(obj, ORGANISATION_IGNORED):
                continue
            if obj not in session.new:
                organisation_ids.add(obj.id)
    if not posting_ids and not organisation_ids:
        return
    connection = session.connection()
    if organisation_ids:
        rows = connection.execute(select(Posting.id).where(Posting.organisation_id.in_(organisation_ids)))
        posting_ids.update(row[0] for row in rows)
    if posting_ids:
        now = utcnow()
        rows = [{"posting_id": posting_id, "done": False, "created_at": now}
                for posting_id in sorted(posting_ids)]
        connection.execute(insert(SearchQueueEntry.__table__), rows)
        session.info[PENDING_KEY] = True


@event.listens_for(Session, "after_commit")
def _write_after_commit(session) -> None:
    if not session.info.pop(PENDING_KEY, False):
        return
    from flask import current_app, has_app_context

    if not has_app_context():
        return  # no board to write for (a script): the rows wait for the next writer or reindex
    search = current_app.extensions.get("bulletin.search")
    if search is None:
        return
    try:
        process_queue(search, session.get_bind(), wait=REQUEST_LOCK_WAIT)
    except Exception:  # the change is committed; the queue keeps it for the next writer  # noqa: BLE001
        log.exception("The search index could not be updated now; the change stays queued.")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)


# 2. Writing the queue -----------------------------------------------------------------------------------


def _load(session: Session, posting_ids: list[int]) -> dict[int, Posting]:
    statement = (select(Posting).where(Posting.id.in_(posting_ids))
                 .options(selectinload(Posting.texts)))  # type: ignore[arg-type]
    return {posting.id: posting for posting in session.scalars(statement)}


def _apply(search, ix, session: Session, posting_ids: list[int], today: date) -> None:
    """Write the current database state of these postings into ``ix`` (deleting those that are gone)."""
    writer = ix.writer()
    try:
        for start in range(0, len(posting_ids), CHUNK):
            chunk = posting_ids[start:start + CHUNK]
            found = _load(session, chunk)
            search.learn_words(found.values())
            for posting_id in chunk:
                posting = found.get(posting_id)
                if posting is None:
                    writer.delete_by_term("id", str(posting_id))
                else:
                    writer.update_document(**search.maker.document(posting, today))
            session.expunge_all()
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def process_queue(search, engine: Engine, wait: float = 60.0) -> int:
    """Write every queued change into the live index; returns how many postings were written.

    Raises LockTimeout when another writer kept the lock for ``wait`` seconds: the rows then stay for
    whoever writes next.
    """
    written = 0
    ensure_index(search, engine, wait=wait)
    with search.store.writer_lock.held(timeout=wait):
        while True:
            with Session(engine) as session:
                rows = session.exec(
                    select(SearchQueueEntry.id, SearchQueueEntry.posting_id)
                    .where(SearchQueueEntry.done.is_(False))  # type: ignore[union-attr]
                    .order_by(SearchQueueEntry.id).limit(BATCH)
                ).all()
                if not rows:
                    return written
                ix = search.store.open_live()
                if ix is None:
                    raise RuntimeError("the live index disappeared while writing")
                posting_ids = sorted({posting_id for _row_id, posting_id in rows})
                _apply(search, ix, session, posting_ids, clock.today())
                row_ids = [row_id for row_id, _posting_id in rows]
                if search.store.rebuild_lock.is_held():
                    session.execute(update(SearchQueueEntry).where(SearchQueueEntry.id.in_(row_ids))
                                    .values(done=True))
                else:
                    session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_(row_ids)))
                    # Rows a dead rebuild left marked done are no longer needed by anyone.
                    session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.done.is_(True)))
                session.commit()
                written += len(posting_ids)


def queued_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(SearchQueueEntry.id)).all())


# 3. Rebuilding ------------------------------------------------------------------------------------------


class RebuildRunning(RuntimeError):
    """Another process is rebuilding the index right now."""


def _all_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Posting.id).order_by(Posting.id)))


def rebuild(search, engine: Engine, *, wait: float = 0.0, progress: Callable[[int, int], None] | None = None,
            procs: int = 1) -> int:
    """Build a new index from the database beside the live one and swap it in; returns the postings indexed.

    ``wait`` is how long to wait for another rebuild to finish (0: fail at once with RebuildRunning).
    ``procs`` > 1: that many worker processes write the postings, on a large board (see bulk.py).
    """
    try:
        with search.store.rebuild_lock.held(timeout=wait):
            return _rebuild(search, engine, progress, procs)
    except LockTimeout as error:
        raise RebuildRunning() from error


def _texts(session: Session) -> Iterator[tuple[str, str, str]]:
    statement = select(PostingText.language, PostingText.title, PostingText.body)
    yield from session.execute(statement.execution_options(yield_per=5000))


def _rebuild(search, engine: Engine, progress, procs: int) -> int:
    today = clock.today()
    search.reset_vocabulary()
    ix = search.store.create_generation()
    with Session(engine) as session:
        ids = _all_ids(session)
        if bulk.worker_count(procs, len(ids)) == 1:  # worker processes learn the words themselves, together
            # First every word of the board, so compounds split alike whichever posting comes first.
            search.learn_texts(_texts(session))
    bulk.write_postings(bulk.Build(search, engine, ix, today), ids, procs, progress)
    # Changes committed while we read: apply them, then make the new index live, under the writer lock.
    with search.store.writer_lock.held(timeout=600), Session(engine) as session:
        rows = session.exec(select(SearchQueueEntry.id, SearchQueueEntry.posting_id)).all()
        if rows:
            _apply(search, ix, session, sorted({posting_id for _row_id, posting_id in rows}), today)
        search.store.make_live(ix)
        if rows:
            session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_([row[0] for row in rows])))
            session.commit()
    search.store.remove_other_generations()
    if progress:
        progress(len(ids), len(ids))
    return len(ids)


def ensure_index(search, engine: Engine, wait: float = 600.0) -> None:
    """Make sure there is a readable live index: a missing or damaged one is rebuilt from the database."""
    if search.store.open_live() is not None:
        search.load_vocabulary()
        return
    try:
        with search.store.rebuild_lock.held(timeout=wait):
            if search.store.open_live() is None:  # nobody rebuilt it while we waited
                log.warning("The search index is missing or damaged: rebuilding it from the database.")
                _rebuild(search, engine, None, 1)
    except LockTimeout as error:
        raise RebuildRunning() from error


# 4. Checking --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    posting_id: int
    key: str | None
    problem: str

    def __str__(self) -> str:
        return f"posting {self.posting_id} ({self.key or '?'}): {self.problem}"


def check(search, engine: Engine, today: date | None = None) -> list[Difference] | None:
    """Every difference between index and database; None when there is no readable index at all."""
    today = today or clock.today()
    ix = search.store.open_live()
    if ix is None:
        return None
    with ix.searcher() as searcher:
        indexed = {
            int(fields["id"]): fields for fields in searcher.all_stored_fields()
        }
    differences: list[Difference] = []
    today_number = date_number(today)
    with Session(engine) as session:
        ids = _all_ids(session)
        for posting in bulk.posting_rows(session, ids):  # as a rebuild reads them
            stored = indexed.pop(posting.id, None)
            if stored is None:
                differences.append(Difference(posting.id, posting.key, "missing from the index"))
                continue
            if stored.get("fingerprint") != fingerprint(posting):
                differences.append(Difference(posting.id, posting.key, "the index holds an older version"))
            in_index = stored.get("public") == "1" and stored.get("valid_until", 0) >= today_number
            if in_index != posting.is_listed(today):
                problem = ("visible in search but not on the board" if in_index
                           else "listed on the board but not found by search")
                differences.append(Difference(posting.id, posting.key, problem))
    for posting_id, stored in sorted(indexed.items()):
        differences.append(
            Difference(posting_id, stored.get("key"), "in the index but no longer in the database")
        )
    return differences
