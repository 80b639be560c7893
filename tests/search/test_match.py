"""Matching offers and requests: across languages, ranked, with reasons, and nothing below the threshold."""

from __future__ import annotations

from datetime import timedelta

from bulletin.search import get_search
from bulletin.search.match import THRESHOLD, matches_for


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
    assert THRESHOLD <= found[0].score <= 1


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
