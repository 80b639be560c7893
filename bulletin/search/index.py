"""The Whoosh index: its schema, the document of a posting, where it lives and how it is read.

One document per posting, holding every language version of its texts, already analysed (see
analysis.py): Whoosh stores the terms we give it and does no analysis of its own. The index folder holds
generations side by side and a pointer file, ``CURRENT``, naming the live one; a rebuild writes a new
generation and swaps the pointer in one rename, so search never goes offline.

Each process keeps one searcher and refreshes it when the index has changed (cheap), instead of opening
one per request (expensive).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from typing import NamedTuple

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, FieldType, Schema
from whoosh.formats import Frequency
from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from bulletin.models import Posting
from bulletin.search.analysis import Analyzer
from bulletin.search.lexicon import NARROWER_PREFIX, NARROWER_WEIGHT, Lexicon
from bulletin.search.locking import FileLock

POINTER = "CURRENT"
GENERATION_PREFIX = "gen-"
NO_END = 99991231  # valid_until of a posting without an end date
PART_WEIGHT = 0.6  # a compound's part counts less than a word written out
TITLE_WEIGHT = 3.0  # a word in the title counts this many times a word in the description
BODY_CONCEPT_WEIGHT = 0.5  # a concept named only in the description counts half
RELATED_WEIGHT = 0.4  # how far a concept of the same lexicon category stands in for the one asked for
SIGNATURE_TERMS = 80  # how many of a posting's terms its stored signature keeps
TEXT_CACHE_LIMIT = 20_000  # analysed texts a DocumentMaker keeps
# Texts up to a title's length are kept: descriptions are rarely written twice and would only fill it.
CACHED_TEXT_LENGTH = 200
READ_ATTEMPTS = 5  # reads of the newest generation when a writer deleted a file from under a reader


def add_concept_keys(keys: dict[tuple[str, str], float], lexicon, concept: str, weight: float) -> None:
    """Add what covers ``concept`` to an aspect's keys, keeping the strongest weight of each key:
    the concept itself, its broader and narrower neighbours, and (partly) any concept of its category."""
    keys[("c", concept)] = max(keys.get(("c", concept), 0.0), weight)
    for key, strength in lexicon.related_keys(concept, weight).items():
        if strength > keys.get(key, 0.0):
            keys[key] = strength
    category = lexicon.category(concept)
    # A neighbour of the same kind (a buggy for a pram) covers it partly; "other" is no kind.
    if category and category != "other":
        keys[("k", category)] = max(keys.get(("k", category), 0.0), RELATED_WEIGHT * weight)


class TermsField(FieldType):
    """A field of terms we analysed ourselves: a mapping of term to weight (or a list of terms).

    The field length Whoosh uses for BM25 is the ``length`` the value carries: the length of one
    language version, so a posting translated into five languages is not penalised as five times longer.
    """

    def __init__(self, scorable: bool = True):
        super().__init__(format=Frequency(), analyzer=SpaceSeparatedTokenizer(), scorable=scorable)

    def index(self, value, **kwargs):
        if isinstance(value, TermWeights):
            for term, weight in value.weights.items():
                count = value.counts.get(term, 0)
                yield (term.encode("utf-8"), count, weight, pack_uint(max(count, 1)))
            return
        for term, count in Counter(value).items():
            yield (term.encode("utf-8"), count, float(count), pack_uint(count))


class TermWeights:
    """Terms with their weights, and the counts that make up the field length (see TermsField)."""

    __slots__ = ("counts", "weights")

    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, term: str, weight: float, count: bool) -> None:
        if weight > self.weights.get(term, 0.0):
            self.weights[term] = weight
        if count:
            self.counts[term] = self.counts.get(term, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.weights)

    def __getstate__(self):
        return (self.counts, self.weights)

    def __setstate__(self, state) -> None:
        self.counts, self.weights = state


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        key=ID(stored=True),
        type=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        district=ID(stored=True, sortable=True),
        organisation=ID(stored=True),
        public=ID(stored=True),
        # One term per document, not eight or sixteen (faster to write): the creation time is only sorted
        # on, and expiry is asked once a day per segment (query.SearcherCache), over a few hundred dates.
        valid_until=NUMERIC(int, bits=32, stored=True, shift_step=32),
        created=NUMERIC(int, bits=64, stored=True, sortable=True, shift_step=64),
        languages=KEYWORD(stored=True),
        original_language=STORED(),
        text=TermsField(),
        concepts=TermsField(),
        words=TermsField(scorable=False),
        signature=STORED(),
        fingerprint=STORED(),
    )


def _refreshed(searcher: Searcher) -> Searcher:
    """A searcher on the index's newest generation that reopens only the segments that changed.

    Whoosh's own ``Searcher.refresh`` keeps the readers of segments a merge has replaced (whoosh-reloaded
    2.7.5 adds the old segments to the new list), so merged documents appear twice; this does not.
    Raises FileNotFoundError when a writer deleted a file of the generation just read (see
    ``IndexStore.current_searcher``); ``searcher`` then stays usable, as nothing of it was closed.
    """
    ix = searcher._ix
    toc = ix._read_toc()
    old = {reader.segment().segment_id(): reader for reader, _offset in searcher.reader().leaf_readers()
           if reader.segment() is not None}
    readers, opened = [], []
    try:
        for segment in toc.segments:
            reader = old.get(segment.segment_id())
            if reader is None or reader.segment().deleted_count() != segment.deleted_count():
                reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
                opened.append(reader)
            readers.append(reader)
    except BaseException:
        for reader in opened:
            reader.close()
        raise
    kept = {id(reader) for reader in readers}
    for unused in old.values():
        if id(unused) not in kept:
            unused.close()
    if not readers:
        return ix.searcher()
    reader = readers[0] if len(readers) == 1 else MultiReader(readers, generation=toc.generation)
    if len(readers) == 1:
        reader._gen = toc.generation
    return Searcher(reader, fromindex=ix)


def _remember_missing_length_columns() -> None:
    """Make a segment's reader remember that a field has no length column.

    Whoosh (whoosh-reloaded 2.7.5) looks for the column file again, with an ``os.stat``, for every posting
    of a field that has none (unscorable fields: ids, ``words``, the numbers) when it writes a segment:
    two thirds of the postings, a fifth of a rebuild's time. A segment's files never change once written,
    so the answer can be kept.
    """
    find_reader = W3PerDocReader._cached_reader

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_bulletin_missing_columns", set())
        if fieldname in missing:
            return None
        reader = find_reader(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    if not getattr(find_reader, "remembers_missing", False):
        cached_reader.remembers_missing = True
        W3PerDocReader._cached_reader = cached_reader


_remember_missing_length_columns()


def _pause(attempt: int) -> None:
    """Nothing before the second attempt (the newest TOC is complete once it exists), then a little."""
    if attempt:
        time.sleep(0.01 * attempt)


def date_number(day: date | None) -> int:
    return NO_END if day is None else day.year * 10000 + day.month * 100 + day.day


def fingerprint(posting: Posting) -> str:
    """A digest of everything the document is made from, but visibility (compared on its own)."""
    texts = sorted((text.language, text.title, text.body) for text in posting.texts)
    source = [posting.key, posting.type, posting.category, posting.district, posting.organisation.key,
              posting.valid_until.isoformat() if posting.valid_until else None, posting.original_language,
              texts]
    data = json.dumps(source, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class Signature:
    """What a posting is about, in comparable form: concept weights and term weights."""

    __slots__ = ("concepts", "terms")

    def __init__(self, concepts: dict[str, float], terms: dict[str, float]):
        self.concepts = concepts
        self.terms = terms

    def stored(self) -> dict:
        top = sorted(self.terms.items(), key=lambda item: -item[1])[:SIGNATURE_TERMS]
        return {"c": self.concepts, "t": dict(top)}

    @classmethod
    def from_stored(cls, value: dict | None) -> Signature:
        value = value or {}
        return cls(dict(value.get("c", {})), dict(value.get("t", {})))


class Aspect:
    """One thing a posting asks for or offers: a word of its text, with the concepts it names.

    ``keys`` are ("c", concept), ("t", term) and ("k", lexicon category) pairs with how strongly each
    stands for the word; a match covers the aspect when it has one of the keys. ``attribute`` marks a word
    whose concepts all lack a category in the lexicon: it says for whom or how ("for a large family",
    "free"), not what, and counts less.
    """

    __slots__ = ("attribute", "field", "keys")

    def __init__(self, field: str, keys: dict[tuple[str, str], float], attribute: bool = False):
        self.field = field  # "title" or "body"
        self.keys = keys
        self.attribute = attribute


class AnalysedText(NamedTuple):
    """One text of a posting, analysed: its units, the concepts they name, its words for suggestions."""

    units: list[tuple[str, ...]]
    concepts: dict[str, float]
    words: list[str]


class DocumentMaker:
    """Postings into index documents, with the analyzer and lexicon of one index."""

    def __init__(self, analyzer: Analyzer, lexicon: Lexicon):
        self.analyzer = analyzer
        self.lexicon = lexicon
        # (language, text) -> (analyzer version, analysis): titles repeat a lot ("Kinderwagen",
        # "Deutschkurs"), and a rebuild analyses every one of them.
        self._texts: dict[tuple[str, str], tuple[int, AnalysedText]] = {}

    def analysed(self, text: str, language: str) -> AnalysedText:
        """The analysis of one text (kept while the vocabulary stays the same; never to be changed)."""
        key = (language, text)
        kept = self._texts.get(key)
        if kept is not None and kept[0] == self.analyzer.version:
            return kept[1]
        version = self.analyzer.version  # before analysing: a change meanwhile makes the entry stale
        units = self.analyzer.units(text, language)
        found = AnalysedText(units, self.lexicon.match(units, language),
                             self.analyzer.surface_words(text, language))
        if len(text) <= CACHED_TEXT_LENGTH:
            if len(self._texts) >= TEXT_CACHE_LIMIT:
                self._texts.clear()
            self._texts[key] = (version, found)
        return found

    def analyse(self, posting: Posting) -> tuple[TermWeights, TermWeights, dict[str, float], list[str]]:
        title, body = TermWeights(), TermWeights()
        concepts: dict[str, float] = {}
        words: list[str] = []
        for text in posting.texts:
            language = text.language
            counted = language == posting.original_language
            parts = ((title, text.title, 1.0), (body, text.body, BODY_CONCEPT_WEIGHT))
            for field, value, concept_weight in parts:
                if not value:
                    continue
                analysed = self.analysed(value, language)
                for unit in analysed.units:
                    for position, term in enumerate(unit):
                        field.add(term, 1.0 if position == 0 else PART_WEIGHT, counted and position == 0)
                for concept, weight in analysed.concepts.items():
                    weight *= concept_weight
                    if weight > concepts.get(concept, 0.0):
                        concepts[concept] = weight
                words.extend(analysed.words)
        return title, body, concepts, words

    def aspects(self, posting: Posting) -> list[Aspect]:
        """The words of the posting's original text, title and description, each with its concepts."""
        text = next((text for text in posting.texts if text.language == posting.original_language), None)
        if text is None:
            return []
        found: dict[tuple[str, str], Aspect] = {}
        for field, value in (("title", text.title), ("body", text.body)):
            if not value:
                continue
            units = self.analyzer.units(value, text.language)
            covering: dict[int, dict[str, float]] = {}
            joined: dict[int, int] = {}  # a phrase's later words belong to the aspect of its first
            starts: set[int] = set()  # the first words of phrases
            for concept, weight, positions in self.lexicon.spans(units, text.language):
                if len(positions) > 1:
                    starts.add(positions[0])
                for position in positions:
                    concepts = covering.setdefault(positions[0], {})
                    concepts[concept] = max(concepts.get(concept, 0.0), weight)
                    if position != positions[0]:
                        joined[position] = positions[0]
            keys_at: dict[int, dict[tuple[str, str], float]] = {}
            for position, unit in enumerate(units):
                if not unit or unit[0].isdigit():
                    continue  # a stopword or a bare number
                keys = keys_at.setdefault(joined.get(position, position), {})
                # Each word of a phrase is a part of it: sharing "آمادگی" (readiness) of "آمادگی برای امتحان"
                # (exam preparation) with "ready to ride" bikes is not the exam. The phrase's concept covers
                # it fully.
                strength = PART_WEIGHT if position in joined or position in starts else 1.0
                keys[("t", unit[0])] = max(keys.get(("t", unit[0]), 0.0), strength)
                for part in unit[1:]:
                    keys.setdefault(("t", part), PART_WEIGHT)
            for position, keys in keys_at.items():
                for concept, weight in covering.get(position, {}).items():
                    add_concept_keys(keys, self.lexicon, concept, weight)
                concepts = covering.get(position, {})
                attribute = bool(concepts) and not any(self.lexicon.category(concept) for concept in concepts)
                name = (field, min(keys))
                if name not in found:  # a word said twice is one aspect
                    found[name] = Aspect(field, keys, attribute)
        return list(found.values())

    def signature(self, posting: Posting) -> Signature:
        title, body, concepts, _words = self.analyse(posting)
        return signature_of(title, body, concepts)

    def document(self, posting: Posting, today: date) -> dict:
        title, body, concepts, words = self.analyse(posting)
        concept_terms = TermWeights()
        for concept, weight in concepts.items():
            concept_terms.add(concept, weight, True)
        # A sofa is furniture: the broader concepts are indexed as "something under" them (">furniture"),
        # so a search or a request for the broader one finds it, without making "furniture" itself common.
        for concept, weight in concepts.items():
            for parent, depth in self.lexicon.ancestors(concept).items():
                concept_terms.add(NARROWER_PREFIX + parent, weight * NARROWER_WEIGHT ** depth, False)
        created = posting.created_at
        document = {
            "id": str(posting.id),
            "key": posting.key,
            "type": posting.type,
            "category": posting.category,
            "district": posting.district or "",
            "organisation": posting.organisation.key,
            "public": "1" if posting.is_listed(today) else "0",
            "valid_until": date_number(posting.valid_until),
            "created": int(created.timestamp() * 1000) if isinstance(created, datetime) else 0,
            "languages": " ".join(posting.languages),
            "original_language": posting.original_language,
            "signature": signature_of(title, body, concepts).stored(),
            "fingerprint": fingerprint(posting),
        }
        for name, value in (("text", combined(title, body)), ("concepts", concept_terms), ("words", words)):
            if value:
                document[name] = value
        return document


