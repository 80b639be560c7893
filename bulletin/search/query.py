"""Search for visitors and the API: any text in, ranked postings, facet counts and a suggestion out.

The query is never handed to a query parser: we take its words ourselves (quotes, AND, OR, *, field:
syntax and control characters are just characters), analyse each word in the languages its script
allows (the reader's first) and look it up as terms and as concepts. Words the index does not know get
the closest known word instead (typo tolerance), offered as "did you mean".

Ranking is BM25F over the title (boosted), the description and the concepts, computed over arrays of
the index's postings (scoring.py), then the best are ordered by coverage. Only postings that
are listed (the ``public`` flag, written from ``Posting.is_listed``) and not past their valid-until date
are found: expiry is checked here, against today, so a posting expires without a rewrite of the index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from whoosh import query as wq

from bulletin.search.analysis import RAW_WORD, WORD, normalise, query_languages
from bulletin.search.aspects import Aspect, is_attribute, query_aspect
from bulletin.search.coverage import Rarity, coverage, features_of
from bulletin.search.lexicon import NARROWER_PREFIX, NARROWER_WEIGHT
from bulletin.search.ranking import RANKING, Ranking
from bulletin.search.scoring import ScoringView
from bulletin.services import clock

MAX_WORDS = 12  # a query's first words count; the rest of a pasted text does not
MAX_WORD_LENGTH = 40
FACETS = ("type", "category", "district")


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    category: str | None = None
    district: str | None = None
    organisation: str | None = None  # organisation key
    key: str | None = None
    language: str | None = None  # only postings readable in this language


@dataclass
class QueryPlan:
    """What the words of a query became."""

    words: list[str]  # the words as typed (normalised), in order
    clauses: list[wq.Query]
    terms: set[str]  # every index term looked for: what snippets highlight
    concepts: dict[str, float]
    unknown: list[str]  # words the index has no trace of
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> the word meant
    aspects: list[Aspect] = field(default_factory=list)  # the words as matching reads them, for ranking

    @property
    def is_empty(self) -> bool:
        return not self.clauses


@dataclass(frozen=True)
class Hit:
    posting_id: int
    key: str
    score: float


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]]
    terms: set[str]
    suggestion: str | None  # the query with its misspelt words corrected, if any
    has_words: bool
    concepts: set[str] = field(default_factory=set)  # the concepts the query named

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def words_of(text: str | None) -> list[str]:
    """The raw words of a query, at most MAX_WORDS, each at most MAX_WORD_LENGTH characters."""
    if not text:
        return []
    cleaned = "".join(char if char.isprintable() else " " for char in text)
    return [word[:MAX_WORD_LENGTH] for word in RAW_WORD.findall(cleaned)[:MAX_WORDS]]


class Planner:
    """Turns words into Whoosh queries with one index's analyzer, lexicon and searcher."""

    def __init__(self, search, searcher, reader_language: str | None):
        self.search = search
        self.searcher = searcher
        self.reader_language = reader_language
        self.analyzer = search.analyzer
        self.lexicon = search.lexicon
        self.ranking = search.ranking
        self.corrections_found: dict[str, str] = {}

    def _known(self, field_name: str, term: str) -> bool:
        return self.searcher is not None and self.searcher.doc_frequency(field_name, term) > 0

    def plan(self, raw_words: list[str], correct: bool = True) -> QueryPlan:
        self.corrections_found = {}
        aspects: list[Aspect] = []
        clauses: list[wq.Query] = []
        terms: set[str] = set()
        concepts: dict[str, float] = {}
        unknown: list[str] = []
        words: list[str] = []
        # Analyse the whole query once per language, so phrases of the lexicon are found across words.
        languages = []
        for raw in raw_words:
            for code in query_languages(raw, self.reader_language):
                if code not in languages:
                    languages.append(code)
        per_language = {
            code: [self.analyzer.word_units(raw, code) for raw in raw_words] for code in languages
        }
        # Each word gets the concepts it names (a phrase's concept goes to each of its words).
        word_concepts: list[dict[str, float]] = [{} for _raw in raw_words]
        for code, units_by_word in per_language.items():
            flat = [unit for units in units_by_word for unit in units]
            owner = [index for index, units in enumerate(units_by_word) for _unit in units]
            for concept, weight, positions in self.lexicon.spans(flat, code):
                concepts[concept] = max(concepts.get(concept, 0.0), weight)
                for position in positions:
                    named = word_concepts[owner[position]]
                    named[concept] = max(named.get(concept, 0.0), weight)
        for index, raw in enumerate(raw_words):
            variants: dict[str, float] = {}
            for code in query_languages(raw, self.reader_language):
                for unit in per_language[code][index]:
                    for position, term in enumerate(unit):
                        boost = 1.0 if position == 0 else self.ranking.search_part_boost
                        variants[term] = max(variants.get(term, 0.0), boost)
            normalised = [word for word in WORD.findall(normalise(raw, self.reader_language or "en"))]
            words.extend(normalised)
            if not variants and not word_concepts[index]:
                continue  # a stopword in every language it may be in
            found = any(self._known("text", term) for term in variants)
            if not found and correct:
                for word in normalised:
                    corrected = self.correct(word)
                    if corrected:
                        self.corrections_found[word] = corrected
                        for code in query_languages(corrected, self.reader_language):
                            for unit in self.analyzer.word_units(corrected, code):
                                for position, term in enumerate(unit):
                                    boost = self.ranking.correction_boost * (
                                        1.0 if position == 0 else self.ranking.search_part_boost)
                                    variants[term] = max(variants.get(term, 0.0), boost)
            if not found and not word_concepts[index]:
                unknown.extend(normalised)
            terms.update(variants)
            attribute = is_attribute(word_concepts[index], self.lexicon)
            named = word_concepts[index]
            clauses.append(_word_clause(variants, named, attribute, self.lexicon, self.ranking))
            aspects.append(query_aspect(variants, named, attribute, self.lexicon, self.ranking))
        return QueryPlan(words, clauses, terms, concepts, unknown, dict(self.corrections_found), aspects)

    def correct(self, word: str) -> str | None:
        """The known word closest to a word the index does not know, the most frequent among equals."""
        ranking = self.ranking
        if self.searcher is None or len(word) < ranking.correction_min_length or not word.isalpha():
            return None
        reader = self.searcher.reader()
        for distance in (1, 2) if len(word) >= ranking.correction_two_edits_length else (1,):
            candidates = [candidate for candidate in
                          reader.terms_within("words", word, distance, prefix=ranking.correction_prefix)
                          if candidate != word]
            if candidates:
                return max(candidates,
                           key=lambda candidate: (reader.doc_frequency("words", candidate), candidate))
        return None


