"""The public, read-only JSON API: open postings and approved organisations, as open data.

Every query is checked against the parameter declarations in bulletin.openapi, which also publishes them.
Answers are the same for everyone: no session, no cookie, readable from any origin, cacheable for a minute.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request, url_for
from flask.sessions import SecureCookieSession, SessionInterface
from flask_babel import gettext as _

from bulletin import i18n, openapi, settings
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.models import Organisation, Posting
from bulletin.search import get_search
from bulletin.search import query as search_query
from bulletin.search.match import matches_for
from bulletin.services import clock, listing
from bulletin.services.errors import Gone, NotFound
from bulletin.services.organisations import profile_record
from bulletin.services.pagination import Page

bp = Blueprint("api", __name__, url_prefix=openapi.API_PREFIX)

# Everything under /api/ answers in JSON (bulletin.web renders its errors so), including unknown paths.
API_ROOT = "/api/"


def _is_api_path(path: str) -> bool:
    return path.startswith(API_ROOT)


class _UnsavedSession(SecureCookieSession):
    """An API request's session: empty whatever cookie came with it, and never written back."""


class SessionlessApi(SessionInterface):
    """The app's session interface, except that API requests neither read nor set the session cookie."""

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def open_session(self, app, request):
        if _is_api_path(request.path):
            return _UnsavedSession()
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not isinstance(session, _UnsavedSession):
            self.inner.save_session(app, session, response)


@bp.record_once
def _keep_api_sessionless(state) -> None:
    state.app.session_interface = SessionlessApi(state.app.session_interface)


@bp.before_app_request
def _message_language() -> None:
    # The API has no language prefix: its error messages follow the client's Accept-Language.
    if _is_api_path(request.path):
        language = i18n.best_language()
        g.lang = language if language in i18n.ui_languages() else i18n.SOURCE_LANGUAGE


@bp.after_app_request
def _open_data_headers(response: Response) -> Response:
    if not _is_api_path(request.path):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        # A browser asks first when a page sends If-None-Match itself.
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    if response.status_code >= 500 or response.status_code == 429:
        response.cache_control.no_store = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = openapi.CACHE_SECONDS
    if response.status_code >= 400:
        response.vary.add("Accept-Language")  # the message is translated
    return response


def _json(data: dict, status: int = 200) -> Response:
    # Not jsonify: plain UTF-8 instead of \u escapes sends Arabic or Tigrinya in a third to half the bytes.
    body = current_app.json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body + "\n", status=status, mimetype="application/json")
    # Its ETag and the 304 for a matching If-None-Match come from bulletin/http_caching.py, as for pages.
    return response


def _error(status: int, message: str, field: str | None = None) -> Response:
    error = {"code": status, "message": message}
    if field is not None:
        error["field"] = field
    return _json({"error": error}, status)


@bp.errorhandler(openapi.InvalidParameter)
def _invalid_parameter(error: openapi.InvalidParameter) -> Response:
    return _error(400, error.message, error.field)


@bp.errorhandler(NotFound)
def _not_found(_error_: NotFound) -> Response:
    if request.endpoint == "api.organisation":
        return _error(404, _("There is no approved organisation with this key."))
    return _error(404, _("There is no public posting with this number."))


@bp.errorhandler(Gone)
def _gone(_error_: Gone) -> Response:
    return _error(410, _("This posting is closed or has expired."))


def _link_language(language: str | None) -> str:
    """The language of the board pages the answer links to."""
    if language in i18n.ui_languages():
        return language
    return settings.current().default_language


def _posting_json(posting: Posting, link_language: str) -> dict:
    return {
        "id": posting.id,
        "key": posting.key,
        "type": posting.type,
        "category": posting.category,
        "district": posting.district,
        "organisation": {"key": posting.organisation.key, "name": posting.organisation.name},
        "title": {text.language: text.title for text in posting.texts},
        "body": {text.language: text.body for text in posting.texts if text.body},
        "original_language": posting.original_language,
        "valid_until": posting.valid_until.isoformat() if posting.valid_until else None,
        "url": url_for("public.posting", lang=link_language, posting_id=posting.id, _external=True),
    }


