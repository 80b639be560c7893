"""Matching offers and requests: across languages, ranked, with reasons, and nothing below the threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bulletin.search import get_search
from bulletin.search.aspects import CONCEPT, TERM, Aspect, posting_aspects
from bulletin.search.match import matches_for
from bulletin.search.ranking import RANKING


def matched(posting, **options) -> list[str]:
    return [match.key for match in matches_for(get_search(), posting, **options)]


def test_an_arabic_request_meets_the_german_offer_first(make_posting):
    make_posting(title="Kinderbett aus Holz", key="bed", district="Weststadt")
    make_posting(title="Kinderwagen", key="pram", category="baby-children")
    request = make_posting(title={"ar": "نبحث عن سرير أطفال"}, key="wanted", type="request",
                           district="Altstadt")
    found = matches_for(get_search(), request)
    assert [match.key for match in found] == ["bed"]
    reasons = {(reason.kind, reason.value) for reason in found[0].reasons}
    assert ("concept", "bed-child") in reasons and ("category", "furniture-household") in reasons
    assert RANKING.match_threshold <= found[0].score <= 1


def test_the_closer_offer_ranks_first(make_posting):
    make_posting(title="Bett 90 × 200 cm", key="bed")
    make_posting(title="Kinderbett mit Matratze", key="child-bed")
    request = make_posting(title="Kinderbett gesucht", type="request")
    assert matched(request)[:2] == ["child-bed", "bed"]


def test_same_district_and_readable_language_count_as_reasons(make_posting):
    make_posting(title={"de": "Waschmaschine", "ar": "غسالة"}, key="washer", district="Altstadt")
    request = make_posting(title={"ar": "نحتاج غسالة"}, type="request", district="Altstadt")
    reasons = {(reason.kind, reason.value) for reason in matches_for(get_search(), request)[0].reasons}
    assert {("district", "Altstadt"), ("language", "ar")} <= reasons


def test_an_offer_finds_the_requests_it_fits(make_posting):
    offer = make_posting(title="Kinderwagen abzugeben", key="pram", category="baby-children")
    make_posting(title={"fr": "Poussette pour un bébé"}, key="wanted", type="request",
                 category="baby-children")
    make_posting(title="Kinderwagen", key="other-offer", category="baby-children")
    assert matched(offer) == ["wanted"]


def test_a_request_nobody_fits_has_no_match_even_in_the_same_category(make_posting):
    make_posting(title="Winterjacke für Herren", key="jacket", category="clothing")
    make_posting(title="Kleidung für die ganze Familie", key="clothes", category="clothing")
    request = make_posting(title="Hochzeitskleid zum Ausleihen", type="request", category="clothing")
    assert matched(request) == []


def test_a_shared_common_word_alone_is_no_match(make_posting):
    make_posting(title="Hausaufgabenhilfe für Kinder", key="homework", category="education")
    for title in ("Schwimmkurs für Kinder", "Kinderjacken", "Spielzeug für Kinder", "Lesepaten für Kinder",
                  "Kinderbetreuung", "Fußball für Kinder"):
        make_posting(title=title, category="education")
    request = make_posting(title="Klavier für Kinder gesucht", type="request", category="leisure-sport")
    assert matched(request) == []


def test_only_listed_offers_are_matched(make_posting, today):
    make_posting(title="Kinderwagen", key="closed", status="closed")
    make_posting(title="Kinderwagen", key="expired", valid_until=today - timedelta(days=1))
    make_posting(title="Kinderwagen", key="open")
    request = make_posting(title="Kinderwagen gesucht", type="request")
    assert matched(request) == ["open"]


def test_the_limit_cuts_the_list(make_posting):
    for number in range(4):
        make_posting(title=f"Kinderwagen Nummer {number}", key=f"pram-{number}")
    request = make_posting(title="Kinderwagen gesucht", type="request")
    assert len(matched(request, limit=2)) == 2
    assert len(matched(request)) == 4


class _Counts:
    """A searcher stand-in: 200 postings, "gebraucht" in 40 of them, "hochzeit" in one."""

    def __init__(self, total=200):
        self.total = total

    def doc_count_all(self):
        return self.total

    def doc_frequency(self, field, text):
        return {"gebraucht": 40, "hochzeit": 1}.get(text, 0)


def test_a_common_word_the_lexicon_does_not_know_counts_like_an_attribute():
    from bulletin.search.coverage import Rarity

    rarity = Rarity(_Counts())
    common = Aspect("title", {(TERM, "gebraucht"): 1.0})
    rare = Aspect("title", {(TERM, "hochzeit"): 1.0})
    named = Aspect("title", {(TERM, "gebraucht"): 1.0, (CONCEPT, "used"): 1.0})
    assert rarity.of_aspect(common) == rarity.of((TERM, "gebraucht")) * RANKING.common_word_weight
    assert rarity.of_aspect(rare) == rarity.of((TERM, "hochzeit"))  # a rare word keeps blocking
    assert not rarity.common_word(named)  # a word the lexicon knows is read through its concept
    assert not Rarity(_Counts(total=8)).common_word(common)  # a small board proves nothing


def test_each_word_of_a_phrase_covers_its_aspect_only_as_a_part(make_posting):
    request = make_posting(title={"fr": "Lit d'enfant"}, type="request")
    search = get_search()
    aspects = [aspect for aspect in posting_aspects(search.analyzer, search.lexicon, request)
               if aspect.field == "title"]
    (phrase,) = [aspect for aspect in aspects if (CONCEPT, "bed-child") in aspect.keys]
    terms = {text: strength for (kind, text), strength in phrase.keys.items() if kind == TERM}
    assert set(terms.values()) == {RANKING.part_weight}  # "lit" alone is any bed, "enfant" any child
    assert phrase.keys[(CONCEPT, "bed-child")] == 1.0  # the phrase's concept is the thing itself


class _Board:
    """A board of 100 postings: "hilfe" is in 60 of them, "moebel" in 2, the word "yardim" in 2."""

    def doc_count_all(self):
        return 100

    def doc_frequency(self, field, text):
        return {"hilfe": 60, "moebel": 2, "yardim": 2}.get(text, 0)


def test_a_shared_word_counts_no_more_than_the_commonest_thing_it_names():
    from bulletin.search.coverage import Rarity, coverage

    rarity = Rarity(_Board())
    # One word of a request naming "help" and "furniture"; the offer shares the bare word only.
    asked = [Aspect("title", {(TERM, "yardim"): 1.0, (CONCEPT, "hilfe"): 1.0, (CONCEPT, "moebel"): 1.0})]
    offered = {(TERM, "yardim"): 1.0}
    as_word, _keys = coverage(asked, offered, rarity)
    as_meaning, _keys = coverage(asked, offered, rarity, words_mean_concepts=True)
    assert as_word == 1.0  # a search word is what was typed
    assert as_meaning == pytest.approx(rarity.of((CONCEPT, "hilfe")) / rarity.of((CONCEPT, "moebel")))
    assert as_meaning < 0.5
    # The thing itself still covers it fully.
    assert coverage(asked, {(CONCEPT, "moebel"): 1.0}, rarity, words_mean_concepts=True)[0] == 1.0
