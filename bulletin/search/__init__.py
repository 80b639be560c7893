"""Search and matching across languages: a Whoosh index derived from the database.

``init_app`` gives the app one ``SearchIndex`` (``current_app.extensions["bulletin.search"]``): the
index folder, the analyzer with its compound vocabulary, and the concept lexicon. The modules:

- analysis.py   words into index terms per language (normalising, stemming, compounds)
- lexicon.py    the concept lexicon (bulletin/data/concepts.tsv)
- index.py      schema, the document of a posting, generations, one searcher per process
- sync.py       keeping index and database equal (the queue, a commit's own write, rebuild, check)
- worker.py     flask search-worker: works off the queue in order
- coverage.py   how much of one text another covers (matching, and the ranking of search results)
- query.py      search for visitors and the API
- snippets.py   highlighted snippets
- match.py      offers for a request and requests for an offer
- digest.py     the daily mail of new matching offers
- cli.py        flask reindex [--check], search-worker [--once], send-match-digest
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from flask import Flask, current_app

from bulletin.models import Posting
from bulletin.search import lexicon as lexicon_module
from bulletin.search.analysis import Analyzer, Decompounder, stem
from bulletin.search.index import DocumentMaker, IndexStore

EXTENSION_KEY = "bulletin.search"


class SearchIndex:
    """Everything one board's search needs, kept for the life of the process."""

    def __init__(self, index_dir: str, lexicon_path: str | None = None, engine=None):
        self.store = IndexStore(index_dir)
        self.engine = engine  # a callable giving the database engine, to rebuild a missing index
        self.lexicon_path = lexicon_path
        self._lexicon = None
        self._lock = threading.RLock()
        self._vocabulary_for: str | None = None
        self.analyzer = Analyzer(Decompounder())
        self._maker: DocumentMaker | None = None

    @property
    def lexicon(self) -> lexicon_module.Lexicon:
        """The lexicon, loaded again when its file changes (the decompounder learns its German words)."""
        current = lexicon_module.load(self.lexicon_path)
        if current is not self._lexicon:
            with self._lock:
                self._lexicon = current
                self.analyzer.decompounder.lexicon_stems = current.german_stems()
                self.analyzer.forget_compounds()
                self._maker = None
        return current

    @property
    def maker(self) -> DocumentMaker:
        lexicon = self.lexicon
        if self._maker is None:
            self._maker = DocumentMaker(self.analyzer, lexicon)
        return self._maker

    # The decompounder's vocabulary: the words of the indexed postings --------------------------------

    def reset_vocabulary(self) -> None:
        with self._lock:
            self.analyzer.decompounder.forget_corpus_stems()
            self.analyzer.forget_compounds()
            self._vocabulary_for = None

    def learn_texts(self, texts: Iterable[tuple[str, str, str]]) -> None:
        """Learn the words of (language, title, body) texts, before indexing them."""
        self.learn_stems(self.corpus_stems(texts))

    def corpus_stems(self, texts: Iterable[tuple[str, str, str]]) -> set[str]:
        """What the decompounder learns from (language, title, body) texts (see learn_stems)."""
        words: set[str] = set()
        for language, title, body in texts:
            words.update(self.analyzer.surface_words(f"{title}\n{body}", language))
        return _stems_of(words)

    def learn_words(self, postings: Iterable[Posting]) -> None:
        self.learn_texts(
            (text.language, text.title, text.body) for posting in postings for text in posting.texts
        )

    def _learn(self, words: Iterable[str]) -> None:
        self.learn_stems(_stems_of(words))

    def learn_stems(self, stems: Iterable[str]) -> None:
        """Add German stems of the postings' words to what the decompounder splits compounds into."""
        with self._lock:
            before = len(self.analyzer.decompounder.corpus_stems)
            self.analyzer.decompounder.add_corpus_stems(stems)
            if len(self.analyzer.decompounder.corpus_stems) != before:
                self.analyzer.forget_compounds()

    @contextmanager
    def searcher(self):
        """The process's searcher; a missing or damaged index is first rebuilt from the database."""
        with self.store.searcher_lock:
            searcher = self.store.current_searcher()
            if searcher is None and self.engine is not None:
                from bulletin.search.sync import ensure_index

                ensure_index(self, self.engine())
                searcher = self.store.current_searcher()
            yield searcher

    def load_vocabulary(self) -> None:
        """Learn the words of the live index once per generation (another process may have built it)."""
        self.lexicon  # noqa: B018 - loads the lexicon's words first
        live = self.store.live_dir()
        if live is None or live == self._vocabulary_for:
            return
        with self.store.searcher() as searcher:
            if searcher is None:
                return
            words = [term.decode("utf-8") for term in searcher.reader().lexicon("words")]
        self._learn(words)
        self._vocabulary_for = live


def _stems_of(words: Iterable[str]) -> set[str]:
    shortest = Decompounder.MIN_CORPUS_PART
    return {stem(word, "de") for word in words if word.isalpha() and len(word) >= shortest}


def init_app(app: Flask) -> None:
    from bulletin.db import get_engine

    app.config.setdefault("BULLETIN_CONCEPTS_FILE", None)
    app.extensions[EXTENSION_KEY] = SearchIndex(
        app.config["BULLETIN_INDEX_DIR"], app.config["BULLETIN_CONCEPTS_FILE"], lambda: get_engine(app)
    )
    from bulletin.search import sync  # noqa: F401 - importing it registers the session events


def get_search(app: Flask | None = None) -> SearchIndex:
    return (app or current_app).extensions[EXTENSION_KEY]
