"""Turning text into index terms, per language.

Every text goes through the same steps: split into words, normalise each word (Unicode NFKC, case
folding, Arabic-script letter forms and digits), drop stopwords, stem where a stemmer exists, and for
German add the parts of compound words. A word becomes a *unit*: a tuple whose first term is the word's
stem and whose further terms are its compound parts. Postings are analysed in the language they are
written in; a query, whose language is unknown, in every language its script allows.

The Snowball stemmers come from PyStemmer (the C build of the Snowball algorithms Whoosh ships in pure
Python, with Arabic and Persian besides). Ukrainian has no maintained stemmer: a light suffix stripper
of our own stands in. Pashto, Tigrinya, Kurmanji and Somali are normalised but not stemmed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer
from whoosh.lang import has_stopwords, stopwords_for_language

from bulletin.taxonomy import LANGUAGE_CODES

SNOWBALL_ALGORITHMS = {
    "de": "german", "en": "english", "fr": "french", "ru": "russian", "tr": "turkish",
    "ar": "arabic", "fa": "persian",
}

# Which languages a word may be in, by its script; the reader's language is tried first.
LATIN_LANGUAGES = ("de", "en", "fr", "tr", "ku", "so")
CYRILLIC_LANGUAGES = ("uk", "ru")
ARABIC_SCRIPT_LANGUAGES = ("ar", "fa", "ps")
ETHIOPIC_LANGUAGES = ("ti",)

MAX_WORD_LENGTH = 40  # longer "words" are codes or noise; they are not indexed
MIN_WORD_LENGTH = 2

# A raw word: letters and digits, with the marks that may sit inside an Arabic or Latin word.
RAW_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200d])+")
WORD = re.compile(r"[^\W_]+")

# Arabic script: diacritics and tatweel go; alef, yeh, kaf, heh and teh marbuta forms meet;
# Arabic-Indic and Persian digits become ASCII digits.
_ARABIC_FOLD = {
    **dict.fromkeys(range(0x064B, 0x0660), None),  # harakat, shadda, sukun, ...
    0x0670: None,  # superscript alef
    **dict.fromkeys(range(0x06D6, 0x06EE), None),  # Quranic annotation marks
    **dict.fromkeys(range(0x0610, 0x061B), None),
    0x0640: None,  # tatweel
    0x200D: None,  # zero-width joiner
    0x0623: "\u0627", 0x0625: "\u0627", 0x0622: "\u0627", 0x0671: "\u0627",  # alef forms -> alef
    0x0629: "\u0647", 0x06C0: "\u0647", 0x06D5: "\u0647",  # teh marbuta, heh with yeh, ae -> heh
    **{0x0660 + digit: str(digit) for digit in range(10)},
    **{0x06F0 + digit: str(digit) for digit in range(10)},
}
# The yeh and kaf each stemmer expects, and the one form every stored term ends up with.
_TO_ARABIC_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u0649": "\u064a", "\u06a9": "\u0643"})
_TO_PERSIAN_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_CANONICAL_ARABIC_SCRIPT = str.maketrans({"\u06cc": "\u064a", "\u0649": "\u064a", "\u06a9": "\u0643"})
_ARABIC_FOLD_TABLE = str.maketrans(_ARABIC_FOLD)

_EXTRA_STOPWORDS = {
    "de": {"gesucht", "suche", "suchen", "sucht", "biete", "bieten", "ca", "bzw", "gr", "fürs", "ans", "ins",
           "aufs", "vom", "beim", "übers", "möglich", "gern", "gerne", "bitte"},
    "en": {"want", "wants", "wanted", "looking", "need", "needs", "needed", "offer", "offers", "offered",
           "please", "would", "like", "get"},
    "fr": {"cherche", "recherche", "besoin", "pour", "une", "des", "les"},
    "tr": {"için", "ile", "ve", "bir", "arıyoruz", "lazım", "gerekli"},
    "ru": {"нужна", "нужен", "нужно", "нужны", "ищем", "ищу", "для"},
    "uk": {"і", "й", "та", "в", "у", "на", "з", "із", "зі", "до", "для", "по", "про", "за", "від", "як",
           "що", "це", "не", "або", "чи", "але", "потрібен", "потрібна", "потрібно", "потрібні", "шукаємо",
           "шукаю", "ми", "ви", "він", "вона", "вони", "його", "її", "їх", "наш", "наша", "наші"},
    "ar": {"في", "من", "الى", "الي", "على", "علي", "عن", "مع", "او", "و", "ثم", "هذا", "هذه", "ذلك", "التي",
           "الذي", "الذين", "كل", "بعد", "قبل", "عند", "لدى", "لدي", "حتى", "حتي", "نبحث", "ابحث", "نحتاج",
           "احتاج", "مطلوب", "ل", "لل", "ب", "ال"},
    "fa": {"و", "در", "به", "از", "با", "برای", "را", "که", "این", "آن", "ان", "یا", "تا", "هم", "می", "ها",
           "های", "ای", "است", "هست", "بود", "شود", "کنید", "کنیم", "نیاز", "داریم", "دنبال", "یک"},
    "ps": {"او", "د", "په", "له", "ته", "سره", "کې", "لپاره", "چې", "دا", "هم", "یا"},
    "ku": {"û", "ji", "bi", "li", "bo", "de", "di", "ya", "yê", "yên"},
    "so": {"iyo", "ee", "oo", "ka", "ku", "u", "la", "waa", "loo"},
}


@cache
def stopwords(language: str) -> frozenset[str]:
    """Words too common to tell postings apart, normalised like the texts they are dropped from."""
    whooshs = stopwords_for_language(language) if has_stopwords(language) else ()
    words = set(whooshs) | _EXTRA_STOPWORDS.get(language, set())
    return frozenset(normalise(word, language) for word in words)


@dataclass(frozen=True)
class Token:
    """One word of a text: where it stands in the original and what it means to the index."""

    start: int
    end: int
    unit: tuple[str, ...]  # (stem, *compound parts); empty for a stopword


def normalise(word: str, language: str) -> str:
    """NFKC, Arabic-script folding and case folding (Turkish dotted and dotless i kept apart)."""
    word = unicodedata.normalize("NFKC", word)
    word = word.translate(_ARABIC_FOLD_TABLE)
    if language == "tr":
        word = word.replace("I", "ı").replace("İ", "i")
    return word.casefold()


def _fold_latin_accents(term: str) -> str:
    """café and cafe, Müller and Muller meet: marks go from Latin letters (not from Cyrillic й or ї)."""
    if term.isascii() or any(char >= "\u0400" for char in term):
        return term
    bare = "".join(char for char in unicodedata.normalize("NFD", term) if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)


# Snowball's German stemmer keeps the s of "Kurse" but drops that of "Kurs": dropping it always makes them
# meet. The letters are Snowball's own "valid s-endings", plus y for loanwords (Handys).
_GERMAN_S_ENDINGS = frozenset("bdfghklmnrty")


def _german_after_stem(stem: str) -> str:
    if len(stem) > 4 and stem.endswith("s") and stem[-2] in _GERMAN_S_ENDINGS:
        return stem[:-1]
    return stem


_UKRAINIAN_SUFFIXES = tuple(sorted((
    # adjectives and participles
    "ого", "ому", "ими", "іми", "ий", "ій", "ім", "их", "іх", "ої", "ою", "ою", "ая", "яя", "а", "е", "є",
    "і", "ї", "у", "ю", "я", "о", "и", "ь", "ові", "еві", "єві", "ам", "ям", "ами", "ями", "ах", "ях",
    "ів", "їв", "ей", "ом", "ем", "єм", "ею", "єю", "ти", "ати", "яти", "ити", "іти", "ють", "ять",
    "ать", "ить", "уть", "ує", "ують", "ував", "увала", "ували", "ння", "нню", "нням", "ннями", "ннях",
), key=len, reverse=True))
_UKRAINIAN_MIN_STEM = 3


def _ukrainian_stem(word: str) -> str:
    """A light stemmer: strips the longest common inflectional ending, keeping at least three letters."""
    for suffix in _UKRAINIAN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _UKRAINIAN_MIN_STEM:
            return word[: -len(suffix)]
    return word


class _Stemmers:
    """PyStemmer objects are not thread-safe and not picklable: one set per thread, made on first use."""

    def __init__(self) -> None:
        import threading

        self._local = threading.local()

    def get(self, language: str):
        stemmers = getattr(self._local, "stemmers", None)
        if stemmers is None:
            stemmers = self._local.stemmers = {
                code: Stemmer.Stemmer(algorithm) for code, algorithm in SNOWBALL_ALGORITHMS.items()
            }
        return stemmers.get(language)


_STEMMERS = _Stemmers()


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The index term of one normalised word in ``language``."""
    if language == "uk":
        return _ukrainian_stem(word)
    if language in ("ar", "fa"):
        word = word.translate(_TO_PERSIAN_LETTERS if language == "fa" else _TO_ARABIC_LETTERS)
    elif language in ("de", "en"):
        word = _fold_latin_accents(word)  # loanwords: "Café" stems like "Cafe"; umlauts go either way
    stemmer = _STEMMERS.get(language)
    term = stemmer.stemWord(word) if stemmer is not None else word
    if language == "de":
        term = _german_after_stem(term)
    if not term:
        term = word
    return _fold_latin_accents(term.translate(_CANONICAL_ARABIC_SCRIPT))


