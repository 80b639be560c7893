"""Finished public pages, kept by each worker for as long as nothing they show can have changed.

A public page asked for without any cookie is the same for everyone: it depends on its address (host,
path, query), the language, the listing revision (bulletin/services/listing_revision.py, which moves in
the same transaction as every change to a posting, its texts or an organisation), the day (postings
expire at midnight), and, for what asks the search index, the generation the index is at. Under that
key a page made once is answered again from memory without its view running; the first request after
any change, in each worker, makes it anew. So a page is never older than the database: checking costs
one primary-key lookup (and for search pages a look at the index's table of contents).

Kept: GET answers with status 200 of the public pages and the API, for requests without cookies, whose
answer sets no cookie and is not private. Everything after the view still runs for an answer from the
cache: security headers, ETag and conditional answers (bulletin/http_caching.py), visit counting.
The cache is bounded (BULLETIN_PAGE_CACHE_MB per worker); the least recently used page goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy.exc import SQLAlchemyError

from bulletin import http_caching, settings
from bulletin.db import get_session
from bulletin.search import get_search
from bulletin.services import clock, listing_revision

EXTENSION_KEY = "bulletin.page_cache"
CACHED_BLUEPRINTS = frozenset({"public", "api"})
# What these show comes (also) from the search index, which the search worker may bring up to date after
# the database: their key names the index's generation too.
INDEX_ENDPOINTS = http_caching.INDEX_ENDPOINTS | http_caching.SEARCHING_ENDPOINTS
MAX_ADDRESS = 2048  # longer addresses are made every time: nobody shares them, they would only crowd out
MAX_PAGE_BYTES = 512 * 1024
MEGABYTE = 1024 * 1024
EPOCH_LENGTH = 3  # a key's first parts: revision number, revision time, day
# Headers of the view's own answer that belong to the page; the rest is added again on the way out.
KEPT_HEADERS = frozenset({"content-type", "link", "content-language", "vary", "x-total-count"})


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Pages by key, least recently used first, within a byte budget; safe for threads.

    A key starts with its epoch, (revision number, revision time, day). Once a page of a new epoch is
    kept, the pages of the others go: no request will ask for them again.
    """

    def __init__(self) -> None:
        self.max_bytes = 0  # from the settings, on first use
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._bytes = 0
        self._epoch: tuple | None = None
        self._settings: settings.Settings | None = None
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            self._forget_if_settings_changed()
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        size = len(page.body)
        with self._lock:
            self._forget_if_settings_changed()
            if size > min(self.max_bytes, MAX_PAGE_BYTES):
                return
            epoch = key[:EPOCH_LENGTH]
            if epoch != self._epoch:
                self._pages.clear()
                self._bytes = 0
                self._epoch = epoch
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)

    def _forget_if_settings_changed(self) -> None:
        # A running board's settings change only in tests (configure), yet pages depend on them.
        current = settings.current()
        if current is not self._settings:
            self._pages.clear()
            self._bytes = 0
            self._settings = current
            self.max_bytes = current.page_cache_mb * MEGABYTE

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    """Register last: the lookup runs after every other before-request step (language, input checks),
    and the storing step first after the view, so it keeps the view's own answer."""
    app.extensions[EXTENSION_KEY] = PageCache()
    app.before_request(answer_from_cache)
    app.after_request(keep_answer)


def cache_of(app: Flask) -> PageCache:
    return app.extensions[EXTENSION_KEY]


def answer_from_cache() -> Response | None:
    key = _key()
    if key is None:
        return None
    g.page_cache_key = key
    page = cache_of(current_app).get(key)
    if page is None:
        return None
    g.page_cache_hit = True
    return Response(page.body, status=200, headers=list(page.headers))


def keep_answer(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None or g.get("page_cache_hit") or request.method != "GET":
        return response
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return response
    if session.modified or "Set-Cookie" in response.headers:
        return response  # someone's own answer: a flash, a form's token, a new session
    headers = tuple((name, value) for name, value in response.headers.items() if name.lower() in KEPT_HEADERS)
    cache_of(current_app).put(key, CachedPage(response.get_data(), headers))
    return response


def _key() -> tuple | None:
    """The page's key, or None when this request must be answered by its view."""
    if settings.current().page_cache_mb == 0 or request.method not in ("GET", "HEAD"):
        return None
    if request.blueprint not in CACHED_BLUEPRINTS or request.endpoint is None:
        return None
    if request.cookies or len(request.full_path) > MAX_ADDRESS:
        return None  # a cookie may be a session: a signed-in person, a flash waiting to be shown
    try:
        revision = listing_revision.current(get_session())
    except SQLAlchemyError:
        return None  # the view will say what is wrong
    index = get_search().store.version() if request.endpoint in INDEX_ENDPOINTS else None
    return (revision.number, revision.changed_at, clock.today(), request.host, request.full_path,
            g.get("lang"), index)
