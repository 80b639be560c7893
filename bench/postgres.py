"""The PostgreSQL side of bench/pages.py: a fresh database per board, and the plans of what the pages ran.

The statements are caught as the driver gets them (SQLAlchemy's ``before_cursor_execute``), so EXPLAIN
runs through the same driver with the same parameters (psycopg's %(name)s style) and plans what ran.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SEQ_SCAN = re.compile(r"Seq Scan on (posting|posting_text|organisation)\b")


def _server_engine(server_url: str):
    return create_engine(server_url, isolation_level="AUTOCOMMIT")


@contextmanager
def database_for(size: int, server_url: str | None, directory: str):
    """A SQLite file in ``directory``, or a fresh PostgreSQL database that is dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{directory}/board.sqlite"
        return
    name = f"bench_pages_{os.getpid()}_{size}"
    server = _server_engine(server_url)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def catch_up_sequences(engine) -> None:
    """speed.fill_database writes ids itself; PostgreSQL's sequences must learn them before the ORM adds."""
    with engine.begin() as connection:
        for table in ("organisation", "posting"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            ))


class StatementLog:
    """Every distinct statement the pages sent (warm-up included), with the parameters of its first run."""

    def __init__(self) -> None:
        self.page: str | None = None
        self.statements: dict[str, tuple[object, set[str]]] = {}

    def __call__(self, _connection, _cursor, statement, parameters, _context, executemany) -> None:
        if self.page is not None and not executemany:
            self.statements.setdefault(statement, (parameters, set()))[1].add(self.page)


def explain(engine, log: StatementLog) -> list[dict]:
    """EXPLAIN (plans only, nothing runs) of each statement, through the driver with its own parameters."""
    plans = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, (parameters, pages) in log.statements.items():
            if not statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
                continue
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
            raw.rollback()
            scans = sorted({match.group(1) for line in plan for match in SEQ_SCAN.finditer(line)})
            plans.append({"statement": statement, "pages": sorted(pages), "plan": plan, "seq_scans": scans})
    finally:
        raw.close()
    return plans


def print_plans(plans: list[dict], size: int) -> None:
    flagged = [plan for plan in plans if plan["seq_scans"]]
    print(f"\nEXPLAIN at {size:,} postings: {len(plans)} distinct statements, {len(flagged)} with a "
          "Seq Scan on posting, posting_text or organisation\n")
    for plan in plans:
        flag = f"SEQ SCAN on {', '.join(plan['seq_scans'])}" if plan["seq_scans"] else "ok"
        print(f"--- [{flag}] pages: {'; '.join(plan['pages'])}\n{plan['statement']}\n"
              + "\n".join("    " + line for line in plan["plan"]) + "\n")
    print("The Seq Scans, with the pages that ran them:")
    for plan in flagged:
        print(f"- {'; '.join(plan['pages'])}:")
        for number, line in enumerate(plan["plan"]):
            if SEQ_SCAN.search(line):
                after = plan["plan"][number + 1].strip() if number + 1 < len(plan["plan"]) else ""
                scan = line.strip().split("  (cost")[0] + (f"; {after}" if after.startswith("Filter") else "")
                print(f"    {scan[:200]}")