def combined(title: TermWeights, body: TermWeights) -> TermWeights:
    """Title and description in one field, the title's words weighing TITLE_WEIGHT times as much: one
    term to look up per word instead of two (Whoosh is pure Python; fewer matchers are faster)."""
    text = TermWeights()
    for term, weight in body.weights.items():
        text.weights[term] = weight
    for term, weight in title.weights.items():
        text.weights[term] = text.weights.get(term, 0.0) + TITLE_WEIGHT * weight
    for source in (title, body):
        for term, count in source.counts.items():
            text.counts[term] = text.counts.get(term, 0) + count
    return text


def signature_of(title: TermWeights, body: TermWeights, concepts: dict[str, float]) -> Signature:
    terms = {term: weight * BODY_CONCEPT_WEIGHT for term, weight in body.weights.items()}
    for term, weight in title.weights.items():
        terms[term] = max(terms.get(term, 0.0), weight)
    return Signature(dict(concepts), terms)


class IndexStore:
    """The index folder: generations, the pointer to the live one, the locks, one searcher per process."""

    def __init__(self, root: str):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.writer_lock = FileLock(os.path.join(root, "writer.lock"))
        self.rebuild_lock = FileLock(os.path.join(root, "rebuild.lock"))
        self._searcher = None
        self._searcher_dir: str | None = None
        self._searcher_pid: int | None = None
        self.searcher_lock = threading.RLock()

    # Generations -----------------------------------------------------------------------------------

    def live_dir(self) -> str | None:
        try:
            with open(os.path.join(self.root, POINTER), encoding="utf-8") as handle:
                name = handle.read().strip()
        except OSError:
            return None
        if not name.startswith(GENERATION_PREFIX) or os.sep in name:
            return None
        path = os.path.join(self.root, name)
        return path if os.path.isdir(path) else None

    def open_live(self):
        """The live index, or None when it is missing or cannot be read.

        A file that vanishes while the index is opened was deleted by a writer's commit (the segments it
        merged away, the TOC before its own): the index is opened again at its newest generation, up to
        READ_ATTEMPTS times, before it counts as damaged.
        """
        # Whoosh leaves the file of a damaged index open when reading it fails: it is closed (and its
        # warning silenced) when the exception is dropped, inside this block.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            ix, failed = self._open_live_attempts()
            if failed:
                gc.collect()
        return ix

    def _open_live_attempts(self):
        """(the live index or None, whether an attempt failed)."""
        failed = False
        for attempt in range(READ_ATTEMPTS):
            path = self.live_dir()
            if path is None:
                return None, failed
            try:
                ix = whoosh_index.open_dir(path)
                with ix.searcher() as searcher:
                    searcher.doc_count()
                    if set(ix.schema.names()) != set(make_schema().names()):
                        return None, failed
                return ix, failed
            except FileNotFoundError:
                failed = True
                _pause(attempt)
            except Exception:  # noqa: BLE001 - any damage means: rebuild it
                return None, True
        return None, failed

    def create_generation(self):
        """A new, empty index beside the live one (not yet live)."""
        name = f"{GENERATION_PREFIX}{time.time_ns()}-{os.getpid()}"
        path = os.path.join(self.root, name)
        os.makedirs(path)
        return whoosh_index.create_in(path, make_schema())

    def make_live(self, ix) -> None:
        """Point CURRENT at ``ix``'s folder, atomically."""
        name = os.path.basename(ix.storage.folder)
        temporary = os.path.join(self.root, f"{POINTER}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, os.path.join(self.root, POINTER))

    def remove_other_generations(self, keep: Iterable[str] = ()) -> None:
        """Delete every generation but the live one (open files stay readable until closed)."""
        live = self.live_dir()
        kept = {live, *keep}
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if name.startswith(GENERATION_PREFIX) and path not in kept:
                shutil.rmtree(path, ignore_errors=True)

    # Reading ---------------------------------------------------------------------------------------

    @contextmanager
    def searcher(self):
        """This process's searcher, refreshed if the index changed; None while there is no index.

        Held under a lock for the whole search: Whoosh readers are not made for several threads at once.
        """
        with self.searcher_lock:
            yield self.current_searcher()

    def current_searcher(self):
        """The searcher (call with ``searcher_lock`` held), opened or refreshed as needed; or None.

        A writer's commit deletes the files of the segments it merged away, and a rebuild removes the old
        generation: a reader that read the list of files just before finds one gone (FileNotFoundError)
        and reads the newest list again. Should the index change under it READ_ATTEMPTS times in a row,
        the searcher it already has answers (its files are open, so it reads on) and the next search
        refreshes it.
        """
        for attempt in range(READ_ATTEMPTS):
            try:
                return self._opened_or_refreshed()
            except FileNotFoundError:
                _pause(attempt)
        return self._searcher

    def _opened_or_refreshed(self):
        live = self.live_dir()
        if self._searcher is not None and (live != self._searcher_dir or self._searcher_pid != os.getpid()):
            self._close_searcher()
        if self._searcher is None and live is not None:
            ix = self.open_live()
            if ix is not None:
                self._searcher = ix.searcher()  # Whoosh's own reader() retries a vanished file itself
                self._searcher_dir, self._searcher_pid = live, os.getpid()
        elif self._searcher is not None and not self._searcher.up_to_date():
            self._searcher = _refreshed(self._searcher)
        return self._searcher

    def _close_searcher(self) -> None:
        if self._searcher is not None and self._searcher_pid == os.getpid():
            with contextlib.suppress(Exception):  # an already broken searcher is simply dropped
                self._searcher.close()
        self._searcher = None
        self._searcher_dir = None

    def close(self) -> None:
        with self.searcher_lock:
            self._close_searcher()