def _word_clause(variants: dict[str, float], concepts: dict[str, float], attribute: bool,
                 lexicon=None, ranking: Ranking = RANKING) -> wq.Query:
    """One word of the query: its forms in the title and description, or what it means. A posting that
    has both counts a little more than one with either; a word that only says for whom ("Kinder",
    "family") counts less than one that says what."""
    choices: list[wq.Query] = []
    if variants:
        choices.append(wq.Or([wq.Term("text", term, boost=boost) for term, boost in variants.items()]))
    if concepts:
        meaning = [wq.Term("concepts", concept, boost=ranking.search_concept_boost * weight)
                   for concept, weight in concepts.items()]
        # Postings of a narrower concept (a sofa for "Möbel"), weighing less than the concept itself.
        meaning += [wq.Term("concepts", NARROWER_PREFIX + concept,
                            boost=ranking.search_concept_boost * weight * NARROWER_WEIGHT)
                    for concept, weight in concepts.items()
                    if lexicon is not None and lexicon.has_narrower(concept)]
        choices.append(wq.Or(meaning))
    boost = ranking.search_attribute_boost if attribute else 1.0
    if len(choices) == 1:
        return wq.Or(choices, boost=boost)
    return wq.DisjunctionMax(choices, tiebreak=ranking.meaning_tiebreak, boost=boost)


