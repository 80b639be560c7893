"""How much of what one text asks for another text covers: the measure behind matching and ranking.

A text is read as aspects (aspects.Aspect: its words with their terms, concepts and lexicon categories).
An aspect counts by how telling it is (Rarity: the inverse document frequency of its rarest concept, else
of its rarest term), and it is covered as far as the other text has one of its keys; sharing only a
commoner key (the "child" of "children's bicycle", or just the same kind of thing) covers it partly.
"""

from __future__ import annotations

import math

from bulletin.search.aspects import CONCEPT, KIND, NARROWER, PROVIDED, TERM, Aspect, Key
from bulletin.search.documents import Signature
from bulletin.search.lexicon import NARROWER_PREFIX, NARROWER_WEIGHT
from bulletin.search.ranking import RANKING, Ranking

# The index field a key's text is looked up in (how common it is); a term's is "text".
KEY_FIELDS = {CONCEPT: "concepts", NARROWER: "concepts", KIND: "category"}


class Rarity:
    """How telling a concept or term is: an inverse document frequency over the whole index.

    With ``language`` (matching: the language of the posting's own text), whether a word is common is
    judged among the postings that have a text in that language."""

    def __init__(self, searcher, language: str | None = None, ranking: Ranking = RANKING):
        self.searcher = searcher
        self.ranking = ranking
        self.total = searcher.doc_count_all()
        # On a mostly German board every Arabic word is rare; "عمره" (his age) is common among Arabic texts.
        self.language_total = searcher.doc_frequency("languages", language) if language else self.total
        self._cache: dict[Key, float] = {}
        self._frequencies: dict[Key, int] = {}

    def frequency(self, key: Key) -> int:
        """How many documents have the concept, lexicon category or term."""
        found = self._frequencies.get(key)
        if found is None:
            kind, text = key
            field = KEY_FIELDS.get(kind, "text")
            text = NARROWER_PREFIX + text if kind == NARROWER else text
            found = self._frequencies[key] = self.searcher.doc_frequency(field, text)
        return found

    def of(self, key: Key) -> float:
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = math.log(1 + (self.total + 1) / (self.frequency(key) + 1))
        return value

    def share(self, key: Key) -> float:
        """The share of the index's documents that have this key."""
        return self.frequency(key) / max(self.total, 1)

    def of_aspect(self, aspect: Aspect) -> float:
        """A word that names concepts is as telling as its rarest concept (what it means), another word
        as its rarest term."""
        concepts = [key for key in aspect.keys if key[0] == CONCEPT]  # (a category only comes with them)
        value = max(self.of(key) for key in (concepts or aspect.keys))
        if self.common_word(aspect):
            return value * self.ranking.common_word_weight
        return value * self.ranking.attribute_weight if aspect.attribute else value

    def common_word(self, aspect: Aspect) -> bool:
        """A word the lexicon does not know but many postings in its language use ("years", "size", "used")
        says how or for whom rather than what, like an attribute; a rare unknown word ("wedding") keeps its
        full weight."""
        if any(key[0] == CONCEPT for key in aspect.keys):
            return False
        terms = [key for key in aspect.keys if key[0] == TERM]
        ranking = self.ranking
        if not terms or self.language_total < ranking.language_postings:
            return False
        least = min(self.frequency(key) for key in terms)
        return least >= max(ranking.common_word_share * self.language_total, ranking.common_word_postings)


def features_of(candidate: dict, lexicon) -> dict[Key, float]:
    """What a stored index document has: its concepts, their lexicon categories, what is under them, what
    its general providers have (see lexicon.PROVIDER_MARK), its terms."""
    signature = Signature.from_stored(candidate.get("signature"))
    features = {(CONCEPT, concept): weight for concept, weight in signature.concepts.items()}
    for concept, weight in signature.concepts.items():
        category = lexicon.category(concept)
        if category and weight > features.get((KIND, category), 0.0):
            features[(KIND, category)] = weight
        for parent, depth in lexicon.ancestors(concept).items():  # a sofa is "something under furniture"
            value = weight * NARROWER_WEIGHT ** (depth - 1)
            if value > features.get((NARROWER, parent), 0.0):
                features[(NARROWER, parent)] = value
    for concept, weight in signature.concepts.items():  # a clothing store has winter jackets too
        if lexicon.category(concept) != candidate.get("category"):
            continue  # the place, not what is offered: helping out in a clothing store
        for provided, share in lexicon.provided(concept).items():
            if weight * share > features.get((PROVIDED, provided), 0.0):
                features[(PROVIDED, provided)] = weight * share
    features.update({(TERM, term): weight for term, weight in signature.terms.items()})
    return features


def coverage(aspects: list[Aspect], features: dict[Key, float], rarity: Rarity,
             words_mean_concepts: bool = False, ranking: Ranking = RANKING) -> tuple[float, list[Key]]:
    """How much of ``aspects`` the features cover (0 to 1), and the keys that covered them.

    With ``words_mean_concepts`` (matching: aspects read from a posting's own text), a shared word that
    names concepts counts no more than the commonest of them; a search word stays what was typed."""
    totals = {"title": 0.0, "body": 0.0}
    covered = {"title": 0.0, "body": 0.0}
    keys: list[tuple[float, Key]] = []
    for aspect in aspects:
        weight = rarity.of_aspect(aspect)
        totals[aspect.field] += weight
        best, best_key = 0.0, None
        # A word that names concepts means no more than its commonest one: sharing the bare word (a
        # translation's "help") without the thing it names with it covers the aspect only that far.
        meanings = [rarity.of(key) for key in aspect.keys if key[0] == CONCEPT]
        word_cap = min(meanings) if meanings and words_mean_concepts else math.inf
        for key, strength in aspect.keys.items():
            provided = features.get((PROVIDED, key[1]), 0.0) if key[0] == CONCEPT else 0.0
            if provided * strength > best:  # a general provider has every kind of it, however rare
                best, best_key = provided * strength, key
            if key not in features:
                continue
            # Sharing only the commoner meaning of a word ("child" of "children's bicycle") covers it partly.
            telling = min(rarity.of(key), word_cap) if key[0] == TERM else rarity.of(key)
            share = min(1.0, telling / rarity.of_aspect(aspect))
            value = strength * features[key] * share
            if value > best:
                best, best_key = value, key
        if best_key is not None:
            covered[aspect.field] += weight * best
            keys.append((weight * best, best_key))
    shares = {field: covered[field] / totals[field] for field in totals if totals[field] > 0}
    if shares.get("title", 1.0) < ranking.title_minimum:
        return 0.0, []  # too little of what the title asks for: the description alone makes no match
    if "title" in shares and "body" in shares:
        # The title says what is asked; the description may add to it, never take away.
        title_share = ranking.title_share
        value = max(shares["title"], title_share * shares["title"] + (1 - title_share) * shares["body"])
    else:
        value = next(iter(shares.values()), 0.0)
    keys.sort(reverse=True)
    return value, [key for _weight, key in keys]
