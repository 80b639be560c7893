"""Scoring in memory: Whoosh's BM25F, every posting read, a segment's arrays kept while it lives."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from bulletin.search.index import make_schema
from bulletin.search.ranking import RANKING
from bulletin.search.scoring import ArrayCache

WEIGHTING = RANKING.weighting()

WORDS = ["bett", "kind", "kinderbett", "sofa", "jacke", "winter", "kurs", "deutsch", "hilf", "famili"]


def _document(number: int, rng: random.Random) -> dict:
    words = rng.sample(WORDS, rng.randint(1, 5)) + rng.sample(WORDS, rng.randint(0, 3))
    return {
        "id": str(number), "key": f"p{number}", "type": rng.choice(["offer", "request"]),
        "category": rng.choice(["furniture-household", "clothing", "language"]),
        "district": rng.choice(["", "Altstadt", "Weststadt"]), "public": "1",
        "valid_until": 99991231, "created": number, "text": words,
        "concepts": rng.sample(["bed", "bed-child", "sofa", "german-course"], rng.randint(0, 2)),
    }


@pytest.fixture
def searcher(tmp_path):
    """An index of 700 documents in three segments, some deleted (a board after edits)."""
    rng = random.Random(3)
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for first in (0, 400, 650):
        writer = ix.writer()
        for number in range(first, first + {0: 400, 400: 250, 650: 50}[first]):
            writer.add_document(**_document(number, rng))
        writer.commit(merge=False)
    writer = ix.writer()
    for number in (3, 5, 410, 660):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    with ix.searcher(weighting=WEIGHTING) as opened:
        assert len(opened.reader().leaf_readers()) == 3
        yield opened


def whoosh_scores(searcher, query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}


def array_scores(searcher, query, cache=None) -> dict[int, float]:
    view = (cache or ArrayCache()).view(searcher, WEIGHTING)
    scores, matched = view.evaluate(query)
    return {int(doc): float(scores[doc]) for doc in np.flatnonzero(matched & view.live())}


@pytest.mark.parametrize("query", [
    wq.Term("text", "kinderbett"),
    wq.Term("text", "bett", boost=0.3),
    wq.Or([wq.Term("text", "kind"), wq.Term("text", "bett", boost=0.3),
           wq.Term("concepts", "bed", boost=1.5)]),
    wq.And([wq.Or([wq.Term("text", "winter"), wq.Term("text", "jacke")]), wq.Term("category", "clothing")]),
    wq.AndMaybe(wq.Or([wq.Term("text", "deutsch"), wq.Term("text", "kurs")]),
                wq.Term("type", "offer", boost=1.0)),
    wq.Or([wq.Term("text", "sofa"), wq.Term("text", "no-such-word")], boost=0.5),
])
def test_scores_are_whooshs_bm25f_for_every_document_that_matches(searcher, query):
    expected = whoosh_scores(searcher, query)
    found = array_scores(searcher, query)
    assert expected, "the query should match something"
    assert found.keys() == expected.keys()
    for doc, score in expected.items():
        assert found[doc] == pytest.approx(score, rel=1e-9)


def test_a_word_met_in_two_ways_scores_its_best_way_and_a_share_of_the_other(searcher):
    form, meaning = wq.Term("text", "kinderbett"), wq.Term("concepts", "bed-child", boost=1.5)
    both = array_scores(searcher, wq.DisjunctionMax([form, meaning], tiebreak=0.3))
    forms, meanings = array_scores(searcher, form), array_scores(searcher, meaning)
    assert both.keys() == forms.keys() | meanings.keys()
    for doc, score in both.items():
        parts = sorted([forms.get(doc, 0.0), meanings.get(doc, 0.0)])
        assert score == pytest.approx(parts[1] + 0.3 * parts[0])


def test_facet_counts_and_newest_span_every_segment_and_skip_deleted_documents(searcher):
    view = ArrayCache().view(searcher, WEIGHTING)
    live = view.live()
    counts = dict(view.counts("category", live))
    expected: dict[str, int] = {}
    for fields in searcher.all_stored_fields():
        expected[fields["category"]] = expected.get(fields["category"], 0) + 1
    assert counts == expected
    newest = [searcher.stored_fields(doc)["id"] for doc in view.newest(live, 3)]
    assert newest == ["699", "698", "697"]


def test_a_segment_keeps_its_arrays_while_it_lives_and_drops_them_when_merged_away(tmp_path):
    rng = random.Random(5)
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.writer() as writer:
        for number in range(50):
            writer.add_document(**_document(number, rng))
    cache = ArrayCache()
    with ix.searcher() as first:
        before = cache.view(first, WEIGHTING).leaves[0][3]
    writer = ix.writer()
    writer.add_document(**_document(50, rng))
    writer.commit(merge=False)
    with ix.searcher() as second:
        leaves = cache.view(second, WEIGHTING).leaves
        assert len(leaves) == 2 and leaves[0][3] is before
    ix.optimize()
    with ix.searcher() as merged:
        (_reader, _sub, _offset, arrays), = cache.view(merged, WEIGHTING).leaves
        assert arrays is not before
        assert len(cache._segments) == 1


def test_expiry_finds_exactly_the_postings_whose_last_day_has_passed(tmp_path):
    rng = random.Random(9)
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    days = [20240101 + rng.randrange(0, 12) * 100 + rng.randrange(0, 28) for _ in range(300)] + [99991231]
    with ix.writer() as writer:
        for number, day in enumerate(days):
            writer.add_document(**{**_document(number, rng), "valid_until": day})
    with ix.searcher() as opened:
        view = ArrayCache().view(opened, WEIGHTING)
        for today in (20240101, 20240615, 20241231, 99991231):
            expired = view.numeric_range("valid_until", 0, today - 1, today)
            assert set(np.flatnonzero(expired).tolist()) == {
                doc for doc, day in enumerate(days) if day < today
            }
