"""Visitor counters: one UPSERT per visit, summed per day, kind of page and language."""

from datetime import timedelta

from bulletin.db import get_engine
from bulletin.services import visits


def test_visits_are_counted_per_day_page_kind_and_language(db, today):
    with get_engine().begin() as connection:
        for _ in range(3):
            visits.count_visit(connection, today, "posting", "ar")
        visits.count_visit(connection, today, "home", "ar")
        visits.count_visit(connection, today - timedelta(days=1), "posting", "de")
        visits.count_visit(connection, today - timedelta(days=40), "posting", "de")
    assert visits.count_on(db, today, "posting", "ar") == 3

    totals = visits.totals(db, today, 28)

    assert totals.total == 5
    assert totals.by_page_kind == {"posting": 4, "home": 1}
    assert totals.by_language == {"ar": 4, "de": 1}
    assert len(totals.by_day) == 28 and totals.by_day[today] == 4
    assert totals.by_day[today - timedelta(days=2)] == 0
