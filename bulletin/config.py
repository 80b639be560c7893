"""Flask's configuration from the board's settings, and the checks a production start must pass.

Production needs ``SECRET_KEY``, ``DATABASE_URL``, ``BULLETIN_BASE_URL``, a shared rate-limit store and the
operator's details for the legal pages; every other setting has a default (bulletin/settings.py), and an
unsafe production start is refused with the name of the variable to set.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bulletin.settings import SETTING_KEYS, ConfigError, Settings, replace

__all__ = ["ConfigError", "check_production", "complete", "flask_config"]

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")


def complete(settings: Settings) -> Settings:
    """Fill in what a laptop or a test run may leave out, after ``check_production`` has had its say."""
    if not settings.secret_key:
        settings = replace(settings, SECRET_KEY=secrets.token_hex(32))
    return settings


def check_production(settings: Settings) -> None:
    """Refuse a start that would be unsafe on a public board, naming the variable to set."""
    if not settings.production:
        return
    if not settings.secret_key:
        raise ConfigError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
            "(for example the output of: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set BULLETIN_ENV=development on a laptop."
        )
    if not settings.base_url:
        raise ConfigError(
            "BULLETIN_BASE_URL is not set. Set it to the board's public address, for example "
            "https://board.example.org: links in mails are built from it, never from a request's Host header."
        )
    if (settings.ratelimit_enabled and settings.ratelimit_storage_uri.startswith("memory://")
            and not settings.single_process):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI is memory://, which counts in each worker process separately, so several "
            "workers allow several times the limits. Point it at Redis (for example "
            "redis://127.0.0.1:6379/0), or set BULLETIN_SINGLE_PROCESS=true if the board really runs in one "
            "process."
        )
    for name, value in (("BULLETIN_OPERATOR_NAME", settings.operator_name),
                        ("BULLETIN_OPERATOR_ADDRESS", settings.operator_address),
                        ("BULLETIN_OPERATOR_EMAIL", settings.operator_email)):
        if not value:
            raise ConfigError(
                f"{name} is not set. The imprint and the privacy notice must name who runs the board: set "
                "BULLETIN_OPERATOR_NAME, BULLETIN_OPERATOR_ADDRESS and BULLETIN_OPERATOR_EMAIL "
                "(README, Configuration)."
            )


def flask_config(settings: Settings, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """What Flask and its extensions read from app.config, derived from the settings.

    ``overrides`` may set Flask's own keys (the tests set TESTING and SERVER_NAME, for example)."""
    config: dict[str, Any] = {
        **settings.as_config(),
        "RATELIMIT_HEADERS_ENABLED": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_max_hours),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_TRANSLATION_DIRECTORIES": TRANSLATIONS_DIR,
        **{key: value for key, value in (overrides or {}).items() if key not in SETTING_KEYS},
    }
    if settings.production and not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [urlsplit(settings.base_url).hostname, *settings.trusted_hosts]
    if settings.session_cookie_secure and config.get("SESSION_COOKIE_NAME", "session") == "session":
        # A "__Host-" cookie is sent only over HTTPS, to this host and path "/": no sibling host can set or
        # read it (OWASP ASVS 3.4.4). Without HTTPS (a laptop) browsers would refuse the name.
        config["SESSION_COOKIE_NAME"] = "__Host-session"
    return config
