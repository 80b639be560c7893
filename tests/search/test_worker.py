"""The search worker works off what requests leave queued, in order, and stops cleanly on a signal."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bulletin.db import get_engine
from bulletin.search import get_search, sync, worker
from bulletin.search.query import search_postings

BACKLOG = 40

IMPORT_KILLED_AFTER_COMMIT = textwrap.dedent("""
    import json, os, signal, sys
    from bulletin import create_app
    from bulletin.search import sync

    config, path = json.loads(sys.argv[1]), sys.argv[2]

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # the import is committed, nothing is written to the index

    sync.write_rows = killed
    app = create_app(config)
    with app.app_context():
        app.cli.main(args=["import-data", path], prog_name="flask")
""")

WORKER = textwrap.dedent("""
    import json, sys, time
    from bulletin import create_app
    from bulletin.search import sync

    config, slow = json.loads(sys.argv[1]), sys.argv[2] == "slow"
    if slow:
        real_apply = sync._apply

        def slow_apply(*args, **kwargs):
            print("writing", flush=True)
            time.sleep(0.5)  # the signal comes now, in the middle of the batch
            real_apply(*args, **kwargs)

        sync._apply = slow_apply
    app = create_app(config)
    with app.app_context():
        app.cli.main(args=["search-worker", *sys.argv[3:]], prog_name="flask")
""")


def plain_config(app_config) -> str:
    return json.dumps({key: value for key, value in app_config.items()
                       if isinstance(value, str | int | bool)})


@contextmanager
def run(script: str, *args: str):
    """The script in a process of its own; killed and its pipes closed should the test fail before its end."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    with process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


def total(word: str) -> int:
    return search_postings(get_search(), word, reader_language="de", per_page=100).total


def import_file(tmp_path, count: int) -> str:
    lines = [{"kind": "organisation", "key": "regale", "name": "Regale für alle", "verified": True}]
    lines += [{"kind": "posting", "key": f"regal-{number}", "organisation": "regale", "type": "offer",
               "category": "furniture-household", "title": {"de": f"Regal Nummer {number}"}}
              for number in range(count)]
    path = tmp_path / "regale.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def backlog(monkeypatch, make_organisation, make_posting):
    """Postings committed and queued with the index untouched, as a killed process leaves them."""

    def make(count: int) -> list:
        organisation = make_organisation(name="Regale für alle")
        make_posting(organisation=organisation, title="Kinderwagen")  # written: the board has an index
        with monkeypatch.context() as patched:
            patched.setattr(sync, "write_rows", lambda *args, **kwargs: False)
            made = [make_posting(organisation=organisation, title=f"Regal Nummer {number}")
                    for number in range(count)]
        assert sync.pending_count(get_engine()) == count and total("Regal") == 0
        return made

    return make


