"""The concept lexicon: the board's file has the shape the loader needs, and the loader finds concepts
in texts the way search and matching rely on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bulletin.search import lexicon
from bulletin.search.analysis import Analyzer, Decompounder, stem
from bulletin.search.aspects import CONCEPT, NARROWER, related_keys

ROOT = Path(__file__).resolve().parents[2]
HEADER = "\t".join(lexicon.HEADER)


def intended_duplicates() -> dict[tuple[str, str], frozenset[str]]:
    """The words the lexicon's own rules (tests/test_concepts.py) allow in two concepts."""
    path = ROOT / "tests" / "test_concepts.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location("lexicon_rules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {key: concepts for key, (concepts, _reason) in getattr(module, "ALLOWED_SHARED", {}).items()}


# The board's own file


@pytest.fixture(scope="module")
def board_rows():
    rows, problems = lexicon.read_rows(lexicon.DEFAULT_PATH)
    assert problems == [], problems  # header, column count, no empty rows
    return rows


def test_the_board_lexicon_has_the_shape_the_loader_needs(board_rows):
    assert board_rows, "the lexicon has no concepts"
    assert lexicon.problems_of(board_rows) == []  # ids unique and well formed, categories, de and en


def test_no_word_of_the_board_lexicon_means_two_concepts_unless_intended(board_rows):
    allowed = intended_duplicates()
    unintended = {
        key: sorted(concepts) for key, concepts in lexicon.duplicate_words(board_rows).items()
        if allowed.get(key) != frozenset(concepts)
    }
    assert unintended == {}


def test_the_board_lexicon_loads_with_words_in_many_languages(board_rows):
    loaded = lexicon.load()
    assert len(loaded) == len(board_rows)
    assert {"de", "en", "ar", "fa", "uk", "ru", "tr", "fr"} <= set(loaded.entries)


# The checks themselves, on files with known faults


def write(tmp_path, *lines: str) -> str:
    path = tmp_path / "concepts.tsv"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def row(concept: str, category: str = "", de: str = "Wort", en: str = "word", **others: str) -> str:
    cells = {"de": de, "en": en, **others}
    return "\t".join([concept, category, *(cells.get(code, "") for code in lexicon.HEADER[2:])])


def test_a_wrong_header_is_refused(tmp_path):
    _rows, problems = lexicon.read_rows(write(tmp_path, "concept\tde\ten", row("a")))
    assert [problem.line for problem in problems] == [1]


def test_empty_rows_and_short_rows_are_named_by_line(tmp_path):
    _rows, problems = lexicon.read_rows(write(tmp_path, HEADER, row("a"), "\t" * 14, "b\tclothing\tHemd"))
    assert [(problem.line, problem.message) for problem in problems] == [
        (3, "empty row"), (4, "3 columns instead of 15"),
    ]


def test_rule_breaking_rows_are_named(tmp_path):
    rows, _problems = lexicon.read_rows(write(
        tmp_path, HEADER, row("bed"), row("bed"), row("Bad Id"), row("sofa", "sofas"), row("x", en=""),
    ))
    messages = [(problem.line, problem.message) for problem in lexicon.problems_of(rows)]
    assert messages == [
        (3, "concept id 'bed' appears twice"),
        (4, "concept id 'Bad Id' is not lower-case words joined by -"),
        (5, "unknown category 'sofas'"),
        (6, "x: no en word"),
    ]


def test_duplicate_words_are_found_whatever_their_case(tmp_path):
    rows, _problems = lexicon.read_rows(write(tmp_path, HEADER, row("a", de="Schrank|Regal", en="cupboard"),
                                              row("b", de="schrank", en="wardrobe")))
    assert lexicon.duplicate_words(rows) == {("de", "schrank"): {"a", "b"}}


def test_a_missing_file_is_an_empty_lexicon(tmp_path):
    assert len(lexicon.load(str(tmp_path / "none.tsv"))) == 0


# Finding concepts in texts


@pytest.fixture
def loaded(lexicon_file):
    return lexicon.load(lexicon_file)


@pytest.fixture
def analyzer(loaded):
    return Analyzer(Decompounder(lexicon_stems=loaded.german_stems(), corpus_stems=["holz"]))


