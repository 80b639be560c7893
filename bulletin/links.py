"""Links to the board from outside a page: in mails, always on the board's configured public address.

A link in a mail must never be built from the request: its Host header is whatever the sender of the
request chose, so a password-reset mail asked for with ``Host: attacker.example`` would point there.
Every mail link is built here, from ``BULLETIN_BASE_URL`` (required in production; in development and
tests the ``SERVER_NAME`` stands in when it is not set). A command that mails checks for the address
before it records anything (bulletin.commands.console.require_mail_links).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import MapAdapter

from bulletin import settings

ADAPTER_KEY = "bulletin.links"


class NoBaseUrl(RuntimeError):
    """The board does not know its public address, so it cannot write a link into a mail."""


def base_url(app: Flask) -> str | None:
    configured = settings.of(app).base_url
    if configured:
        return configured.rstrip("/")
    if app.config.get("SERVER_NAME"):
        return f"{app.config.get('PREFERRED_URL_SCHEME', 'http')}://{app.config['SERVER_NAME']}"
    return None


def url_builder(app: Flask) -> MapAdapter:
    """A URL adapter bound to the public address, made once per app (the URL map does not change)."""
    adapter = app.extensions.get(ADAPTER_KEY)
    if adapter is None:
        address = base_url(app)
        if not address:
            raise NoBaseUrl()
        parts = urlsplit(address)
        adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                   url_scheme=parts.scheme or "https")
        app.extensions[ADAPTER_KEY] = adapter
    return adapter


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` on the board's public address, for a mail."""
    return url_builder(current_app).build(endpoint, values, force_external=True)
