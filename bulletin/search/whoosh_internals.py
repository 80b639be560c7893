"""The one place that touches Whoosh's private or undocumented internals.

The rest of bulletin/search uses Whoosh's public API and this module. An internal is a name with a leading
underscore, a piece of a codec, matcher or writer that the API does not offer, or a patch or
re-implementation of Whoosh's own code. Each function here says what it relies on, and
tests/search/test_whoosh_internals.py holds one test per internal (it exists, has the shape used, behaves
as relied on), so a Whoosh upgrade that changes one fails that test by name.

Written and tested against whoosh-reloaded 2.7.5; importing this module (which bulletin/search/index.py
does) stops on any version outside ``SUPPORTED``.
"""

from __future__ import annotations

import numpy as np
import whoosh

SUPPORTED = ((2, 7, 5), (2, 8, 0))  # from the first version, up to (not including) the second
REQUIREMENT = "whoosh-reloaded>=2.7.5,<2.8"  # as in pyproject.toml


class UnsupportedWhoosh(RuntimeError):
    """The installed Whoosh is not a version this module was written and tested against."""


def check_version(version: tuple = whoosh.__version__) -> None:
    """Stop with a message naming the version and what to do, unless ``version`` is in SUPPORTED."""
    lowest, beyond = SUPPORTED
    if not lowest <= tuple(version) < beyond:
        found = ".".join(str(part) for part in version)
        raise UnsupportedWhoosh(
            f"Whoosh {found} is installed, but bulletin/search was written and tested against "
            f"{REQUIREMENT}. Install that (pip install '{REQUIREMENT}'); or, to move to Whoosh {found}, "
            "check bulletin/search/whoosh_internals.py against it, run tests/search/test_whoosh_internals.py "
            "and widen SUPPORTED there and the requirement in pyproject.toml."
        )


check_version()

# Imported once the version is known: another version may lack them, and should fail on the check above.
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield  # noqa: E402
from whoosh.matching.wrappers import FilterMatcher  # noqa: E402
from whoosh.reading import MultiReader, SegmentReader  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402
from whoosh.system import pack_uint  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

# Scoring: postings, lengths and BM25F's parameters, read as arrays (scoring.py) --------------------------

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
# Whoosh keeps a document's field length in one byte (whoosh.util.numeric's encoding); this is the length
# each byte stands for, as BM25F reads it.
LENGTH_OF_BYTE = np.array([byte_to_length(value) for value in range(256)], dtype=np.float64)


def leaf_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Every (document, weight) of a term in one segment, a block at a time where Whoosh allows it.

    Relies on: a segment with deletions wrapping its postings in a ``FilterMatcher`` whose ``child`` reads
    them all (deleted documents included: visibility masks them out); and ``W3LeafMatcher``'s block state,
    ``_read_ids()``, ``_read_weights()``, ``_ids``, ``_weights`` and ``_next_block()`` (a block's arrays
    at once, instead of one call per posting).
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
    else:  # postings kept inline with the term, and any other matcher: the public interface
        found_ids, found_weights = [], []
        while matcher.is_active():
            found_ids.append(matcher.id())
            found_weights.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(found_ids, dtype=np.int32))
        weights.append(np.asarray(found_weights, dtype=np.float32))
    if not ids:
        return EMPTY_IDS, EMPTY_WEIGHTS
    return np.concatenate(ids), np.concatenate(weights)


def length_bytes(reader, field: str, count: int) -> np.ndarray | None:
    """The stored length bytes of ``field`` for a segment's ``count`` documents as one column (one call,
    not one per document); None when the field has none or the reader is not of the W3 codec.

    Relies on: ``SegmentReader._perdoc`` (its per-document reader), ``W3PerDocReader._cached_reader``,
    the codec's ``_lenfield`` naming of a field's length column and ``LENGTHS_COLUMN``.
    """
    try:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        return np.fromiter(column, dtype=np.uint8, count=count) if column is not None else None
    except AttributeError:  # another codec
        return None


def deleted_documents(reader) -> frozenset[int]:
    """The deleted documents of a segment's reader: those its postings' deletion filter leaves out.

    Relies on: ``SegmentReader.deleted_docs_set`` (undocumented; what ``postings()`` filters with).
    """
    return reader.deleted_docs_set


