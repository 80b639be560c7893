"""How much a request's words weigh: common words judged in their own language, phrase words as parts."""

from __future__ import annotations

import pytest

from bulletin.search import get_search
from bulletin.search.aspects import TERM, Aspect
from bulletin.search.coverage import Rarity
from bulletin.search.match import matches_for

ROWS = [
    ("pram", "baby-children", "", "Kinderwagen", "pram", "عربة أطفال"),
    ("buggy", "baby-children", "pram", "Buggy", "buggy", "عربة خفيفة"),
    ("child", "", "", "Kind|Kinder", "child|children", "طفل|أطفال"),
    ("german-course", "language", "", "Deutschkurs", "German course", "دورة لغة ألمانية", "کلاس زبان آلمانی"),
]


@pytest.fixture
def lexicon_file(write_lexicon):
    return write_lexicon(ROWS)


def matches(posting) -> dict[str, float]:
    return {match.key: match.score for match in matches_for(get_search(), posting)}


def german_offers(make_posting, count: int) -> None:
    """A mostly German board: offers no request here is about."""
    for number in range(count):
        make_posting(title=f"Sofa Nummer {number}")


class _Board:
    """A searcher stand-in: 200 postings, ``arabic`` of them with an Arabic text, "عمر" (age) in 3."""

    def __init__(self, arabic: int):
        self.arabic = arabic

    def doc_count_all(self):
        return 200

    def doc_frequency(self, field, text):
        if field == "languages":
            return {"ar": self.arabic, "de": 180}.get(text, 0)
        return {"عمر": 3}.get(text, 0)


def test_a_word_is_common_or_not_among_the_postings_in_its_language():
    age = Aspect("title", {(TERM, "عمر"): 1.0})
    assert Rarity(_Board(arabic=20), "ar").common_word(age)  # 3 of 20 Arabic texts
    assert not Rarity(_Board(arabic=20)).common_word(age)  # 3 of 200 postings
    assert not Rarity(_Board(arabic=8), "ar").common_word(age)  # too few Arabic texts to tell


def test_an_arabic_request_with_age_words_still_lists_the_buggy(make_posting):
    # A mostly German board; among its Arabic texts, "عمر" (age) and "سنة" (year) are everyday words.
    german_offers(make_posting, 12)
    make_posting(title="Kinderwagen", key="pram", category="baby-children")
    make_posting(title="Buggy, leicht", key="buggy", category="baby-children")
    things = ["ملابس شتوية", "حذاء شتوي", "سرير", "كرسي", "ألعاب", "كتب", "دراجة", "حقيبة", "مكتب"]
    for number, thing in enumerate(things):
        body = "عمر الطفل سنة" if number < 3 else "بحالة جيدة"
        make_posting(title={"ar": thing}, bodies={"ar": body}, type="request")
    request = make_posting(title={"ar": "عربة أطفال، عمر الطفل سنة"}, bodies={"ar": "نمشي كثيرا"},
                           type="request", category="baby-children")
    found = matches(request)
    assert list(found) == ["pram", "buggy"]  # the buggy, a kind of pram, after the pram itself


def test_an_offer_sharing_only_the_first_word_of_a_phrase_does_not_rank_as_the_thing(make_posting):
    german_offers(make_posting, 40)  # so that "کلاس" is rare enough to bring in the sewing class
    make_posting(title="Deutschkurs am Abend", key="course", category="language")
    # A sewing class, translated: "کلاس" (class) is the first word of "کلاس زبان آلمانی" (German course).
    make_posting(title={"de": "Nähkurs", "fa": "کلاس خیاطی"}, key="sewing", category="leisure-sport")
    request = make_posting(title={"fa": "کلاس زبان آلمانی"}, bodies={"fa": "برای مادران"},
                           type="request", category="language")
    found = matches(request)
    assert list(found)[0] == "course"
    assert found.get("sewing", 0.0) < found["course"]
