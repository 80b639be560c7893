"""Index and database stay equal through every kind of change, and the index repairs itself."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bulletin.db import get_engine
from bulletin.models import SearchQueueEntry
from bulletin.search import get_search, sync
from bulletin.search.query import search_postings
from bulletin.services import clock, moderation, organisations, postings
from bulletin.services.actors import SystemActor

ACTOR = SystemActor("test")


def found(text: str, language: str = "de", today: date | None = None) -> list[str]:
    result = search_postings(get_search(), text, reader_language=language, today=today)
    return [hit.key for hit in result.hits]


def in_step(today: date | None = None) -> bool:
    """The index holds exactly the database's postings and visibility, and nothing waits in the queue."""
    return sync.check(get_search(), get_engine(), today) == [] and sync.queued_count(get_engine()) == 0


def data(posting, **changes) -> postings.PostingInput:
    original = posting.text(posting.original_language)
    language = posting.original_language
    fields = dict(type=posting.type, category=posting.category, titles={language: original.title},
                  bodies={language: original.body}, original_language=language, district=posting.district,
                  valid_until=posting.valid_until, status=posting.status)
    return postings.PostingInput(**{**fields, **changes})


def test_a_new_posting_is_found_at_once(make_posting):
    make_posting(title="Kinderwagen abzugeben", key="pram")
    assert found("Kinderwagen") == ["pram"]
    assert in_step()


def test_an_edit_replaces_the_old_words(db, make_posting):
    posting = make_posting(title="Kinderwagen abzugeben", key="pram")
    postings.update_posting(db, ACTOR, posting, data(posting, titles={"de": "Hochstuhl abzugeben"}))
    db.commit()
    assert found("Hochstuhl") == ["pram"] and found("Kinderwagen") == []
    assert in_step()


def test_a_translation_is_found_in_its_language(db, make_posting):
    posting = make_posting(title="Kinderwagen", key="pram")
    postings.set_translation(db, ACTOR, posting, "uk", "Дитячий візок", "Майже новий.")
    db.commit()
    assert found("візок", "uk") == ["pram"]
    assert in_step()


def test_closing_hides_and_reopening_shows_again(db, make_posting):
    posting = make_posting(title="Kinderwagen", key="pram")
    postings.close_posting(db, ACTOR, posting)
    db.commit()
    assert found("Kinderwagen") == [] and in_step()
    postings.reopen_posting(db, ACTOR, posting)
    db.commit()
    assert found("Kinderwagen") == ["pram"] and in_step()


def test_expiry_by_date_needs_no_rewrite_and_renewing_shows_again(db, make_posting, today, monkeypatch):
    posting = make_posting(title="Kinderwagen", key="pram", valid_until=today + timedelta(days=3))
    later = today + timedelta(days=10)
    assert found("Kinderwagen", today=later) == []  # the same index, a later day
    monkeypatch.setattr(clock, "today", lambda: later)
    assert in_step(later)
    postings.renew_posting(db, ACTOR, posting, later, 30)
    db.commit()
    assert found("Kinderwagen", today=later) == ["pram"]
    assert in_step(later)


@pytest.mark.parametrize("status", ["suspended", "pending"])
def test_an_organisation_no_longer_approved_takes_its_postings_along(db, make_organisation, make_posting,
                                                                    status):
    organisation = make_organisation(name="Hilfe")
    make_posting(organisation=organisation, title="Kinderwagen", key="pram")
    organisations.set_status(db, ACTOR, organisation, status=status)
    db.commit()
    assert found("Kinderwagen") == [] and in_step()
    organisations.approve(db, ACTOR, organisation)
    db.commit()
    assert found("Kinderwagen") == ["pram"] and in_step()


def test_a_profile_edit_rewrites_nothing(db, make_organisation, make_posting):
    organisation = make_organisation(name="Hilfe")
    make_posting(organisation=organisation, title="Kinderwagen", key="pram")
    organisation.phone = "+49 30 1234"
    db.commit()
    assert db.exec(select(SearchQueueEntry)).all() == []
    assert in_step()


def test_hidden_by_the_coordinator_is_not_found(db, make_posting):
    posting = make_posting(title="Kinderwagen", key="pram")
    moderation.hide_posting(db, ACTOR, posting, "Doppelt eingestellt")
    db.commit()
    assert found("Kinderwagen") == [] and in_step()
    moderation.restore_posting(db, ACTOR, posting)
    db.commit()
    assert found("Kinderwagen") == ["pram"] and in_step()