class Decompounder:
    """Splits German compounds into parts the board knows: "Kinderbett" adds "kind" and "bett".

    A part is known when its stem is in the vocabulary: the German words of the concept lexicon and of
    the indexed postings. The head (last part) is found first, longest first; what stands before it,
    less a linking element (-s-, -n-, -en-, -er-, -e-, -es-), must be known or split in turn.
    """

    LINKS = ("", "s", "n", "en", "er", "e", "es")
    MIN_WORD = 6
    MIN_PART = 3  # for parts the lexicon knows
    MIN_CORPUS_PART = 4  # for parts only the postings know: fewer accidental splits
    MAX_PARTS = 4

    def __init__(self, lexicon_stems: Iterable[str] = (), corpus_stems: Iterable[str] = ()) -> None:
        self.lexicon_stems: set[str] = set(lexicon_stems)
        self.corpus_stems: set[str] = set(corpus_stems)
        self._cache: dict[str, tuple[str, ...]] = {}

    def forget_corpus_stems(self) -> None:
        """Start the postings' vocabulary afresh (the splits it gave go with it)."""
        self.corpus_stems = set()
        self._cache.clear()

    def add_corpus_stems(self, stems: Iterable[str]) -> None:
        before = len(self.corpus_stems)
        self.corpus_stems.update(stem for stem in stems if len(stem) >= self.MIN_CORPUS_PART)
        if len(self.corpus_stems) != before:
            self._cache.clear()

    def _known(self, part: str) -> str | None:
        """The stem of ``part`` if the vocabulary knows it."""
        if len(part) < self.MIN_PART or part in GERMAN_STOPWORDS:
            return None
        term = stem(part, "de")
        if term in self.lexicon_stems or part in self.lexicon_stems:
            return term
        if len(part) >= self.MIN_CORPUS_PART and term in self.corpus_stems:
            return term
        return None

    def split(self, word: str) -> tuple[str, ...]:
        """The stems of the parts of a normalised word, or () when it is no compound the board knows."""
        if len(word) < self.MIN_WORD or not word.isalpha():
            return ()
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._split(word, self.MAX_PARTS) or ()
            if len(self._cache) > 200_000:
                self._cache.clear()
        return cached

    def _split(self, word: str, depth: int) -> tuple[str, ...] | None:
        if depth < 2:
            return None
        for cut in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head = self._known(word[cut:])
            if head is None:
                continue
            modifier = word[:cut]
            for link in self.LINKS:
                if link and not modifier.endswith(link):
                    continue
                stem_part = modifier[: len(modifier) - len(link)] if link else modifier
                known = self._known(stem_part)
                if known is not None:
                    return (known, head)
                inner = self._split(stem_part, depth - 1)
                if inner:
                    return (*inner, head)
        return None


