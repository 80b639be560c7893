"""Matching offers and requests: for a request the open offers that fit it, for an offer the requests.

A posting is read as *aspects*: the words of its original title and description, each standing for its
index term, its compound parts and the concepts the lexicon finds in it (see aspects.py). Candidates
come from the index: listed, unexpired postings of the other type that share a concept or a term with
it. Each candidate is then scored from 0 to 1 by how much of the posting it covers:

- an aspect is covered when the candidate has one of its concepts or terms (a concept carries a match
  across languages; a compound's part covers it partly);
- aspects count by how rare they are on the board (a rare word or concept says more than "help" or
  "child"), and the title counts more than the description, so a word nobody offers ("car", "piano")
  keeps the score low even when the rest ("family") is common;
- then a small bonus for the same category, the same district, and a text the posting's author can read.

Below ``Ranking.match_threshold`` nothing is shown: "no match yet" is an honest answer, and a shared
category or district alone is never a match. Each match says why, as reasons a page or the API can show.
The constants are the ``match_`` fields of ranking.Ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from whoosh import query as wq

from bulletin.models import Posting
from bulletin.search.aspects import CONCEPT, KIND, NARROWER, TERM, Aspect, Key, posting_aspects
from bulletin.search.coverage import Rarity, coverage, features_of
from bulletin.search.lexicon import NARROWER_PREFIX
from bulletin.search.ranking import RANKING, Ranking
from bulletin.services import clock

REASON_WORDS = 5  # shared words a match names as its reasons when it shares no concept


@dataclass(frozen=True)
class Reason:
    kind: str  # "concept", "words", "category", "district" or "language"
    value: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class Match:
    posting_id: int
    key: str
    score: float
    reasons: tuple[Reason, ...]


def _reasons(keys: list[Key]) -> list[Reason]:
    concepts = list(dict.fromkeys(text for kind, text in keys if kind == CONCEPT))
    if concepts:
        return [Reason("concept", concept) for concept in concepts]
    words = list(dict.fromkeys(text for kind, text in keys if kind == TERM))[:REASON_WORDS]
    return [Reason("words", word) for word in words]


def score(source: Posting, aspects: list[Aspect], candidate: dict, rarity: Rarity,
          lexicon, ranking: Ranking = RANKING) -> tuple[float, list[Reason]]:
    """How well ``candidate`` (a stored index document) fits ``source``, and why."""
    value, keys = coverage(aspects, features_of(candidate, lexicon), rarity, words_mean_concepts=True,
                           ranking=ranking)
    if value < ranking.match_min_coverage or not keys:
        return value, []
    reasons = _reasons(keys)
    if candidate.get("category") == source.category:
        value += ranking.match_category_bonus
        reasons.append(Reason("category", source.category))
    if source.district and candidate.get("district") == source.district:
        value += ranking.match_district_bonus
        reasons.append(Reason("district", source.district))
    if source.original_language in set(candidate.get("languages", "").split()):
        value += ranking.match_language_bonus
        reasons.append(Reason("language", source.original_language))
    return min(value, 1.0), reasons


def _candidate_query(aspects: list[Aspect], rarity: Rarity, lexicon,
                     ranking: Ranking = RANKING) -> wq.Query | None:
    """The title's concepts and its telling words, and the concepts of the same kinds: a query of few,
    selective terms (a pure-Python index pays for every posting a common word would bring in)."""
    wanted: dict[Key, float] = {}
    for aspect in aspects:
        if aspect.field != "title":
            continue
        for key, strength in aspect.keys.items():
            if key[0] == KIND:  # neighbours of the same kind are candidates too, scored low
                for concept in lexicon.concepts_in(key[1])[:ranking.match_neighbours]:
                    wanted.setdefault((CONCEPT, concept), ranking.match_neighbour_boost * strength)
            elif key[0] in (CONCEPT, NARROWER) or rarity.share(key) <= ranking.match_common_share:
                wanted[key] = max(wanted.get(key, 0.0), strength)
    ranked = sorted(wanted.items(), key=lambda item: -item[1] * rarity.of(item[0]))[:ranking.match_query_keys]
    boost = ranking.match_concept_boost
    subqueries: list[wq.Query] = [
        wq.Term("concepts", text, boost=boost * weight) if kind == CONCEPT
        else wq.Term("concepts", NARROWER_PREFIX + text, boost=boost * weight) if kind == NARROWER
        else wq.Term("text", text, boost=weight)
        for (kind, text), weight in ranked
    ]
    return wq.Or(subqueries) if subqueries else None


def matches_for(search, posting: Posting, *, limit: int = 10, today: date | None = None,
                threshold: float | None = None) -> list[Match]:
    """The listed postings of the other type that fit ``posting``, best first, none below the threshold."""
    today = today or clock.today()
    ranking, lexicon = search.ranking, search.lexicon
    threshold = ranking.match_threshold if threshold is None else threshold
    aspects = posting_aspects(search.analyzer, lexicon, posting, ranking)
    if not aspects:
        return []
    other_type = "offer" if posting.type == "request" else "request"
    found = []
    with search.searcher() as searcher:
        if searcher is None:
            return []
        rarity = Rarity(searcher, posting.original_language, ranking)
        candidates = _candidate_query(aspects, rarity, lexicon, ranking)
        if candidates is None:
            return []
        cache = search.scoring(searcher, today)
        scores, matched = cache.view.evaluate(wq.And([candidates, wq.Term("type", other_type)]))
        best = cache.view.best(scores, matched & cache.visible, ranking.match_candidates)
        for _score, docnum in best:
            fields = searcher.stored_fields(docnum)
            if fields["id"] == str(posting.id):
                continue
            value, reasons = score(posting, aspects, fields, rarity, lexicon, ranking)
            if value >= threshold and reasons:
                found.append(Match(int(fields["id"]), fields["key"], round(value, 3), tuple(reasons)))
    found.sort(key=lambda match: (-match.score, match.posting_id))
    return found[:limit]
