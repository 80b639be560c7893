"""Several writers at once never see a lock error, and a writer killed mid-write loses nothing for good.

The writers are separate processes on the test's own database and index, as gunicorn workers and the
command line would be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from sqlmodel import select

from bulletin.db import get_engine
from bulletin.models import SearchQueueEntry
from bulletin.search import get_search, sync
from bulletin.search.query import search_postings

WRITER = textwrap.dedent("""
    import json, os, sys, time
    from bulletin import create_app
    from bulletin.db import get_session
    from bulletin.search import sync
    from bulletin.services import organisations, postings
    from bulletin.services.actors import SystemActor

    config, titles, stall = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3] == "stall"
    if stall:
        def stalled_apply(search, ix, session, posting_ids, today, deadline=None):
            writer = ix.writer()
            for posting in sync._load(session, posting_ids).values():
                writer.update_document(**search.maker.document(posting, today))
            print("writing", flush=True)
            time.sleep(120)  # killed here, with documents half written and the locks held
        sync._apply = stalled_apply
    app = create_app(config)
    actor = SystemActor("writer")
    with app.app_context():
        session = get_session()
        organisation = organisations.get_by_key(session, "helpers")
        for title in titles:
            postings.create_posting(session, actor, organisation, postings.PostingInput(
                type="offer", category="other", titles={"de": title}, original_language="de"))
            session.commit()
    print("done", flush=True)
""")


def start_writer(app_config, titles: list[str], mode: str = "normal") -> subprocess.Popen:
    config = {key: value for key, value in app_config.items() if isinstance(value, str | int | bool)}
    environment = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WRITER, json.dumps(config), json.dumps(titles), mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )


def found(text: str) -> set[str]:
    result = search_postings(get_search(), text, reader_language="de", per_page=100)
    return {hit.key for hit in result.hits}


def titles_found(word: str) -> int:
    return search_postings(get_search(), word, reader_language="de", per_page=100).total


def test_two_writers_at_once_both_succeed_and_the_index_holds_everything(app, app_config, make_organisation):
    make_organisation(name="Helpers", key="helpers")
    first = start_writer(app_config, [f"Regal Nummer {number}" for number in range(8)])
    second = start_writer(app_config, [f"Regal Nummer {number}" for number in range(8, 16)])
    for writer in (first, second):
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert "done" in out
        assert "LockError" not in err and "could not be updated" not in err, err
    assert titles_found("Regal") == 16
    assert sync.check(get_search(), get_engine()) == []
    assert sync.queued_count(get_engine()) == 0


def test_a_writer_killed_mid_write_leaves_a_board_that_searches_and_is_repaired(
    app, app_config, db, make_organisation, make_posting
):
    organisation = make_organisation(name="Helpers", key="helpers")
    make_posting(organisation=organisation, title="Kinderwagen", key="pram")
    writer = start_writer(app_config, ["Hochstuhl"], mode="stall")
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)

    # The board still searches: what was indexed before is found, the half-written change is not.
    search, engine = get_search(), get_engine()
    assert titles_found("Kinderwagen") == 1 and titles_found("Hochstuhl") == 0
    # The change is not lost: the database has it, its queue row waits, and the check names it.
    assert len(db.exec(select(SearchQueueEntry)).all()) == 1
    problems = [difference.problem for difference in sync.check(search, engine)]
    assert problems == ["missing from the index"]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 1

    # The locks died with the writer: the next write goes through at once, with its own change only.
    make_posting(organisation=organisation, title="Wickelkommode", key="table")
    assert titles_found("Wickelkommode") == 1 and titles_found("Hochstuhl") == 0
    # The search worker catches up with what the killed writer left.
    assert runner.invoke(args=["search-worker", "--once"]).exit_code == 0
    assert titles_found("Hochstuhl") == 1
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0


def test_reindex_repairs_what_a_killed_writer_left(app, app_config, make_organisation):
    make_organisation(name="Helpers", key="helpers")
    writer = start_writer(app_config, ["Hochstuhl"], mode="stall")
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)

    runner = app.test_cli_runner()
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert titles_found("Hochstuhl") == 1
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0
    assert sync.queued_count(get_engine()) == 0
