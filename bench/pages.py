"""Page speed at 1k and 100k postings: the public pages, the API and the desk, in process and under gunicorn.

    .venv/bin/python bench/pages.py [--sizes 1000,100000] [--runs 15] [--database-url URL] [--explain]
                                    [--skip-gunicorn] [--workers 4] [--seconds 10] [--clients 8] [--json]

For each size it builds a board as bench/speed.py does (plain inserts, then the index rebuilt), adds a
coordinator, a few sign-ups and reports, and times every page with Flask's test client (one warm-up, then
``--runs`` timed runs; p50/p95 in ms). At the largest size it serves the board (SQLite file and index on
disk) with ``gunicorn -w 4`` and then bench/trivial_app.py the same way, loads home, a posting, a search
and the trivial route from ``--clients`` processes with one connection per request, and reads each board
worker's memory (VmRSS) afterwards.

Targets (the ✓/✗ column): every public page and API call p95 <= 30 ms at the largest size and <= 1.5 times
its own p95 at the smallest; under gunicorn home, posting and search each >= 25 % of the trivial route's
requests/s; <= 300 MB per board worker. Desk pages are timed too, without a target.

``--database-url postgresql+psycopg://HOST/DB`` builds each board in a fresh database ``bench_pages_<pid>_
<size>`` on that server (DB is only where CREATE DATABASE runs) and drops it at the end. ``--explain``
(PostgreSQL) prints the plan of every distinct statement the pages ran (warm-up included) at the largest
size and lists those with a Seq Scan on posting, posting_text or organisation. ``--after-change`` moves
the listing revision before every run, so nothing cached under it is reused.

Beside it: bench/serving.py (gunicorn and the load generator), bench/postgres.py (databases and plans).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import secrets
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, ROOT]

import postgres  # noqa: E402
import serving  # noqa: E402
from speed import fill_database, percentiles  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlmodel import Session, SQLModel, select  # noqa: E402

from bulletin import create_app  # noqa: E402
from bulletin.db import get_engine  # noqa: E402
from bulletin.models import Organisation, Posting  # noqa: E402
from bulletin.search import get_search, sync  # noqa: E402
from bulletin.services import accounts, reports, signups  # noqa: E402
from bulletin.services.actors import SystemActor  # noqa: E402
from bulletin.services.organisations import OrganisationInput  # noqa: E402

PASSWORD = "correct horse battery"
COORDINATOR = "coordinator@bench.example"
SIGNUPS, REPORTS = 3, 6
P95_MAX_MS, GROWTH_MAX, SHARE_MIN, WORKER_MB_MAX = 30.0, 1.5, 0.25, 300


class BenchFailed(RuntimeError):
    """A page answered with something other than 200, or the coordinator could not sign in."""


@dataclass(frozen=True)
class Samples:
    """The postings and organisation the pages show: in the middle of the board, listed."""

    offer: int
    request: int
    organisation_id: int
    organisation_key: str


@dataclass(frozen=True)
class Board:
    app: object
    directory: str
    database_url: str
    samples: Samples


def public_pages(s: Samples) -> list[tuple[str, str]]:
    return [
        ("home", "/de/"),
        ("category", "/de/categories/clothing"),
        ("category, district", "/de/categories/clothing?district=Weststadt"),
        ("category, type", "/de/categories/clothing?type=request"),
        ("search, one word", "/de/search?q=Winterjacke"),
        ("search, two words", "/de/search?q=Sofa+Weststadt"),
        ("search, no words", "/de/search"),
        ("posting", f"/de/postings/{s.offer}"),
        ("organisation", f"/de/organisations/{quote(s.organisation_key)}"),
        ("organisations", "/de/organisations"),
        ("API postings", "/api/v1/postings?per_page=100"),
        ("API search", "/api/v1/postings?q=Winterjacke"),
        ("API matches", f"/api/v1/postings/{s.request}/matches"),
        ("API posting", f"/api/v1/postings/{s.offer}"),
        ("API organisations", "/api/v1/organisations"),
    ]


def desk_pages(s: Samples) -> list[tuple[str, str]]:
    return [
        ("desk sign-ups", "/de/desk/organisations"),
        ("desk organisations", "/de/desk/organisations/all"),
        ("desk organisation", f"/de/desk/organisations/{s.organisation_id}"),
        ("desk postings", "/de/desk/postings"),
        ("desk postings, open", "/de/desk/postings?status=open"),
        ("desk posting", f"/de/desk/postings/{s.offer}"),
        ("desk reports", "/de/desk/reports"),
        ("desk statistics", "/de/desk/statistics"),
        ("desk audit", "/de/desk/audit"),
        ("desk accounts", "/de/desk/accounts"),
        ("request, signed in (matches)", f"/de/postings/{s.request}"),
    ]


# --- building a board -------------------------------------------------------------------------------------

def board_config(directory: str, database_url: str) -> dict:
    return {
        "TESTING": True, "BULLETIN_ENV": "test", "SECRET_KEY": "bench-" + secrets.token_hex(8),
        "INSTANCE_PATH": f"{directory}/instance", "SQLALCHEMY_DATABASE_URI": database_url,
        "BULLETIN_INDEX_DIR": f"{directory}/index", "BULLETIN_UPLOAD_DIR": f"{directory}/uploads",
        "MAIL_BACKEND": "memory", "SERVER_NAME": "board.test", "BULLETIN_BASE_URL": "http://board.test",
        "BULLETIN_ARGON2_TIME_COST": 1, "BULLETIN_ARGON2_MEMORY_COST": 64, "RATELIMIT_ENABLED": False,
        "BULLETIN_COORDINATOR_TWO_FACTOR": False,
    }


def bump_listing_revision(connection) -> None:
    """Plain inserts bypass the ORM events that move the listing revision, so counts cached under the old
    number would be shown; move it by hand. The module is new: a checkout without it has no such cache."""
    if importlib.util.find_spec("bulletin.services.listing_revision") is None:
        print("bulletin.services.listing_revision does not exist here: no listing revision to move",
              file=sys.stderr)
        return
    from bulletin.services import listing_revision

    listing_revision.bump(connection)


def _middle_listed(session: Session, posting_type: str) -> Posting:
    ids = list(session.exec(select(Posting.id).where(
        Posting.type == posting_type, Posting.status == "open", Posting.valid_until.is_(None),
        Posting.moderation == "visible").order_by(Posting.id)))
    return session.get(Posting, ids[len(ids) // 2])


def add_desk_work(engine) -> Samples:
    """A coordinator, sign-ups waiting for approval and open reports, so the desk's pages show something."""
    actor = SystemActor("bench")
    with Session(engine) as session:
        offer, request = _middle_listed(session, "offer"), _middle_listed(session, "request")
        organisation = session.get(Organisation, offer.organisation_id)
        samples = Samples(offer.id, request.id, organisation.id, organisation.key)
        accounts.create_user(session, actor, COORDINATOR, PASSWORD, role="coordinator")
        for number in range(1, SIGNUPS + 1):
            data = OrganisationInput(name=f"Neue Initiative {number}", type="ngo", district="Altstadt",
                                     descriptions={"de": "Wir möchten Familien helfen."}, languages=["de"])
            signups.sign_up(session, data, f"signup{number}@bench.example", PASSWORD)
        reported = session.exec(select(Posting).where(Posting.id >= offer.id).order_by(Posting.id)
                                .limit(REPORTS)).all()
        for posting in reported:
            reports.report_posting(session, posting, "wrong", "Die Telefonnummer stimmt nicht mehr.")
        reports.report_organisation(session, organisation, "unavailable", "Niemand geht ans Telefon.")
        bump_listing_revision(session.connection())
        session.commit()
    return samples


