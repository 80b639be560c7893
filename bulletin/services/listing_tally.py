"""How many postings visitors may see, by category, type, district, language and organisation: counted
once per listing revision and day, not on every request.

Counting the listed postings scans the table, which at 100,000 postings costs more than the rest of a
page. The counts change only when a posting, a text or an organisation changes (the listing revision
moves in that same transaction: bulletin/services/listing_revision.py) or when a day passes (postings
expire at midnight). So a tally is kept per database, valid for one (revision, day): each request reads
the revision (one primary-key lookup) and recounts only if it moved. The first request after a change
pays for the count, in each worker; a hidden posting is never counted a moment after it was hidden.

Counting reads covering indexes in their order (no sort, no join: the organisation is looked up by its
primary key), a few tens of milliseconds at 100,000 postings. Counts per organisation and per language
are separate parts, made only when asked for (organisation pages, the API's ``lang`` filter).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bulletin.models import Posting, PostingText
from bulletin.services import listing_revision
from bulletin.services.listing_clause import listed_without_join

FacetKey = tuple[str, str, str | None]  # (category, type, district)
FACETS, ORGANISATIONS, LANGUAGES = "facets", "organisations", "languages"


class Tally:
    """The counts of one (revision, day), each part counted the first time it is asked for.

    A part, once made, is only read: safe to share between threads (the cache counts under a lock).
    """

    def __init__(self, parts: dict | None = None) -> None:
        self._parts: dict[str, object] = dict(parts or {})

    def has(self, part: str) -> bool:
        return part in self._parts

    def add(self, part: str, counts) -> None:
        self._parts[part] = counts

    @property
    def by_facet(self) -> Counter[FacetKey]:
        return self._part(FACETS)

    @property
    def by_organisation(self) -> Counter[int]:
        """Listed postings per organisation id (approved organisations only)."""
        return self._part(ORGANISATIONS)

    def count(self, *, category: str | None = None, posting_type: str | None = None,
              district: str | None = None, language: str | None = None) -> int:
        """How many listed postings pass these filters (None: any)."""
        counts = self.by_facet if language is None else self._part(LANGUAGES).get(language, Counter())
        return sum(count for key, count in counts.items() if _passes(key, category, posting_type, district))

    def by_category(self, district: str | None = None) -> dict[str, dict[str, int]]:
        """{category: {type: count}} of the listed postings (in one district, if given)."""
        counts: dict[str, dict[str, int]] = {}
        for (category, posting_type, posting_district), count in self.by_facet.items():
            if district is None or posting_district == district:
                per_type = counts.setdefault(category, {})
                per_type[posting_type] = per_type.get(posting_type, 0) + count
        return counts

    def districts(self) -> list[str]:
        """The districts that have listed postings, in order."""
        return sorted({district for (_, _, district) in self.by_facet if district is not None})

    def _part(self, part: str):
        if part not in self._parts:
            raise LookupError(f"the {part} part was not counted for this tally")
        return self._parts[part]


def _passes(key: FacetKey, category, posting_type, district) -> bool:
    return ((category is None or key[0] == category) and (posting_type is None or key[1] == posting_type)
            and (district is None or key[2] == district))


class _TallyCache:
    """The newest tally of each database (engine), with a lock so one thread counts while others wait."""

    def __init__(self) -> None:
        self._by_engine: weakref.WeakKeyDictionary[Engine, tuple[tuple, Tally]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, session: Session, today: date, parts: list[str]) -> Tally:
        revision = listing_revision.current(session)
        if listing_revision.uncommitted_changes(session):
            # This transaction's own changes are in no cached tally (and must not go into one before
            # they are committed): count what it sees.
            return Tally({part: COUNTERS[part](session, today) for part in parts})
        key = (revision.number, revision.changed_at, today)
        engine = session.get_bind()
        cached = self._by_engine.get(engine)
        if cached is not None and cached[0] == key and all(cached[1].has(part) for part in parts):
            return cached[1]
        with self._lock:
            cached = self._by_engine.get(engine)
            if cached is None or cached[0] != key:
                cached = (key, Tally())
                self._by_engine[engine] = cached
            counts = cached[1]
            for part in parts:
                if not counts.has(part):
                    counts.add(part, COUNTERS[part](session, today))
        return counts


_cache = _TallyCache()


def tally(session: Session, today: date, *, with_organisations: bool = False,
          with_languages: bool = False) -> Tally:
    """The counts of the listed postings as of this session's revision and ``today``.

    By category, type and district always; per organisation and per language only when asked for.
    """
    parts = [FACETS]
    if with_organisations:
        parts.append(ORGANISATIONS)
    if with_languages:
        parts.append(LANGUAGES)
    return _cache.get(session, today, parts)


# The counting queries read only the postings' index ix_posting_facets, in its order (no sort), and ask
# for the organisation row by primary key (listed_without_join): at 100,000 postings a few tens of ms.


def _count_facets(session: Session, today: date) -> Counter[FacetKey]:
    statement = (select(Posting.category, Posting.type, Posting.district, func.count())
                 .where(listed_without_join(today))
                 .group_by(Posting.category, Posting.type, Posting.district))
    return Counter({(category, posting_type, district): count
                    for category, posting_type, district, count in session.execute(statement)})


def _count_organisations(session: Session, today: date) -> Counter[int]:
    statement = (select(Posting.organisation_id, func.count())
                 .where(listed_without_join(today))
                 .group_by(Posting.organisation_id))
    return Counter(dict(session.execute(statement).all()))


def _count_languages(session: Session, today: date) -> dict[str, Counter[FacetKey]]:
    statement = (select(PostingText.language, Posting.category, Posting.type, Posting.district, func.count())
                 .join(Posting, PostingText.posting_id == Posting.id)
                 .where(listed_without_join(today))
                 .group_by(PostingText.language, Posting.category, Posting.type, Posting.district))
    by_language: dict[str, Counter[FacetKey]] = {}
    for language, category, posting_type, district, count in session.execute(statement):
        by_language.setdefault(language, Counter())[(category, posting_type, district)] = count
    return by_language


COUNTERS = {FACETS: _count_facets, ORGANISATIONS: _count_organisations, LANGUAGES: _count_languages}
