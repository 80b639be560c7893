"""Readers never fail when a writer merged away, or a rebuild removed, the files they were about to open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time

from whoosh import index as whoosh_index

from bulletin.db import get_engine
from bulletin.search import SearchIndex, get_search, index, sync, whoosh_internals
from bulletin.search.query import search_postings


def total(search, word: str) -> int:
    return search_postings(search, word, reader_language="de", per_page=100).total


def merge_everything(path: str) -> None:
    """Another writer's commit that merges every segment into one and deletes the old segments' files."""
    writer = whoosh_index.open_dir(path).writer()
    writer.commit(optimize=True)


def test_a_refresh_that_finds_a_segment_merged_away_reads_the_newest_generation(app, make_posting,
                                                                                monkeypatch):
    make_posting(title="Kinderwagen abzugeben", key="pram")
    search = get_search()
    assert total(search, "Kinderwagen") == 1  # the searcher is open on the first segment
    make_posting(title="Kinderwagen mit Tasche", key="bag")  # a second segment the refresh must open
    live = search.store.live_dir()
    real_reader = whoosh_internals.SegmentReader
    merged = []

    def reader_after_a_merge(storage, schema, segment, **kwargs):
        # The refresh has read the list of segments; now a writer merges them and deletes their files.
        if not merged:
            merged.append(segment.segment_id())
            merge_everything(live)
        return real_reader(storage, schema, segment, **kwargs)

    monkeypatch.setattr(whoosh_internals, "SegmentReader", reader_after_a_merge)
    assert total(search, "Kinderwagen") == 2
    assert merged
    with search.store.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1  # the merged segment, not the vanished ones
        assert searcher.up_to_date()


def test_opening_an_index_whose_files_vanish_meanwhile_does_not_count_as_damage(app, make_posting,
                                                                              monkeypatch):
    make_posting(title="Kinderwagen", key="pram")
    make_posting(title="Hochstuhl", key="chair")
    store = get_search().store
    store.close()
    live = store.live_dir()
    real_open = whoosh_index.open_dir
    merged = []

    def open_then_merge(path, *args, **kwargs):
        ix = real_open(path, *args, **kwargs)
        if not merged:  # between reading the TOC and opening the segments it names
            merged.append(path)
            merge_everything(live)
        return ix

    monkeypatch.setattr(index.whoosh_index, "open_dir", open_then_merge)
    rebuilds = []
    monkeypatch.setattr(sync, "_rebuild", lambda *args: rebuilds.append(args))
    assert total(get_search(), "Kinderwagen") == 1 and total(get_search(), "Hochstuhl") == 1
    assert merged and store.live_dir() == live and rebuilds == []


def test_a_searcher_whose_generation_a_rebuild_removed_moves_to_the_new_one(app, make_posting):
    make_posting(title="Kinderwagen", key="pram")
    search = get_search()
    assert total(search, "Kinderwagen") == 1
    other = SearchIndex(search.store.root, search.lexicon_path)  # another process's view of the folder
    sync.rebuild(other, get_engine())
    other.store.close()
    assert total(search, "Kinderwagen") == 1


WRITER = textwrap.dedent("""
    import json, sys
    from bulletin import create_app
    from bulletin.db import get_session
    from bulletin.search import get_search
    from bulletin.services import organisations, postings
    from bulletin.services.actors import SystemActor

    config, count = json.loads(sys.argv[1]), int(sys.argv[2])
    app = create_app(config)
    with app.app_context():
        session, store = get_session(), get_search().store
        organisation = organisations.get_by_key(session, "helpers")
        for number in range(count):
            postings.create_posting(session, SystemActor("writer"), organisation, postings.PostingInput(
                type="offer", category="other", titles={"de": f"Regal Nummer {number}"},
                original_language="de"))
            session.commit()  # writes a new segment into the index
            with store.writer_lock.held():
                store.open_live().optimize()  # and merges all into one: every older segment file goes
    print("done", flush=True)
""")

WRITES = 20
READS_PER_READER = 20_000  # refreshes (a search every tenth); a reader stops here or when the writer is done
READERS = 2


def test_searches_while_another_process_writes_and_merges_never_fail(app, app_config, make_organisation,
                                                                   make_posting):
    organisation = make_organisation(name="Helpers", key="helpers")
    make_posting(organisation=organisation, title="Kinderwagen", key="pram")
    root, lexicon = get_search().store.root, get_search().lexicon_path
    config = {key: value for key, value in app_config.items() if isinstance(value, str | int | bool)}
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WRITER, json.dumps(config), str(WRITES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    failures: list[BaseException] = []
    counts: list[int] = []
    deadline = time.monotonic() + 120

    def read() -> None:
        # A reader of its own, as another web worker process has: each refreshes on its own schedule.
        search = SearchIndex(root, lexicon)
        done = 0
        try:
            while writer.poll() is None and done < READS_PER_READER and time.monotonic() < deadline:
                with search.searcher() as searcher:  # opened or refreshed: where a vanished file shows
                    searcher.doc_count()
                if done % 10 == 0:
                    total(search, "Regal")
                done += 1
        except BaseException as error:  # reported below, with the others
            failures.append(error)
        finally:
            counts.append(done)
            search.store.close()

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=150)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0 and "done" in out, err
    assert failures == []
    assert sum(counts) > 0
    assert total(get_search(), "Regal") == WRITES
    assert sync.check(get_search(), get_engine()) == []