@pytest.mark.parametrize(("text", "language", "concept"), [
    ("Kinderbetten abzugeben", "de", "bed-child"),  # an inflected form
    ("نبحث عن سرير أطفال", "ar", "bed-child"),  # a phrase
    ("سرير للأطفال", "ar", "bed"),
    ("Шукаємо дитяче ліжко", "uk", "bed-child"),
    ("Ищем детскую кровать", "ru", "bed-child"),
    ("Çocuk yatağı lazım", "tr", "bed-child"),
    ("Lit d'enfant", "fr", "bed-child"),
    ("تخت بچه", "fa", "bed-child"),
    ("Waschautomat, 7 kg", "de", "washing-machine"),  # a synonym
])
def test_texts_in_every_language_meet_at_their_concept(loaded, analyzer, text, language, concept):
    assert concept in loaded.match(analyzer.units(text, language), language)


def test_a_compound_the_lexicon_lacks_is_read_through_its_parts(loaded, analyzer):
    found = loaded.match(analyzer.units("Holzkinderbett", "de"), "de")
    assert found["bed-child"] == lexicon.HEAD_WEIGHT
    assert "child" not in found or found["child"] < found["bed-child"]


def test_a_compound_the_lexicon_knows_is_not_also_read_through_its_parts(loaded, analyzer):
    assert loaded.match(analyzer.units("Kinderbett", "de"), "de") == {"bed-child": lexicon.WHOLE_WEIGHT}


def test_a_phrase_needs_its_words_near_each_other(loaded, analyzer):
    near = analyzer.units("Deutschkurs", "de")
    assert "german-course" in loaded.match(near, "de")
    far = analyzer.units("دورة في المساء، وهناك أيضاً لغة عربية وكلام كثير ثم ألمانية", "ar")
    assert "german-course" not in loaded.match(far, "ar")


def test_labels_are_in_the_reader_language_else_english(loaded):
    assert loaded.label("pram", "fr") == "poussette"
    assert loaded.label("pram", "so") == "pram"
    assert loaded.label("unknown", "de") == "unknown"


def test_german_words_feed_the_decompounder(loaded):
    assert {stem("kinderwagen", "de"), stem("bett", "de")} <= loaded.german_stems()


def test_broader_concepts_are_followed_transitively_and_checked(tmp_path):
    rows, problems = lexicon.read_rows(write(
        tmp_path, HEADER, row("clothing", "clothing", de="Kleidung", en="clothes"),
        row("jacket", "clothing", de="Jacke", en="jacket", broader="clothing"),
        row("winter-jacket", "clothing", de="Winterjacke", en="winter jacket", broader="jacket"),
        row("odd", de="Ding", en="thing", broader="nowhere|odd"),
    ))
    assert problems == []
    messages = [problem.message for problem in lexicon.problems_of(rows)]
    assert messages == ["odd: unknown broader concept 'nowhere'", "odd: broader than itself"]
    built = lexicon.build(rows)
    assert built.ancestors("winter-jacket") == {"jacket": 1, "clothing": 2}
    assert built.has_narrower("clothing") and not built.has_narrower("winter-jacket")
    keys = related_keys(built, "jacket", 1.0)
    assert keys == {(CONCEPT, "clothing"): lexicon.BROADER_WEIGHT,
                    (NARROWER, "jacket"): lexicon.NARROWER_WEIGHT}


def test_a_marked_broader_link_makes_a_general_provider(tmp_path):
    rows, _problems = lexicon.read_rows(write(
        tmp_path, HEADER, row("clothing", "clothing", de="Kleidung", en="clothes"),
        row("jacket", "clothing", de="Jacke", en="jacket", broader="clothing"),
        row("winter-jacket", "clothing", de="Winterjacke", en="winter jacket", broader="jacket"),
        row("clothing-store", "clothing", de="Kleiderkammer", en="clothing store", broader="*clothing"),
        row("odd", de="Ding", en="thing", broader="*nowhere"),
    ))
    messages = [problem.message for problem in lexicon.problems_of(rows)]
    assert messages == ["odd: unknown broader concept 'nowhere'"]
    built = lexicon.build(rows)
    assert built.ancestors("clothing-store") == {"clothing": 1}  # still a broader link
    provided = built.provided("clothing-store")
    assert set(provided) == {"clothing", "jacket", "winter-jacket", "clothing-store"}
    assert set(provided.values()) == {lexicon.PROVIDER_WEIGHT}
    assert built.provided("jacket") == {}
