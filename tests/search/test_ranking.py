"""The ranking's constants: one frozen object, changed by copy, read by search and matching from the index."""

from __future__ import annotations

import dataclasses

import pytest

from bulletin.search import get_search
from bulletin.search.match import matches_for
from bulletin.search.query import search_postings
from bulletin.search.ranking import RANKING, Ranking


def test_the_ranking_is_frozen_and_gives_whooshs_bm25f_its_parameters():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RANKING.match_threshold = 0.5  # type: ignore[misc]
    weighting = RANKING.weighting()
    assert (RANKING.bm25_b, RANKING.bm25_k1) == (weighting.B, weighting.K1)


def test_search_and_matching_keep_their_concept_boosts_apart():
    assert (RANKING.search_concept_boost, RANKING.match_concept_boost) == (1.5, 2.0)


def test_values_given_as_text_are_read_as_the_fields_type():
    changed = RANKING.with_values({"match_threshold": "0.4", "reranked": "50"})
    assert (changed.match_threshold, changed.reranked) == (0.4, 50)
    assert changed == dataclasses.replace(RANKING, match_threshold=0.4, reranked=50) and Ranking() == RANKING
    with pytest.raises(ValueError, match="no field 'threshold'.*match_threshold"):
        RANKING.with_values({"threshold": "0.4"})
    with pytest.raises(ValueError, match="reranked takes a whole number"):
        RANKING.with_values({"reranked": "0.5"})


def test_an_index_given_another_ranking_ranks_and_matches_with_it(app, make_posting, today):
    make_posting(title="Kinderwagen abzugeben", key="pram")
    make_posting(title="Kinderwagen und Buggy", key="pram-buggy")
    request = make_posting(title="Kinderwagen gesucht", key="wanted", type="request")
    search = get_search()
    found = [match.key for match in matches_for(search, request)]
    assert found
    maker = search.maker
    search.use_ranking(RANKING.with_values({"match_threshold": "1.5", "bm25_b": "0.25"}))
    try:
        assert matches_for(search, request) == []  # no match scores more than 1
        assert search.maker is not maker and search.maker.ranking.match_threshold == 1.5
        with search.searcher() as searcher:
            assert search.scoring(searcher, today).weighting.B == 0.25
        assert search_postings(search, "Kinderwagen", reader_language="de").total == 3  # the request too
    finally:
        search.use_ranking(RANKING)
    assert [match.key for match in matches_for(search, request)] == found
