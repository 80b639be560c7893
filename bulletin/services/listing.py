"""What visitors may see, and the plain keyword search over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from bulletin.db import casefold
from bulletin.models import Organisation, Posting, PostingText
from bulletin.services.errors import Gone, NotFound
from bulletin.services.pagination import Page, paginate

MAX_QUERY_TERMS = 10
MAX_TERM_LENGTH = 50


@dataclass(frozen=True)
class PostingFilter:
    type: str | None = None
    category: str | None = None
    district: str | None = None
    organisation_key: str | None = None
    key: str | None = None
    language: str | None = None  # only postings readable in this language
    query: str | None = None


def is_listed_clause(today: date):
    """What visitors may see: open, unexpired, not held or hidden by the coordinator, organisation approved.

    Every public list (pages, search, API) filters with this; Posting.is_listed is the same rule in Python.
    """
    return and_(
        Posting.status == "open",
        or_(Posting.valid_until.is_(None), Posting.valid_until >= today),
        Posting.moderation == "visible",
        Organisation.status == "approved",
    )


def query_terms(query: str | None) -> list[str]:
    """The words of a query: case-folded, without control characters, a bounded number."""
    if not query:
        return []
    cleaned = "".join(ch if ch.isprintable() else " " for ch in query)
    words = re.findall(r"\w+", cleaned.casefold())
    return [word[:MAX_TERM_LENGTH] for word in words][:MAX_QUERY_TERMS]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def public_postings(today: date, filters: PostingFilter = PostingFilter()):
    """A statement selecting the listed postings that pass ``filters``, newest first."""
    statement = select(Posting).join(Organisation, Posting.organisation_id == Organisation.id).where(
        is_listed_clause(today)
    )
    if filters.type:
        statement = statement.where(Posting.type == filters.type)
    if filters.category:
        statement = statement.where(Posting.category == filters.category)
    if filters.district:
        statement = statement.where(Posting.district == filters.district)
    if filters.organisation_key:
        statement = statement.where(Organisation.key == filters.organisation_key)
    if filters.key:
        statement = statement.where(Posting.key == filters.key)
    if filters.language:
        statement = statement.where(
            exists().where(PostingText.posting_id == Posting.id, PostingText.language == filters.language)
        )
    for term in query_terms(filters.query):
        pattern = _like_pattern(term)
        statement = statement.where(
            exists().where(
                PostingText.posting_id == Posting.id,
                or_(casefold(PostingText.title).like(pattern, escape="\\"),
                    casefold(PostingText.body).like(pattern, escape="\\")),
            )
        )
    return statement.order_by(Posting.created_at.desc(), Posting.id.desc())


def list_postings(session: Session, today: date, filters: PostingFilter, page: int, per_page: int) -> Page:
    return paginate(session, public_postings(today, filters), page, per_page)


def listed_districts(session: Session, today: date) -> list[str]:
    """The districts that have listed postings, for the district filter."""
    statement = (
        select(Posting.district)
        .distinct()
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today), Posting.district.is_not(None))
    )
    return sorted(session.scalars(statement).all())


def public_posting(session: Session, posting_id: int, today: date) -> Posting:
    """The posting a visitor asked for. NotFound if it never was public, Gone if it no longer is."""
    posting = session.get(Posting, posting_id)
    # Held or hidden by the coordinator: not "closed or expired" (410), simply not there for visitors.
    if posting is None or posting.organisation.status != "approved" or posting.moderation != "visible":
        raise NotFound()
    if not posting.is_listed(today):
        raise Gone(posting)
    return posting


def public_organisations(filters_type: str | None = None):
    statement = select(Organisation).where(Organisation.status == "approved")
    if filters_type:
        statement = statement.where(Organisation.type == filters_type)
    return statement.order_by(Organisation.name, Organisation.id)


def public_organisation(session: Session, key: str) -> Organisation:
    if "\x00" in key:  # PostgreSQL refuses NUL in a text parameter; no key holds one
        raise NotFound()
    organisation = session.exec(select(Organisation).where(Organisation.key == key)).first()
    if organisation is None or organisation.status != "approved":
        raise NotFound()
    return organisation


def listed_posting_counts(session: Session, today: date, organisation_ids: list[int]) -> dict[int, int]:
    """How many listed postings each of these organisations has, in one query (absent means none)."""
    if not organisation_ids:
        return {}
    statement = (
        select(Posting.organisation_id, func.count(Posting.id))
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today), Posting.organisation_id.in_(organisation_ids))
        .group_by(Posting.organisation_id)
    )
    return {organisation_id: count for organisation_id, count in session.exec(statement).all()}


def count_by_category(
    session: Session, today: date, district: str | None = None
) -> dict[str, dict[str, int]]:
    """How many listed offers and requests each category has: {category: {type: count}}, absent means none."""
    statement = (
        select(Posting.category, Posting.type, func.count(Posting.id))
        .join(Organisation, Posting.organisation_id == Organisation.id)
        .where(is_listed_clause(today))
        .group_by(Posting.category, Posting.type)
    )
    if district:
        statement = statement.where(Posting.district == district)
    counts: dict[str, dict[str, int]] = {}
    for category, posting_type, count in session.exec(statement).all():
        counts.setdefault(category, {})[posting_type] = count
    return counts
