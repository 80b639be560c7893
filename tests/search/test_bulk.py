"""A rebuild writes the same index however it reads, analyses and splits the work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from whoosh import index as whoosh_index

from bulletin.db import get_engine
from bulletin.models import Posting
from bulletin.search import bulk, get_search, sync
from bulletin.search.analysis import Analyzer, Decompounder, stem
from bulletin.search.documents import DocumentMaker
from bulletin.search.index import TermWeights
from bulletin.search.lexicon import Lexicon
from bulletin.search.query import search_postings
from bulletin.services import organisations, postings
from bulletin.services.actors import SystemActor

ACTOR = SystemActor("test")


@pytest.fixture
def board(db, make_organisation, make_posting, today):
    """Postings of every kind a document distinguishes: translated, closed, expired, of a suspended owner."""
    helpers, suspended = make_organisation(name="Helfer"), make_organisation(name="Ruhend")
    pram = make_posting(organisation=helpers, title="Kinderwagen abzugeben", key="pram",
                        bodies={"de": "Fast neu, mit Regenschutz und einer Decke aus Daunen."})
    postings.set_translation(db, ACTOR, pram, "uk", "Дитячий візок", "Майже новий.")
    make_posting(organisation=helpers, title="Kinderbett gesucht", key="bed", type="request",
                 valid_until=today + timedelta(days=30), bodies={"de": "Gern auch eine warme Jacke."})
    make_posting(organisation=helpers, title="Deutschkurs am Abend", key="course", category="language")
    make_posting(organisation=helpers, title="Waschmaschine", key="closed", status="closed")
    # Split with words of other postings ("Daunen", "Jacke"): with two workers, of the other's share.
    make_posting(organisation=helpers, title="Daunenjacke", key="expired", category="clothing",
                 valid_until=today - timedelta(days=2))
    make_posting(organisation=suspended, title="Kinderwagen", key="hidden")
    organisations.set_status(db, ACTOR, suspended, status="suspended")
    db.commit()


def found(text: str, language: str = "de") -> list[str]:
    return sorted(hit.key for hit in search_postings(get_search(), text, reader_language=language).hits)


def content(index_dir: str) -> tuple[dict, dict]:
    """Everything an index holds, by posting id: stored fields, and each term's weight and value."""
    ix = whoosh_index.open_dir(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        stored = {fields["id"]: repr(sorted(fields.items())) for _docnum, fields in reader.iter_docs()}
        terms = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            entries = []
            while matcher.is_active():
                entries.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            terms[(fieldname, term)] = sorted(entries)
    return stored, terms


def segments(index_dir: str) -> int:
    with whoosh_index.open_dir(index_dir).searcher() as searcher:
        return len(searcher.reader().leaf_readers())


def rebuilt(procs: int) -> tuple[dict, dict]:
    search = get_search()
    sync.rebuild(search, get_engine(), procs=procs)
    return content(search.store.live_dir())


def test_worker_processes_write_the_same_index_as_one_process(app, board, monkeypatch):
    monkeypatch.setattr(bulk, "PARALLEL_MINIMUM", 0)
    alone = rebuilt(procs=1)
    in_workers = rebuilt(procs=2)
    assert in_workers == alone
    stored, terms = in_workers
    expired = next(posting_id for posting_id, fields in stored.items() if "'expired'" in fields)
    assert expired in {posting_id for posting_id, _weight, _value in terms[("text", b"daun")]}
    assert segments(get_search().store.live_dir()) == 2
    assert sync.check(get_search(), get_engine()) == []
    assert found("Kinderwagen") == ["pram"] and found("візок", "uk") == ["pram"]


def test_more_workers_than_postings_leave_no_empty_segment(app, make_posting, monkeypatch):
    monkeypatch.setattr(bulk, "PARALLEL_MINIMUM", 0)
    make_posting(title="Kinderwagen", key="pram")
    sync.rebuild(get_search(), get_engine(), procs=3)
    assert segments(get_search().store.live_dir()) == 1
    assert sync.check(get_search(), get_engine()) == [] and found("Kinderwagen") == ["pram"]


def test_progress_counts_up_to_every_posting(app, board, monkeypatch):
    monkeypatch.setattr(bulk, "PARALLEL_MINIMUM", 0)
    monkeypatch.setattr(bulk, "PROGRESS_STEP", 1)
    reports: list[tuple[int, int]] = []
    sync.rebuild(get_search(), get_engine(), procs=2, progress=lambda *report: reports.append(report))
    assert reports[-1] == (6, 6)
    assert [done for done, _total in reports] == sorted(done for done, _total in reports)


def test_a_failing_worker_fails_the_rebuild_and_the_old_index_stays_live(app, board, monkeypatch):
    monkeypatch.setattr(bulk, "PARALLEL_MINIMUM", 0)
    store = get_search().store
    sync.rebuild(get_search(), get_engine())
    live = store.live_dir()

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(bulk, "_add_documents", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        sync.rebuild(get_search(), get_engine(), procs=2)
    assert store.live_dir() == live and found("Kinderwagen") == ["pram"]


def test_a_row_makes_the_same_document_as_the_model(app, db, board, today):
    maker = get_search().maker
    models = {posting.id: posting for posting in db.exec(select(Posting)).all()}
    rows = list(bulk.posting_rows(db, sorted(models)))
    assert [row.id for row in rows] == sorted(models)
    for row in rows:
        assert comparable(maker.document(row, today)) == comparable(maker.document(models[row.id], today))


def comparable(document: dict) -> dict:
    return {name: (value.weights, value.counts) if isinstance(value, TermWeights) else value
            for name, value in document.items()}


def test_rows_skip_postings_deleted_meanwhile(app, db, board):
    ids = sorted(db.exec(select(Posting.id)).all())
    assert [row.id for row in bulk.posting_rows(db, [*ids, max(ids) + 1])] == ids


def test_a_kept_analysis_is_the_analysis_and_follows_the_vocabulary():
    analyzer = Analyzer(Decompounder(lexicon_stems=[stem("jacke", "de")]))
    maker = DocumentMaker(analyzer, Lexicon())
    fresh = DocumentMaker(Analyzer(Decompounder(lexicon_stems=[stem("jacke", "de")])), Lexicon())
    title = "Daunenjacke für Kinder, warm"
    assert maker.analysed(title, "de") == fresh.analysed(title, "de")
    assert maker.analysed(title, "de") is maker.analysed(title, "de")  # kept
    assert maker.analysed(title, "de").units[0] == ("daunenjack",)
    analyzer.decompounder.add_corpus_stems([stem("daunen", "de")])
    analyzer.forget_compounds()
    assert maker.analysed(title, "de").units[0] == ("daunenjack", "daun", "jack")

