"""The statistics page and its CSV tables, built from one view model so both always agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from bulletin.blueprints.desk.charts import Column, ColumnChart, column_chart, share
from bulletin.blueprints.desk.presenters import Title, category_label, posting_title
from bulletin.models import Posting
from bulletin.services import statistics, visits
from bulletin.services.desk_figures import Figures
from bulletin.taxonomy import LANGUAGE_BY_CODE

UNMATCHED_SHOWN = 50  # on the page; the CSV has them all


def page_kind_labels() -> dict[str, str]:
    return {
        "home": _("Start page"),
        "category": _("Category pages"),
        "posting": _("Postings"),
        "search": _("Search"),
        "organisations": _("List of organisations"),
        "organisation": _("Organisation pages"),
    }


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    offers: int
    requests: int
    offer_share: float
    request_share: float


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: Title
    category_label: str
    district: str
    organisation_name: str
    since: str
    since_day: date  # for the CSV: spreadsheets read ISO dates
    days_open: int
    has_offer: bool
    detail_url: str


@dataclass(frozen=True)
class LanguageRow:
    code: str
    native_name: str
    direction: str
    written: int
    readable: int
    readable_share: float


@dataclass(frozen=True)
class HistoryRow:
    week_end: str
    week_end_day: date
    offers: int | None  # None: no snapshot that week
    requests: int | None


@dataclass(frozen=True)
class LabelledCount:
    key: str
    label: str
    count: int
    share: float


@dataclass(frozen=True)
class VisitsView:
    total: int
    period: str
    chart: ColumnChart
    by_day: list[tuple[str, int]]
    by_page_kind: list[LabelledCount]
    by_language: list[LabelledCount]
    rows: list[tuple[str, str, str, int]]  # day, page kind, language, count


@dataclass(frozen=True)
class StatisticsPage:
    today: str
    categories: list[CountRow]
    districts: list[CountRow]
    history_chart: ColumnChart
    history: list[HistoryRow]
    unmatched: list[RequestRow]  # all of them, for the CSV
    oldest: list[RequestRow]
    languages: list[LanguageRow]
    visits: VisitsView

    @property
    def unmatched_shown(self) -> list[RequestRow]:
        return self.unmatched[:UNMATCHED_SHOWN]

    @property
    def unmatched_more(self) -> int:
        """How many the page leaves out."""
        return max(0, len(self.unmatched) - UNMATCHED_SHOWN)


def count_rows(counts: dict[str, statistics.TypeCounts], label_for: Callable[[str], str]) -> list[CountRow]:
    largest = max((value for item in counts.values() for value in (item.offers, item.requests)), default=0)
    return [
        CountRow(key, label_for(key), item.offers, item.requests, share(item.offers, largest),
                 share(item.requests, largest))
        for key, item in counts.items()
    ]


def request_rows(items: list[Posting], today: date, offers: tuple[set, set]) -> list[RequestRow]:
    town_wide, local = offers
    return [
        RequestRow(
            id=posting.id,
            title=posting_title(posting),
            category_label=category_label(posting.category),
            district=posting.district or "",
            organisation_name=posting.organisation.name,
            since=format_date(posting.created_at),
            since_day=posting.created_at.date(),
            days_open=(today - posting.created_at.date()).days,
            has_offer=statistics.has_open_offer(posting, town_wide, local),
            detail_url=url_for("desk.posting", posting_id=posting.id),
        )
        for posting in items
    ]


def history_view(points: list[statistics.HistoryPoint]) -> tuple[ColumnChart, list[HistoryRow]]:
    rows, groups = [], []
    for point in points:
        week = format_date(point.week_end)
        if point.counts is None:
            rows.append(HistoryRow(week, point.week_end, None, None))
            nothing = _("Week to %(day)s: no figures", day=week)
            groups.append([Column("offer", 0, nothing), Column("request", 0, nothing)])
            continue
        rows.append(HistoryRow(week, point.week_end, point.counts.offers, point.counts.requests))
        offers, requests = point.counts.offers, point.counts.requests
        groups.append([
            Column("offer", offers, ngettext("Week to %(day)s: %(num)d offer",
                                             "Week to %(day)s: %(num)d offers", offers, day=week)),
            Column("request", requests, ngettext("Week to %(day)s: %(num)d request",
                                                 "Week to %(day)s: %(num)d requests", requests, day=week)),
        ])
    chart = column_chart(groups, _("Open offers and requests at the end of each week"))
    return chart, rows


def labelled_counts(counts: dict[str, int], label_for: Callable[[str], str]) -> list[LabelledCount]:
    largest = max(counts.values(), default=0)
    return [LabelledCount(key, label_for(key), count, share(count, largest)) for key, count in counts.items()]


def language_label(code: str) -> str:
    language = LANGUAGE_BY_CODE.get(code)
    return language.native_name if language else code


def visits_view(totals: visits.VisitTotals) -> VisitsView:
    kinds = page_kind_labels()
    chart = column_chart(
        [[Column("visits", count, ngettext("%(day)s: %(num)d visit", "%(day)s: %(num)d visits", count,
                                           day=format_date(day)))]
         for day, count in totals.by_day.items()],
        _("Visits per day"),
    )
    return VisitsView(
        total=totals.total,
        period=_("%(first)s to %(last)s", first=format_date(totals.first_day),
                 last=format_date(totals.last_day)),
        chart=chart,
        by_day=[(format_date(day), count) for day, count in totals.by_day.items()],
        by_page_kind=labelled_counts(totals.by_page_kind, lambda kind: kinds.get(kind, kind)),
        by_language=labelled_counts(totals.by_language, language_label),
        rows=[(row.day.isoformat(), row.page_kind, row.language, row.count) for row in totals.rows],
    )


def statistics_page(figures: Figures, today: date) -> StatisticsPage:
    most_readable = max((item.readable for item in figures.languages), default=0)
    chart, history = history_view(figures.history)
    return StatisticsPage(
        today=format_date(today),
        categories=count_rows(figures.by_category, category_label),
        districts=count_rows(figures.by_district, lambda key: key or _("No district given")),
        history_chart=chart,
        history=history,
        unmatched=request_rows(figures.unmatched, today, figures.offer_places),
        oldest=request_rows(figures.oldest, today, figures.offer_places),
        languages=[
            LanguageRow(item.code, language_label(item.code),
                        LANGUAGE_BY_CODE[item.code].direction if item.code in LANGUAGE_BY_CODE else "auto",
                        item.written, item.readable, share(item.readable, most_readable))
            for item in figures.languages
        ],
        visits=visits_view(figures.visits),
    )


# CSV --------------------------------------------------------------------------------------------------


def _requests_table(rows: list[RequestRow]) -> tuple[list[str], list[list]]:
    header = [_("Number"), _("Title"), _("Category"), _("District"), _("Organisation"), _("Since"),
              _("Days open"), _("Open offer in category and district")]
    return header, [
        [row.id, row.title.value, row.category_label, row.district, row.organisation_name,
         row.since_day.isoformat(), row.days_open, _("yes") if row.has_offer else _("no")]
        for row in rows
    ]


def _count_table(first: str, rows: list[CountRow]) -> tuple[list[str], list[list]]:
    header = [first, _("Open offers"), _("Open requests")]
    return header, [[row.label, row.offers, row.requests] for row in rows]


CSV_TABLES: dict[str, Callable[[StatisticsPage], tuple[list[str], list[list]]]] = {
    "categories": lambda page: _count_table(_("Category"), page.categories),
    "districts": lambda page: _count_table(_("District"), page.districts),
    "history": lambda page: (
        [_("Week to"), _("Open offers"), _("Open requests")],
        [[row.week_end_day.isoformat(), row.offers, row.requests] for row in page.history],
    ),
    "unmatched": lambda page: _requests_table(page.unmatched),
    "oldest": lambda page: _requests_table(page.oldest),
    "languages": lambda page: (
        [_("Language code"), _("Language"), _("Written in it"), _("Readable in it")],
        [[row.code, row.native_name, row.written, row.readable] for row in page.languages],
    ),
    "visits": lambda page: (
        [_("Day"), _("Kind of page"), _("Language"), _("Visits")],
        [list(row) for row in page.visits.rows],
    ),
}


def csv_document(page: StatisticsPage, table: str) -> str:
    header, rows = CSV_TABLES[table](page)
    return statistics.csv_text(header, rows)
