"""Every constant that decides how search and matching rank: one frozen ``Ranking``.

``RANKING`` is the board's; the code reads its constants from the ``Ranking`` a ``SearchIndex`` holds
(``SearchIndex.use_ranking`` gives it another, for tuning), and the functions of coverage.py, match.py
and aspects.py take one as an argument, the default being ``RANKING``. ``bench/quality.py --set
field=value`` and ``--sweep field=v1,v2`` measure other values on the evaluation set.

The fields under "Index time" shape the documents written into the index: another value counts only for
postings written after it, so measure it on a rebuilt index (``bench/quality.py`` builds its board anew
for each value). The lexicon's own weights (how clearly a text names a concept, how far a broader or
narrower concept stands in) stay in lexicon.py, with the lexicon they describe.

"Measured" in a comment is what ``bench/quality.py --sweep`` gave on the shared development set at half
and one and a half times the value (integers: about that), the other fields as they are: at the values
here MRR 0.981, recall@5 0.925, nDCG@10 0.846, 3 of 5 no-match requests empty, no must-not violation.
The set is small (58 requests, 45 queries), so a value that does a little better there is no reason by
itself to change it; "no change" means no figure of the table moved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from whoosh.scoring import BM25F


@dataclass(frozen=True)
class Ranking:
    # Index time --------------------------------------------------------------------------------------
    # A compound's part ("bett" of "Kinderbett") weighs this much of the word written out: a part says
    # what the thing is made of or for, the whole word what it is. Also the strength with which a part,
    # or any word of a phrase the lexicon knows, stands for its aspect in matching and ranking.
    # Measured: 0.3 nDCG 0.848; 0.9 MRR 0.972, recall@5 0.909.
    part_weight: float = 0.6
    # A word in the title counts this many times a word in the description in the ``text`` field: the
    # title says what is offered or asked, the description says more about it.
    # Measured: 1.5 nDCG 0.851; 4.5 no change.
    title_weight: float = 3.0
    # A concept named only in the description counts this much of one in the title (``concepts`` field),
    # and so does a description's term in the signature that matching and ranking compare.
    # Measured: 0.25 MRR 0.978, recall@5 0.931; 0.75 MRR 0.991, recall@5 0.903, nDCG 0.842.
    body_weight: float = 0.5
    # How many of a posting's terms (the weightiest) its stored signature keeps: enough for any posting's
    # title and the telling words of its description, while a stored document stays small.
    # Measured: 40 and 120, no change.
    signature_terms: int = 80

    # What a word means (aspects.py): search and matching ---------------------------------------------
    # A concept of the same lexicon category stands in for the one asked for this far (a buggy for a
    # pram): a neighbour of the same kind, never the thing itself.
    # Measured: 0.2 recall@5 0.881; 0.6 recall@5 0.915 and only 2 of 5 no-match requests empty.
    related_weight: float = 0.4

    # Search, first stage: BM25F over the index (query.py, scoring.py) -------------------------------
    # BM25F's length normalisation, B: how far a long posting's words count less. 0.5, not Whoosh's 0.75:
    # a description may be long without being about several things.
    # Measured: 0.25 nDCG 0.848; 0.75 nDCG 0.843.
    bm25_b: float = 0.5
    # BM25F's term-frequency saturation, K1 (Whoosh's default): a word said twice counts a little more.
    # Measured: 0.6 nDCG 0.853; 1.8 nDCG 0.842.
    bm25_k1: float = 1.2
    # A query word's concept weighs this many times the concept's weight in the index: a posting that
    # names what the word means, in any language, outranks one that shares only the letters.
    # Measured: 0.75 nDCG 0.835; 2.25 nDCG 0.850.
    search_concept_boost: float = 1.5
    # A query compound's parts, for postings that write it apart ("Bett für Kinder" for "Kinderbett"):
    # far below the whole word, so the postings that say "Kinderbett" come first.
    # Measured: 0.15 nDCG 0.844; 0.45 nDCG 0.848.
    search_part_boost: float = 0.3
    # The terms of the word a misspelt one was corrected to ("did you mean") count this much: below a word
    # typed right, as the correction is a guess.
    # Measured: 0.4 and 1.2, no change.
    correction_boost: float = 0.8
    # A word whose concepts the lexicon files under no category ("Kinder", "family", "free") says for whom
    # or how, not what: its clause counts this much.
    # Measured: 0.25 and 0.75, no change.
    search_attribute_boost: float = 0.5
    # A word met both as a form and as a meaning scores the better of the two plus this share of the other
    # (DisjunctionMax's tiebreak): a little more than either alone, not both added up.
    # Measured: 0.15 nDCG 0.850; 0.45 nDCG 0.840.
    meaning_tiebreak: float = 0.3
    # Added to an offer's score (its type term scores its boost alone): among results about as good, what
    # is offered comes first, as most visitors look for offers.
    # Measured: 0.5 nDCG 0.844; 1.5 nDCG 0.850.
    offer_bonus: float = 1.0

    # Search: typo tolerance (query.Planner.correct) ---------------------------------------------------
    # Shorter words are not corrected: at three letters most words are one edit from another word.
    # Measured (this and the next two): 2 and 6, 4 and 12, 0 and 2, no change.
    correction_min_length: int = 4
    # Words this long or longer may be corrected by two edits; shorter ones by one.
    correction_two_edits_length: int = 8
    # How many first letters a correction keeps as typed: a first letter is rarely mistyped, and the
    # search over the index's words stays small.
    correction_prefix: int = 1

    # Search, second stage: the best ordered again by coverage (query._reranked) ---------------------
    # How many of the best BM25F results are ordered again: more than a page or two, while reading the
    # stored fields of every one stays cheap.
    # Measured: 50 and 150, no change.
    reranked: int = 100
    # Added to an offer's coverage (0 to 1) in that order: offers first among results about as good.
    # Measured: 0.05 nDCG 0.830; 0.15 nDCG 0.852.
    offer_prior: float = 0.1
    # How much BM25F (scaled to the best result's) still counts beside coverage, mostly to break ties
    # between results that cover the query alike.
    # Measured: 0.1 nDCG 0.852; 0.3 nDCG 0.841.
    bm25_share: float = 0.2

    # Coverage (coverage.py): matching, and search's second stage ------------------------------------
    # The title's share of the score; the description has the rest, and may only add to it.
    # Measured: 0.5 and 0.9, no change.
    title_share: float = 0.75
    # An aspect that says for whom or how (see aspects.Aspect.attribute) counts this much of its rarity.
    # Measured: 0.25 MRR 0.962, recall@5 0.915; 0.75 MRR 0.972, recall@5 0.931.
    attribute_weight: float = 0.5
    # The share of the title's aspects a text must cover to count at all: the description alone makes
    # no match.
    # Measured: 0.1 no change; 0.3 recall@5 0.833, 4 of 5 no-match requests empty.
    title_minimum: float = 0.2
    # A word the lexicon does not know, in more than this share of its language's postings,
    common_word_share: float = 0.05
    # ... counts this much of its rarity: it says how or for whom ("years", "size", "used"), like an
    # attribute.
    common_word_weight: float = 0.5
    # ... and only when at least this many postings use it: a word of one posting is that posting's own.
    common_word_postings: int = 2
    # A language with fewer postings on the board says nothing about which of its words are common.
    # Measured (the four common-word fields): 0.075 for the share or 3 postings: recall@5 0.931 and 4 of 5
    # no-match requests empty; the other values, no change.
    language_postings: int = 10

    # Matching (match.py) -------------------------------------------------------------------------------
    # How many candidates (the best by the candidate query's BM25F) are scored by coverage: beyond a
    # list's ten, while a pure-Python index reads each one.
    # Measured: 15 recall@5 0.915; 45 no change.
    match_candidates: int = 30
    # At most this many keys (the most telling) make the candidate query: selective, and quick.
    # Measured: 20 and 60, no change.
    match_query_keys: int = 40
    # Concepts of an aspect's lexicon category looked for as candidates (neighbours of the same kind).
    # Measured: 5 recall@5 0.909; 15 no change.
    match_neighbours: int = 10
    # A word in more than this share of all postings does not bring in candidates (a pure-Python index
    # pays for every posting a common word would bring in); it still counts in coverage.
    # Measured: 0.025 and 0.075, no change.
    match_common_share: float = 0.05
    # A neighbour of the same kind is looked for at this share of its aspect's strength: found, but scored
    # below the thing itself.
    # Measured: 0.15 and 0.45, no change.
    match_neighbour_boost: float = 0.3
    # A concept in the candidate query weighs this many times a term: a match is about things, across
    # languages, before it is about shared words. (Search's search_concept_boost is another measure.)
    # Measured: 1.0 and 3.0, no change.
    match_concept_boost: float = 2.0
    # Nothing below this score is shown: "no match yet" is an honest answer, and a shared category or
    # district alone (their bonuses add up to less) is never a match.
    # Measured: 0.15 no change; 0.45 MRR 0.962, recall@5 0.805, 5 of 5 no-match requests empty.
    match_threshold: float = 0.3
    # What a candidate must cover before any bonus counts.
    # Measured: 0.1 no change; 0.3 recall@5 0.833, 4 of 5 no-match requests empty.
    match_min_coverage: float = 0.2
    # Bonuses on top of coverage, small beside it: the same category, the same district, a text in the
    # language the posting was written in (its author can read it).
    # Measured: category 0.05 recall@5 0.874, 0.15 MRR 0.972, recall@5 0.937; district 0.025 recall@5
    # 0.937, 0.075 recall@5 0.915; language 0.015 recall@5 0.931, 0.045 MRR 0.972.
    match_category_bonus: float = 0.1
    match_district_bonus: float = 0.05
    match_language_bonus: float = 0.03

    def weighting(self) -> BM25F:
        """Whoosh's BM25F with these parameters: what scoring.py computes and Whoosh would."""
        return BM25F(B=self.bm25_b, K1=self.bm25_k1)

    def with_values(self, values: dict[str, object]) -> Ranking:
        """A copy with some fields changed; a text value is read as the field's type (bench/quality.py)."""
        known = {field.name: type(getattr(self, field.name)) for field in fields(self)}
        changes = {}
        for name, value in values.items():
            kind = known.get(name)
            if kind is None:
                raise ValueError(f"Ranking has no field {name!r}; it has: {', '.join(known)}")
            try:
                changes[name] = kind(value)
            except ValueError:
                wanted = "a whole number" if kind is int else "a number"
                raise ValueError(f"{name} takes {wanted}, not {value!r}") from None
        return replace(self, **changes)


RANKING = Ranking()
