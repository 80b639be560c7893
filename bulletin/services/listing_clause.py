"""What visitors may see, as SQL: the one rule every public list, count and search filters with."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, or_

from bulletin.models import Organisation, Posting


def is_listed_clause(today: date):
    """Open, unexpired, not held or hidden by the coordinator, organisation approved.

    Posting.is_listed is the same rule in Python, for one posting already loaded.
    """
    return and_(
        Posting.status == "open",
        or_(Posting.valid_until.is_(None), Posting.valid_until >= today),
        Posting.moderation == "visible",
        Organisation.status == "approved",
    )


def listed_without_join(today: date):
    """The same rule for a query of postings alone: the approved organisations as a subquery.

    Written so, a list newest first walks the postings in the order of an index and stops at the page's
    end; joined, SQLite starts from the organisations and sorts every listed posting first.
    """
    return and_(
        Posting.status == "open",
        or_(Posting.valid_until.is_(None), Posting.valid_until >= today),
        Posting.moderation == "visible",
        exists().where(Organisation.id == Posting.organisation_id, Organisation.status == "approved"),
    )