@contextmanager
def board_of(size: int, server_url: str | None):
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as directory, \
            postgres.database_for(size, server_url, directory) as database_url:
        app = create_app(board_config(directory, database_url))
        try:
            with app.app_context():
                engine = get_engine()
                SQLModel.metadata.create_all(engine)
                started = time.perf_counter()
                fill_database(engine, size)
                if engine.dialect.name == "postgresql":
                    postgres.catch_up_sequences(engine)
                samples = add_desk_work(engine)
                if engine.dialect.name == "postgresql":
                    with engine.begin() as connection:  # the statistics autovacuum would gather by itself
                        connection.execute(text("ANALYZE"))
                written = time.perf_counter() - started
                sync.rebuild(get_search(), engine, procs=2)
                print(f"{size:,} postings: written in {written:.1f} s, indexed in "
                      f"{time.perf_counter() - started - written:.1f} s", file=sys.stderr)
            yield Board(app, directory, database_url, samples)
        finally:
            get_search(app).store.close()
            get_engine(app).dispose()


# --- timing in process ------------------------------------------------------------------------------------

def signed_in_client(app):
    client = app.test_client()
    form = client.get("/de/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    if token is None:
        raise BenchFailed("no csrf_token on the sign-in page")
    response = client.post("/de/account/login",
                           data={"email": COORDINATOR, "password": PASSWORD, "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise BenchFailed(f"the coordinator's sign-in answered {response.status_code}")
    return client


def time_page(client, name: str, url: str, runs: int, log: postgres.StatementLog | None,
              after_change: bool) -> list[float]:
    durations = []
    for run in range(runs + 1):
        if after_change:  # what is cached under the revision (counts, whole pages) is made anew
            with get_engine(client.application).begin() as connection:
                bump_listing_revision(connection)
        if log is not None:  # the warm-up too: with pages cached, it may be the only run that asks
            log.page = name
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
        if response.status_code != 200:
            raise BenchFailed(f"{name} ({url}) answered {response.status_code}: {body[:300]!r}")
        if run:  # the first run is the warm-up
            durations.append(elapsed)
    if log is not None:
        log.page = None
    return durations


def time_pages(board: Board, args, log: postgres.StatementLog | None) -> dict[str, tuple[float, float]]:
    visitor, coordinator = board.app.test_client(), signed_in_client(board.app)
    pages = [(visitor, page) for page in public_pages(board.samples)]
    pages += [(coordinator, page) for page in desk_pages(board.samples)]
    timed = {}
    for client, (name, url) in pages:
        timed[name] = percentiles(time_page(client, name, url, args.runs, log, args.after_change))
    return timed


# --- under gunicorn ------------------------------------------------------------------------------------

def board_environment(board: Board, port: int) -> dict[str, str]:
    """A production start, as an operator's environment file would give it, without rate limits."""
    return {**os.environ, "BULLETIN_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": board.database_url, "BULLETIN_INDEX_DIR": f"{board.directory}/index",
            "BULLETIN_UPLOAD_DIR": f"{board.directory}/uploads", "BULLETIN_BASE_URL": f"http://127.0.0.1:{port}",
            "RATELIMIT_ENABLED": "false", "MAIL_BACKEND": "memory", "BULLETIN_OPERATOR_NAME": "Bench e.V.",
            "BULLETIN_OPERATOR_ADDRESS": "Benchweg 1, 00000 Neustetten",
            "BULLETIN_OPERATOR_EMAIL": "operator@bench.example"}


def load_phase(board: Board, args) -> dict:
    """The board, then the trivial app, each under gunicorn with the same flags and the same load."""
    load_average = os.getloadavg()[0]  # others' work on the machine shows in every rate below
    s = board.samples
    paths = {"home": "/de/", "posting": f"/de/postings/{s.offer}", "search": "/de/search?q=Winterjacke"}
    port = serving.free_port()
    spec = f"bulletin:create_app({{'INSTANCE_PATH': {board.directory + '/instance'!r}}})"
    rates, workers_mb = serving.measure(spec, ROOT, board_environment(board, port), port, paths, args,
                                        f"{board.directory}/board-gunicorn.log")
    port = serving.free_port()
    trivial, trivial_mb = serving.measure("trivial_app:app", HERE, dict(os.environ), port, {"trivial": "/"},
                                          args, f"{board.directory}/trivial-gunicorn.log")
    return {"rates": {**rates, **trivial}, "workers_mb": workers_mb, "trivial_workers_mb": trivial_mb,
            "load_average": load_average,
            "workers": args.workers, "clients": args.clients, "seconds": args.seconds}


# --- reporting --------------------------------------------------------------------------------------------

def _short(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def mark(passed: bool) -> str:
    return "✓" if passed else "✗"


def page_rows(timings: dict[int, dict], samples: Samples) -> list[dict]:
    sizes = sorted(timings)
    small, large = sizes[0], sizes[-1]
    targeted = {name for name, _url in public_pages(samples)}
    rows = []
    for name, url in public_pages(samples) + desk_pages(samples):
        ratio = timings[large][name][1] / timings[small][name][1] if large != small else None
        passed = timings[large][name][1] <= P95_MAX_MS and (ratio is None or ratio <= GROWTH_MAX)
        rows.append({"page": name, "url": url, "target": name in targeted, "ratio": ratio,
                     "passed": passed if name in targeted else None,
                     **{f"p50_{size}": timings[size][name][0] for size in sizes},
                     **{f"p95_{size}": timings[size][name][1] for size in sizes}})
    return rows


def print_pages(rows: list[dict], sizes: list[int], database: str, args) -> None:
    fresh = ", each after the listing revision moved" if args.after_change else ""
    print(f"In process ({database}, Flask test client, {args.runs} runs after one warm-up{fresh}; ms)\n")
    heads = [f"{size:,} p50 / p95" for size in sizes]
    ratio_head = f"p95 {_short(sizes[-1])}/{_short(sizes[0])}" if len(sizes) > 1 else "ratio"
    print("| Page | " + " | ".join(heads) + f" | {ratio_head} | p95 <= {P95_MAX_MS:.0f} ms, "
          f"ratio <= {GROWTH_MAX} |\n|---|" + "---:|" * len(sizes) + "---:|:---:|")
    for row in rows:
        cells = [f"{row[f'p50_{size}']:.1f} / {row[f'p95_{size}']:.1f}" for size in sizes]
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "–"
        check = mark(row["passed"]) if row["target"] else "(desk)"
        print(f"| {row['page']} | " + " | ".join(cells) + f" | {ratio} | {check} |")


def print_load(load: dict, size: int) -> None:
    print(f"\nUnder gunicorn at {size:,} postings: {load['workers']} workers, {load['clients']} clients, "
          f"{load['seconds']:.0f} s per URL, load average {load['load_average']:.1f} before\n")
    print(f"| URL | requests/s | share of trivial | >= {SHARE_MIN:.0%} |\n|---|---:|---:|:---:|")
    for name, rate in load["rates"].items():
        share = rate / load["rates"]["trivial"]
        check = "" if name == "trivial" else mark(share >= SHARE_MIN)
        print(f"| {name} | {rate:,.0f} | {share:.0%} | {check} |")
    workers = ", ".join(f"{value:.0f}" for value in load["workers_mb"])
    trivial_workers = ", ".join(f"{value:.0f}" for value in load["trivial_workers_mb"])
    print(f"\nBoard workers' memory after the load (VmRSS, MB): {workers} "
          f"{mark(max(load['workers_mb']) <= WORKER_MB_MAX)} (<= {WORKER_MB_MAX} MB); "
          f"trivial app's workers: {trivial_workers}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="postings of each board, comma-separated")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per page after one warm-up")
    parser.add_argument("--after-change", action="store_true",
                        help="move the listing revision before every run: nothing cached under it is reused")
    parser.add_argument("--database-url", help="a PostgreSQL server to build the boards on (default SQLite)")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL: the plans at the largest size")
    parser.add_argument("--skip-gunicorn", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per URL")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections of the load")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    on_postgres = bool(args.database_url) and args.database_url.startswith("postgres")
    if args.explain and not on_postgres:
        parser.error("--explain needs a PostgreSQL --database-url")
    if args.database_url and not on_postgres:
        parser.error("--database-url is for PostgreSQL; without it the boards are SQLite files")
    timings, samples, load, plans = run(args, sizes)
    rows = page_rows(timings, samples)
    database = "PostgreSQL" if on_postgres else "SQLite"
    if args.json:
        figures = {"sizes": sizes, "database": database, "runs": args.runs, "after_change": args.after_change,
                   "pages": rows, "load": load, "explain": plans}
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        print_pages(rows, sizes, database, args)
        if load:
            print_load(load, sizes[-1])
        if plans is not None:
            postgres.print_plans(plans, sizes[-1])


def run(args, sizes: list[int]):
    """Every size's timings; at the largest, the plans (--explain) and the load under gunicorn."""
    timings, samples, load, plans = {}, None, None, None
    for size in sizes:
        with board_of(size, args.database_url) as board:
            largest = size == sizes[-1]
            log = postgres.StatementLog() if args.explain and largest else None
            engine = get_engine(board.app)
            if log is not None:
                event.listen(engine, "before_cursor_execute", log)
            timings[size], samples = time_pages(board, args, log), board.samples
            if log is not None:
                event.remove(engine, "before_cursor_execute", log)
                plans = postgres.explain(engine, log)
            if largest and not args.skip_gunicorn:
                load = load_phase(board, args)
    return timings, samples, load, plans

if __name__ == "__main__":
    main()