def filter_query(filters: Filters) -> list[wq.Query]:
    parts: list[wq.Query] = []
    for name, value in (("type", filters.type), ("category", filters.category),
                        ("district", filters.district), ("organisation", filters.organisation),
                        ("key", filters.key), ("languages", filters.language)):
        if value:
            parts.append(wq.Term(name, value))
    return parts


def _facet_counts(view: ScoringView, documents: np.ndarray) -> dict[str, list[tuple[str, int]]]:
    return {name: sorted(((value, count) for value, count in view.counts(name, documents) if value),
                         key=lambda item: (-item[1], item[0]))
            for name in FACETS}


def search_postings(search, text: str | None, filters: Filters = Filters(), *, page: int = 1,
                    per_page: int = 20, reader_language: str | None = None, today: date | None = None,
                    with_facets: bool = True) -> SearchResult:
    """One page of the postings that match ``text`` (all listed postings, newest first, when it has none)."""
    today = today or clock.today()
    raw_words = words_of(text)
    ranking = search.ranking
    with search.searcher() as searcher:
        if searcher is None:
            return SearchResult([], 0, page, per_page, {}, set(), None, False)
        plan = Planner(search, searcher, reader_language).plan(raw_words)
        cache = search.scoring(searcher, today)
        view = cache.view
        if not cache.visible.any():
            return SearchResult([], 0, page, per_page, {}, plan.terms, None, not plan.is_empty)
        restrictions = filter_query(filters)
        if plan.is_empty:
            docs = cache.visible.copy()
            for restriction in restrictions:
                docs &= view.mask(restriction.fieldname, restriction.text)
            ranked = [(int(fields["id"]), fields["key"], 0.0) for fields in
                      (searcher.stored_fields(doc) for doc in view.newest(docs, page * per_page))]
        else:
            # Every match scored at once (scoring.py); the best ones are ordered again by coverage.
            # (The type field has no lengths, so its term scores its boost alone: a constant bonus.)
            main = wq.AndMaybe(wq.Or(plan.clauses), wq.Term("type", "offer", boost=ranking.offer_bonus))
            final = wq.And([main, *restrictions]) if restrictions else main
            scores, matched = view.evaluate(final)
            docs = matched & cache.visible
            best = view.best(scores, docs, max(page * per_page, ranking.reranked))
            ranked = _reranked(search, searcher, plan, best)
        start = (page - 1) * per_page
        hits = [Hit(*item) for item in ranked[start:start + per_page]]
        facets = _facet_counts(view, docs) if with_facets else {}
        suggestion = None
        if plan.corrections:
            suggestion = " ".join(plan.corrections.get(word, word) for word in plan.words)
        return SearchResult(hits, int(docs.sum()), page, per_page, facets, plan.terms, suggestion,
                            has_words=not plan.is_empty, concepts=set(plan.concepts))


def _reranked(search, searcher, plan: QueryPlan,
              best: list[tuple[float, int]]) -> list[tuple[int, str, float]]:
    """The best BM25F results ordered by how much of the query they cover (the measure matching uses:
    concepts, rarity, neighbours of the same kind), offers first among equals, then BM25F, then newest."""
    ranking, lexicon = search.ranking, search.lexicon
    rarity = Rarity(searcher, ranking=ranking)
    reranked = ranking.reranked
    top = [(score, searcher.stored_fields(docnum)) for score, docnum in best]
    best = max((score for score, _fields in top[:reranked]), default=0.0) or 1.0
    keyed = []
    for score, fields in top[:reranked]:
        covered, _keys = coverage(plan.aspects, features_of(fields, lexicon), rarity, ranking=ranking)
        prior = ranking.offer_prior if fields.get("type") == "offer" else 0.0
        keyed.append(((covered + prior + ranking.bm25_share * score / best, fields.get("created", 0)),
                      (int(fields["id"]), fields["key"], score)))
    keyed.sort(key=lambda item: item[0], reverse=True)
    rest = [(int(fields["id"]), fields["key"], score) for score, fields in top[reranked:]]
    return [item for _key, item in keyed] + rest
