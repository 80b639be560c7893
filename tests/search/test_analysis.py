"""Each step of the analysis, with real words of the board's languages."""

from __future__ import annotations

import pytest

from bulletin.search.analysis import Analyzer, Decompounder, normalise, query_languages, stem


def terms(text: str, language: str, analyzer: Analyzer | None = None) -> list[str]:
    """The stems of a text (compound parts left out)."""
    return [unit[0] for unit in (analyzer or Analyzer()).units(text, language) if unit]


# Normalisation


def test_nfkc_and_case_folding_meet_in_every_script():
    assert normalise("ＫＩＮＤＥＲＢＥＴＴ", "de") == "kinderbett"  # full-width letters
    assert normalise("Straße", "de") == "strasse"
    assert normalise("ДИТИНА", "uk") == "дитина"
    assert normalise("ﬁlm", "en") == "film"  # a ligature


def test_turkish_keeps_dotted_and_dotless_i_apart():
    assert normalise("IŞIK", "tr") == "ışık"
    assert normalise("İSTANBUL", "tr") == "istanbul"


@pytest.mark.parametrize(("written", "plain"), [
    ("أطفال", "اطفال"),  # alef with hamza above
    ("إسعاف", "اسعاف"),  # alef with hamza below
    ("آلة", "اله"),  # alef with madda, teh marbuta
    ("مَدْرَسَة", "مدرسه"),  # diacritics
    ("ســـرير", "سرير"),  # tatweel
    ("٢٠٢٤", "2024"),  # Arabic-Indic digits
    ("۱۴۰۳", "1403"),  # Persian digits
])
def test_arabic_script_forms_and_marks_are_folded(written, plain):
    assert normalise(written, "ar") == plain


def test_arabic_and_persian_yeh_and_kaf_meet_after_stemming():
    # The same word typed on an Arabic and on a Persian keyboard.
    assert stem(normalise("کمک", "fa"), "fa") == stem(normalise("كمك", "fa"), "fa")
    assert terms("كرسي", "ar") == terms("کرسی", "ar")
    assert terms("ماشين", "fa") == terms("ماشین", "fa")


def test_persian_zero_width_non_joiner_separates_a_plural_suffix():
    assert terms("کتاب‌ها", "fa") == terms("کتاب", "fa")


# Stemming


@pytest.mark.parametrize(("language", "forms"), [
    ("de", ["Fahrrad", "Fahrräder", "Fahrrädern"]),
    ("de", ["Deutschkurs", "Deutschkurse", "Deutschkursen"]),
    ("de", ["Jacke", "Jacken"]),
    ("en", ["bike", "bikes"]),
    ("en", ["chair", "chairs"]),
    ("fr", ["enfant", "enfants"]),
    ("fr", ["poussette", "poussettes"]),
    ("ru", ["коляска", "коляски", "коляску"]),
    ("ru", ["ребёнок", "ребенок"]),
    ("tr", ["bisiklet", "bisikleti", "bisikletler"]),
    ("ar", ["الأطفال", "أطفال"]),
    ("fa", ["لباس", "لباسها"]),
    ("uk", ["ліжко", "ліжка", "ліжком"]),
    ("uk", ["квартира", "квартиру", "квартири"]),
])
def test_word_forms_meet_at_one_stem(language, forms):
    stems = {terms(form, language)[0] for form in forms}
    assert len(stems) == 1, stems


def test_accents_of_latin_letters_do_not_matter():
    assert terms("Sprachcafé", "de") == terms("Sprachcafe", "de")
    assert terms("çocuk", "tr") == terms("cocuk", "tr")


def test_cyrillic_letters_keep_their_marks():
    assert terms("їжа", "uk") != terms("іжа", "uk")


@pytest.mark.parametrize(("language", "text", "left"), [
    ("de", "ein Bett für die Kinder", ["bett", "kind"]),
    ("en", "a bed for the children", ["bed", "children"]),
    ("en", "wants a bed, needs it", ["bed"]),  # a request's own verbs say nothing about what is asked
    ("fr", "un lit pour les enfants", ["lit", "enfant"]),
    ("uk", "ліжко для дитини", ["ліжк", "дитин"]),
])
def test_stopwords_are_dropped(language, text, left):
    assert terms(text, language) == left


def test_languages_without_a_stemmer_are_normalised_only():
    assert terms("Sariir Carruurta", "so") == ["sariir", "carruurta"]
    assert terms("ምግቢ", "ti") == ["ምግቢ"]


# German compounds


@pytest.fixture
def german():
    known = [stem(word, "de") for word in ("bett", "kind", "jacke", "winter", "kurs", "deutsch", "rad")]
    return Analyzer(Decompounder(lexicon_stems=known, corpus_stems=[stem("fahren", "de")]))


def test_a_compound_also_stands_for_its_parts(german):
    assert german.units("Kinderbett", "de") == [("kinderbett", "kind", "bett")]
    assert german.units("Kinderbetten", "de") == [("kinderbett", "kind", "bett")]


@pytest.mark.parametrize(("word", "parts"), [
    ("Winterjacken", ["wint", "jack"]),
    ("Deutschkurs", ["deutsch", "kur"]),
    ("Kinderfahrrad", ["kind", "fahr", "rad"]),  # three parts, split in turn
])
def test_compounds_split_with_linking_elements(german, word, parts):
    assert list(german.units(word, "de")[0][1:]) == parts


def test_unknown_parts_and_short_words_are_not_split(german):
    assert german.units("Beratung", "de") == [("berat",)]
    assert german.units("Bett", "de") == [("bett",)]


def test_the_vocabulary_of_the_postings_teaches_new_parts():
    analyzer = Analyzer(Decompounder(lexicon_stems=[stem("jacke", "de")]))
    assert analyzer.units("Daunenjacke", "de") == [("daunenjack",)]
    analyzer.decompounder.add_corpus_stems([stem("daunen", "de")])
    analyzer.forget_compounds()
    assert analyzer.units("Daunenjacke", "de") == [("daunenjack", "daun", "jack")]


# The languages a query word is tried in


@pytest.mark.parametrize(("word", "reader", "expected"), [
    ("Kinderbett", "en", ("en", "de", "fr", "tr", "ku", "so")),
    ("сарир", "de", ("uk", "ru")),
    ("سرير", "fa", ("fa", "ar", "ps")),
    ("ምግቢ", "de", ("ti",)),
])
def test_a_query_word_is_analysed_in_the_languages_of_its_script(word, reader, expected):
    assert query_languages(word, reader) == expected
