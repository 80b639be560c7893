"""Visitor counts: one number per day, kind of public page and language. No cookie, no address, no path.

Each visit is one UPSERT (INSERT ... ON CONFLICT DO UPDATE), which SQLite and PostgreSQL both know, so
two workers counting the same page at the same moment never lose a visit or collide on the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from bulletin.db import upsert_insert
from bulletin.models import VisitCounter

PAGE_KIND_MAX = 30


def count_visit(connection: Connection, day: date, page_kind: str, language: str) -> None:
    """Add one visit to the day's counter for this kind of page and language."""
    count_visits(connection, {(day, page_kind, language): 1})


def count_visits(connection: Connection, counts: Mapping[tuple[date, str, str], int]) -> None:
    """Add ``counts`` {(day, page kind, language): visits} to the counters, one UPSERT per counter."""
    insert = upsert_insert(connection)
    table = VisitCounter.__table__
    for (day, page_kind, language), count in sorted(counts.items()):  # one order: no deadlock between workers
        statement = insert(table).values(day=day, page_kind=page_kind[:PAGE_KIND_MAX], language=language,
                                         count=count)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.day, table.c.page_kind, table.c.language],
            set_={"count": table.c.count + count},
        )
        connection.execute(statement)


@dataclass(frozen=True)
class VisitTotals:
    first_day: date
    last_day: date
    by_day: dict[date, int]  # every day of the period, zero where nobody came
    by_page_kind: dict[str, int]
    by_language: dict[str, int]
    rows: list[VisitCounter]  # the counters themselves, newest day first

    @property
    def total(self) -> int:
        return sum(self.by_day.values())


def totals(session: Session, today: date, days: int) -> VisitTotals:
    """The counts of the last ``days`` days, today included."""
    first_day = today - timedelta(days=days - 1)
    rows = list(
        session.exec(
            select(VisitCounter)
            .where(VisitCounter.day >= first_day, VisitCounter.day <= today)
            .order_by(VisitCounter.day.desc(), VisitCounter.page_kind, VisitCounter.language)
        )
    )
    by_day = {first_day + timedelta(days=offset): 0 for offset in range(days)}
    by_page_kind: dict[str, int] = {}
    by_language: dict[str, int] = {}
    for row in rows:
        by_day[row.day] += row.count
        by_page_kind[row.page_kind] = by_page_kind.get(row.page_kind, 0) + row.count
        by_language[row.language] = by_language.get(row.language, 0) + row.count
    return VisitTotals(
        first_day=first_day,
        last_day=today,
        by_day=by_day,
        by_page_kind=dict(sorted(by_page_kind.items(), key=lambda item: (-item[1], item[0]))),
        by_language=dict(sorted(by_language.items(), key=lambda item: (-item[1], item[0]))),
        rows=rows,
    )


def count_on(session: Session, day: date, page_kind: str, language: str) -> int:
    statement = select(func.coalesce(func.sum(VisitCounter.count), 0)).where(
        VisitCounter.day == day, VisitCounter.page_kind == page_kind, VisitCounter.language == language
    )
    return session.scalar(statement) or 0
