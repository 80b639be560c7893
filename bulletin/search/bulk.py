"""Writing every posting into a new index generation, for ``rebuild`` (sync.py).

Two things make it fast, and neither changes what the index holds:

- Postings are read as plain rows, two queries per chunk, instead of ORM objects (which cost as much as
  analysing the texts). ``PostingRow`` borrows the model's rules (``is_listed``, ``languages``), so a row
  makes the same document as the model would.
- With ``procs`` > 1 on a large board, ``procs`` worker processes each read, analyse and write a share of
  the postings into a segment of their own, and the parent commits the segments together. (Whoosh's own
  multi-process writer left all reading and analysis to the parent and sent every document through a
  pickle file: the parent was the bottleneck.) Each worker first collects the stems of its share's words;
  the parent joins them and sends them back, so every worker analyses with the whole board's vocabulary,
  as one process would. The workers are forked and open database connections of their own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing import connection
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bulletin.models import Organisation, Posting, PostingText
from bulletin.search import whoosh_internals
from bulletin.search.documents import DocumentMaker

if TYPE_CHECKING:
    from bulletin.search.search_index import SearchIndex

CHUNK = 500  # postings read from the database at once
PARALLEL_MINIMUM = 5000  # fewer postings are written by one process: starting workers would not pay off
LIMIT_MB = 1024  # memory for each writer's posting pool before it sorts a run out to disk
PROGRESS_STEP = 1000  # postings between two progress reports

Progress = Callable[[int, int], None]


# Rows ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TextRow:
    language: str
    title: str
    body: str


@dataclass(slots=True)
class OrganisationRow:
    key: str
    status: str

    is_public = Organisation.is_public  # the model's rule, not a copy of it


@dataclass(slots=True)
class PostingRow:
    """What an index document is made of, read without the ORM."""

    id: int
    key: str
    type: str
    category: str
    district: str | None
    valid_until: date | None
    status: str
    moderation: str
    original_language: str
    created_at: datetime
    organisation: OrganisationRow
    texts: list[TextRow]

    # The model's rules, not copies of them.
    is_expired = Posting.is_expired
    is_listed = Posting.is_listed
    languages = Posting.languages


def posting_rows(session: Session, ids: list[int]) -> Iterator[PostingRow]:
    """The postings with these ids (ascending) that still exist, in that order, with their texts."""
    organisations: dict[tuple[str, str], OrganisationRow] = {}  # one row object per organisation
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        texts = _texts_of(session, chunk)
        statement = (
            select(Posting.id, Posting.key, Posting.type, Posting.category, Posting.district,
                   Posting.valid_until, Posting.status, Posting.moderation, Posting.original_language,
                   Posting.created_at, Organisation.key, Organisation.status)
            .join(Organisation, Organisation.id == Posting.organisation_id)  # type: ignore[arg-type]
            .where(Posting.id.in_(chunk))  # type: ignore[union-attr]
            .order_by(Posting.id)
        )
        for row in session.execute(statement):
            *posting, organisation_key, organisation_status = row
            owner = (organisation_key, organisation_status)
            organisation = organisations.setdefault(owner, OrganisationRow(*owner))
            yield PostingRow(*posting, organisation, texts.get(row[0], []))  # type: ignore[arg-type]


def _texts_of(session: Session, posting_ids: list[int]) -> dict[int, list[TextRow]]:
    # In the order of their ids: the order the ORM loads them in on SQLite, and the same on every database.
    statement = (
        select(PostingText.posting_id, PostingText.language, PostingText.title, PostingText.body)
        .where(PostingText.posting_id.in_(posting_ids))  # type: ignore[attr-defined]
        .order_by(PostingText.posting_id, PostingText.id)
    )
    texts: dict[int, list[TextRow]] = {}
    for posting_id, language, title, body in session.execute(statement):
        texts.setdefault(posting_id, []).append(TextRow(language, title, body))
    return texts


# Writing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """One rebuild: what every worker needs to write its share."""

    search: SearchIndex
    engine: Engine
    ix: object  # the new, empty index generation
    today: date


def worker_count(procs: int, postings: int) -> int:
    """How many worker processes write ``postings`` postings when ``procs`` are asked for (1: none)."""
    if procs > 1 and postings >= PARALLEL_MINIMUM and "fork" in multiprocessing.get_all_start_methods():
        return procs
    return 1


def write_postings(build: Build, ids: list[int], procs: int = 1, progress: Progress | None = None) -> None:
    """Write the postings with these ids into the build's index and commit it.

    With one process, the search's vocabulary must be learnt already; worker processes learn it first,
    each from its share, and share what they learnt (the parent learns it too).
    """
    maker = build.search.maker  # once, before any fork: every worker analyses with the same lexicon
    reporter = _Reporter(progress, len(ids))
    workers = worker_count(procs, len(ids))
    if workers > 1:
        segments = _write_in_workers(build, maker, _shares(ids, workers), reporter)
        whoosh_internals.commit_segments(build.ix, segments)
        return
    writer = build.ix.writer(limitmb=LIMIT_MB)
    try:
        _add_documents(build, maker, writer, ids, reporter.add)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


class _Reporter:
    """Calls ``progress`` each time another PROGRESS_STEP postings are written."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done, self.reported = progress, total, 0, 0

    def add(self, count: int) -> None:
        self.reached(self.done + count)

    def reached(self, done: int) -> None:
        self.done = done
        if self.progress and done // PROGRESS_STEP > self.reported // PROGRESS_STEP:
            self.progress(done, self.total)
            self.reported = done


