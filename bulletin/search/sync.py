"""Keeping the index equal to the database.

1. Whenever a flush touches a posting, its texts or its organisation, a row per posting goes into the
   ``search_queue`` table, in the same transaction (SQLAlchemy session events: no service has to
   remember it). A rolled-back change leaves no row; a committed one always does.
2. After the commit, the session writes the rows it added itself, and only those, into the index: one
   writer at a time (a file lock), within REQUEST_SECONDS in all. What it cannot write in that time stays
   queued; so does anything another process left. The queue in order is the search worker's job
   (worker.py), and an import's at its end. The rows are deleted only once the index holds the change:
   if the write fails or the process dies, they stay, and the worker or ``reindex`` catches up.
3. ``rebuild`` writes a new index generation from the database beside the live one, applies the changes
   queued meanwhile, and swaps it in. While a rebuild runs, writers keep the live index current and mark
   their rows done instead of deleting them, so the rebuild applies them to the new index too.
4. ``check`` compares index and database and lists every difference.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from bulletin.models import Organisation, Posting, PostingText, SearchQueueEntry, utcnow
from bulletin.search import bulk
from bulletin.search.documents import fingerprint
from bulletin.search.index import date_number
from bulletin.search.locking import LockTimeout
from bulletin.services import clock

log = logging.getLogger(__name__)

PENDING_KEY = "bulletin.search.pending"  # the ids of the queue rows a session added, until it commits
BATCH = 2000  # queue rows written per index commit
CHUNK = 500  # postings loaded from the database at once
# What a commit may spend writing its own rows, waiting for the writer lock included: a visitor's request
# must answer in time however busy the index is. What does not fit is left to the search worker.
REQUEST_SECONDS = 1.0
REQUEST_MAX_POSTINGS = 200  # a commit touching more (an import, a large organisation) leaves them queued
# A commit finding no index builds one only for a board this small, which takes well under a second;
# a larger board's missing index is built by the search worker, reindex or the first search.
REQUEST_REBUILD_MAX_POSTINGS = 100
QUEUE_LOCK_WAIT = 60.0  # seconds a command or the worker waits for the writer lock
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
        table = SearchQueueEntry.__table__
        added = connection.execute(insert(table).returning(table.c.id), rows).scalars().all()
        session.info.setdefault(PENDING_KEY, []).extend(added)


@event.listens_for(Session, "after_commit")
def _write_after_commit(session) -> None:
    row_ids = session.info.pop(PENDING_KEY, None)
    if not row_ids:
        return
    from flask import current_app, has_app_context

    if not has_app_context():
        return  # no board to write for (a script): the rows wait for the search worker or reindex
    search = current_app.extensions.get("bulletin.search")
    if search is None:
        return
    try:
        write_rows(search, session.get_bind(), row_ids)
    except Exception:  # the change is committed; the queue keeps it for the worker
        log.exception("The search index could not be updated now; the change stays queued.")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)


# 2. Writing the queue -----------------------------------------------------------------------------------


def _load(session: Session, posting_ids: list[int]) -> dict[int, Posting]:
    statement = (select(Posting).where(Posting.id.in_(posting_ids))
                 .options(selectinload(Posting.texts)))  # type: ignore[arg-type]
    return {posting.id: posting for posting in session.scalars(statement)}


class OutOfTime(RuntimeError):
    """A write ran past its deadline and was cancelled; its rows stay queued."""


def _apply(search, ix, session: Session, posting_ids: list[int], today: date,
           deadline: float | None = None) -> None:
    """Write the current database state of these postings into ``ix`` (deleting those that are gone).

    Past ``deadline`` (a ``time.monotonic()`` value) the writer is cancelled and OutOfTime raised.
    """
    writer = ix.writer()
    try:
        for start in range(0, len(posting_ids), CHUNK):
            chunk = posting_ids[start:start + CHUNK]
            found = _load(session, chunk)
            search.learn_words(found.values())
            for posting_id in chunk:
                if deadline is not None and time.monotonic() > deadline:
                    raise OutOfTime()
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


def _write_locked(search, session: Session, rows, deadline: float | None = None) -> int:
    """Write the postings of these (row id, posting id) rows and retire the rows; call with the writer
    lock held. Returns how many postings were written."""
    ix = search.store.open_live()
    if ix is None:
        raise RuntimeError("the live index disappeared while writing")
    posting_ids = sorted({posting_id for _row_id, posting_id in rows})
    _apply(search, ix, session, posting_ids, clock.today(), deadline=deadline)
    row_ids = [row_id for row_id, _posting_id in rows]
    if search.store.rebuild_lock.is_held():
        session.execute(update(SearchQueueEntry).where(SearchQueueEntry.id.in_(row_ids)).values(done=True))
    else:
        session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_(row_ids)))
    session.commit()
    return len(posting_ids)


def _seconds_left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.0)


def write_rows(search, engine: Engine, row_ids: list[int], seconds: float = REQUEST_SECONDS) -> bool:
    """Write the postings of these queue rows (those a commit added) within ``seconds``, lock wait included.

    Returns whether they are in the index now; if not, the rows stay queued for the search worker. Rows
    another process has written meanwhile are simply gone. Never touches any other row.
    """
    deadline = time.monotonic() + seconds
    if len(row_ids) > REQUEST_MAX_POSTINGS:
        log.info("%d changes are left queued for the search worker.", len(row_ids))
        return False
    try:
        if not _ensure_small_index(search, engine, deadline):
            log.info("There is no search index yet; %d changes wait for the search worker.", len(row_ids))
            return False
        with search.store.writer_lock.held(timeout=_seconds_left(deadline)), Session(engine) as session:
            rows = session.exec(
                select(SearchQueueEntry.id, SearchQueueEntry.posting_id)
                .where(SearchQueueEntry.id.in_(row_ids))  # type: ignore[union-attr]
                .where(SearchQueueEntry.done.is_(False))  # type: ignore[union-attr]
            ).all()
            if rows:
                _write_locked(search, session, rows, deadline)
    except (LockTimeout, RebuildRunning, OutOfTime):
        log.info("The search index is busy; %d changes are left queued for the search worker.", len(row_ids))
        return False
    return True


def _ensure_small_index(search, engine: Engine, deadline: float) -> bool:
    """Whether there is a live index, built now if it was missing and the board is small."""
    if search.store.open_live() is not None:
        search.load_vocabulary()
        return True
    with Session(engine) as session:
        small = len(session.exec(select(Posting.id).limit(REQUEST_REBUILD_MAX_POSTINGS + 1)).all())
    if small > REQUEST_REBUILD_MAX_POSTINGS:
        return False
    ensure_index(search, engine, wait=_seconds_left(deadline))
    return True


@dataclass(frozen=True)
class Batch:
    rows: int  # queue rows retired
    postings: int  # postings written (a posting queued twice is written once)

    def __bool__(self) -> bool:
        return self.rows > 0


def process_batch(search, engine: Engine, limit: int = BATCH, wait: float = QUEUE_LOCK_WAIT) -> Batch:
    """Write the oldest ``limit`` queued rows into the live index (an empty Batch: the queue is empty).

    Raises LockTimeout when the writer lock stayed busy for ``wait`` seconds.
    """
    ensure_index(search, engine)
    with search.store.writer_lock.held(timeout=wait), Session(engine) as session:
        rows = session.exec(
            select(SearchQueueEntry.id, SearchQueueEntry.posting_id)
            .where(SearchQueueEntry.done.is_(False))  # type: ignore[union-attr]
            .order_by(SearchQueueEntry.id).limit(limit)
        ).all()
        if not rows:
            return Batch(0, 0)
        written = _write_locked(search, session, rows)
        if not search.store.rebuild_lock.is_held():
            # Rows a dead rebuild left marked done are no longer needed by anyone.
            session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.done.is_(True)))
            session.commit()
        return Batch(len(rows), written)


def process_queue(search, engine: Engine, wait: float = QUEUE_LOCK_WAIT,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Work off the whole queue, a batch at a time; returns how many postings were written.

    ``progress(rows written, rows waiting)`` after each batch. Raises LockTimeout when another writer kept
    the lock for ``wait`` seconds: the rest then stays for the worker.
    """
    waiting = pending_count(engine)
    rows = postings = 0
    while batch := process_batch(search, engine, wait=wait):
        rows += batch.rows
        postings += batch.postings
        if progress:
            progress(rows, max(waiting, rows))
    return postings


def pending_count(engine: Engine) -> int:
    """Queue rows not yet written to the live index."""
    with Session(engine) as session:
        return session.scalar(
            select(func.count()).select_from(SearchQueueEntry)
            .where(SearchQueueEntry.done.is_(False))  # type: ignore[union-attr]
        ) or 0


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
