"""A posting into its index document: the terms of every language version, its concepts, its signature.

One document per posting, holding every language version of its texts, already analysed (analysis.py):
Whoosh stores the terms we give it and does no analysis of its own (index.TermsField). The weights of
title, description and compound parts are the index-time fields of ranking.Ranking.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import NamedTuple

from bulletin.models import Posting
from bulletin.search.analysis import Analyzer
from bulletin.search.index import TermWeights, date_number
from bulletin.search.lexicon import NARROWER_PREFIX, NARROWER_WEIGHT, Lexicon
from bulletin.search.ranking import RANKING, Ranking

TEXT_CACHE_LIMIT = 20_000  # analysed texts a DocumentMaker keeps
# Texts up to a title's length are kept: descriptions are rarely written twice and would only fill it.
CACHED_TEXT_LENGTH = 200


def fingerprint(posting: Posting) -> str:
    """A digest of everything the document is made from, but visibility (compared on its own)."""
    texts = sorted((text.language, text.title, text.body) for text in posting.texts)
    source = [posting.key, posting.type, posting.category, posting.district, posting.organisation.key,
              posting.valid_until.isoformat() if posting.valid_until else None, posting.original_language,
              texts]
    data = json.dumps(source, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class Signature:
    """What a posting is about, in comparable form: concept weights and term weights.

    Stored with the document as {"c": concepts, "t": terms}: the index's format, so those keys stay.
    """

    __slots__ = ("concepts", "terms")

    def __init__(self, concepts: dict[str, float], terms: dict[str, float]):
        self.concepts = concepts
        self.terms = terms

    def stored(self, terms: int) -> dict:
        """The stored form, keeping the ``terms`` weightiest terms."""
        top = sorted(self.terms.items(), key=lambda item: -item[1])[:terms]
        return {"c": self.concepts, "t": dict(top)}

    @classmethod
    def from_stored(cls, value: dict | None) -> Signature:
        value = value or {}
        return cls(dict(value.get("c", {})), dict(value.get("t", {})))


class AnalysedText(NamedTuple):
    """One text of a posting, analysed: its units, the concepts they name, its words for suggestions."""

    units: list[tuple[str, ...]]
    concepts: dict[str, float]
    words: list[str]


class DocumentMaker:
    """Postings into index documents, with the analyzer, lexicon and ranking of one index."""

    def __init__(self, analyzer: Analyzer, lexicon: Lexicon, ranking: Ranking = RANKING):
        self.analyzer = analyzer
        self.lexicon = lexicon
        self.ranking = ranking
        # (language, text) -> (analyzer version, analysis): titles repeat a lot ("Kinderwagen",
        # "Deutschkurs"), and a rebuild analyses every one of them.
        self._texts: dict[tuple[str, str], tuple[int, AnalysedText]] = {}

    def analysed(self, text: str, language: str) -> AnalysedText:
        """The analysis of one text (kept while the vocabulary stays the same; never to be changed)."""
        key = (language, text)
        kept = self._texts.get(key)
        if kept is not None and kept[0] == self.analyzer.version:
            return kept[1]
        version = self.analyzer.version  # before analysing: a change meanwhile makes the entry stale
        units = self.analyzer.units(text, language)
        found = AnalysedText(units, self.lexicon.match(units, language),
                             self.analyzer.surface_words(text, language))
        if len(text) <= CACHED_TEXT_LENGTH:
            if len(self._texts) >= TEXT_CACHE_LIMIT:
                self._texts.clear()
            self._texts[key] = (version, found)
        return found

    def analyse(self, posting: Posting) -> tuple[TermWeights, TermWeights, dict[str, float], list[str]]:
        title, body = TermWeights(), TermWeights()
        concepts: dict[str, float] = {}
        words: list[str] = []
        part_weight = self.ranking.part_weight
        for text in posting.texts:
            language = text.language
            counted = language == posting.original_language
            parts = ((title, text.title, 1.0), (body, text.body, self.ranking.body_weight))
            for field, value, concept_weight in parts:
                if not value:
                    continue
                analysed = self.analysed(value, language)
                for unit in analysed.units:
                    for position, term in enumerate(unit):
                        field.add(term, 1.0 if position == 0 else part_weight, counted and position == 0)
                for concept, weight in analysed.concepts.items():
                    weight *= concept_weight
                    if weight > concepts.get(concept, 0.0):
                        concepts[concept] = weight
                words.extend(analysed.words)
        return title, body, concepts, words

    def document(self, posting: Posting, today: date) -> dict:
        title, body, concepts, words = self.analyse(posting)
        ranking = self.ranking
        concept_terms = TermWeights()
        for concept, weight in concepts.items():
            concept_terms.add(concept, weight, True)
        # A sofa is furniture: the broader concepts are indexed as "something under" them (">furniture"),
        # so a search or a request for the broader one finds it, without making "furniture" itself common.
        for concept, weight in concepts.items():
            for parent, depth in self.lexicon.ancestors(concept).items():
                concept_terms.add(NARROWER_PREFIX + parent, weight * NARROWER_WEIGHT ** depth, False)
        created = posting.created_at
        document = {
            "id": str(posting.id),
            "key": posting.key,
            "type": posting.type,
            "category": posting.category,
            "district": posting.district or "",
            "organisation": posting.organisation.key,
            "public": "1" if posting.is_listed(today) else "0",
            "valid_until": date_number(posting.valid_until),
            "created": int(created.timestamp() * 1000) if isinstance(created, datetime) else 0,
            "languages": " ".join(posting.languages),
            "original_language": posting.original_language,
            "signature": signature_of(title, body, concepts, ranking).stored(ranking.signature_terms),
            "fingerprint": fingerprint(posting),
        }
        text = combined(title, body, ranking)
        for name, value in (("text", text), ("concepts", concept_terms), ("words", words)):
            if value:
                document[name] = value
        return document


def combined(title: TermWeights, body: TermWeights, ranking: Ranking = RANKING) -> TermWeights:
    """Title and description in one field, the title's words weighing ``ranking.title_weight`` times as
    much: one term to look up per word instead of two (Whoosh is pure Python; fewer matchers are faster)."""
    text = TermWeights()
    for term, weight in body.weights.items():
        text.weights[term] = weight
    for term, weight in title.weights.items():
        text.weights[term] = text.weights.get(term, 0.0) + ranking.title_weight * weight
    for source in (title, body):
        for term, count in source.counts.items():
            text.counts[term] = text.counts.get(term, 0) + count
    return text


def signature_of(title: TermWeights, body: TermWeights, concepts: dict[str, float],
                 ranking: Ranking = RANKING) -> Signature:
    terms = {term: weight * ranking.body_weight for term, weight in body.weights.items()}
    for term, weight in title.weights.items():
        terms[term] = max(terms.get(term, 0.0), weight)
    return Signature(dict(concepts), terms)
