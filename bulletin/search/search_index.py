"""``SearchIndex``: everything one board's search needs, kept for the life of the process.

The index folder (index.IndexStore), the analyzer with its compound vocabulary, the concept lexicon, the
ranking, and the caches built from them. Each cache is declared here and dropped at one point:

- the lexicon and the document maker: when the lexicon's file changes (``lexicon``), the maker also when
  the ranking changes (``use_ranking``);
- the decompounder's vocabulary of the postings' words: ``reset_vocabulary`` (a rebuild), and what
  ``load_vocabulary`` read is read again for another index generation;
- the arrays queries are scored on (scoring.ArrayCache): a segment's go when it is merged away;
- what is computed per searcher and day (scoring.SearcherCache): for another searcher, generation or
  day, and anew when the ranking changes (``use_ranking``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date

from bulletin.models import Posting
from bulletin.search import lexicon as lexicon_module
from bulletin.search.analysis import Analyzer, Decompounder, stem
from bulletin.search.documents import DocumentMaker
from bulletin.search.index import IndexStore
from bulletin.search.ranking import RANKING, Ranking
from bulletin.search.scoring import ArrayCache, SearcherCache


class SearchIndex:
    """One board's search: its index folder, analysis, lexicon, ranking and caches."""

    def __init__(self, index_dir: str, lexicon_path: str | None = None,
                 ensure_index: Callable[[SearchIndex], None] | None = None, ranking: Ranking = RANKING):
        self.store = IndexStore(index_dir)
        # Builds a missing or damaged index (from the database: sync.ensure_index, given by init_app).
        self.ensure_index = ensure_index
        self.lexicon_path = lexicon_path
        self.analyzer = Analyzer(Decompounder())
        self.ranking = ranking
        self._lock = threading.RLock()
        self._lexicon: lexicon_module.Lexicon | None = None
        self._maker: DocumentMaker | None = None
        self._vocabulary_for: str | None = None  # the generation whose words the decompounder learnt
        self._arrays = ArrayCache()
        self._scoring = SearcherCache(ranking.weighting())

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
            self._maker = DocumentMaker(self.analyzer, lexicon, self.ranking)
        return self._maker

    def use_ranking(self, ranking: Ranking) -> None:
        """Rank with ``ranking`` from now on (tuning: bench/quality.py). Its index-time fields count for
        the documents written after this; a rebuild writes them all."""
        with self._lock:
            self.ranking = ranking
            self._maker = None
            self._scoring = SearcherCache(ranking.weighting())

    def scoring(self, searcher, today: date) -> SearcherCache:
        """The arrays ``searcher`` is scored on and its visible postings (call with its lock held)."""
        return self._scoring.get(self._arrays, searcher, today)

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

    def learn_stems(self, stems: Iterable[str]) -> None:
        """Add German stems of the postings' words to what the decompounder splits compounds into."""
        with self._lock:
            before = len(self.analyzer.decompounder.corpus_stems)
            self.analyzer.decompounder.add_corpus_stems(stems)
            if len(self.analyzer.decompounder.corpus_stems) != before:
                self.analyzer.forget_compounds()

    @contextmanager
    def searcher(self):
        """The process's searcher; a missing or damaged index is first rebuilt (``ensure_index``)."""
        with self.store.searcher_lock:
            searcher = self.store.current_searcher()
            if searcher is None and self.ensure_index is not None:
                self.ensure_index(self)
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
        self.learn_stems(_stems_of(words))
        self._vocabulary_for = live


def _stems_of(words: Iterable[str]) -> set[str]:
    shortest = Decompounder.MIN_CORPUS_PART
    return {stem(word, "de") for word in words if word.isalpha() and len(word) >= shortest}
