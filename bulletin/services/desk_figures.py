"""Every figure of the desk's statistics page, gathered at once so the page and its CSV tables agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bulletin.models import Posting
from bulletin.services import statistics, visits

VISIT_DAYS = 28


@dataclass(frozen=True)
class Figures:
    by_category: dict[str, statistics.TypeCounts]
    by_district: dict[str, statistics.TypeCounts]
    history: list[statistics.HistoryPoint]
    unmatched: list[Posting]  # open requests without an open offer that could answer them
    oldest: list[Posting]  # the open requests waiting longest
    offer_places: tuple[set[str], set[tuple[str, str]]]  # see statistics.has_open_offer
    languages: list[statistics.LanguageCount]
    visits: visits.VisitTotals


def gather(session: Session, today: date, *, category: str | None, district: str | None) -> Figures:
    """Today's figures; the weekly history narrowed to one category and district when they are given."""
    return Figures(
        by_category=statistics.open_by_category(session, today),
        by_district=statistics.open_by_district(session, today),
        history=statistics.weekly_history(session, today, category=category, district=district),
        unmatched=statistics.unmatched_requests(session, today),
        oldest=statistics.oldest_open_requests(session, today),
        offer_places=statistics.offer_places(session, today),
        languages=statistics.postings_per_language(session, today),
        visits=visits.totals(session, today, VISIT_DAYS),
    )


def districts(session: Session, configured: list[str]) -> list[str]:
    """The districts the history can be narrowed to: those configured and those ever recorded, sorted."""
    return sorted(set(statistics.snapshot_districts(session)) | set(configured))
