"""Configuration: safe defaults for a laptop, everything else from the environment.

Production needs only ``SECRET_KEY`` and ``DATABASE_URL``; every other setting has a default.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

DEVELOPMENT_ENVIRONMENTS = {"development", "test"}
POSTING_REVIEW_CHOICES = ("none", "unverified")
TRANSLATION_REVIEW_CHOICES = ("none", "coordinator")


class ConfigError(RuntimeError):
    """The configuration cannot run safely (for example, no secret key in production)."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def load_config(instance_path: str) -> dict:
    """Return the configuration for an app whose instance folder is ``instance_path``."""
    environment = os.environ.get("BULLETIN_ENV", "production")
    config = {
        "BULLETIN_ENV": environment,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "bulletin.sqlite"),
        "BULLETIN_SITE_NAME": os.environ.get("BULLETIN_SITE_NAME", "Neustetten hilft"),
        "BULLETIN_TOWN": os.environ.get("BULLETIN_TOWN", "Neustetten"),
        # The districts offered in forms; the district filter also lists those present in the data.
        "BULLETIN_DISTRICTS": _env_list(
            "BULLETIN_DISTRICTS",
            ["Altstadt", "Bahnhofsviertel", "Mühlbach", "Oberstadt", "Sonnenhang", "Unterried"],
        ),
        "BULLETIN_DEFAULT_LANGUAGE": os.environ.get("BULLETIN_DEFAULT_LANGUAGE", "de"),
        "BULLETIN_LOGO_MAX_BYTES": _env_int("BULLETIN_LOGO_MAX_BYTES", 2 * 1024 * 1024),
        "BULLETIN_PER_PAGE": _env_int("BULLETIN_PER_PAGE", 20),
        "BULLETIN_POSTING_DEFAULT_DAYS": _env_int("BULLETIN_POSTING_DEFAULT_DAYS", 90),
        "BULLETIN_RENEW_DAYS": _env_int("BULLETIN_RENEW_DAYS", 90),
        "BULLETIN_PASSWORD_RESET_MAX_AGE": _env_int("BULLETIN_PASSWORD_RESET_MAX_AGE", 3600),
        # "none": postings are public at once; "unverified": those by members of organisations without the
        # verified badge wait for the coordinator's review.
        "BULLETIN_POSTING_REVIEW": os.environ.get("BULLETIN_POSTING_REVIEW", "none").strip().lower(),
        # "none": a volunteer translator's translation is published at once; "coordinator": it waits
        # for the coordinator's approval.
        "BULLETIN_TRANSLATION_REVIEW": os.environ.get("BULLETIN_TRANSLATION_REVIEW", "none").strip().lower(),
        "BULLETIN_REPORT_LIMIT": os.environ.get("BULLETIN_REPORT_LIMIT", "5 per hour;20 per day"),
        "BULLETIN_EXPIRY_REMINDER_DAYS": _env_int("BULLETIN_EXPIRY_REMINDER_DAYS", 7),
        "BULLETIN_RENEW_LINK_DAYS": _env_int("BULLETIN_RENEW_LINK_DAYS", 14),
        # The board's public address, for links in mails sent by commands (there is no request to ask).
        "BULLETIN_BASE_URL": os.environ.get("BULLETIN_BASE_URL")
        or ("http://127.0.0.1:5000" if environment == "development" else None),
        # Argon2 cost: the library's defaults unless the environment lowers them (the tests do).
        "BULLETIN_ARGON2_TIME_COST": _env_int("BULLETIN_ARGON2_TIME_COST", 3),
        "BULLETIN_ARGON2_MEMORY_COST": _env_int("BULLETIN_ARGON2_MEMORY_COST", 65536),
        "BULLETIN_LOGIN_LIMIT": os.environ.get("BULLETIN_LOGIN_LIMIT", "10 per minute;50 per hour"),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "console" if environment == "development" else "smtp"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "board@localhost"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool(
            "SESSION_COOKIE_SECURE", environment not in DEVELOPMENT_ENVIRONMENTS
        ),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
        "BULLETIN_INDEX_DIR": os.environ.get("BULLETIN_INDEX_DIR") or os.path.join(instance_path, "index"),
        "BULLETIN_UPLOAD_DIR": os.environ.get("BULLETIN_UPLOAD_DIR")
        or os.path.join(instance_path, "uploads"),
    }
    return config


def finalise(config: dict) -> None:
    """Fill in what depends on other settings and refuse an unsafe production start."""
    if not config.get("SECRET_KEY"):
        if config["BULLETIN_ENV"] not in DEVELOPMENT_ENVIRONMENTS:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
                "(for example the output of: python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set BULLETIN_ENV=development on a laptop."
            )
        config["SECRET_KEY"] = secrets.token_hex(32)
    if config.get("BULLETIN_POSTING_REVIEW", "none") not in POSTING_REVIEW_CHOICES:
        raise ConfigError(
            "BULLETIN_POSTING_REVIEW must be one of: " + ", ".join(POSTING_REVIEW_CHOICES)
            + f" (it is {config['BULLETIN_POSTING_REVIEW']!r})."
        )
    if config.get("BULLETIN_TRANSLATION_REVIEW", "none") not in TRANSLATION_REVIEW_CHOICES:
        raise ConfigError(
            "BULLETIN_TRANSLATION_REVIEW must be one of: " + ", ".join(TRANSLATION_REVIEW_CHOICES)
            + f" (it is {config['BULLETIN_TRANSLATION_REVIEW']!r})."
        )
    url = config["SQLALCHEMY_DATABASE_URI"]
    # Heroku-style URLs and plain "postgresql://" should use the psycopg 3 driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    config["SQLALCHEMY_DATABASE_URI"] = url
