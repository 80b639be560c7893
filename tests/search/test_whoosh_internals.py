"""The contract with Whoosh's internals: one test per internal bulletin/search/whoosh_internals.py relies on.

Each test checks that the internal exists, has the shape used, and behaves as relied on. A Whoosh upgrade
that changes one fails the test named after it; mend the function it names in whoosh_internals.py (or drop
it, where Whoosh now does the job) before widening ``SUPPORTED``.
"""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.formats import Frequency
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import length_to_byte

from bulletin.search import whoosh_internals
from bulletin.search.index import IndexStore, make_schema
from bulletin.search.scoring import ArrayCache

DELETED = (3, 5, 200)


def _document(number: int) -> dict:
    words = ["bett", "kind"][: 1 + number % 2] + ["sofa"] * (number % 4)
    return {"id": str(number), "key": f"p{number}", "type": "offer", "category": "furniture-household",
            "public": "1", "valid_until": 99991231, "created": number, "text": words, "words": words,
            "concepts": ["bed"] if number % 3 == 0 else []}


def _fill(ix, numbers, merge: bool = True) -> None:
    writer = ix.writer()
    for number in numbers:
        writer.add_document(**_document(number))
    writer.commit(merge=merge)


@pytest.fixture
def ix(tmp_path):
    """One segment of 300 documents (several blocks of postings), three of them deleted."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    _fill(ix, range(300))
    writer = ix.writer()
    for number in DELETED:
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    return ix


@pytest.fixture
def reader(ix):
    with ix.reader() as opened:
        yield opened


def _one_by_one(matcher) -> list[tuple[int, float]]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    return found


# The version ------------------------------------------------------------------------------------------


def test_the_installed_whoosh_is_a_version_the_internals_were_written_for():
    whoosh_internals.check_version()  # as at import


def test_another_whoosh_version_stops_with_a_message_naming_it_and_what_to_do():
    with pytest.raises(whoosh_internals.UnsupportedWhoosh, match=r"Whoosh 2\.8\.0 is installed") as raised:
        whoosh_internals.check_version((2, 8, 0))
    assert whoosh_internals.REQUIREMENT in str(raised.value)
    assert "test_whoosh_internals.py" in str(raised.value)
    with pytest.raises(whoosh_internals.UnsupportedWhoosh, match=r"2\.7\.4"):
        whoosh_internals.check_version((2, 7, 4))


# Scoring ----------------------------------------------------------------------------------------------


def test_postings_with_deletions_come_in_a_filter_matcher_whose_child_reads_them_all(reader):
    matcher = reader.postings("text", "bett")
    assert isinstance(matcher, FilterMatcher)
    everything = _one_by_one(matcher.child)
    assert len(everything) == 300
    assert len(_one_by_one(reader.postings("text", "bett"))) == 300 - len(DELETED)
    ids, weights = whoosh_internals.leaf_postings(reader.postings("text", "bett"))
    assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == everything


def test_a_leaf_matcher_gives_its_postings_a_block_at_a_time(reader):
    matcher = reader.postings("text", "bett").child
    assert isinstance(matcher, W3LeafMatcher)
    blocks = 0
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        assert len(matcher._ids) == len(matcher._weights) > 0
        blocks += 1
        matcher._next_block()
    assert blocks > 1
    ids, weights = whoosh_internals.leaf_postings(reader.postings("text", "bett").child)
    assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == _one_by_one(
        reader.postings("text", "bett").child)
    # A term of one posting is kept inline with the term: another matcher, read through the public interface.
    inline = reader.postings("key", "p7")
    assert not isinstance(inline, W3LeafMatcher)
    ids, weights = whoosh_internals.leaf_postings(reader.postings("key", "p7"))
    assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == _one_by_one(inline) and len(ids) == 1


def test_a_segments_length_column_is_read_through_its_per_document_reader(reader):
    assert hasattr(reader, "_perdoc") and isinstance(reader._perdoc, W3PerDocReader)
    count = reader.doc_count_all()
    found = whoosh_internals.length_bytes(reader, "text", count)
    assert found.dtype == np.uint8 and len(found) == count
    assert [whoosh_internals.LENGTH_OF_BYTE[byte] for byte in found] == [
        reader.doc_field_length(docnum, "text") for docnum in range(count)
    ]
    assert whoosh_internals.length_bytes(reader, "words", count) is None  # an unscorable field has none


def test_a_length_byte_stands_for_the_length_whoosh_encoded_in_it():
    lengths = whoosh_internals.LENGTH_OF_BYTE
    assert lengths.shape == (256,) and np.all(np.diff(lengths) > 0)
    for length in (1, 2, 3, 7, 40, 1000):
        assert lengths[length_to_byte(length)] == pytest.approx(length, rel=0.15)


def test_a_segment_readers_deleted_set_is_what_its_postings_leave_out(reader):
    deleted = whoosh_internals.deleted_documents(reader)
    assert isinstance(deleted, frozenset)
    assert deleted == set(DELETED)  # one segment written in order: a document's number is its id
    everything = {docnum for docnum, _weight in _one_by_one(reader.postings("text", "bett").child)}
    kept = {docnum for docnum, _weight in _one_by_one(reader.postings("text", "bett"))}
    assert kept == everything - deleted


def test_bm25f_keeps_its_parameters_and_a_per_field_b(ix):
    weighting = BM25F(B=0.5, K1=1.2, text_B=0.3)
    assert whoosh_internals.bm25f_parameters(weighting, "text") == (1.2, 0.3)
    assert whoosh_internals.bm25f_parameters(weighting, "concepts") == (1.2, 0.5)
    with ix.searcher(weighting=weighting) as searcher:  # and the arrays score as Whoosh does with them
        query = wq.Or([wq.Term("text", "sofa"), wq.Term("concepts", "bed")])
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        view = ArrayCache().view(searcher, weighting)
        scores, matched = view.evaluate(query)
        found = {int(doc): float(scores[doc]) for doc in np.flatnonzero(matched & view.live())}
    assert found.keys() == expected.keys()
    assert all(found[doc] == pytest.approx(score, rel=1e-9) for doc, score in expected.items())


# Indexing ---------------------------------------------------------------------------------------------


def test_the_frequency_format_stores_a_postings_count_as_pack_uint():
    frequency = Frequency()
    for count in (1, 2, 300):
        assert frequency.decode_frequency(whoosh_internals.frequency_value(count)) == count
    words = SpaceSeparatedTokenizer()
    values = {word: value for word, _count, _weight, value in frequency.word_values("a b b", words)}
    assert values == {"a": whoosh_internals.frequency_value(1), "b": whoosh_internals.frequency_value(2)}


def test_a_segment_is_written_without_the_lock_and_finalised_uncommitted(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    holder = ix.writer()  # someone holds the index's lock: an unlocked writer writes all the same
    try:
        writer = whoosh_internals.unlocked_segment_writer(ix, limitmb=16)
        for number in range(5):
            writer.add_document(**_document(number))
        segment = whoosh_internals.finalize_segment(writer)
    finally:
        holder.cancel()
    assert segment.doc_count_all() == 5
    sent = pickle.loads(pickle.dumps(segment))  # noqa: S301 - our own segment, as bulk.py's workers send it
    assert sent.segment_id() == segment.segment_id()
    with ix.searcher() as searcher:
        assert searcher.doc_count_all() == 0  # not committed


def test_segments_written_elsewhere_are_committed_together_and_empty_ones_dropped(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    segments = []
    for numbers in (range(0, 4), range(4, 9), ()):
        writer = whoosh_internals.unlocked_segment_writer(ix, limitmb=16)
        for number in numbers:
            writer.add_document(**_document(number))
        segments.append(whoosh_internals.finalize_segment(writer))
    whoosh_internals.commit_segments(ix, segments)
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        assert sorted(int(fields["id"]) for fields in searcher.all_stored_fields()) == list(range(9))
    _fill(ix, [9])  # the index takes writers as usual afterwards: the lock was released
    with ix.searcher() as searcher:
        assert searcher.doc_count_all() == 10


# Reading ----------------------------------------------------------------------------------------------


def test_a_searcher_knows_its_index_and_the_toc_names_the_segments_schema_and_generation(ix):
    with ix.searcher() as searcher:
        assert searcher._ix is ix
        toc = ix._read_toc()
        assert toc.generation == ix.latest_generation() == searcher.reader().generation()
        assert [segment.segment_id() for segment in toc.segments] == [
            reader.segment().segment_id() for reader, _offset in searcher.reader().leaf_readers()
        ]
        assert set(toc.schema.names()) == set(make_schema().names())
        reader = searcher.reader()
        reader._gen = 77
        assert reader.generation() == 77


def test_whooshs_own_refresh_still_shows_merged_documents_twice(tmp_path):
    """Why ``refreshed`` exists: should this fail, Whoosh's ``Searcher.refresh`` can replace it."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for number in range(3):
        _fill(ix, [number], merge=False)
    searcher = ix.searcher()
    _fill(ix, [3], merge=False)
    ix.optimize()
    fresh = searcher.refresh()
    assert fresh.doc_count_all() > 4
    fresh.close()