def _add_documents(build: Build, maker: DocumentMaker, writer, ids: list[int],
                   written: Callable[[int], None]) -> None:
    with Session(build.engine) as session:
        count = 0
        for count, posting in enumerate(posting_rows(session, ids), start=1):
            writer.add_document(**maker.document(posting, build.today))
            if count % CHUNK == 0:
                written(CHUNK)
        written(count % CHUNK)


def _shares(ids: list[int], procs: int) -> list[list[int]]:
    """The ids in ``procs`` consecutive parts of (nearly) equal size."""
    return [ids[number * len(ids) // procs:(number + 1) * len(ids) // procs] for number in range(procs)]


# Worker processes ---------------------------------------------------------------------------------------
# A worker sends ("stems", its share's stems), receives every share's stems, learns them, then sends
# ("written", its segment); or ("failed", the traceback) at any point.


def _write_in_workers(build: Build, maker: DocumentMaker, shares: list[list[int]],
                      reporter: _Reporter) -> list:
    """Each share written into a segment by a worker process of its own; returns the segments in order."""
    context = multiprocessing.get_context("fork")
    written = context.Value("q", 0)  # postings written by all workers together
    workers = []
    try:
        for share in shares:
            ours, theirs = context.Pipe()
            worker = context.Process(target=_work, args=(build, maker, share, theirs, written),
                                     name="index-writer")
            worker.start()
            theirs.close()  # only the worker holds its end now: a worker that dies shows as the pipe's end
            workers.append((worker, ours))
        connections = [ours for _worker, ours in workers]
        stems = set().union(*_gather(connections, "stems"))
        build.search.learn_stems(stems)  # the parent writes the changes queued meanwhile, with them too
        for ours in connections:
            ours.send(stems)
        return _gather(connections, "written", lambda: reporter.reached(written.value))
    finally:
        for worker, ours in workers:
            if worker.is_alive():
                worker.terminate()  # another worker failed: this one's work is of no use
            worker.join()
            ours.close()


def _gather(connections: list, kind: str, waiting: Callable[[], None] | None = None) -> list:
    """One message of ``kind`` from each worker, in the workers' order."""
    received = {}
    pending = {ours: number for number, ours in enumerate(connections)}
    while pending:
        for ours in connection.wait(list(pending), timeout=1.0):
            number = pending.pop(ours)
            try:
                status, value = ours.recv()
            except EOFError:
                raise RuntimeError(f"index worker {number} ended before its work was done") from None
            if status != kind:
                raise RuntimeError(f"index worker {number} failed:\n{value}")
            received[number] = value
        if waiting:
            waiting()
    return [received[number] for number in range(len(connections))]


def _work(build: Build, maker: DocumentMaker, share: list[int], theirs, written) -> None:
    """In a worker process: learn the vocabulary with the others, then write ``share`` into a segment."""
    try:
        build.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        theirs.send(("stems", _share_stems(build, share)))
        build.search.learn_stems(theirs.recv())
        theirs.send(("written", _write_segment(build, maker, share, written)))
    except BaseException:  # whatever it was, the parent must hear of it
        with contextlib.suppress(OSError):  # unless the parent is gone
            theirs.send(("failed", traceback.format_exc()))
    finally:
        theirs.close()


def _share_stems(build: Build, share: list[int]) -> set[str]:
    with Session(build.engine) as session:
        texts = (
            (text.language, text.title, text.body)
            for start in range(0, len(share), CHUNK)
            for texts in _texts_of(session, share[start:start + CHUNK]).values()
            for text in texts
        )
        return build.search.corpus_stems(texts)


def _write_segment(build: Build, maker: DocumentMaker, share: list[int], written):
    def count(number: int) -> None:
        with written.get_lock():
            written.value += number

    # The parent commits the segments, so the workers write without the index's lock, as Whoosh's own
    # multi-process writer does.
    writer = whoosh_internals.unlocked_segment_writer(build.ix, LIMIT_MB)
    _add_documents(build, maker, writer, share, count)
    return whoosh_internals.finalize_segment(writer)