def test_a_killed_import_leaves_a_backlog_that_no_request_waits_for_and_the_worker_works_off(
    app, app_config, client, csrf_token, login, make_organisation, make_posting, make_user, tmp_path, today
):
    organisation = make_organisation(name="Kleiderkammer Süd")
    make_posting(organisation=organisation, title="Kinderwagen", key="pram")  # a running board has an index
    path = import_file(tmp_path, BACKLOG)
    with run(IMPORT_KILLED_AFTER_COMMIT, plain_config(app_config), path) as importer:
        _out, err = importer.communicate(timeout=120)
    assert importer.returncode == -signal.SIGKILL, err
    engine = get_engine()
    assert sync.pending_count(engine) == BACKLOG and total("Regal") == 0

    login(make_user(organisation=organisation))
    assert client.get("/en/dashboard/postings/new").status_code == 200
    form = {"type": "offer", "category": "clothing", "original_language": "de",
            "title": "Winterjacken für Kinder", "body": "Größen 98 bis 140.", "district": "",
            "valid_until": (today + timedelta(days=30)).isoformat(), "csrf_token": csrf_token()}
    started = time.perf_counter()
    response = client.post("/en/dashboard/postings/new", data=form)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert elapsed < 1.0  # the requirement: a request never works off someone else's backlog
    assert total("Winterjacken") == 1  # its own change is written at once
    assert sync.pending_count(engine) == BACKLOG and total("Regal") == 0

    runner = app.test_cli_runner()
    result = runner.invoke(args=["search-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {BACKLOG} postings to the search index." in result.output
    assert sync.pending_count(engine) == 0 and total("Regal") == BACKLOG
    checked = runner.invoke(args=["reindex", "--check"])
    assert checked.exit_code == 0 and "The search index matches the database." in checked.output


def indexed_ids() -> set[int]:
    with get_search().searcher() as searcher:
        return {int(fields["id"]) for fields in searcher.all_stored_fields()}


def test_the_worker_writes_in_order_a_batch_per_commit_and_logs_it(app, backlog, caplog, monkeypatch):
    made = [posting.id for posting in backlog(5)]
    first = indexed_ids()
    caplog.set_level(logging.INFO, logger=worker.__name__)
    real_batch, after_each = sync.process_batch, []

    def recorded(*args, **kwargs):
        result = real_batch(*args, **kwargs)
        after_each.append((result.rows, indexed_ids() - first))
        return result

    monkeypatch.setattr(sync, "process_batch", recorded)
    assert worker.Worker(get_search(), get_engine(), batch=2).run(once=True) == 5
    assert after_each == [(2, set(made[:2])), (2, set(made[:4])), (1, set(made)), (0, set(made))]
    assert total("Regal") == 5 and sync.pending_count(get_engine()) == 0
    assert "Wrote a batch to the search index: 2 postings, 2 queue rows." in caplog.text
    assert "Search worker done: 5 postings, 5 queue rows written in all." in caplog.text


def test_an_import_works_off_what_it_queued_with_progress(app, make_posting, tmp_path, monkeypatch):
    make_posting(title="Kinderwagen")  # the board has an index
    monkeypatch.setattr(sync, "REQUEST_MAX_POSTINGS", 3)  # more than its commit writes itself
    result = app.test_cli_runner().invoke(args=["import-data", import_file(tmp_path, 5)])
    assert result.exit_code == 0, result.output
    assert "5 of 5 queued changes written to the search index" in result.stderr
    assert total("Regal") == 5 and total("Kinderwagen") == 1 and sync.pending_count(get_engine()) == 0


def test_a_worker_waiting_for_work_exits_at_once_on_sigterm(app, app_config):
    with run(WORKER, plain_config(app_config), "normal", "--poll", "30") as running:
        assert "Search worker started" in running.stderr.readline()
        running.send_signal(signal.SIGTERM)
        _out, err = running.communicate(timeout=20)  # well before the next look at the queue
    assert running.returncode == 0, err
    assert "Search worker stopped: 0 postings, 0 queue rows written in all." in err


def test_a_signal_during_a_batch_finishes_that_batch_and_stops(app, app_config, backlog):
    backlog(5)
    with run(WORKER, plain_config(app_config), "slow", "--batch", "2") as running:
        assert running.stdout.readline().strip() == "writing"
        running.send_signal(signal.SIGINT)
        _out, err = running.communicate(timeout=30)
    assert running.returncode == 0, err
    assert "Search worker stopped: 2 postings, 2 queue rows written in all." in err
    # The batch it was in is in the index and off the queue; the rest waits for the next start.
    assert total("Regal") == 2 and sync.pending_count(get_engine()) == 3
    problems = [difference.problem for difference in sync.check(get_search(), get_engine())]
    assert problems == ["missing from the index"] * 3


def test_the_worker_survives_a_failing_batch(app, backlog, monkeypatch, caplog):
    backlog(1)
    running = worker.Worker(get_search(), get_engine(), poll=0.01)
    real_batch, calls = sync.process_batch, []

    def fail_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        if len(calls) == 3:
            running.stop()
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(sync, "process_batch", fail_once)
    monkeypatch.setattr(worker, "RETRY_SECONDS", 0.01)
    running.run()
    assert "Writing the search queue failed" in caplog.text
    assert total("Regal") == 1 and sync.pending_count(get_engine()) == 0
