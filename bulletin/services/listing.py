"""What visitors may see: the public lists of postings and organisations, each as its results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists
from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, PostingText
from bulletin.services.errors import Gone, NotFound
from bulletin.services.listing_clause import listed_without_join
from bulletin.services.listing_tally import tally
from bulletin.services.pagination import Page, paginate


@dataclass(frozen=True)
class PostingFilter:
    type: str | None = None
    category: str | None = None
    district: str | None = None
    organisation_key: str | None = None
    key: str | None = None
    language: str | None = None  # only postings readable in this language


def _listed_postings_statement(today: date, filters: PostingFilter):
    """The listed postings that pass ``filters``, newest first."""
    statement = select(Posting).where(listed_without_join(today))
    if filters.type:
        statement = statement.where(Posting.type == filters.type)
    if filters.category:
        statement = statement.where(Posting.category == filters.category)
    if filters.district:
        statement = statement.where(Posting.district == filters.district)
    if filters.organisation_key:
        statement = statement.where(Posting.organisation_id == select(Organisation.id).where(
            Organisation.key == filters.organisation_key).scalar_subquery())
    if filters.key:
        statement = statement.where(Posting.key == filters.key)
    if filters.language:
        statement = statement.where(
            exists().where(PostingText.posting_id == Posting.id, PostingText.language == filters.language)
        )
    return statement.order_by(Posting.created_at.desc(), Posting.id.desc())


def list_postings(session: Session, today: date, filters: PostingFilter, page: int, per_page: int) -> Page:
    """One page of the listed postings that pass ``filters``, newest first."""
    return paginate(session, _listed_postings_statement(today, filters), page, per_page,
                    total=_known_total(session, today, filters))


def _known_total(session: Session, today: date, filters: PostingFilter) -> int | None:
    """How many listed postings pass ``filters``, from the tally where it knows (None: count them)."""
    if filters.key:
        return None  # one posting at most: counting it is cheap
    if filters.organisation_key:
        if filters.type or filters.category or filters.district or filters.language:
            return None  # one organisation's postings: few, and indexed
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.key == filters.organisation_key))
        return tally(session, today, with_organisations=True).by_organisation.get(organisation_id, 0)
    counts = tally(session, today, with_languages=filters.language is not None)
    return counts.count(category=filters.category, posting_type=filters.type, district=filters.district,
                        language=filters.language)


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
    return tally(session, today).districts()


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
    """How many listed postings each of these organisations has (absent means none)."""
    by_organisation = tally(session, today, with_organisations=True).by_organisation
    return {organisation_id: by_organisation[organisation_id] for organisation_id in organisation_ids
            if by_organisation.get(organisation_id)}


def count_by_category(
    session: Session, today: date, district: str | None = None
) -> dict[str, dict[str, int]]:
    """How many listed offers and requests each category has: {category: {type: count}}, absent means none."""
    return tally(session, today).by_category(district)
