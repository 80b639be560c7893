"""Shape of the concept lexicon bulletin/data/concepts.tsv (see docs/concepts.md).

The search expands queries and postings to concepts through this file, so a malformed row or a word
that silently belongs to two concepts changes search results. These tests check the form only; whether
a translation is good is a matter for review.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from bulletin.taxonomy import CATEGORY_SLUGS, LANGUAGE_CODES

LEXICON = Path(__file__).resolve().parents[1] / "bulletin" / "data" / "concepts.tsv"
HEADER = "concept\tcategory\tbroader\tde\ten\tar\tfa\tuk\tru\ttr\tfr\tps\tti\tku\tso"
LANGS = HEADER.split("\t")[3:]
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# A word may stand in two concepts of the same language only if it is listed here, with the concepts
# it belongs to and the reason. Keep this list short: usually the better fix is to move the word to
# the one concept it means, or to write the longer phrase that tells the meanings apart.
ALLOWED_SHARED: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("de", "babywanne"): (
        frozenset({"pram", "baby-equipment"}),
        "means both the carrycot of a pram and a baby bath; an offer of either is worth showing",
    ),
}

# Letters that give away the wrong script or the neighbouring language.
ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")
ARABIC_DIACRITICS = re.compile(r"[\u064b-\u0652\u0670]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ETHIOPIC = re.compile(r"[\u1200-\u139f\u2d80-\u2ddf]")
LATIN_LETTERS = re.compile(r"[a-zA-Z]")
CEFR_LEVEL = re.compile(r"\b[abc][12]\b")  # "B1" is written in Latin letters in every language
WRONG_LETTERS = {
    "ar": re.compile(r"[یکۍې]"),  # Persian/Pashto ye and kaf
    "fa": re.compile(r"[يكى]"),  # Arabic ye, kaf and alef maksura
    "uk": re.compile(r"[ыэъё]"),  # Russian-only letters
    "ru": re.compile(r"[іїєґ]"),  # Ukrainian-only letters
}
LATIN_SCRIPT_LANGS = {"de", "en", "tr", "fr", "ku", "so"}
ARABIC_SCRIPT_LANGS = {"ar", "fa", "ps"}


def read_lines() -> list[str]:
    with open(LEXICON, encoding="utf-8", newline="") as handle:
        text = handle.read()
    assert "\r" not in text, "line endings must be \\n"
    assert text.endswith("\n"), "the file must end with a newline"
    return text[:-1].split("\n")


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return read_lines()


@pytest.fixture(scope="module")
def rows(lines) -> list[dict[str, str]]:
    """The rows as dicts; a short row is padded so that the other tests still run (the cell count is
    checked on its own)."""
    columns = HEADER.split("\t")
    padded = [(line.split("\t") + [""] * len(columns))[: len(columns)] for line in lines[1:]]
    return [dict(zip(columns, cells, strict=True)) for cells in padded]


def words(cell: str) -> list[str]:
    return cell.split("|") if cell else []


def test_header_is_exact_and_names_the_board_languages(lines):
    assert lines[0] == HEADER
    assert tuple(LANGS) == LANGUAGE_CODES


def test_every_row_has_fifteen_cells(lines):
    counts = [(number, len(line.split("\t"))) for number, line in enumerate(lines[1:], 2)]
    bad = [(number, count) for number, count in counts if count != 15]
    assert bad == [], f"(line, cells) with a wrong number of cells: {bad}"


def test_ids_are_unique_and_well_formed(rows):
    ids = [row["concept"] for row in rows]
    assert [i for i in ids if not ID_PATTERN.fullmatch(i)] == []
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_categories_are_board_categories_or_empty(rows):
    bad = {row["concept"]: row["category"] for row in rows if row["category"] not in ("", *CATEGORY_SLUGS)}
    assert bad == {}


def test_broader_names_other_known_concepts_without_cycles(rows):
    ids = {row["concept"] for row in rows}
    # "*clothing" is a broader link that also marks a general provider (docs/concepts.md).
    parents = {row["concept"]: [word.removeprefix("*") for word in words(row["broader"])] for row in rows}
    assert {c: p for c, ps in parents.items() for p in ps if p not in ids or p == c} == {}

    def reaches_itself(start: str) -> bool:
        seen, todo = set(), list(parents[start])
        while todo:
            current = todo.pop()
            if current == start:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(parents.get(current, []))
        return False

    assert [c for c in parents if reaches_itself(c)] == []


def test_german_and_english_are_always_filled(rows):
    assert [row["concept"] for row in rows if not row["de"] or not row["en"]] == []


def test_lists_have_no_empty_items_no_stray_spaces_and_no_repeats(rows):
    problems = []
    for row in rows:
        for lang in LANGS:
            cell = row[lang]
            if not cell:
                continue
            items = cell.split("|")
            for item in items:
                if not item:
                    problems.append(f"{row['concept']} {lang}: empty item")
                elif item != item.strip() or "  " in item:
                    problems.append(f"{row['concept']} {lang}: spaces around or inside {item!r}")
                elif unicodedata.normalize("NFC", item) != item:
                    problems.append(f"{row['concept']} {lang}: {item!r} is not NFC")
            folded = [item.casefold() for item in items]
            repeated = sorted({item for item in folded if folded.count(item) > 1})
            if repeated:
                problems.append(f"{row['concept']} {lang}: repeated {repeated}")
    assert problems == []


def test_words_are_written_in_the_right_script_and_case(rows):
    problems = []
    for row in rows:
        for lang in LANGS:
            for item in words(row[lang]):
                letters = CEFR_LEVEL.sub("", item.casefold())
                where = f"{row['concept']} {lang}: {item!r}"
                if lang != "de" and item != item.lower():
                    problems.append(f"{where} must be lower-case")
                if lang in WRONG_LETTERS and WRONG_LETTERS[lang].search(item):
                    problems.append(f"{where} has a letter of another language")
                if lang in ARABIC_SCRIPT_LANGS and (LATIN_LETTERS.search(letters) or CYRILLIC.search(item)):
                    problems.append(f"{where} mixes scripts")
                if lang in ARABIC_SCRIPT_LANGS and ARABIC_DIACRITICS.search(item):
                    problems.append(f"{where} has vowel marks")
                if lang in ("uk", "ru") and (LATIN_LETTERS.search(letters) or ARABIC_LETTERS.search(item)):
                    problems.append(f"{where} mixes scripts")
                if lang == "ti" and not ETHIOPIC.search(letters):
                    problems.append(f"{where} is not in Ge'ez script")
                foreign = ARABIC_LETTERS.search(item) or CYRILLIC.search(item) or ETHIOPIC.search(item)
                if lang in LATIN_SCRIPT_LANGS and foreign:
                    problems.append(f"{where} is not in Latin script")
    assert problems == []


def shared_words(rows) -> dict[tuple[str, str], set[str]]:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        for lang in LANGS:
            for item in words(row[lang]):
                owners[(lang, item.casefold())].add(row["concept"])
    return {key: concepts for key, concepts in owners.items() if len(concepts) > 1}


def test_a_word_belongs_to_one_concept_unless_allowed(rows):
    shared = shared_words(rows)
    unexpected = {
        f"{lang} {word!r}: {sorted(concepts)}"
        for (lang, word), concepts in shared.items()
        if (lang, word) not in ALLOWED_SHARED or ALLOWED_SHARED[(lang, word)][0] != concepts
    }
    assert sorted(unexpected) == [], "words in two concepts of the same language (move them or allow them)"


def test_the_allow_list_has_no_stale_entries(rows):
    shared = shared_words(rows)
    assert sorted(key for key in ALLOWED_SHARED if key not in shared) == []
