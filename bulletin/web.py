"""What every page shares: security headers, error pages, template helpers, the signed-in user."""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache

from flask import (
    Flask,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from bulletin import http_caching, i18n, input_guard, login_sessions, settings
from bulletin.blueprints.desk import notices as desk_notices
from bulletin.blueprints.query_args import InvalidArgument
from bulletin.extensions import login_manager
from bulletin.taxonomy import CATEGORIES, LANGUAGE_BY_CODE, POSTING_TYPES, language_direction

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC_MAX_AGE = 365 * 24 * 3600
HSTS_MAX_AGE = 365 * 24 * 3600
# Areas behind sign-in: never cached, whoever asks.
PRIVATE_BLUEPRINTS = frozenset({"account", "sign_ins", "two_factor", "dashboard", "desk", "translate",
                                "renewal"})
LOGO_NAME = re.compile(r"^[0-9a-f]{32}\.png$")
# A HEAD is answered with the GET's page (and so its ETag): both link the page in every language.
SAFE_METHODS = frozenset({"GET", "HEAD"})

def error_title(code: int) -> str:
    titles = {
        403: _("Not allowed"),
        404: _("Page not found"),
        410: _("No longer available"),
        413: _("Too large"),
        429: _("Too many attempts"),
    }
    return titles.get(code, _("Something went wrong") if code >= 500 else _("Bad request"))


def error_message(code: int) -> str:
    messages = {
        400: _("The request could not be understood. Please check what you entered and try again."),
        403: _("You are not allowed to do this."),
        404: _("There is no page at this address."),
        405: _("This page cannot be used like this."),
        410: _("This is no longer available."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }
    return messages.get(code, messages[400] if code < 500 else messages[500])


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    _init_login(app)
    _init_templates(app)
    _init_headers(app)
    http_caching.init_app(app)
    _init_errors(app)
    input_guard.init_app(app)

    @app.get("/")
    def root():
        """The bare address: the language the browser prefers."""
        response = redirect(url_for("public.home", lang=i18n.best_language()), code=302)
        response.vary.add("Accept-Language")  # a cache must not send one browser's choice to another
        return response

    # Logos have no language prefix: the same picture serves every language.
    app.add_url_rule("/logos/<filename>", "logo", serve_logo)


def serve_logo(filename: str):
    """An organisation's logo. Names are content hashes, so a file never changes: cache it for a year."""
    if not LOGO_NAME.match(filename):
        abort(404)
    upload_dir = settings.current().upload_dir
    response = send_from_directory(upload_dir, filename, max_age=STATIC_MAX_AGE)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def _init_login(app: Flask) -> None:
    login_manager.login_view = "account.login"
    login_manager.login_message = None

    login_manager.user_loader(login_sessions.load)


@cache
def _file_hash(path: str, _mtime: float) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def _init_templates(app: Flask) -> None:
    def static_url(filename: str) -> str:
        """A static file's address with a content hash, so it can be cached for a year."""
        path = os.path.join(app.static_folder, filename)
        version = _file_hash(path, os.path.getmtime(path))
        return url_for("static", filename=filename, v=version)

    def language_links() -> list[tuple[object, str]]:
        """This page in each interface language (the chooser); the home page where it has no prefix."""
        endpoint = request.endpoint
        expects_lang = endpoint and app.url_map.is_endpoint_expecting(endpoint, "lang")
        links = []
        for code in i18n.ui_languages():
            if expects_lang and request.method in SAFE_METHODS:
                args = {**request.args.to_dict(), **(request.view_args or {}), "lang": code}
                url = url_for(endpoint, **args)
            else:
                url = url_for("public.home", lang=code)
            links.append((LANGUAGE_BY_CODE[code], url))
        return links

    def language_alternates() -> list[tuple[str, str]]:
        """This page in every interface language, for <link rel="alternate" hreflang>; x-default is the
        bare address that picks a language for the browser (the default language's page elsewhere)."""
        endpoint = request.endpoint
        expects_lang = endpoint and app.url_map.is_endpoint_expecting(endpoint, "lang")
        if request.method not in SAFE_METHODS or not expects_lang:
            return []
        args = {**request.args.to_dict(), **(request.view_args or {})}
        links = [(code, url_for(endpoint, **{**args, "lang": code}, _external=True))
                 for code in i18n.ui_languages()]
        if endpoint == "public.home" and not request.args:
            default = url_for("root", _external=True)
        else:
            default = url_for(endpoint, **{**args, "lang": i18n.default_language()}, _external=True)
        return [*links, ("x-default", default)]

    @app.context_processor
    def page_context():
        lang = i18n.current_language()
        return {
            "lang": lang,
            "text_direction": language_direction(lang),
            "ui_languages": [LANGUAGE_BY_CODE[code] for code in i18n.ui_languages()],
            "categories": CATEGORIES,
            "posting_types": POSTING_TYPES,
            "site_name": settings.of(app).site_name,
            "language_links": language_links,
            "language_alternates": language_alternates,
        }

    # The coordinator's notices appear on every organisation's dashboard, outside the desk's blueprint.
    app.context_processor(desk_notices.template_context)
    app.jinja_env.globals.update(static_url=static_url, language_direction=language_direction,
                                 languages=LANGUAGE_BY_CODE)
    app.jinja_env.filters["isolate"] = i18n.isolate
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Matches babel.cfg: {% trans %} blocks are trimmed at extraction, so they must be at render time.
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def _init_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Our own pages send their address to our own pages only: Flask-WTF's HTTPS check of a form's
        # Referer needs it, and no other site learns which posting a visitor read (docs/security.md).
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
        elif response.mimetype == "text/html":
            response.vary.add("Cookie")  # added: the bare address also varies by Accept-Language
        if is_private(response):
            # A signed-in person's pages (and forms with their token) stay out of every cache, the
            # browser's history cache on a shared computer included.
            response.cache_control.no_store = True
            response.cache_control.public = False
            response.cache_control.max_age = None
        else:
            # What everyone sees alike: an ETag, a short Cache-Control, and a 304 for a repeat visit.
            http_caching.make_shared_answer_conditional(response)
        return response


def is_private(response) -> bool:
    """Whether this answer belongs to one person: a signed-in request, or one whose session was written."""
    if request.endpoint == "static" or request.path.startswith("/logos/") or wants_json():
        return False  # files, and the API, which neither reads nor sets a session
    return current_user.is_authenticated or session.modified or request.blueprint in PRIVATE_BLUEPRINTS


def _init_errors(app: Flask) -> None:
    def render_error(code: int, message: str | None = None, field: str | None = None):
        """The error page in the page's language; ``message`` may be lazy, so it is read only then.
        ``field`` names the parameter at fault, for the API's JSON error."""
        if wants_json():
            error = {"code": code, "message": str(message or error_message(code))}
            if field is not None:
                error["field"] = field
            return jsonify({"error": error}), code
        # An address that matched no page still names its language: /en/nothing answers in English.
        path_language = request.path.split("/", 2)[1]
        if path_language in i18n.ui_languages(app):
            g.lang = path_language
        elif "lang" not in g or g.lang not in i18n.ui_languages(app):
            g.lang = i18n.best_language()
        refresh()
        message = str(message or error_message(code))
        return render_template("error.html", code=code, title=error_title(code), message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400, _l("Your form was open too long or came from elsewhere. Please send it again.")
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # A Host this board does not answer to (TRUSTED_HOSTS): no address can be built for it, so no page
        # with links either; a proxy in front normally drops such requests before they get here.
        return Response("400 Bad Request: unknown host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(InvalidArgument)
    def invalid_argument(error: InvalidArgument):
        return render_error(400, error.description, getattr(error, "field", None))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(500)