def test_a_refreshed_searcher_shows_each_document_once_and_keeps_the_unchanged_segments(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    _fill(ix, range(0, 3), merge=False)
    _fill(ix, range(3, 6), merge=False)
    searcher = ix.searcher()
    first = searcher.reader().leaf_readers()[0][0]
    _fill(ix, [6], merge=False)  # a new segment: the old ones are kept as they are
    searcher = whoosh_internals.refreshed(searcher)
    assert searcher.up_to_date() and searcher.reader().generation() == ix.latest_generation()
    assert searcher.reader().leaf_readers()[0][0] is first
    ix.optimize()  # merged into one: every older segment goes
    searcher = whoosh_internals.refreshed(searcher)
    assert searcher.up_to_date() and len(searcher.reader().leaf_readers()) == 1
    assert sorted(int(fields["id"]) for fields in searcher.all_stored_fields()) == list(range(7))
    searcher.close()


# The patch --------------------------------------------------------------------------------------------


def test_whooshs_per_document_reader_answers_none_for_a_missing_column(reader):
    whoosh_internals.remember_missing_length_columns()
    original = W3PerDocReader._cached_reader.original
    assert list(inspect.signature(original).parameters) == ["self", "fieldname", "column"]
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    assert original(reader._perdoc, _lenfield("words"), LENGTHS_COLUMN) is None
    assert original(reader._perdoc, _lenfield("text"), LENGTHS_COLUMN) is not None


def test_remembering_missing_length_columns_is_applied_once_and_by_every_index_store(tmp_path):
    whoosh_internals.remember_missing_length_columns()
    patched = W3PerDocReader._cached_reader
    assert whoosh_internals.remember_missing_length_columns() is False
    IndexStore(str(tmp_path / "store"))
    assert W3PerDocReader._cached_reader is patched and patched.remembers_missing


def test_a_segment_looks_for_a_missing_length_column_once(ix, monkeypatch):
    whoosh_internals.remember_missing_length_columns()
    segment = ix._segments()[0]
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    reader = default_codec().per_document_reader(storage, segment)
    looked: list[str] = []
    real_exists = storage.file_exists
    monkeypatch.setattr(storage, "file_exists", lambda name: looked.append(name) or real_exists(name))
    lengths = [reader.doc_field_length(docnum, "words") for docnum in range(segment.doc_count_all())]
    assert lengths == [0] * segment.doc_count_all() and len(looked) == 1  # "words" has no lengths
    assert reader.doc_field_length(0, "text") > 0
    reader.close()


# The rule ---------------------------------------------------------------------------------------------

PACKAGE = Path(whoosh_internals.__file__).parent
# Whoosh's modules whose pieces are internals here; the public ones (index, fields, query, ...) are free.
INTERNAL_MODULES = ("whoosh.codec", "whoosh.matching", "whoosh.writing", "whoosh.searching", "whoosh.reading",
                    "whoosh.system", "whoosh.util", "whoosh.lang.stopwords")
PUBLIC_FROM_INTERNAL_MODULES = {"whoosh.reading": {"TermNotFound"}}
PRIVATE_ATTRIBUTES = re.compile(
    r"\._(perdoc|cached_reader|field_B|finalize_segment|commit_toc|close_segment|finish|read_toc|ix|gen|ids"
    r"|weights|read_ids|read_weights|next_block)\b|\b_lk="
)


@pytest.mark.parametrize("path", sorted(path.name for path in PACKAGE.glob("*.py")
                                        if path.name != "whoosh_internals.py"))
def test_no_other_module_of_the_package_touches_whoosh_internals(path):
    source = (PACKAGE / path).read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            names = {alias.name for alias in node.names}
            assert not any(name.startswith("_") for name in names), (path, node.module, names)
            if node.module.startswith(INTERNAL_MODULES):
                public = PUBLIC_FROM_INTERNAL_MODULES.get(node.module, set())
                assert names <= public, (path, node.module, names)
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith(INTERNAL_MODULES) for alias in node.names), path
    assert not PRIVATE_ATTRIBUTES.search(source), (path, PRIVATE_ATTRIBUTES.search(source).group())