def bm25f_parameters(weighting, field: str) -> tuple[float, float]:
    """(K1, B) that Whoosh's BM25F scores ``field`` with: a per-field B (``text_B=...``) or the general one.

    Relies on: ``BM25F.K1``, ``BM25F.B`` and ``BM25F._field_B`` (the per-field values).
    """
    return weighting.K1, weighting._field_B.get(field, weighting.B)


# Indexing ---------------------------------------------------------------------------------------------


# The value the ``Frequency`` format stores with a posting: its count, encoded as Whoosh encodes it (an alias,
# not a function of ours: index.TermsField calls it for every term it writes).
# Relies on: ``Frequency`` storing ``whoosh.system.pack_uint(count)`` (what its ``decode_frequency`` reads).
frequency_value = pack_uint


def unlocked_segment_writer(ix, limitmb: int) -> SegmentWriter:
    """A writer of one segment that does not take the index's lock (another process commits its segment).

    Relies on: ``SegmentWriter``'s ``_lk`` argument, as Whoosh's own multi-process writer uses it.
    """
    return SegmentWriter(ix, _lk=False, limitmb=limitmb)


def finalize_segment(writer: SegmentWriter):
    """Finish ``writer``'s segment without committing it; returns the segment (picklable).

    Relies on: ``SegmentWriter._finalize_segment()``.
    """
    return writer._finalize_segment()


def commit_segments(ix, segments: list) -> None:
    """Make segments written by other writers (``finalize_segment``) the index's content, as Whoosh's
    multi-process writer commits its own; empty ones are not kept.

    Relies on: ``SegmentWriter._close_segment()``, ``.segments``, ``_commit_toc(segments)`` and ``_finish()``.
    """
    writer = ix.writer()
    try:
        writer._close_segment()  # the committing writer's own segment stays empty and is not kept
        kept = [segment for segment in segments if segment.doc_count_all()]
        writer._commit_toc([*writer.segments, *kept])
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


# Reading ----------------------------------------------------------------------------------------------


def refreshed(searcher: Searcher) -> Searcher:
    """A searcher on the index's newest generation that reopens only the segments that changed.

    Re-implements ``Searcher.refresh``, which keeps the readers of segments a merge has replaced
    (whoosh-reloaded 2.7.5 adds the old segments to the new list), so merged documents appear twice.
    Raises FileNotFoundError when a writer deleted a file of the generation just read
    (``index.IndexStore.current_searcher`` reads again); ``searcher`` then stays usable, as nothing of it
    was closed.

    Relies on: ``Searcher._ix`` (the index it was opened from), ``FileIndex._read_toc()`` and the TOC's
    ``segments``, ``schema`` and ``generation``, and a reader's ``_gen`` (what ``generation()`` answers).
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


# The one patch ----------------------------------------------------------------------------------------

_MISSING_COLUMNS = "_bulletin_missing_columns"  # where a patched per-document reader keeps what it lacks


def remember_missing_length_columns() -> bool:
    """Make a segment's per-document reader remember that a field has no length column. Idempotent:
    returns whether this call applied the patch (False: it was in place already).

    Whoosh (whoosh-reloaded 2.7.5) looks for the column file again, with an ``os.stat``, for every posting
    of a field that has none (unscorable fields: ids, ``words``, the numbers) when it writes a segment:
    two thirds of the postings, a fifth of a rebuild's time. A segment's files never change once written,
    so the answer can be kept. What is read stays the same; only the repeated look goes. Applied for the
    whole process, as Whoosh gives no other way in: ``index.IndexStore`` applies it when it is created.

    Relies on: ``W3PerDocReader._cached_reader(fieldname, column)`` answering None for a missing column.
    """
    find_reader = W3PerDocReader._cached_reader
    if getattr(find_reader, "remembers_missing", False):
        return False

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault(_MISSING_COLUMNS, set())
        if fieldname in missing:
            return None
        reader = find_reader(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    cached_reader.remembers_missing = True
    cached_reader.original = find_reader  # Whoosh's own, for tests/search/test_whoosh_internals.py
    W3PerDocReader._cached_reader = cached_reader
    return True
