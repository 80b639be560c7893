"""Speed of import-data: the database part, the search index caught up afterwards, and a re-import.

    .venv/bin/python bench/importing.py [--postings 100000] [--procs 2] [--worker-batch 200]
                                        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Generates a JSON Lines file in the import format (docs/import-format.md): 200 organisations first, then
the postings of bench/speed.py's generator (German titles and descriptions, a share translated, a share
closed or expired). On a new board whose (empty) search index exists, as on a running board, it measures:

- import: ``import-data FILE --leave-index-to-worker``, checks, writes and commit (postings per second);
- catching up: the search worker (``search-worker --once``, ``--worker-batch`` queue rows per index
  commit) working off the queue the import left;
- re-import: the same file again, everything unchanged (no audit entry written);
- reindex: ``reindex --procs`` of the whole board, for comparison with catching up.

``--database-only`` times the two imports alone (the queue is then left as it is).

SQLite in a temporary folder by default; with ``--database-url`` (a PostgreSQL server's URL) on a fresh
database created there for the run and dropped at its end. The index is always in the temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from speed import generate  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from bulletin import create_app  # noqa: E402
from bulletin.db import get_engine  # noqa: E402
from bulletin.models import AuditEntry  # noqa: E402
from bulletin.search import get_search, sync, worker  # noqa: E402

ORGANISATIONS = 200  # speed.generate names organisations 1 to 200


def import_lines(count: int) -> Iterator[dict]:
    """The board of speed.generate as import records: its organisations first, then its postings."""
    for number in range(1, ORGANISATIONS + 1):
        yield {"kind": "organisation", "key": f"org-{number}", "name": f"Verein {number}", "type": "ngo",
               "languages": ["de"], "verified": True}
    for posting, texts in generate(count):
        yield {"kind": "posting", "key": posting["key"], "organisation": f"org-{posting['organisation_id']}",
               "type": posting["type"], "category": posting["category"],
               "title": {text["language"]: text["title"] for text in texts},
               "body": {text["language"]: text["body"] for text in texts if text["body"]},
               "district": posting["district"],
               "valid_until": posting["valid_until"].isoformat() if posting["valid_until"] else None,
               "status": posting["status"]}


def write_file(path: str, count: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for line in import_lines(count):
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


@contextmanager
def database(server_url: str | None, directory: str) -> Iterator[str]:
    """The URL of an empty database: SQLite in ``directory``, or a new PostgreSQL database, dropped after."""
    if server_url is None:
        yield f"sqlite:///{directory}/board.sqlite"
        return
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"bench_import_{secrets.token_hex(4)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def import_file(app, path: str) -> str:
    result = app.test_cli_runner().invoke(args=["import-data", path, "--leave-index-to-worker"])
    if result.exit_code != 0:
        raise SystemExit(f"import-data failed:\n{result.output}")
    return result.stdout.strip().replace("\n", " ")


def audit_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def measure(args, directory: str, url: str) -> list[tuple[str, str, str]]:
    path = os.path.join(directory, "board.jsonl")
    write_file(path, args.postings)
    app = create_app({
        "TESTING": True, "BULLETIN_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": directory,
        "SQLALCHEMY_DATABASE_URI": url, "BULLETIN_INDEX_DIR": f"{directory}/index",
        "MAIL_BACKEND": "memory", "SERVER_NAME": "board.test",
    })
    rows = []

    def done(row: tuple[str, str, str]) -> None:
        rows.append(row)
        print(" | ".join(row), file=sys.stderr)  # as it goes: a 100k run takes minutes

    with app.app_context():
        engine = get_engine()
        SQLModel.metadata.create_all(engine)
        search = get_search()
        sync.ensure_index(search, engine)  # a running board has an index, even an empty one
        seconds, summary = timed(import_file, app, path)
        done(("import-data (database part)", f"{args.postings / seconds:,.0f} postings/s",
              f"{seconds:.1f} s; {summary}"))
        queued = sync.pending_count(engine)
        if not args.database_only:
            running = worker.Worker(search, engine, batch=args.worker_batch)
            seconds, written = timed(running.run, once=True)
            done((f"search worker catching up (batch {args.worker_batch})",
                  f"{written / seconds:,.0f} postings/s", f"{seconds:.1f} s for {queued:,} queued"))
        entries, queued = audit_count(engine), sync.pending_count(engine)
        seconds, summary = timed(import_file, app, path)
        unchanged = audit_count(engine) == entries and sync.pending_count(engine) == queued
        done(("import-data again (unchanged)", f"{args.postings / seconds:,.0f} postings/s",
              f"{seconds:.1f} s; no audit entry, nothing queued: {unchanged}; {summary}"))
        if not args.database_only:
            seconds, indexed = timed(sync.rebuild, search, engine, procs=args.procs)
            done((f"reindex (procs={args.procs})", f"{indexed / seconds:,.0f} postings/s",
                  f"{seconds:.1f} s"))
        search.store.close()
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=2, help="processes of the reindex compared with")
    parser.add_argument("--worker-batch", type=int, default=worker.BATCH,
                        help="queue rows per index commit of the search worker")
    parser.add_argument("--database-url", help="a PostgreSQL server; a fresh database is made on it")
    parser.add_argument("--database-only", action="store_true",
                        help="only the two imports: neither the worker catching up nor the reindex")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, database(args.database_url, directory) as url:
        rows = measure(args, directory, url)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"| {backend}, {args.postings:,} postings | Speed | Note |\n| --- | --- | --- |")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")


if __name__ == "__main__":
    main()
