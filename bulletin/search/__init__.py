"""Search and matching across languages: a Whoosh index derived from the database.

``init_app`` gives the app one ``SearchIndex`` (search_index.py), in
``current_app.extensions["bulletin.search"]``: the index folder, the analyzer with its compound vocabulary,
the concept lexicon and the ranking. The modules:

- analysis.py         words into index terms per language (normalising, stemming, compounds)
- lexicon.py          the concept lexicon (bulletin/data/concepts.tsv)
- aspects.py          what a text asks for or offers: its words as aspects, with their concepts and terms
- ranking.py          every constant of ranking and matching, in one Ranking
- documents.py        the index document of a posting
- index.py            the schema, index generations, one searcher per process
- whoosh_internals.py every use of Whoosh's internals, checked against its version
- search_index.py     SearchIndex: all of the above for one board, with its caches
- sync.py             keeping index and database equal (the queue, a commit's own write, rebuild, check)
- bulk.py             writing every posting into a new generation, in worker processes
- worker.py           flask search-worker: works off the queue in order
- scoring.py          queries scored in memory over arrays of the index's postings
- coverage.py         how much of one text another covers (matching, and the ranking of search results)
- query.py            search for visitors and the API
- snippets.py         highlighted snippets
- match.py            offers for a request and requests for an offer

The commands (reindex [--check], search-worker [--once]) are bulletin/commands/search.py; the daily
mail of new matching offers is bulletin/services/digest.py.
"""

from __future__ import annotations

from flask import Flask, current_app

from bulletin import settings
from bulletin.search.search_index import SearchIndex

__all__ = ["EXTENSION_KEY", "SearchIndex", "get_search", "init_app"]

EXTENSION_KEY = "bulletin.search"


def init_app(app: Flask) -> None:
    from bulletin.db import get_engine
    from bulletin.search import sync  # importing it registers the session events

    board = settings.of(app)
    app.extensions[EXTENSION_KEY] = SearchIndex(
        board.index_dir, board.concepts_file,
        ensure_index=lambda search: sync.ensure_index(search, get_engine(app)),
    )


def get_search(app: Flask | None = None) -> SearchIndex:
    return (app or current_app).extensions[EXTENSION_KEY]
