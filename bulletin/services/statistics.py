"""The picture of needs: what is open where, how that changed, which requests find no offer, the
languages postings can be read in, and the board's tables as CSV that spreadsheets cannot execute.

Everything counts what visitors can see (listing_clause.is_listed_clause). History comes from a daily snapshot
(OpenPostingsSnapshot): the postings themselves cannot tell how many were open on an earlier day.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bulletin.models import OpenPostingsSnapshot, Organisation, Posting, PostingText
from bulletin.services.listing_clause import is_listed_clause
from bulletin.taxonomy import CATEGORIES, LANGUAGES

HISTORY_WEEKS = 12
OLDEST_REQUESTS = 10
# A spreadsheet reads a cell starting with one of these as a formula (tab and CR too, in some programs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The row a snapshot always writes, so a day with nothing open still counts as recorded.
MARKER = {"type": "", "category": "", "district": ""}


@dataclass(frozen=True)
class TypeCounts:
    offers: int = 0
    requests: int = 0

    @property
    def total(self) -> int:
        return self.offers + self.requests

    def plus(self, posting_type: str, count: int) -> TypeCounts:
        if posting_type == "offer":
            return TypeCounts(self.offers + count, self.requests)
        return TypeCounts(self.offers, self.requests + count)


def _listed():
    return select(Posting).join(Organisation, Posting.organisation_id == Organisation.id)


def _grouped_counts(session: Session, today: date, column) -> dict[str, TypeCounts]:
    statement = (
        select(column, Posting.type, func.count(Posting.id))
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today))
        .group_by(column, Posting.type)
    )
    counts: dict[str, TypeCounts] = {}
    for key, posting_type, count in session.exec(statement).all():
        counts[key or ""] = counts.get(key or "", TypeCounts()).plus(posting_type, count)
    return counts


def open_by_category(session: Session, today: date) -> dict[str, TypeCounts]:
    """Listed offers and requests per category, every category in the board's order (zeros included)."""
    counts = _grouped_counts(session, today, Posting.category)
    return {category.slug: counts.get(category.slug, TypeCounts()) for category in CATEGORIES}


def open_by_district(session: Session, today: date) -> dict[str, TypeCounts]:
    """Listed offers and requests per district, by name; "" (no district given) comes last."""
    counts = _grouped_counts(session, today, Posting.district)
    return dict(sorted(counts.items(), key=lambda item: (item[0] == "", item[0])))


# History ----------------------------------------------------------------------------------------------


def is_recorded(session: Session, day: date) -> bool:
    statement = select(OpenPostingsSnapshot.day).where(OpenPostingsSnapshot.day == day).limit(1)
    return session.exec(statement).first() is not None


def record_snapshot(session: Session, today: date) -> bool:
    """Write today's counts once; False if today is recorded already. The caller commits.

    Two runs at the same moment collide on the primary key: the caller treats that IntegrityError as
    "recorded already".
    """
    if is_recorded(session, today):
        return False
    statement = (
        select(Posting.type, Posting.category, Posting.district, func.count(Posting.id))
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today))
        .group_by(Posting.type, Posting.category, Posting.district)
    )
    rows: dict[tuple[str, str, str], int] = {}
    for posting_type, category, district, count in session.exec(statement).all():
        key = (posting_type, category, district or "")
        rows[key] = rows.get(key, 0) + count  # NULL and "" both mean "no district"
    session.add(OpenPostingsSnapshot(day=today, count=0, **MARKER))
    for (posting_type, category, district), count in rows.items():
        session.add(OpenPostingsSnapshot(day=today, type=posting_type, category=category, district=district,
                                         count=count))
    session.flush()
    return True


@dataclass(frozen=True)
class HistoryPoint:
    """The open postings at the end of one week: from the last snapshot of that week, or unknown (None)."""

    week_end: date
    counts: TypeCounts | None


