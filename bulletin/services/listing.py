"""What visitors may see: the public lists of postings and organisations, each as its results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, PostingText
from bulletin.services.errors import Gone, NotFound
from bulletin.services.pagination import Page, paginate


@dataclass(frozen=True)
class PostingFilter:
    type: str | None = None
    category: str | None = None
    district: str | None = None
    organisation_key: str | None = None
    key: str | None = None
    language: str | None = None  # only postings readable in this language


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


def _listed_postings_statement(today: date, filters: PostingFilter):
    """The listed postings that pass ``filters``, newest first."""
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
    return statement.order_by(Posting.created_at.desc(), Posting.id.desc())


def list_postings(session: Session, today: date, filters: PostingFilter, page: int, per_page: int) -> Page:
    """One page of the listed postings that pass ``filters``, newest first."""
    return paginate(session, _listed_postings_statement(today, filters), page, per_page)


def listed_postings(session: Session, today: date, filters: PostingFilter = PostingFilter()) -> list[Posting]:
    """Every listed posting that passes ``filters``, newest first: for a printed sheet or a work queue."""
    return list(session.scalars(_listed_postings_statement(today, filters)).unique())


def listed_in_order(session: Session, posting_ids: list[int], today: date) -> list[Posting]:
    """The postings of a search result in its order, in one query.

    One the index still lists but the board no longer does (a write not yet applied) is left out.
    """
    if not posting_ids:
        return []
    found = {item.id: item for item in session.exec(select(Posting).where(Posting.id.in_(posting_ids)))}
    return [found[posting_id] for posting_id in posting_ids
            if posting_id in found and found[posting_id].is_listed(today)]


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


def _approved_organisations_statement(organisation_type: str | None):
    statement = select(Organisation).where(Organisation.status == "approved")
    if organisation_type:
        statement = statement.where(Organisation.type == organisation_type)
    return statement.order_by(Organisation.name, Organisation.id)


def list_organisations(session: Session, organisation_type: str | None, page: int, per_page: int) -> Page:
    """One page of the approved organisations (of one type, if given), by name."""
    return paginate(session, _approved_organisations_statement(organisation_type), page, per_page)


def approved_organisations(session: Session) -> list[Organisation]:
    """Every approved organisation, by name."""
    return list(session.scalars(_approved_organisations_statement(None)).unique())


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
