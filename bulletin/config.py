"""Configuration: safe defaults for a laptop, everything else from the environment.

Production needs ``SECRET_KEY``, ``DATABASE_URL``, ``BULLETIN_BASE_URL``, a shared rate-limit store and the
operator's details for the legal pages; every other setting has a default, and an unsafe production
start is refused with the name of the variable to set.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from urllib.parse import urlsplit

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
        # Retention (flask purge, daily): days until personal data goes; docs/deployment.md has the list.
        "BULLETIN_REPORT_RETENTION_DAYS": _env_int("BULLETIN_REPORT_RETENTION_DAYS", 90),
        "BULLETIN_AUDIT_PERSONAL_DAYS": _env_int("BULLETIN_AUDIT_PERSONAL_DAYS", 180),
        "BULLETIN_DRAFT_RETENTION_DAYS": _env_int("BULLETIN_DRAFT_RETENTION_DAYS", 90),
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
        # Rate limits counted in each process's memory are only right when there is one process.
        "BULLETIN_SINGLE_PROCESS": _env_bool("BULLETIN_SINGLE_PROCESS", False),
        # Host names requests may name besides the one of BULLETIN_BASE_URL (an old name, say).
        "BULLETIN_TRUSTED_HOSTS": _env_list("BULLETIN_TRUSTED_HOSTS", []),
        # Sign-in: a session ends after this long without a request, and at the latest after
        # PERMANENT_SESSION_LIFETIME.
        "BULLETIN_SESSION_IDLE_MINUTES": _env_int("BULLETIN_SESSION_IDLE_MINUTES", 30),
        # Failed sign-ins an account may have in 15 minutes before each further attempt waits a little.
        "BULLETIN_LOGIN_FREE_FAILURES": _env_int("BULLETIN_LOGIN_FREE_FAILURES", 20),
        # Coordinators sign in with a one-time code from an app besides the password (OWASP ASVS 4.3.1).
        "BULLETIN_COORDINATOR_TWO_FACTOR": _env_bool(
            "BULLETIN_COORDINATOR_TWO_FACTOR", environment != "development"
        ),  # a laptop's demo coordinator signs in with the password alone
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
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("BULLETIN_SESSION_MAX_HOURS", 12)),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
        # Who runs the board, for the imprint, privacy notice and accessibility statement (legal pages).
        **_operator_settings(),
        # Hours a sign-up's confirmation link works; unconfirmed sign-ups older than this are purged.
        "BULLETIN_SIGNUP_CONFIRM_HOURS": _env_int("BULLETIN_SIGNUP_CONFIRM_HOURS", 48),
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
    _check_deployment(config)
    if config.get("SESSION_COOKIE_SECURE") and config.get("SESSION_COOKIE_NAME", "session") == "session":
        # A "__Host-" cookie is sent only over HTTPS, to this host and path "/": no sibling host can set or
        # read it (OWASP ASVS 3.4.4). Without HTTPS (a laptop) browsers would refuse the name.
        config["SESSION_COOKIE_NAME"] = "__Host-session"
    _check_operator(config)
    url = config["SQLALCHEMY_DATABASE_URI"]
    # Heroku-style URLs and plain "postgresql://" should use the psycopg 3 driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    config["SQLALCHEMY_DATABASE_URI"] = url


def _check_deployment(config: dict) -> None:
    """Refuse a production start that would be unsafe behind a proxy with several workers, and derive the
    host names the board answers to from its public address."""
    production = config["BULLETIN_ENV"] not in DEVELOPMENT_ENVIRONMENTS
    base_url = config.get("BULLETIN_BASE_URL")
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError(
                f"BULLETIN_BASE_URL must be the board's public address, like https://board.example.org "
                f"(it is {base_url!r})."
            )
    elif production:
        raise ConfigError(
            "BULLETIN_BASE_URL is not set. Set it to the board's public address, for example "
            "https://board.example.org: links in mails are built from it, never from a request's Host header."
        )
    if production and not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [urlsplit(base_url).hostname, *config.get("BULLETIN_TRUSTED_HOSTS", [])]
    storage = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if (production and config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://")
            and not config.get("BULLETIN_SINGLE_PROCESS")):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI is memory://, which counts in each worker process separately, so several "
            "workers allow several times the limits. Point it at Redis (for example "
            "redis://127.0.0.1:6379/0), or set BULLETIN_SINGLE_PROCESS=true if the board really runs in one "
            "process."
        )


# The legal pages' settings. None when unset: finalise() refuses a production start without the first three.
OPERATOR_SETTINGS = (
    "BULLETIN_OPERATOR_NAME",
    "BULLETIN_OPERATOR_ADDRESS",
    "BULLETIN_OPERATOR_EMAIL",
    "BULLETIN_OPERATOR_PHONE",
    "BULLETIN_OPERATOR_REPRESENTATIVE",
    "BULLETIN_OPERATOR_REGISTER",
    "BULLETIN_DPO_NAME",
    "BULLETIN_DPO_EMAIL",
    "BULLETIN_SUPERVISORY_AUTHORITY",
    "BULLETIN_ACCESSIBILITY_CONTACT",
    "BULLETIN_ACCESSIBILITY_ENFORCEMENT",
    "BULLETIN_ACCESSIBILITY_ASSESSED",
)
REQUIRED_OPERATOR_SETTINGS = OPERATOR_SETTINGS[:3]  # name, address, contact e-mail
ACCESSIBILITY_STATUS_CHOICES = ("partial", "full")
ACCESSIBILITY_METHOD_CHOICES = ("self", "third-party")
# Shown on a laptop and in the tests, so nobody mistakes them for a real operator's details.
EXAMPLE_OPERATOR = {
    "BULLETIN_OPERATOR_NAME": "EXAMPLE Operator (set BULLETIN_OPERATOR_NAME)",
    "BULLETIN_OPERATOR_ADDRESS": "EXAMPLE Street 1, 00000 Example Town (set BULLETIN_OPERATOR_ADDRESS)",
    "BULLETIN_OPERATOR_EMAIL": "operator@example.invalid",
}


def _operator_settings() -> dict:
    settings = {name: (os.environ.get(name) or "").strip() or None for name in OPERATOR_SETTINGS}
    settings["BULLETIN_ACCESSIBILITY_STATUS"] = os.environ.get("BULLETIN_ACCESSIBILITY_STATUS", "partial")
    settings["BULLETIN_ACCESSIBILITY_METHOD"] = os.environ.get("BULLETIN_ACCESSIBILITY_METHOD", "self")
    return settings


def _check_operator(config: dict) -> None:
    """A public board needs an imprint and a privacy notice naming who runs it: refuse to start without."""
    production = config["BULLETIN_ENV"] not in DEVELOPMENT_ENVIRONMENTS
    for name in REQUIRED_OPERATOR_SETTINGS:
        if config.get(name):
            continue
        if production:
            raise ConfigError(
                f"{name} is not set. The imprint and the privacy notice must name who runs the board: set "
                "BULLETIN_OPERATOR_NAME, BULLETIN_OPERATOR_ADDRESS and BULLETIN_OPERATOR_EMAIL "
                "(README, Configuration)."
            )
        config[name] = EXAMPLE_OPERATOR[name]
    for name, choices in (("BULLETIN_ACCESSIBILITY_STATUS", ACCESSIBILITY_STATUS_CHOICES),
                          ("BULLETIN_ACCESSIBILITY_METHOD", ACCESSIBILITY_METHOD_CHOICES)):
        if config.get(name, choices[0]) not in choices:
            raise ConfigError(f"{name} must be one of: " + ", ".join(choices) + f" (it is {config[name]!r}).")
    assessed = config.get("BULLETIN_ACCESSIBILITY_ASSESSED")
    if assessed:
        try:
            date.fromisoformat(str(assessed))
        except ValueError:
            raise ConfigError(
                f"BULLETIN_ACCESSIBILITY_ASSESSED must be a date like 2026-03-31 (it is {assessed!r})."
            ) from None