def weekly_history(session: Session, today: date, *, weeks: int = HISTORY_WEEKS, category: str | None = None,
                   district: str | None = None) -> list[HistoryPoint]:
    """The last ``weeks`` weeks, oldest first, each ending on the same weekday as today."""
    ends = [today - timedelta(weeks=back) for back in reversed(range(weeks))]
    first = ends[0] - timedelta(days=6)
    in_period = (OpenPostingsSnapshot.day >= first, OpenPostingsSnapshot.day <= today)
    recorded = set(session.exec(select(OpenPostingsSnapshot.day).distinct().where(*in_period)).all())
    statement = (
        select(OpenPostingsSnapshot.day, OpenPostingsSnapshot.type, func.sum(OpenPostingsSnapshot.count))
        .where(*in_period, OpenPostingsSnapshot.type != "")
        .group_by(OpenPostingsSnapshot.day, OpenPostingsSnapshot.type)
    )
    if category:
        statement = statement.where(OpenPostingsSnapshot.category == category)
    if district is not None:
        statement = statement.where(OpenPostingsSnapshot.district == district)
    by_day: dict[date, TypeCounts] = {}
    for day, posting_type, count in session.exec(statement).all():
        by_day[day] = by_day.get(day, TypeCounts()).plus(posting_type, int(count))
    points = []
    for end in ends:
        days = [day for day in recorded if end - timedelta(days=6) <= day <= end]
        latest = max(days) if days else None
        points.append(HistoryPoint(end, by_day.get(latest, TypeCounts()) if latest else None))
    return points


def snapshot_districts(session: Session) -> list[str]:
    """Districts that appear in any snapshot, for the history filter."""
    statement = select(OpenPostingsSnapshot.district).distinct().where(OpenPostingsSnapshot.district != "")
    return sorted(session.exec(statement).all())


# Requests without an offer ---------------------------------------------------------------------------


def offer_places(session: Session, today: date) -> tuple[set[str], set[tuple[str, str]]]:
    """Where listed offers are: categories with a town-wide offer, and (category, district) pairs."""
    statement = (
        select(Posting.category, Posting.district)
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today), Posting.type == "offer")
        .distinct()
    )
    town_wide: set[str] = set()
    local: set[tuple[str, str]] = set()
    for category, district in session.exec(statement).all():
        if district:
            local.add((category, district))
        else:
            town_wide.add(category)
    return town_wide, local


def has_open_offer(posting: Posting, town_wide: set[str], local: set[tuple[str, str]]) -> bool:
    """An offer in the request's category serves it when it is town-wide, in the request's district, or the
    request names no district."""
    if posting.category in town_wide or (posting.category, posting.district) in local:
        return True
    return posting.district is None and any(category == posting.category for category, _ in local)


def unmatched_requests(session: Session, today: date) -> list[Posting]:
    """Listed requests with no listed offer in their category and district, oldest first.

    The one place that decides what "without a match" means: a matching engine replaces this function.
    """
    town_wide, local = offer_places(session, today)
    statement = _listed().where(is_listed_clause(today), Posting.type == "request")
    requests = session.exec(statement.order_by(Posting.created_at, Posting.id)).unique().all()
    return [posting for posting in requests if not has_open_offer(posting, town_wide, local)]


def oldest_open_requests(session: Session, today: date, limit: int = OLDEST_REQUESTS) -> list[Posting]:
    """The listed requests waiting longest."""
    statement = _listed().where(is_listed_clause(today), Posting.type == "request")
    return list(session.exec(statement.order_by(Posting.created_at, Posting.id).limit(limit)).unique().all())


# Languages --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageCount:
    code: str
    written: int  # listed postings written in this language
    readable: int  # listed postings with a text in it (original or translation)


def postings_per_language(session: Session, today: date) -> list[LanguageCount]:
    """Every language with listed postings, in the board's language order."""
    written_statement = (
        select(Posting.original_language, func.count(Posting.id))
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today))
        .group_by(Posting.original_language)
    )
    readable_statement = (
        select(PostingText.language, func.count(func.distinct(PostingText.posting_id)))
        .join(Posting, PostingText.posting_id == Posting.id)
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today))
        .group_by(PostingText.language)
    )
    written = dict(session.exec(written_statement).all())
    readable = dict(session.exec(readable_statement).all())
    found = set(written) | set(readable)
    codes = [language.code for language in LANGUAGES if language.code in found]
    codes += sorted(found - set(codes))
    return [LanguageCount(code, written.get(code, 0), readable.get(code, 0)) for code in codes]


# CSV --------------------------------------------------------------------------------------------------


def neutralise(value):
    """A cell a spreadsheet shows as text: a leading ' before anything it would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A CSV document (RFC 4180 line ends), every cell neutralised, the header included."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([neutralise(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return output.getvalue()
