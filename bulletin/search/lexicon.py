"""The multilingual concept lexicon (bulletin/data/concepts.tsv): words in many languages, one meaning.

A posting or a query is expanded to the concepts its words name, so that "سرير أطفال" and "Kinderbett"
meet at ``bed-child`` although they share no word. Every word or phrase of the file is analysed like the
texts it is compared with (normalised and stemmed in its language), so inflected forms match too.

The file is UTF-8 TSV with the header ``concept, category, de, en, ar, fa, uk, ru, tr, fr, ps, ti, ku, so``;
each language cell lists words or short phrases separated by ``|``. docs/concepts.md explains how to add
a concept.
"""

from __future__ import annotations

import csv
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from bulletin.search.analysis import WORD, normalise, stem, stopwords
from bulletin.taxonomy import CATEGORY_SLUGS, LANGUAGE_CODES

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PATH = os.path.join(PACKAGE_DIR, "data", "concepts.tsv")
HEADER = ("concept", "category", "broader", *LANGUAGE_CODES)
OLD_HEADER = ("concept", "category", *LANGUAGE_CODES)  # the form before the optional ``broader`` column
CONCEPT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# How much a concept counts when it is named by a whole word, by the head of a compound ("Kinder*bett*"),
# or only by a modifier ("*Kinder*bett"): the head says what a thing is, a modifier only what kind.
WHOLE_WEIGHT = 1.0
HEAD_WEIGHT = 0.7
MODIFIER_WEIGHT = 0.35
PHRASE_WINDOW = 3  # a phrase's words may stand this many words apart
# How far a concept stands in for a narrower or broader one (the ``broader`` column): an offer of the
# broader concept (a clothing store, "Kleidung") partly fits a request for the narrower one (a winter
# jacket), and a posting of a narrower one (a sofa) partly fits a query or request for the broader one
# ("Möbel"). Per level of the hierarchy.
BROADER_WEIGHT = 0.5
NARROWER_WEIGHT = 0.6
NARROWER_PREFIX = ">"  # the index term of "something under this concept": ">furniture" for a sofa
MAX_DEPTH = 4
# A ``broader`` id written with this mark makes the concept a *general provider* of it: a place or service
# that has every kind of that thing ("*clothing" for a clothing store: jackets, coats, shoes, baby clothes).
# Its offer covers a request for any concept under it at PROVIDER_WEIGHT, however rare or deep that is.
PROVIDER_MARK = "*"
PROVIDER_WEIGHT = 0.5


@dataclass(frozen=True)
class Concept:
    id: str
    category: str | None
    words: dict[str, tuple[str, ...]]  # language -> words and phrases as written in the file
    broader: tuple[str, ...] = ()  # the more general concepts this one is a kind of
    provides: tuple[str, ...] = ()  # the broader concepts it is a general provider of (see PROVIDER_MARK)


