"""What a text asks for or offers, read as aspects: the meaning behind matching and the ranking of search.

An aspect is one word of a text (a posting's, or a query's) with the keys that stand for it, each with a
strength from 0 to 1. A key is a (kind, text) pair:

- ``CONCEPT``: a concept of the lexicon the word names, or a broader one (a more general offer covers it);
- ``KIND``: the concept's lexicon category (a neighbour of the same kind covers it partly);
- ``NARROWER``: "something under" the concept (a sofa for "furniture");
- ``PROVIDED``: what a general provider has (only among a stored document's features, coverage.py);
- ``TERM``: an index term, the word's own or a compound part's.

The kinds compare in that order (concept < kind < narrower < provided < term), which the code relies on:
``min`` of an aspect's keys, which names it, is a concept where it has one, and ties between reasons are
broken in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletin.search.lexicon import BROADER_WEIGHT, NARROWER_WEIGHT, Lexicon
from bulletin.search.ranking import RANKING, Ranking

if TYPE_CHECKING:
    from bulletin.models import Posting
    from bulletin.search.analysis import Analyzer

CONCEPT = "concept"
KIND = "kind"
NARROWER = "narrower"
PROVIDED = "provided"
TERM = "term"

Key = tuple[str, str]


class Aspect:
    """One thing a posting asks for or offers: a word of its text, with the keys that stand for it.

    A match covers the aspect when it has one of the ``keys`` (see the module's docstring). ``attribute``
    marks a word whose concepts all lack a category in the lexicon: it says for whom or how ("for a large
    family", "free"), not what, and counts less.
    """

    __slots__ = ("attribute", "field", "keys")

    def __init__(self, field: str, keys: dict[Key, float], attribute: bool = False):
        self.field = field  # "title" or "body"
        self.keys = keys
        self.attribute = attribute


def related_keys(lexicon: Lexicon, concept: str, weight: float) -> dict[Key, float]:
    """What else stands partly for ``concept`` in a posting or query that names it with ``weight``:
    its broader concepts (a more general offer covers it, at BROADER_WEIGHT per level) and, when it has
    narrower concepts, something under it (a sofa for "furniture", at NARROWER_WEIGHT)."""
    keys: dict[Key, float] = {}
    for parent, depth in lexicon.ancestors(concept).items():
        keys[(CONCEPT, parent)] = weight * BROADER_WEIGHT ** depth
    if lexicon.has_narrower(concept):
        keys[(NARROWER, concept)] = weight * NARROWER_WEIGHT
    return keys


def add_concept_keys(keys: dict[Key, float], lexicon: Lexicon, concept: str, weight: float,
                     ranking: Ranking = RANKING) -> None:
    """Add what covers ``concept`` to an aspect's keys, keeping the strongest weight of each key:
    the concept itself, its broader and narrower neighbours, and (partly) any concept of its category."""
    keys[(CONCEPT, concept)] = max(keys.get((CONCEPT, concept), 0.0), weight)
    for key, strength in related_keys(lexicon, concept, weight).items():
        if strength > keys.get(key, 0.0):
            keys[key] = strength
    category = lexicon.category(concept)
    # A neighbour of the same kind (a buggy for a pram) covers it partly; "other" is no kind.
    if category and category != "other":
        keys[(KIND, category)] = max(keys.get((KIND, category), 0.0), ranking.related_weight * weight)


def is_attribute(concepts, lexicon: Lexicon) -> bool:
    """Whether a word naming ``concepts`` says for whom or how: it names some, none with a category."""
    return bool(concepts) and not any(lexicon.category(concept) for concept in concepts)


def query_aspect(variants: dict[str, float], concepts: dict[str, float], attribute: bool,
                 lexicon: Lexicon, ranking: Ranking = RANKING) -> Aspect:
    """A query word as an aspect: its terms (with their boosts) and what its concepts stand for."""
    keys: dict[Key, float] = {(TERM, term): boost for term, boost in variants.items()}
    for concept, weight in concepts.items():
        add_concept_keys(keys, lexicon, concept, weight, ranking)
    return Aspect("title", keys, attribute)


def posting_aspects(analyzer: Analyzer, lexicon: Lexicon, posting: Posting,
                    ranking: Ranking = RANKING) -> list[Aspect]:
    """The words of the posting's original text, title and description, each with its concepts."""
    text = next((text for text in posting.texts if text.language == posting.original_language), None)
    if text is None:
        return []
    part = ranking.part_weight
    found: dict[tuple[str, Key], Aspect] = {}
    for field, value in (("title", text.title), ("body", text.body)):
        if not value:
            continue
        units = analyzer.units(value, text.language)
        covering: dict[int, dict[str, float]] = {}
        joined: dict[int, int] = {}  # a phrase's later words belong to the aspect of its first
        starts: set[int] = set()  # the first words of phrases
        for concept, weight, positions in lexicon.spans(units, text.language):
            if len(positions) > 1:
                starts.add(positions[0])
            for position in positions:
                concepts = covering.setdefault(positions[0], {})
                concepts[concept] = max(concepts.get(concept, 0.0), weight)
                if position != positions[0]:
                    joined[position] = positions[0]
        keys_at: dict[int, dict[Key, float]] = {}
        for position, unit in enumerate(units):
            if not unit or unit[0].isdigit():
                continue  # a stopword or a bare number
            keys = keys_at.setdefault(joined.get(position, position), {})
            # Each word of a phrase is a part of it: sharing "آمادگی" (readiness) of "آمادگی برای امتحان"
            # (exam preparation) with "ready to ride" bikes is not the exam. The phrase's concept covers
            # it fully.
            strength = part if position in joined or position in starts else 1.0
            keys[(TERM, unit[0])] = max(keys.get((TERM, unit[0]), 0.0), strength)
            for compound_part in unit[1:]:
                keys.setdefault((TERM, compound_part), part)
        for position, keys in keys_at.items():
            concepts = covering.get(position, {})
            for concept, weight in concepts.items():
                add_concept_keys(keys, lexicon, concept, weight, ranking)
            name = (field, min(keys))
            if name not in found:  # a word said twice is one aspect
                found[name] = Aspect(field, keys, is_attribute(concepts, lexicon))
    return list(found.values())
