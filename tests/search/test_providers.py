"""General providers: an offer of a clothing store partly fits a request for any kind of clothing."""

from __future__ import annotations

import pytest

from bulletin.search import get_search
from bulletin.search.match import matches_for

ROWS = [
    ("clothing", "clothing", "", "Kleidung", "clothes|clothing", "ملابس"),
    ("jacket", "clothing", "clothing", "Jacke|Jacken", "jacket", "جاكيت"),
    ("winter-jacket", "clothing", "jacket", "Winterjacke|Winterjacken", "winter jacket", "جاكيت شتوي"),
    ("dress", "clothing", "clothing", "Kleid", "dress", "فستان"),
    ("clothing-store", "clothing", "*clothing", "Kleiderkammer", "clothing store", "مخزن ملابس"),
    ("car", "mobility", "", "Auto", "car", "سيارة"),
    ("bicycle", "mobility", "", "Fahrrad", "bicycle|bike", "دراجة"),
    ("volunteering", "volunteering", "", "Ehrenamt|mitmachen", "volunteering|volunteer", "تطوع"),
    ("man", "", "", "Mann|Herren", "man|men", "رجل|لرجل"),
    ("family", "", "", "Familie", "family", "عائلة"),
]


@pytest.fixture
def lexicon_file(write_lexicon):
    return write_lexicon(ROWS)


@pytest.fixture
def board(make_posting):
    make_posting(title="Winterjacken für Herren", key="jackets", category="clothing")
    make_posting(title="Kleiderkammer: Kleidung für alle", key="store", category="clothing")
    make_posting(title="Mitmachen in der Kleiderkammer", key="helping", category="volunteering")
    make_posting(title="Fahrrad abzugeben", key="bike", category="mobility")
    return make_posting


def matched(posting) -> list[str]:
    return [match.key for match in matches_for(get_search(), posting)]


def test_a_request_for_a_winter_jacket_lists_the_clothing_store_after_the_jackets(board):
    request = board(title={"ar": "جاكيت شتوي لرجل"}, type="request", category="clothing")
    assert matched(request) == ["jackets", "store"]


def test_helping_out_in_a_clothing_store_is_no_offer_of_clothes(board):
    request = board(title="Winterjacke gesucht", type="request", category="clothing")
    assert "helping" not in matched(request)


def test_a_request_for_a_car_or_for_a_wedding_dress_still_lists_nothing(board):
    car = board(title={"en": "Car for a large family"}, type="request", category="mobility")
    dress = board(title={"ar": "فستان زفاف للإعارة"}, type="request", category="clothing")
    assert matched(car) == []
    assert matched(dress) == []