@dataclass
class Lexicon:
    concepts: dict[str, Concept] = field(default_factory=dict)
    # language -> first stem of a phrase -> [(all stems of the phrase, concept id)]
    entries: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.concepts)

    def german_stems(self) -> set[str]:
        """Every German word of the lexicon, stemmed: what the decompounder may split compounds into."""
        stems: set[str] = set()
        for entries in self.entries.get("de", {}).values():
            for terms, _concept in entries:
                stems.update(terms)
        return stems

    def concepts_in(self, category: str) -> list[str]:
        """The concepts the lexicon files under ``category``, in file order."""
        by_category = self.__dict__.get("_by_category")
        if by_category is None:
            by_category = {}
            for concept in self.concepts.values():
                if concept.category:
                    by_category.setdefault(concept.category, []).append(concept.id)
            self.__dict__["_by_category"] = by_category
        return by_category.get(category, [])

    def ancestors(self, concept_id: str) -> dict[str, int]:
        """The broader concepts of ``concept_id``, transitively, each with its distance (1 = direct)."""
        cache = self.__dict__.setdefault("_ancestors", {})
        found = cache.get(concept_id)
        if found is None:
            found = {}
            level = [concept_id]
            for depth in range(1, MAX_DEPTH + 1):
                following = []
                for current in level:
                    concept = self.concepts.get(current)
                    for parent in concept.broader if concept else ():
                        if parent != concept_id and parent not in found and parent in self.concepts:
                            found[parent] = depth
                            following.append(parent)
                level = following
            cache[concept_id] = found
        return found

    def has_narrower(self, concept_id: str) -> bool:
        """Whether some concept names ``concept_id`` as broader (directly or not)."""
        parents = self.__dict__.get("_parents")
        if parents is None:
            parents = {parent for concept in self.concepts for parent in self.ancestors(concept)}
            self.__dict__["_parents"] = parents
        return concept_id in parents

    def provided(self, concept_id: str) -> dict[str, float]:
        """What an offer naming ``concept_id`` stands for as a general provider: every concept under the
        ones it provides (and those themselves), each at PROVIDER_WEIGHT."""
        cache = self.__dict__.setdefault("_provided", {})
        found = cache.get(concept_id)
        if found is None:
            concept = self.concepts.get(concept_id)
            targets = set(concept.provides) if concept else set()
            found = {}
            if targets:
                for other in self.concepts:
                    if other in targets or targets & self.ancestors(other).keys():
                        found[other] = PROVIDER_WEIGHT
            cache[concept_id] = found
        return found

    def category(self, concept_id: str) -> str | None:
        concept = self.concepts.get(concept_id)
        return concept.category if concept else None

    def label(self, concept_id: str, language: str) -> str:
        """The concept's first word in ``language``, else in English or German, else its id."""
        concept = self.concepts.get(concept_id)
        if concept is None:
            return concept_id
        for code in (language, "en", "de"):
            if concept.words.get(code):
                return concept.words[code][0]
        return concept_id

    def match(self, units: Sequence[tuple[str, ...]], language: str) -> dict[str, float]:
        """The concepts named in a text (its analysed units), each with how clearly it is named."""
        found: dict[str, float] = {}
        for concept, weight, _positions in self.spans(units, language):
            if weight > found.get(concept, 0.0):
                found[concept] = weight
        return found

    def spans(self, units: Sequence[tuple[str, ...]], language: str) -> list[tuple[str, float, range]]:
        """Each naming of a concept in a text: the concept, how clearly, and the units it covers."""
        entries = self.entries.get(language)
        if not entries:
            return []
        found: list[tuple[str, float, range]] = []
        for position, unit in enumerate(units):
            if not unit:
                continue
            whole_single = False
            for terms, concept in entries.get(unit[0], ()):
                if len(terms) == 1:
                    whole_single = True
                    found.append((concept, WHOLE_WEIGHT, range(position, position + 1)))
                else:
                    covered = _phrase_at(units, position, terms)
                    if covered:
                        found.append((concept, WHOLE_WEIGHT, covered))
            if whole_single or len(unit) == 1:
                continue
            # The lexicon does not know the compound as a whole: its parts speak for it.
            parts = unit[1:]
            for index, part in enumerate(parts):
                weight = HEAD_WEIGHT if index == len(parts) - 1 else MODIFIER_WEIGHT
                for terms, concept in entries.get(part, ()):
                    covered = (range(position, position + 1) if len(terms) == 1
                               else _phrase_at(units, position, terms))
                    if covered:
                        found.append((concept, weight, covered))
        return found


def _phrase_at(units: Sequence[tuple[str, ...]], position: int, terms: tuple[str, ...]) -> range | None:
    """The units a phrase covers when all its words stand near ``position`` (any order, compound parts
    included); None when they do not."""
    start = max(0, position - PHRASE_WINDOW)
    end = min(len(units), position + len(terms) + PHRASE_WINDOW)
    places = [position]
    for term in terms[1:]:
        place = next((index for index in range(start, end) if term in units[index]), None)
        if place is None:
            return None
        places.append(place)
    return range(min(places), max(places) + 1)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def split_cell(cell: str) -> list[str]:
    return [item.strip() for item in (cell or "").split("|") if item.strip()]


def read_rows(path: str) -> tuple[list[dict[str, str]], list[Problem]]:
    """The file's rows (line numbers under "_line") and what is wrong with its shape."""
    problems: list[Problem] = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            return [], [Problem(1, "the file is empty")]
        columns = tuple(column.strip().lstrip("\ufeff") for column in header)
        if columns not in (HEADER, OLD_HEADER):
            problems.append(Problem(1, f"the header must be: {' '.join(HEADER)}"))
            return [], problems
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                problems.append(Problem(number, "empty row"))
                continue
            if len(cells) != len(columns):
                problems.append(Problem(number, f"{len(cells)} columns instead of {len(columns)}"))
                continue
            values = {"broader": "", **dict(zip(columns, (cell.strip() for cell in cells), strict=True))}
            rows.append({"_line": str(number), **values})
    return rows, problems