def _organisation_json(organisation: Organisation, open_postings: int) -> dict:
    return {
        "key": organisation.key,
        **profile_record(organisation),
        "url": url_for("public.organisation", lang=_link_language(None), key=organisation.key,
                       _external=True),
        "open_postings": open_postings,
    }


def _page_json(page: Page, items: list[dict]) -> dict:
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}


def _search_page(query: dict) -> Page:
    """The postings matching ``q``, best first, from the same search engine as the board's search page."""
    session, today = get_session(), clock.today()
    filters = search_query.Filters(
        type=query["type"], category=query["category"], district=query["district"],
        organisation=query["organisation"], key=query["key"], language=query["lang"],
    )
    result = search_query.search_postings(
        get_search(), query["q"], filters, page=query["page"], per_page=query["per_page"],
        reader_language=query["lang"], today=today, with_facets=False,
    )
    items = listing.listed_in_order(session, [hit.posting_id for hit in result.hits], today)
    return Page(items=items, total=result.total, page=query["page"], per_page=query["per_page"])


@bp.get("/postings")
def postings() -> Response:
    query = openapi.parse_query(openapi.POSTING_PARAMETERS, request.args)
    if query["q"]:
        page = _search_page(query)
    else:
        filters = listing.PostingFilter(
            type=query["type"], category=query["category"], district=query["district"],
            organisation_key=query["organisation"], key=query["key"], language=query["lang"],
        )
        page = listing.list_postings(get_session(), clock.today(), filters, query["page"], query["per_page"])
    link_language = _link_language(query["lang"])
    return _json(_page_json(page, [_posting_json(posting, link_language) for posting in page.items]))


@bp.get(f"/postings/<int(max={MAX_ID}):posting_id>")
def posting(posting_id: int) -> Response:
    openapi.parse_query(openapi.NO_PARAMETERS, request.args)
    found = listing.public_posting(get_session(), posting_id, clock.today())
    return _json(_posting_json(found, _link_language(None)))


@bp.get(f"/postings/<int(max={MAX_ID}):posting_id>/matches")
def posting_matches(posting_id: int) -> Response:
    query = openapi.parse_query(openapi.MATCH_PARAMETERS, request.args)
    found = listing.public_posting(get_session(), posting_id, clock.today())
    matches = matches_for(get_search(), found, limit=query["limit"])
    return _json({
        "posting": found.id,
        "matches": [
            {"id": match.posting_id, "key": match.key, "score": match.score,
             "reasons": [reason.as_json() for reason in match.reasons]}
            for match in matches
        ],
    })


@bp.get("/organisations")
def organisations() -> Response:
    query = openapi.parse_query(openapi.ORGANISATION_PARAMETERS, request.args)
    session = get_session()
    page = listing.list_organisations(session, query["type"], query["page"], query["per_page"])
    counts = listing.listed_posting_counts(session, clock.today(), [item.id for item in page.items])
    return _json(_page_json(page, [_organisation_json(item, counts.get(item.id, 0)) for item in page.items]))


# Imported keys may hold a slash, so the key is the whole rest of the path (as on the public pages).
@bp.get("/organisations/<path:key>")
def organisation(key: str) -> Response:
    openapi.parse_query(openapi.NO_PARAMETERS, request.args)
    session = get_session()
    found = listing.public_organisation(session, key)
    counts = listing.listed_posting_counts(session, clock.today(), [found.id])
    return _json(_organisation_json(found, counts.get(found.id, 0)))


@bp.get("/openapi.json", endpoint="openapi")
def openapi_document() -> Response:
    openapi.parse_query(openapi.NO_PARAMETERS, request.args)
    return _json(openapi.document(settings.current().site_name))
