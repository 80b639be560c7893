"""The Whoosh index: its schema, where it lives and how it is read.

The documents are made in documents.py. The index folder holds generations side by side and a pointer
file, ``CURRENT``, naming the live one; a rebuild writes a new generation and swaps the pointer in one
rename, so search never goes offline.

Each process keeps one searcher and refreshes it when the index has changed (cheap), instead of opening
one per request (expensive). What this needs of Whoosh's internals is in whoosh_internals.py.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, FieldType, Schema
from whoosh.formats import Frequency

from bulletin.search import whoosh_internals
from bulletin.search.locking import FileLock

POINTER = "CURRENT"
GENERATION_PREFIX = "gen-"
NO_END = 99991231  # valid_until of a posting without an end date
READ_ATTEMPTS = 5  # reads of the newest generation when a writer deleted a file from under a reader


class TermsField(FieldType):
    """A field of terms we analysed ourselves: a mapping of term to weight (or a list of terms).

    The field length Whoosh uses for BM25 is the ``length`` the value carries: the length of one
    language version, so a posting translated into five languages is not penalised as five times longer.
    """

    def __init__(self, scorable: bool = True):
        super().__init__(format=Frequency(), analyzer=SpaceSeparatedTokenizer(), scorable=scorable)

    def index(self, value, **kwargs):
        frequency_value = whoosh_internals.frequency_value
        if isinstance(value, TermWeights):
            for term, weight in value.weights.items():
                count = value.counts.get(term, 0)
                yield (term.encode("utf-8"), count, weight, frequency_value(max(count, 1)))
            return
        for term, count in Counter(value).items():
            yield (term.encode("utf-8"), count, float(count), frequency_value(count))


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
        # on, and expiry is asked once a day per segment (scoring.SearcherCache), over a few hundred dates.
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


def _pause(attempt: int) -> None:
    """Nothing before the second attempt (the newest TOC is complete once it exists), then a little."""
    if attempt:
        time.sleep(0.01 * attempt)


def date_number(day: date | None) -> int:
    return NO_END if day is None else day.year * 10000 + day.month * 100 + day.day


class IndexStore:
    """The index folder: generations, the pointer to the live one, the locks, one searcher per process."""

    def __init__(self, root: str):
        # Whoosh looks for a missing length column once per segment, not once per posting it writes: an
        # explicit, process-wide step (see the function), done once however many stores there are.
        whoosh_internals.remember_missing_length_columns()
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
            except Exception:  # any damage means: rebuild it
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

    def version(self) -> tuple[str, int] | None:
        """What this process's searcher reads now: its generation's folder and commit number (None while
        there is no index). It changes with every write to the index and with every rebuild."""
        with self.searcher_lock:
            searcher = self.current_searcher()
            if searcher is None:
                return None
            return self._searcher_dir, searcher.reader().generation()

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
            self._searcher = whoosh_internals.refreshed(self._searcher)
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
