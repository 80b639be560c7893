"""Conditional answers for what every visitor sees alike: ETag, Last-Modified and a short Cache-Control.

An anonymous page is the same for everyone asking the same address: its language is in the path, it has
no form token, and the CSP has no nonce. So its body names it (a strong ETag), a browser or proxy may keep
it for a short while (``BULLETIN_PAGE_MAX_AGE``), and asking again with ``If-None-Match`` costs an empty
``304``. bulletin.web calls this only for answers it did not find private (a signed-in request, a written
session, the private areas): those stay ``no-store`` and are never answered with a 304.

Last-Modified must never claim a page is older than it could be. What a public page shows changes only
with the listing revision (bulletin/services/listing_revision.py), with the day (postings expire at
midnight, bulletin.services.clock) and with a release (a new process may render differently), so it is
the latest of the three. HTTP dates have whole seconds and the revision is stamped just before its
transaction commits, so a page made within ``SETTLED`` of that moment gets no Last-Modified: a change
in the same second, or one committing a moment later, would otherwise carry the very same date.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask, Response, current_app, request, session
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_date, parse_etags

from bulletin import settings
from bulletin.db import get_session
from bulletin.services import clock, listing_revision

STARTED_KEY = "bulletin.http_caching.started"
# Pages and documents anyone may see: the board's pages, the legal pages, the printable PDFs, the API.
# The logos and static files are answered by send_file, which validates them on its own.
SHARED_BLUEPRINTS = frozenset({"public", "legal", "printing", "api"})
# What these answers show comes from the search index, which may catch up with the database later (the
# search worker, bulletin/search/sync.py): the revision says nothing about them, so only their ETag does.
INDEX_ENDPOINTS = frozenset({"public.search", "api.posting_matches"})
SEARCHING_ENDPOINTS = frozenset({"api.postings"})  # from the index when the query has a "q"
# How long after a change (or a start, or midnight) its moment is a safe Last-Modified; see above.
SETTLED = timedelta(seconds=5)


def init_app(app: Flask) -> None:
    app.extensions[STARTED_KEY] = now()


def now() -> datetime:
    return datetime.now(UTC)


def make_shared_answer_conditional(response: Response) -> Response:
    """ETag, Last-Modified and Cache-Control for an answer that is the same for everyone, and a 304 when
    the request's validators match it. Anything else is left as it is."""
    if not _shared(response):
        return response
    if response.status_code == 200:
        response.add_etag()
    last_modified = _last_modified()
    if last_modified is not None:
        response.last_modified = last_modified
    if "Cache-Control" not in response.headers:  # a view's own choice (the PDFs') stands
        response.cache_control.public = True
        response.cache_control.max_age = settings.current().page_max_age
    if response.status_code == 200:
        response.make_conditional(_validators(request.environ, response.get_etag()[0]))
        if response.status_code == 412:
            _refuse_precondition(response)
    return response


def _shared(response: Response) -> bool:
    if request.method not in ("GET", "HEAD") or request.blueprint not in SHARED_BLUEPRINTS:
        return False
    if response.is_streamed or response.direct_passthrough:
        return False  # no body to name here
    # 200, or the 304 an API view or a PDF already gave by its own ETag: it needs the same headers.
    if response.status_code != 200 and not (response.status_code == 304 and "ETag" in response.headers):
        return False
    # A session cookie in the answer (a permanent one is sent again on every request) must not be kept
    # by a shared cache and handed to the next visitor.
    return not current_app.session_interface.should_set_cookie(current_app, session)


def _validators(environ: dict, etag: str | None) -> dict:
    """The request's conditions as RFC 9110 section 13.2.2 evaluates them, where Werkzeug differs: an
    If-Match that holds (the page's tag, or "*") lets the others decide, If-Modified-Since counts only
    without an If-None-Match (Werkzeug lets it decide when If-None-Match holds no tag), and a date later
    than now is no date this board ever sent."""
    environ = dict(environ)
    if etag and parse_etags(environ.get("HTTP_IF_MATCH")).contains(etag):
        environ.pop("HTTP_IF_MATCH")
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if "HTTP_IF_NONE_MATCH" in environ or (since is not None and _in_future(since)):
        environ.pop("HTTP_IF_MODIFIED_SINCE", None)
    return environ


def _in_future(value: str) -> bool:
    moment = parse_date(value)
    return moment is not None and moment > now()


def _refuse_precondition(response: Response) -> None:
    """A failed If-Match: an empty 412 that no cache keeps for the requests after it."""
    response.set_data(b"")
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.cache_control.no_store = True


def _last_modified() -> datetime | None:
    if request.endpoint in INDEX_ENDPOINTS or (request.endpoint in SEARCHING_ENDPOINTS
                                               and "q" in request.args):
        return None
    changed = _revision_changed_at()
    if changed is None:
        return None
    latest = max(changed, day_start(), current_app.extensions[STARTED_KEY])
    return latest if latest + SETTLED <= now() else None


def day_start() -> datetime:
    """The start of the board's today (clock.today() is the server's local date), in UTC."""
    return datetime.combine(clock.today(), time.min).astimezone(UTC)


def _revision_changed_at() -> datetime | None:
    """When the listing last changed; the Unix epoch for a database that never recorded it, and None
    (no Last-Modified) when it cannot be read: the page itself was made, it should go out."""
    try:
        revision = listing_revision.current(get_session())
    except SQLAlchemyError:
        current_app.logger.warning("Could not read the listing revision", exc_info=True)
        return None
    changed = revision.changed_at or datetime.fromtimestamp(0, UTC)
    return changed if changed.tzinfo else changed.replace(tzinfo=UTC)  # SQLite gives it back naive