def test_a_deleted_posting_leaves_the_index(db, make_organisation, make_posting):
    organisation = make_organisation(name="Neu", status="pending")
    make_posting(organisation=organisation, title="Kinderwagen")
    organisations.reject(db, ACTOR, organisation)
    db.commit()
    with get_search().searcher() as searcher:
        assert searcher.doc_count() == 0
    assert in_step()


def test_a_page_view_rewrites_nothing(db, client, make_posting):
    posting = make_posting(title="Kinderwagen", key="pram")
    with get_search().searcher() as searcher:
        generation = searcher.reader().generation()
    assert client.get(f"/de/postings/{posting.id}").status_code == 200
    with get_search().searcher() as searcher:
        assert searcher.reader().generation() == generation
    assert in_step()


def test_a_rolled_back_change_leaves_no_trace(db, make_posting):
    posting = make_posting(title="Kinderwagen", key="pram")
    postings.close_posting(db, ACTOR, posting)
    db.flush()
    db.rollback()
    assert db.exec(select(SearchQueueEntry)).all() == []
    assert found("Kinderwagen") == ["pram"] and in_step()


# Differences, rebuild and repair


def test_check_names_every_difference(app, db, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    make_posting(title="Hochstuhl", key="chair")
    engine = get_engine()
    # Changes behind the index's back, as a crashed writer would leave them.
    db.exec(select(SearchQueueEntry)).all()
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE posting SET status = 'closed' WHERE key = 'pram'")
        connection.exec_driver_sql("UPDATE posting_text SET title = 'Stuhl' WHERE title = 'Hochstuhl'")
    problems = {(difference.key, difference.problem) for difference in sync.check(get_search(), engine)}
    assert problems == {
        ("pram", "visible in search but not on the board"),
        ("chair", "the index holds an older version"),
    }
    sync.rebuild(get_search(), engine)
    assert sync.check(get_search(), engine) == []
    assert found("Stuhl") == ["chair"] and found("Kinderwagen") == []


def test_rebuild_swaps_in_a_new_generation_and_removes_the_old(app, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    store = get_search().store
    before = store.live_dir()
    assert sync.rebuild(get_search(), get_engine()) == 1
    assert store.live_dir() != before and not os.path.exists(before)
    assert found("Kinderwagen") == ["pram"]


def test_changes_made_during_a_rebuild_reach_the_new_index(app, db, make_posting, monkeypatch):
    make_posting(title="Kinderwagen", key="pram")
    search, engine = get_search(), get_engine()
    real_texts = sync._texts

    def texts_then_a_change(session):
        yield from real_texts(session)
        # Another process saves a posting while the rebuild reads the database.
        make_posting(title="Hochstuhl", key="chair")

    monkeypatch.setattr(sync, "_texts", texts_then_a_change)
    sync.rebuild(search, engine)
    assert found("Hochstuhl") == ["chair"]
    assert in_step()


def test_a_missing_index_is_rebuilt_at_first_use(app, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    store = get_search().store
    store.close()
    shutil.rmtree(store.root)
    os.makedirs(store.root)
    assert found("Kinderwagen") == ["pram"]


def test_a_damaged_index_is_rebuilt_at_first_use(app, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    store = get_search().store
    store.close()
    for name in os.listdir(store.live_dir()):
        with open(os.path.join(store.live_dir(), name), "wb") as handle:
            handle.write(b"\x00garbage")
    assert found("Kinderwagen") == ["pram"]
    assert in_step()


def test_reindex_commands(app, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0
    with get_engine().begin() as connection:
        connection.exec_driver_sql("UPDATE posting SET status = 'closed' WHERE key = 'pram'")
    checked = runner.invoke(args=["reindex", "--check"])
    assert checked.exit_code == 1
    assert "(pram): visible in search but not on the board" in checked.output
    rebuilt = runner.invoke(args=["reindex"])
    assert rebuilt.exit_code == 0 and "Indexed 1 posting." in rebuilt.output
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0


def test_reindex_check_without_an_index_fails(app):
    store = get_search().store
    shutil.rmtree(store.root)
    result = app.test_cli_runner().invoke(args=["reindex", "--check"])
    assert result.exit_code == 1 and "There is no readable search index" in result.output


# What a commit writes itself: its own rows, within a second


def queued_behind_the_index(monkeypatch, make_posting, titles: list[str]) -> list:
    """Postings committed and queued with the index untouched, as a killed process leaves them."""
    with monkeypatch.context() as patched:
        patched.setattr(sync, "write_rows", lambda *args, **kwargs: False)
        return [make_posting(title=title) for title in titles]


def test_a_commit_writes_its_own_change_and_leaves_the_backlog_queued(app, make_posting, monkeypatch):
    make_posting(title="Kinderwagen", key="pram")
    queued_behind_the_index(monkeypatch, make_posting, ["Hochstuhl", "Wickelkommode"])
    make_posting(title="Laufrad", key="bike")
    assert found("Laufrad") == ["bike"]
    assert found("Hochstuhl") == [] and found("Wickelkommode") == []
    assert sync.pending_count(get_engine()) == 2


def test_a_commit_finding_the_index_busy_answers_in_time_and_leaves_its_change_queued(
    app, make_posting, client, csrf_token, login, make_user, today
):
    organisation = make_posting(title="Kinderwagen", key="pram").organisation
    login(make_user(organisation=organisation))
    store, held, release = get_search().store, threading.Event(), threading.Event()

    def busy_writer() -> None:  # another writer holds the lock the whole time
        with store.writer_lock.held():
            held.set()
            release.wait(30)

    thread = threading.Thread(target=busy_writer)
    thread.start()
    try:
        assert held.wait(10)
        form = {"type": "offer", "category": "other", "original_language": "de", "title": "Laufrad",
                "body": "Für Kinder ab drei Jahren.", "district": "",
                "valid_until": (today + timedelta(days=30)).isoformat(), "csrf_token": csrf_token()}
        started = time.perf_counter()
        response = client.post("/en/dashboard/postings/new", data=form)
        elapsed = time.perf_counter() - started
    finally:
        release.set()
        thread.join(30)
    assert response.status_code == 302
    assert elapsed < 3  # about a second of waiting for the lock, then the answer (measured generously)
    assert found("Laufrad") == [] and sync.pending_count(get_engine()) == 1
    assert app.test_cli_runner().invoke(args=["search-worker", "--once"]).exit_code == 0
    assert len(found("Laufrad")) == 1 and in_step()


def test_a_write_past_its_time_is_cancelled_and_stays_queued(app, db, make_posting, monkeypatch):
    make_posting(title="Kinderwagen", key="pram")
    (posting,) = queued_behind_the_index(monkeypatch, make_posting, ["Hochstuhl"])
    row_ids = list(db.exec(select(SearchQueueEntry.id)))
    assert sync.write_rows(get_search(), get_engine(), row_ids, seconds=0) is False
    assert found("Hochstuhl") == [] and sync.pending_count(get_engine()) == 1
    assert sync.write_rows(get_search(), get_engine(), row_ids) is True
    assert found("Hochstuhl") == [posting.key] and in_step()


def test_a_commit_touching_many_postings_leaves_them_to_the_worker(app, db, make_organisation, make_posting,
                                                                  monkeypatch):
    organisation = make_organisation(name="Hilfe")
    for title in ("Kinderwagen", "Hochstuhl", "Wickelkommode"):
        make_posting(organisation=organisation, title=title)
    monkeypatch.setattr(sync, "REQUEST_MAX_POSTINGS", 2)
    organisations.set_status(db, ACTOR, organisation, status="suspended")
    db.commit()
    assert sync.pending_count(get_engine()) == 3 and len(found("Kinderwagen")) == 1
    assert app.test_cli_runner().invoke(args=["search-worker", "--once"]).exit_code == 0
    assert found("Kinderwagen") == [] and in_step()


def test_a_commit_builds_a_missing_index_only_for_a_small_board(app, make_posting, monkeypatch):
    make_posting(title="Kinderwagen", key="pram")  # a board of one: its first commit built the index
    assert in_step()
    store = get_search().store
    store.close()
    shutil.rmtree(store.live_dir())
    monkeypatch.setattr(sync, "REQUEST_REBUILD_MAX_POSTINGS", 1)
    make_posting(title="Hochstuhl", key="chair")  # two postings: too many to build in a request
    assert store.live_dir() is None and sync.pending_count(get_engine()) == 1
    assert found("Hochstuhl") == ["chair"]  # the first search builds it
    assert in_step()
