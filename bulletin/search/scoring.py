"""Queries scored in memory: BM25F over posting lists read once from the index and kept as arrays.

Whoosh stores the index. Evaluating a query through Whoosh's matcher tree costs several Python calls per
posting and term, so a broad query ("Kinder", "Hilfe") on a board of 100,000 postings took seconds.
Here each term's postings are read once per index segment into arrays (document numbers and weights),
and a query is evaluated over all documents at once with numpy: a term adds its score, alternatives add
up or take the best. A term's score is Whoosh's BM25F (the same idf, average field length and length
encoding); tests/search/test_scoring.py holds the two side by side.

A segment's postings never change once written (deleting a document only marks it, and a deleted
document is never visible), so its arrays are kept for as long as the segment is live, across the
searchers that a new segment or a deletion brings. What depends on the whole index (idf, average
field length, which documents are deleted) is taken from the searcher at hand.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from bulletin.search import whoosh_internals
from bulletin.search.index import date_number
from bulletin.search.whoosh_internals import EMPTY_IDS, EMPTY_WEIGHTS, LENGTH_OF_BYTE, leaf_postings

CACHED_POSTINGS = 4_000_000  # postings kept per segment (12 bytes each) before the least used term goes


class SegmentArrays:
    """What one segment's reader gives, as arrays, read when first asked for and kept."""

    def __init__(self) -> None:
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._ranges: dict[tuple, np.ndarray] = {}
        self.lock = threading.Lock()

    def postings(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        with self.lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        try:
            found = leaf_postings(reader.postings(field, text))
        except TermNotFound:
            found = (EMPTY_IDS, EMPTY_WEIGHTS)
        with self.lock:
            self._postings[key] = found
            self._cached += len(found[0])
            while self._cached > CACHED_POSTINGS and len(self._postings) > 1:
                _key, (old_ids, _old_weights) = self._postings.popitem(last=False)
                self._cached -= len(old_ids)
        return found

    def lengths(self, reader, field: str) -> np.ndarray:
        """Each document's length of ``field``, decoded as Whoosh decodes it for BM25F."""
        found = self._lengths.get(field)
        if found is None:
            count = reader.doc_count_all()
            raw = whoosh_internals.length_bytes(reader, field, count)  # the stored bytes, as one column
            if raw is None:
                found = np.array([reader.doc_field_length(doc, field, 0) or 0 for doc in range(count)],
                                 dtype=np.float64)
            else:
                found = LENGTH_OF_BYTE[raw]
            self._lengths[field] = found
        return found

    def column(self, reader, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A sortable field's values: the distinct values and each document's index into them."""
        found = self._columns.get(name)
        if found is None:
            labels, codes = np.unique(np.asarray(list(reader.column_reader(name))), return_inverse=True)
            found = self._columns[name] = (labels, codes.astype(np.int32))
        return found

    def matching(self, subsearcher, query: wq.Query, key: tuple) -> np.ndarray:
        """The (local) documents of a query Whoosh answers for us, kept under ``key``."""
        found = self._ranges.get(key)
        if found is None:
            if len(self._ranges) > 8:  # yesterday's expiry and the like
                self._ranges.clear()
            found = self._ranges[key] = np.fromiter(subsearcher.docs_for_query(query), dtype=np.int32)
        return found


class ArrayCache:
    """Segment arrays by segment, for the segments still live (one per SearchIndex)."""

    def __init__(self) -> None:
        self._segments: dict[str, SegmentArrays] = {}
        self._lock = threading.Lock()

    def view(self, searcher, weighting) -> ScoringView:
        leaves = []
        with self._lock:
            live = {}
            for (reader, offset), (subsearcher, _offset) in zip(searcher.reader().leaf_readers(),
                                                                 searcher.leaf_searchers(), strict=True):
                segment = reader.segment()
                name = segment.segment_id() if segment is not None else f"reader-{id(reader)}"
                arrays = live[name] = self._segments.get(name) or SegmentArrays()
                leaves.append((reader, subsearcher, offset, arrays))
            self._segments = live  # merged-away segments go
        return ScoringView(searcher, weighting, leaves)


class ScoringView:
    """One searcher's documents as arrays: term scores, masks and columns over global document numbers."""

    def __init__(self, searcher, weighting, leaves):
        self.searcher = searcher
        self.weighting = weighting
        self.leaves = leaves
        self.size = searcher.doc_count_all()
        self._live: np.ndarray | None = None

    # Terms -----------------------------------------------------------------------------------------

    def term(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents that have the term (global numbers, ascending) and their BM25F scores."""
        scorable = self.searcher.schema[field].scorable
        if scorable:
            K1, B = whoosh_internals.bm25f_parameters(self.weighting, field)
            idf = self.searcher.idf(field, text)
            average = self.searcher.avg_field_length(field) or 1
        ids_list, scores_list = [], []
        for reader, _sub, offset, arrays in self.leaves:
            ids, weights = arrays.postings(reader, field, text)
            if not len(ids):
                continue
            ids_list.append(ids + offset if offset else ids)
            tf = weights.astype(np.float64)
            if scorable:
                lengths = arrays.lengths(reader, field)[ids]
                scores_list.append(idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average))))
            else:  # an ID field scores its weight (1), as Whoosh's WeightScorer does
                scores_list.append(tf)
        if not ids_list:
            return EMPTY_IDS, np.zeros(0)
        return np.concatenate(ids_list), np.concatenate(scores_list)

    def evaluate(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """Scores and matches of ``query`` over all documents. A term scores BM25F times its boost; Or
        and And add their parts' scores; DisjunctionMax takes the best part's score plus ``tiebreak``
        times the others' (Lucene's rule: Whoosh's own matcher reads a part not on the document); AndMaybe
        adds the optional part where both match; a compound's boost multiplies its score."""
        if isinstance(query, wq.Term):
            scores = np.zeros(self.size)
            matched = np.zeros(self.size, dtype=bool)
            ids, term_scores = self.term(query.fieldname, query.text)
            scores[ids] = term_scores * query.boost
            matched[ids] = True
            return scores, matched
        if isinstance(query, wq.AndMaybe):
            scores, matched = self.evaluate(query.a)
            optional, also = self.evaluate(query.b)
            return scores + np.where(matched & also, optional, 0.0), matched
        if isinstance(query, (wq.Or, wq.DisjunctionMax, wq.And)):
            parts = query.subqueries
            if not parts:
                return np.zeros(self.size), np.zeros(self.size, dtype=bool)
            if len(parts) == 1:
                scores, matched = self.evaluate(parts[0])
                return (scores * query.boost if query.boost != 1.0 else scores), matched
            evaluated = [self.evaluate(part) for part in parts]
            if isinstance(query, wq.DisjunctionMax):
                best = np.maximum.reduce([part_scores for part_scores, _matched in evaluated])
                total = np.add.reduce([part_scores for part_scores, _matched in evaluated])
                scores = best + query.tiebreak * (total - best) if query.tiebreak else best
                matched = np.logical_or.reduce([part_matched for _scores, part_matched in evaluated])
            elif isinstance(query, wq.And):
                matched = np.logical_and.reduce([part_matched for _scores, part_matched in evaluated])
                scores = np.where(matched, np.add.reduce([part for part, _matched in evaluated]), 0.0)
            else:
                scores = np.add.reduce([part_scores for part_scores, _matched in evaluated])
                matched = np.logical_or.reduce([part_matched for _scores, part_matched in evaluated])
            return (scores * query.boost if query.boost != 1.0 else scores), matched
        raise TypeError(f"cannot score {type(query).__name__} in memory")

    def mask(self, field: str, text: str) -> np.ndarray:
        """The documents that have the term."""
        matched = np.zeros(self.size, dtype=bool)
        for reader, _sub, offset, arrays in self.leaves:
            ids, _weights = arrays.postings(reader, field, text)
            matched[ids + offset] = True
        return matched

    # Documents -------------------------------------------------------------------------------------

    def live(self) -> np.ndarray:
        """The documents not deleted."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for reader, _sub, offset, _arrays in self.leaves:
                if reader.has_deletions():
                    deleted = np.fromiter(whoosh_internals.deleted_documents(reader), dtype=np.int64)
                    live[deleted + offset] = False
            self._live = live
        return self._live

    def numeric_range(self, field: str, start: int, end: int, today: date) -> np.ndarray:
        """The documents whose numeric ``field`` lies in [start, end] (asked of Whoosh once per segment)."""
        matched = np.zeros(self.size, dtype=bool)
        query = wq.NumericRange(field, start, end)
        for _reader, subsearcher, offset, arrays in self.leaves:
            ids = arrays.matching(subsearcher, query, (field, start, end, today))
            matched[ids + offset] = True
        return matched

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A sortable field over all documents: its distinct values and each document's code."""
        if len(self.leaves) == 1:
            reader, _sub, _offset, arrays = self.leaves[0]
            return arrays.column(reader, name)
        parts = [arrays.column(reader, name) for reader, _sub, _offset, arrays in self.leaves]
        labels = np.unique(np.concatenate([part_labels for part_labels, _codes in parts]))
        codes = np.concatenate([np.searchsorted(labels, part_labels)[part_codes].astype(np.int32)
                                for part_labels, part_codes in parts])
        return labels, codes

    def counts(self, name: str, documents: np.ndarray) -> list[tuple[object, int]]:
        """How many of ``documents`` (a mask) have each value of a sortable field."""
        labels, codes = self.column(name)
        totals = np.bincount(codes[documents], minlength=len(labels))
        return [(labels[index].item(), int(total)) for index, total in enumerate(totals) if total]

    def best(self, scores: np.ndarray, documents: np.ndarray, count: int) -> list[tuple[float, int]]:
        """The ``count`` best of ``documents`` (a mask) as (score, document), best first; among equal
        scores the lower document number first, as Whoosh orders them."""
        found = np.flatnonzero(documents)
        if len(found) > count:
            found = found[np.argpartition(-scores[found], count - 1)[:count]]
        order = np.lexsort((found, -scores[found]))
        return [(float(scores[doc]), int(doc)) for doc in found[order]]

    def newest(self, documents: np.ndarray, count: int) -> list[int]:
        """The ``count`` most recently created of ``documents`` (a mask), newest first."""
        _labels, created = self.column("created")
        found = np.flatnonzero(documents)
        order = np.lexsort((found, created[found]))[::-1][:count]
        return [int(doc) for doc in found[order]]


class SearcherCache:
    """What is computed once per searcher (an index generation) and day, not per query: the arrays the
    query is scored on, with ``weighting``, and the mask of listed, unexpired postings (one per SearchIndex,
    which makes a new one when its ranking changes)."""

    def __init__(self, weighting) -> None:
        self.weighting = weighting
        self._key = None
        self.view: ScoringView | None = None
        self.visible: np.ndarray = np.zeros(0, dtype=bool)

    def get(self, arrays: ArrayCache, searcher, today: date) -> SearcherCache:
        key = (id(searcher), searcher.reader().generation(), today)
        if key != self._key:
            view = arrays.view(searcher, self.weighting)
            expired = view.numeric_range("valid_until", 0, date_number(today) - 1, today)
            self.visible = view.mask("public", "1") & view.live() & ~expired
            self.view, self._key = view, key
        return self
