"""Which language a request is in: the URL prefix decides, Accept-Language only picks the first one."""

from __future__ import annotations

import os
from functools import cache

from flask import Flask, abort, current_app, g, request

from bulletin import settings
from bulletin.taxonomy import LANGUAGE_BY_CODE, LANGUAGES

SOURCE_LANGUAGE = "en"  # the language msgids are written in
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


@cache
def _catalogue_languages(translations_dir: str) -> tuple[str, ...]:
    present = {
        code
        for code in LANGUAGE_BY_CODE
        if os.path.exists(os.path.join(translations_dir, code, "LC_MESSAGES", "messages.po"))
    }
    return tuple(language.code for language in LANGUAGES if language.code in present | {SOURCE_LANGUAGE})


def ui_languages(app: Flask | None = None) -> tuple[str, ...]:
    """The interface languages: the source language and every language with a catalogue."""
    app = app or current_app
    return _catalogue_languages(app.config["BABEL_TRANSLATION_DIRECTORIES"])


def default_language(app: Flask | None = None) -> str:
    """The board's default language, else English: a default without a catalogue (yet) has no pages to
    show nor words to write a mail in."""
    app = app or current_app
    default = settings.of(app).default_language
    return default if default in ui_languages(app) else SOURCE_LANGUAGE


def best_language() -> str:
    """The interface language the browser prefers, else the board's default."""
    default = default_language()
    return request.accept_languages.best_match(ui_languages(), default=default) or default


def current_language() -> str:
    return g.get("lang") or settings.current().default_language


def select_locale() -> str:
    return current_language()


def isolate(text: str) -> str:
    """Words someone typed, set apart inside a sentence of either direction: what <bdi> does in HTML, for
    plain text such as a page title, a flash message or a search query quoted in a notice."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def pull_language(_endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = current_language()

    @app.before_request
    def refuse_unknown_language():
        if "lang" in g and g.lang not in ui_languages(app):
            # An unknown prefix is an unknown page; fall back to a language we can answer in.
            g.lang = settings.of(app).default_language
            abort(404)
