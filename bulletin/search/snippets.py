"""Highlighted snippets: the part of a text around the first word a search looked for, marked up.

The text is cut into segments, each either plain or a match; templates print them and wrap the matches
in <mark>, escaping everything as usual. The words are found with the same analysis as the index, so
"Kinderbetten" is marked for a search for "Kinderbett", and "Bett" in "Kinderbett".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bulletin.search.analysis import Analyzer

SNIPPET_LENGTH = 160
CONTEXT_BEFORE = 40


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool


@dataclass(frozen=True)
class Looked:
    """What a search looked for: index terms, and concepts (with the lexicon that names them)."""

    terms: set[str]
    concepts: frozenset[str] = frozenset()
    lexicon: object = None

    def __bool__(self) -> bool:
        return bool(self.terms or self.concepts)


def _matches(text: str, language: str, looked: Looked, analyzer: Analyzer) -> list[tuple[int, int]]:
    tokens = list(analyzer.tokens(text, language))
    marked = {index for index, token in enumerate(tokens)
              if token.unit and any(term in looked.terms for term in token.unit)}
    if looked.concepts and looked.lexicon is not None:
        # Words that name a concept looked for: "Kinderwagen" for a search for "poussette".
        for concept, _weight, positions in looked.lexicon.spans([token.unit for token in tokens], language):
            if concept in looked.concepts:
                marked.update(positions)
    spans: list[tuple[int, int]] = []
    for index in sorted(marked):
        span = (tokens[index].start, tokens[index].end)
        if not spans or spans[-1] != span:
            spans.append(span)
    return spans


def _segments(text: str, spans: list[tuple[int, int]], offset: int = 0) -> list[Segment]:
    segments: list[Segment] = []
    position = 0
    for start, end in spans:
        start, end = start - offset, end - offset
        if start < position or end > len(text):
            continue
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[start:end], True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def highlight(text: str, language: str, looked: Looked, analyzer: Analyzer) -> list[Segment]:
    """The whole text (a title), its matches marked."""
    return _segments(text, _matches(text, language, looked, analyzer)) if looked else [Segment(text, False)]


def snippet(text: str, language: str, looked: Looked, analyzer: Analyzer,
            length: int = SNIPPET_LENGTH) -> list[Segment]:
    """About ``length`` characters of a description on one line, around its first match, matches marked."""
    flat = re.sub(r"\s+", " ", text).strip()
    spans = _matches(flat, language, looked, analyzer) if looked else []
    start = 0
    if spans and spans[0][0] > length - CONTEXT_BEFORE:
        start = flat.rfind(" ", 0, spans[0][0] - CONTEXT_BEFORE) + 1
    end = start + length
    cut_short = end < len(flat)
    if cut_short:
        cut = flat.rfind(" ", start, end)
        end = cut if cut > start else end
    piece = flat[start:end].rstrip(",.;:- ") if cut_short else flat[start:end]
    inside = [span for span in spans if span[0] >= start and span[1] <= start + len(piece)]
    segments = _segments(piece, inside, offset=start)
    if start > 0:
        segments.insert(0, Segment("…", False))
    if cut_short:
        segments.append(Segment("…", False))
    return segments
