"""The board's settings as one typed, validated object.

Every setting is read from the environment once, at start, and checked there: a wrong value (a word where a
number belongs, an unknown choice) stops the start with a message naming the variable, instead of a silent
default that shows up weeks later. The code reads ``settings.current().per_page``, never a string key.

A setting's name in the environment is also its key in the mapping ``create_app`` takes (the tests pass one);
the one exception is ``DATABASE_URL``, whose key is Flask's ``SQLALCHEMY_DATABASE_URI``.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits import parse_many
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bulletin.taxonomy import LANGUAGE_BY_CODE

DEVELOPMENT_ENVIRONMENTS = {"development", "test"}
EXTENSION_KEY = "bulletin.settings"
# Names in the environment that differ from the setting's key.
ENVIRONMENT_NAMES = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}
# Shown on a laptop and in the tests, so nobody mistakes them for a real operator's details.
EXAMPLE_OPERATOR = {
    "BULLETIN_OPERATOR_NAME": "EXAMPLE Operator (set BULLETIN_OPERATOR_NAME)",
    "BULLETIN_OPERATOR_ADDRESS": "EXAMPLE Street 1, 00000 Example Town (set BULLETIN_OPERATOR_ADDRESS)",
    "BULLETIN_OPERATOR_EMAIL": "operator@example.invalid",
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely (for example, no secret key in production)."""


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _blank_is_unset(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _rate_limits(value: str) -> str:
    parse_many(value)  # "5 per hour;20 per day"; a typo raises ValueError, which names the setting
    return value


def _language(value: str) -> str:
    if value not in LANGUAGE_BY_CODE:
        raise ValueError("not a language the board knows: one of " + ", ".join(sorted(LANGUAGE_BY_CODE)))
    return value


def _psycopg_url(value: str) -> str:
    """Heroku-style URLs and plain "postgresql://" should use the psycopg 3 driver the board installs."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def _public_address(value: str | None) -> str | None:
    """A scheme and a host (and perhaps a path), never a query: every link in a mail is built on it."""
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be the board's public address, like https://board.example.org")
    return value


def _iso_date(value: str | None) -> str | None:
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date like 2026-03-31") from None
    return value


Words = Annotated[list[str], BeforeValidator(_comma_list)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_unset)]
RateLimits = Annotated[str, AfterValidator(_rate_limits)]
Positive = Annotated[int, Field(gt=0)]
Language = Annotated[str, AfterValidator(_language)]
PublicAddress = Annotated[OptionalText, AfterValidator(_public_address)]
NotNegative = Annotated[int, Field(ge=0)]


class Settings(BaseModel):
    """What an operator can set; a field's alias is its name in the environment and in ``create_app``'s
    mapping. Defaults are safe for a laptop; config.check_production refuses what a public board cannot
    run with."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field("production", alias="BULLETIN_ENV")
    secret_key: OptionalText = Field(None, alias="SECRET_KEY", repr=False)
    database_url: Annotated[str, AfterValidator(_psycopg_url)] = Field(alias="SQLALCHEMY_DATABASE_URI")
    site_name: str = Field("Neustetten hilft", alias="BULLETIN_SITE_NAME")
    town: str = Field("Neustetten", alias="BULLETIN_TOWN")
    # The districts offered in forms; the district filter also lists those present in the data.
    districts: Words = Field(
        ["Altstadt", "Bahnhofsviertel", "Mühlbach", "Oberstadt", "Sonnenhang", "Unterried"],
        alias="BULLETIN_DISTRICTS",
    )
    default_language: Language = Field("de", alias="BULLETIN_DEFAULT_LANGUAGE")
    logo_max_bytes: Positive = Field(2 * 1024 * 1024, alias="BULLETIN_LOGO_MAX_BYTES")
    per_page: Annotated[int, Field(gt=0, le=500)] = Field(20, alias="BULLETIN_PER_PAGE")
    # Seconds a browser or proxy may show an anonymous public page before asking again
    # (bulletin/http_caching.py); 0 makes it ask every time.
    page_max_age: NotNegative = Field(60, alias="BULLETIN_PAGE_MAX_AGE")
    # Megabytes of finished public pages each worker keeps while nothing they show has changed
    # (bulletin/page_cache.py); 0 makes every page anew.
    page_cache_mb: NotNegative = Field(32, alias="BULLETIN_PAGE_CACHE_MB")
    # Seconds a worker gathers visit and view counts before writing them in one transaction
    # (bulletin/blueprints/visits.py); 0 writes each at once. A killed worker loses at most these.
    visit_flush_seconds: NotNegative = Field(10, alias="BULLETIN_VISIT_FLUSH_SECONDS")
    posting_default_days: Positive = Field(90, alias="BULLETIN_POSTING_DEFAULT_DAYS")
    renew_days: Positive = Field(90, alias="BULLETIN_RENEW_DAYS")
    # Seconds a password-reset link works (a test sets it below zero to expire every link).
    password_reset_max_age: int = Field(3600, alias="BULLETIN_PASSWORD_RESET_MAX_AGE")
    # "none": postings are public at once; "unverified": those by members of organisations without the
    # verified badge wait for the coordinator's review.
    posting_review: Literal["none", "unverified"] = Field("none", alias="BULLETIN_POSTING_REVIEW")
    # "none": a volunteer translator's translation is published at once; "coordinator": it waits for the
    # coordinator's approval.
    translation_review: Literal["none", "coordinator"] = Field("none", alias="BULLETIN_TRANSLATION_REVIEW")
    report_limit: RateLimits = Field("5 per hour;20 per day", alias="BULLETIN_REPORT_LIMIT")
    login_limit: RateLimits = Field("10 per minute;50 per hour", alias="BULLETIN_LOGIN_LIMIT")
    expiry_reminder_days: Positive = Field(7, alias="BULLETIN_EXPIRY_REMINDER_DAYS")
    renew_link_days: Positive = Field(14, alias="BULLETIN_RENEW_LINK_DAYS")
    # Retention (flask purge, daily): days until personal data goes; docs/deployment.md has the list.
    report_retention_days: Positive = Field(90, alias="BULLETIN_REPORT_RETENTION_DAYS")
    audit_personal_days: Positive = Field(180, alias="BULLETIN_AUDIT_PERSONAL_DAYS")
    draft_retention_days: Positive = Field(90, alias="BULLETIN_DRAFT_RETENTION_DAYS")
    # Hours a sign-up's confirmation link works; unconfirmed sign-ups older than this are purged.
    signup_confirm_hours: Positive = Field(48, alias="BULLETIN_SIGNUP_CONFIRM_HOURS")
    # The board's public address: every link in a mail is built from it, never from a request's Host header.
    base_url: PublicAddress = Field(None, alias="BULLETIN_BASE_URL")
    # Host names requests may name besides the one of BULLETIN_BASE_URL (an old name, say).
    trusted_hosts: Words = Field([], alias="BULLETIN_TRUSTED_HOSTS")
    # Argon2 cost: the library's defaults unless the environment lowers them (the tests do).
    argon2_time_cost: Positive = Field(3, alias="BULLETIN_ARGON2_TIME_COST")
    argon2_memory_cost: Annotated[int, Field(ge=8)] = Field(65536, alias="BULLETIN_ARGON2_MEMORY_COST")
    mail_backend: Literal["smtp", "console", "memory"] = Field("smtp", alias="MAIL_BACKEND")
    mail_server: str = Field("localhost", alias="MAIL_SERVER")
    mail_port: Annotated[int, Field(gt=0, lt=65536)] = Field(25, alias="MAIL_PORT")
    mail_username: OptionalText = Field(None, alias="MAIL_USERNAME")
    mail_password: OptionalText = Field(None, alias="MAIL_PASSWORD", repr=False)
    mail_use_tls: bool = Field(False, alias="MAIL_USE_TLS")
    mail_default_sender: str = Field("board@localhost", alias="MAIL_DEFAULT_SENDER")
    ratelimit_storage_uri: str = Field("memory://", alias="RATELIMIT_STORAGE_URI")
    ratelimit_enabled: bool = Field(True, alias="RATELIMIT_ENABLED")
    # Rate limits counted in each process's memory are only right when there is one process.
    single_process: bool = Field(False, alias="BULLETIN_SINGLE_PROCESS")
    # Sign-in: a session ends after this long without a request, and at the latest after the maximum.
    session_idle_minutes: Positive = Field(30, alias="BULLETIN_SESSION_IDLE_MINUTES")
    session_max_hours: Positive = Field(12, alias="BULLETIN_SESSION_MAX_HOURS")
    session_cookie_secure: bool = Field(True, alias="SESSION_COOKIE_SECURE")
    # Failed sign-ins an account may have in 15 minutes before each further attempt waits a little.
    login_free_failures: NotNegative = Field(20, alias="BULLETIN_LOGIN_FREE_FAILURES")
    # Coordinators sign in with a one-time code from an app besides the password (OWASP ASVS 4.3.1).
    coordinator_two_factor: bool = Field(True, alias="BULLETIN_COORDINATOR_TWO_FACTOR")
    index_dir: str = Field(alias="BULLETIN_INDEX_DIR")
    upload_dir: str = Field(alias="BULLETIN_UPLOAD_DIR")
    # A concept lexicon to use instead of the shipped one (the search tests pass a small one).
    concepts_file: OptionalText = Field(None, alias="BULLETIN_CONCEPTS_FILE")
    # Who runs the board, for the imprint, privacy notice and accessibility statement (legal pages). The first
    # three are required in production; elsewhere they read EXAMPLE_OPERATOR.
    operator_name: OptionalText = Field(None, alias="BULLETIN_OPERATOR_NAME")
    operator_address: OptionalText = Field(None, alias="BULLETIN_OPERATOR_ADDRESS")
    operator_email: OptionalText = Field(None, alias="BULLETIN_OPERATOR_EMAIL")
    operator_phone: OptionalText = Field(None, alias="BULLETIN_OPERATOR_PHONE")
    operator_representative: OptionalText = Field(None, alias="BULLETIN_OPERATOR_REPRESENTATIVE")
    operator_register: OptionalText = Field(None, alias="BULLETIN_OPERATOR_REGISTER")
    dpo_name: OptionalText = Field(None, alias="BULLETIN_DPO_NAME")
    dpo_email: OptionalText = Field(None, alias="BULLETIN_DPO_EMAIL")
    supervisory_authority: OptionalText = Field(None, alias="BULLETIN_SUPERVISORY_AUTHORITY")
    accessibility_contact: OptionalText = Field(None, alias="BULLETIN_ACCESSIBILITY_CONTACT")
    accessibility_enforcement: OptionalText = Field(None, alias="BULLETIN_ACCESSIBILITY_ENFORCEMENT")
    accessibility_assessed: Annotated[OptionalText, AfterValidator(_iso_date)] = Field(
        None, alias="BULLETIN_ACCESSIBILITY_ASSESSED"
    )
    accessibility_status: Literal["partial", "full"] = Field(
        "partial", alias="BULLETIN_ACCESSIBILITY_STATUS"
    )
    accessibility_method: Literal["self", "third-party"] = Field(
        "self", alias="BULLETIN_ACCESSIBILITY_METHOD"
    )

    @property
    def production(self) -> bool:
        return self.environment not in DEVELOPMENT_ENVIRONMENTS

    def as_config(self) -> dict[str, Any]:
        """The settings under their keys, for app.config: Flask's extensions read some of them there, and
        an operator inspecting a running app finds every value where Flask keeps its own."""
        return self.model_dump(by_alias=True)


SETTING_KEYS = frozenset(field.alias for field in Settings.model_fields.values())


def _environment() -> dict[str, str]:
    """The settings the environment names; an empty variable counts as unset."""
    values = {}
    for key in SETTING_KEYS:
        value = os.environ.get(ENVIRONMENT_NAMES.get(key, key))
        if value is not None and value.strip():
            values[key] = value.strip()
    return values


def _defaults_for(environment: str, instance_path: str) -> dict[str, Any]:
    """Defaults that depend on where the board runs: a laptop gets console mail, plain-HTTP cookies, a local
    address and the demo coordinator without a second factor."""
    laptop = environment == "development"
    defaults = {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "bulletin.sqlite"),
        "BULLETIN_INDEX_DIR": os.path.join(instance_path, "index"),
        "BULLETIN_UPLOAD_DIR": os.path.join(instance_path, "uploads"),
        "SESSION_COOKIE_SECURE": environment not in DEVELOPMENT_ENVIRONMENTS,
        "MAIL_BACKEND": "console" if laptop else "smtp",
        "BULLETIN_COORDINATOR_TWO_FACTOR": not laptop,
    }
    if laptop:
        defaults["BULLETIN_BASE_URL"] = "http://127.0.0.1:5000"
    if environment in DEVELOPMENT_ENVIRONMENTS:
        defaults.update(EXAMPLE_OPERATOR)
    return defaults


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> Settings:
    """Read the settings from the environment, with ``overrides`` (keys as in the environment) on top."""
    chosen = {key: value for key, value in (overrides or {}).items() if key in SETTING_KEYS}
    given = {**_environment(), **chosen}
    environment = given.get("BULLETIN_ENV", "production")
    values = {**_defaults_for(str(environment), instance_path), **given}
    for name in EXAMPLE_OPERATOR:
        if values.get(name) is None:
            values.pop(name, None)  # an override of None falls back to the example, as an unset variable does
    return _validate(values)


def replace(current: Settings, **changes: Any) -> Settings:
    """The settings with some values changed (keys as in the environment), checked like those at start."""
    return _validate({**current.as_config(), **changes})


def _validate(values: dict[str, Any]) -> Settings:
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        raise ConfigError(_explain(error, values)) from None


def _explain(error: ValidationError, values: dict[str, Any]) -> str:
    lines = []
    for problem in error.errors():
        key = str(problem["loc"][0]) if problem["loc"] else "?"
        name = ENVIRONMENT_NAMES.get(key, key)
        shown = "(hidden)" if key in {"SECRET_KEY", "MAIL_PASSWORD"} else repr(values.get(key))
        lines.append(f"{name}: {problem['msg']} (it is {shown}).")
    return "The board cannot start with these settings:\n" + "\n".join(lines)


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION_KEY] = settings
    app.config.update(settings.as_config())


def current() -> Settings:
    """The settings of the app handling this request or command."""
    return current_app.extensions[EXTENSION_KEY]


def of(app: Flask) -> Settings:
    """The settings of ``app``, where no app context is active (app factories, command setup)."""
    return app.extensions[EXTENSION_KEY]
