"""Counting visits of the public pages (per day, kind of page and language, nothing else) and readers of
each posting (its view count, for the translators' queue).

Counted after every public answer with status 200 or 304, whether the view made the page or the page cache
(bulletin/page_cache.py) had it. A write per page view would make every visitor wait for the database,
and on SQLite serialise the workers; so each worker gathers its counts in memory and writes them in one
short transaction at most every BULLETIN_VISIT_FLUSH_SECONDS, and when it exits. A worker that is
killed loses at most that many seconds of counts: they are statistics, not records. A failure to write
is only logged; a visitor never sees an error because of it.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
import weakref
from collections import Counter
from datetime import date

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bulletin import i18n, settings
from bulletin.db import get_engine
from bulletin.services import clock, postings, visits

bp = Blueprint("visits", __name__)

COUNTED_BLUEPRINT = "public"
# A page, or the browser's own copy of it confirmed unchanged (304, bulletin/http_caching.py): both a visit.
COUNTED_STATUSES = frozenset({200, 304})
POSTING_ENDPOINT = "public.posting"
EXTENSION_KEY = "bulletin.visits"


class VisitBuffer:
    """The counts this worker has gathered and not written yet."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._visits: Counter[tuple[date, str, str]] = Counter()
        self._views: Counter[int] = Counter()
        self._last_write = time.monotonic()

    def add(self, day: date, page_kind: str, language: str, posting_id: int | None) -> None:
        with self._lock:
            self._visits[(day, page_kind, language)] += 1
            if posting_id is not None:
                self._views[posting_id] += 1

    def due(self, seconds: int) -> bool:
        return time.monotonic() - self._last_write >= seconds

    def write(self) -> None:
        """Write what is gathered in one transaction; if that fails, the counts are kept for next time."""
        with self._lock:
            gathered_visits, gathered_views = self._visits, self._views
            self._visits, self._views = Counter(), Counter()
            self._last_write = time.monotonic()
        if not gathered_visits and not gathered_views:
            return
        try:
            with self.engine.begin() as connection:
                visits.count_visits(connection, gathered_visits)
                postings.count_views(connection, gathered_views)
        except SQLAlchemyError:
            with self._lock:
                self._visits.update(gathered_visits)
                self._views.update(gathered_views)
            raise


def buffer_of(app: Flask) -> VisitBuffer:
    return app.extensions[EXTENSION_KEY]


@bp.record_once
def _start_buffer(state) -> None:
    app = state.app
    with app.app_context():
        buffer = VisitBuffer(get_engine(app))
    app.extensions[EXTENSION_KEY] = buffer
    # A worker that stops writes what it has gathered (a weak reference: an app let go of goes with it).
    atexit.register(_write_at_exit, weakref.ref(buffer))


def _write_at_exit(buffer_ref: weakref.ref) -> None:
    buffer = buffer_ref()
    if buffer is None:
        return
    with contextlib.suppress(SQLAlchemyError):  # the database went before the worker: nowhere to write
        buffer.write()


@bp.after_app_request
def count_public_page(response: Response) -> Response:
    if request.method != "GET" or response.status_code not in COUNTED_STATUSES \
            or request.blueprint != COUNTED_BLUEPRINT:
        return response
    page_kind = request.endpoint.rsplit(".", 1)[-1]
    posting_id = (request.view_args or {}).get("posting_id") if request.endpoint == POSTING_ENDPOINT else None
    buffer = buffer_of(current_app)
    buffer.add(clock.today(), page_kind, i18n.current_language(), posting_id)
    if buffer.due(settings.current().visit_flush_seconds):
        try:
            buffer.write()
        except SQLAlchemyError:
            current_app.logger.warning("Could not write the visit counts; kept for the next try",
                                       exc_info=True)
    return response