GERMAN_STOPWORDS: frozenset[str] = frozenset()  # filled below, once normalise exists


class Analyzer:
    """Text of one language into tokens, with a cache per distinct word (most words recur)."""

    CACHE_LIMIT = 300_000

    def __init__(self, decompounder: Decompounder | None = None) -> None:
        self.decompounder = decompounder or Decompounder()
        self._stopwords = {code: stopwords(code) for code in LANGUAGE_CODES}
        self._units: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {}
        self.version = 0  # counts the vocabulary's changes: what was analysed before may split differently

    def forget_compounds(self) -> None:
        """Drop cached German units after the decompounder's vocabulary has grown."""
        self._units = {key: value for key, value in self._units.items() if key[0] != "de"}
        self.version += 1

    def word_units(self, raw: str, language: str) -> tuple[tuple[str, ...], ...]:
        """The units of one raw word (usually one; NFKC may split a word, a stopword gives an empty unit)."""
        key = (language, raw)
        units = self._units.get(key)
        if units is not None:
            return units
        dropped = self._stopwords.get(language, frozenset())
        found = []
        for word in WORD.findall(normalise(raw, language)):
            if word in dropped or len(word) > MAX_WORD_LENGTH or (len(word) < MIN_WORD_LENGTH):
                found.append(())
                continue
            term = stem(word, language)
            parts = self.decompounder.split(word) if language == "de" else ()
            found.append((term, *[part for part in parts if part != term]))
        units = tuple(found)
        if len(self._units) > self.CACHE_LIMIT:
            self._units.clear()
        self._units[key] = units
        return units

    def tokens(self, text: str, language: str) -> Iterator[Token]:
        """Every word of ``text`` with its place, stopwords included as empty units."""
        for match in RAW_WORD.finditer(text):
            for unit in self.word_units(match.group(), language):
                yield Token(match.start(), match.end(), unit)

    def units(self, text: str, language: str) -> list[tuple[str, ...]]:
        """The units of ``text`` in order; stopwords are empty units, so positions stay meaningful."""
        result: list[tuple[str, ...]] = []
        for raw in RAW_WORD.findall(text):
            result.extend(self.word_units(raw, language))
        return result

    def surface_words(self, text: str, language: str) -> list[str]:
        """The normalised, unstemmed words (no stopwords): what "did you mean" may suggest."""
        dropped = self._stopwords.get(language, frozenset())
        return [
            word for word in WORD.findall(normalise(text, language))
            if MIN_WORD_LENGTH < len(word) <= MAX_WORD_LENGTH and word not in dropped and not word.isdigit()
        ]

    def german_stems(self, text: str) -> set[str]:
        """The stems of a German text without splitting: the decompounder's corpus vocabulary."""
        dropped = self._stopwords["de"]
        return {
            stem(word, "de") for word in WORD.findall(normalise(text, "de"))
            if word not in dropped and len(word) >= Decompounder.MIN_CORPUS_PART and word.isalpha()
        }


def script_languages(word: str) -> tuple[str, ...]:
    """The languages a word may be in, judged by its first letter's script."""
    for char in word:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0400 <= code <= 0x04FF:
            return CYRILLIC_LANGUAGES
        if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
            return ARABIC_SCRIPT_LANGUAGES
        if 0x1200 <= code <= 0x139F:
            return ETHIOPIC_LANGUAGES
        if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            return LATIN_LANGUAGES
        return ()
    return LATIN_LANGUAGES


def query_languages(word: str, reader: str | None) -> tuple[str, ...]:
    """The languages to analyse a query word in: those of its script, the reader's language first."""
    candidates = script_languages(word)
    if reader in candidates:
        return (reader, *[code for code in candidates if code != reader])
    return candidates or ((reader,) if reader else ("en",))


GERMAN_STOPWORDS = stopwords("de")