def _phrase_stems(phrase: str, language: str) -> tuple[str, ...]:
    return tuple(stem(word, language) for word in _words(phrase, language))


def build(rows: list[dict[str, str]]) -> Lexicon:
    lexicon = Lexicon()
    for row in rows:
        concept_id = row["concept"]
        if not concept_id or concept_id in lexicon.concepts:
            continue
        words = {code: tuple(split_cell(row.get(code, ""))) for code in LANGUAGE_CODES}
        category = row.get("category") or None
        links = split_cell(row.get("broader", ""))
        broader = tuple(link.removeprefix(PROVIDER_MARK) for link in links)
        provides = tuple(link.removeprefix(PROVIDER_MARK) for link in links if link.startswith(PROVIDER_MARK))
        lexicon.concepts[concept_id] = Concept(concept_id, category, {k: v for k, v in words.items() if v},
                                               broader, provides)
        for code, phrases in words.items():
            stop = stopwords(code)
            for phrase in phrases:
                terms = _phrase_stems(phrase, code)
                # Stopwords go, as they go from texts ("Bett für Kinder" is "bett kind"); a phrase made
                # only of stopwords keeps them, to mean something at all.
                content = tuple(term for term, word in zip(terms, _words(phrase, code), strict=True)
                                if word not in stop) or terms
                if not content:
                    continue
                bucket = lexicon.entries.setdefault(code, {}).setdefault(content[0], [])
                if (content, concept_id) not in bucket:
                    bucket.append((content, concept_id))
    return lexicon


def _words(phrase: str, language: str) -> list[str]:
    """The phrase's words, normalised; words of one letter are noise, as in texts."""
    return [word for word in WORD.findall(normalise(phrase, language)) if len(word) > 1]


def problems_of(rows: list[dict[str, str]]) -> list[Problem]:
    """What breaks the lexicon's rules in rows that have the right shape."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for row in rows:
        line = int(row["_line"])
        concept_id = row["concept"]
        if not CONCEPT_ID.match(concept_id or ""):
            problems.append(Problem(line, f"concept id {concept_id!r} is not lower-case words joined by -"))
        elif concept_id in seen:
            problems.append(Problem(line, f"concept id {concept_id!r} appears twice"))
        seen.add(concept_id)
        if row["category"] and row["category"] not in CATEGORY_SLUGS:
            problems.append(Problem(line, f"unknown category {row['category']!r}"))
        for code in ("de", "en"):
            if not split_cell(row[code]):
                problems.append(Problem(line, f"{concept_id}: no {code} word"))
    for row in rows:
        line, concept_id = int(row["_line"]), row["concept"]
        for link in split_cell(row.get("broader", "")):
            parent = link.removeprefix(PROVIDER_MARK)
            if parent not in seen:
                problems.append(Problem(line, f"{concept_id}: unknown broader concept {parent!r}"))
            elif parent == concept_id:
                problems.append(Problem(line, f"{concept_id}: broader than itself"))
    return problems


def duplicate_words(rows: list[dict[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Words or phrases written alike (case aside) in more than one concept of the same language:
    (language, word) -> concepts. Such a word expands to every one of them."""
    owners: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        for code in LANGUAGE_CODES:
            for phrase in split_cell(row.get(code, "")):
                written = unicodedata.normalize("NFC", phrase).casefold()
                owners.setdefault((code, written), set()).add(row["concept"])
    return {key: concepts for key, concepts in owners.items() if len(concepts) > 1}


_CACHE: dict[tuple[str, float], Lexicon] = {}
_CACHE_LOCK = threading.Lock()


def load(path: str | None = None) -> Lexicon:
    """The lexicon in ``path`` (default: the board's own), cached until the file changes.

    A missing file gives an empty lexicon: search works without concepts, only less well across languages.
    """
    path = path or DEFAULT_PATH
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return Lexicon()
    key = (path, mtime)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            rows, _problems = read_rows(path)
            cached = build(rows)
            _CACHE.clear()
            _CACHE[key] = cached
    return cached
