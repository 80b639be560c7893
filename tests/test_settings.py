"""The settings: read once from the environment, typed, and a wrong value stops the start by name."""

from __future__ import annotations

import pytest

from bulletin import create_app, passwords, settings
from bulletin.config import ConfigError


def start(app_config, **overrides):
    return create_app({**app_config, **overrides})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BULLETIN_PER_PAGE", "twenty"),
        ("BULLETIN_PER_PAGE", "0"),
        ("BULLETIN_RENEW_DAYS", "9O"),  # a letter O for a zero: it used to fall back to 90 without a word
        ("MAIL_USE_TLS", "maybe"),
        ("MAIL_PORT", "70000"),
        ("BULLETIN_POSTING_REVIEW", "sometimes"),
        ("BULLETIN_LOGIN_LIMIT", "10 every minute"),
        ("BULLETIN_DEFAULT_LANGUAGE", "xx"),
        ("BULLETIN_ENV", "prodution"),
    ],
)
def test_a_wrong_value_in_the_environment_stops_the_start_naming_it(app_config, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    config = {key: item for key, item in app_config.items() if key != name}
    with pytest.raises(ConfigError, match=name) as refused:
        start(config)
    assert repr(value) in str(refused.value)


def test_the_environment_sets_what_the_mapping_does_not(app_config, monkeypatch):
    monkeypatch.setenv("BULLETIN_PER_PAGE", "7")
    monkeypatch.setenv("BULLETIN_DISTRICTS", "Nord, Süd ,,West")
    monkeypatch.setenv("MAIL_USE_TLS", "yes")
    board = settings.of(start(app_config))
    assert board.per_page == 7
    assert board.districts == ["Nord", "Süd", "West"]
    assert board.mail_use_tls is True


def test_an_empty_variable_counts_as_unset(app_config, monkeypatch):
    monkeypatch.setenv("BULLETIN_PER_PAGE", "")
    monkeypatch.setenv("BULLETIN_DPO_NAME", "  ")
    board = settings.of(start(app_config))
    assert board.per_page == 20
    assert board.dpo_name is None


def test_the_database_address_is_read_from_database_url(app_config, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://board@db.example/board")
    config = {key: item for key, item in app_config.items() if key != "SQLALCHEMY_DATABASE_URI"}
    board = settings.of(create_app(config))
    assert board.database_url == "postgresql+psycopg://board@db.example/board"


def test_settings_are_frozen_and_replaced_only_through_the_same_checks(app):
    board = settings.of(app)
    with pytest.raises(ValueError):
        board.per_page = 3
    assert settings.replace(board, BULLETIN_PER_PAGE=3).per_page == 3
    with pytest.raises(ConfigError, match="BULLETIN_PER_PAGE"):
        settings.replace(board, BULLETIN_PER_PAGE=-1)


def test_secrets_are_not_shown_when_the_settings_are_printed(app):
    shown = repr(settings.of(app))
    assert app.config["SECRET_KEY"] not in shown
    assert "per_page=20" in shown


def test_flask_reads_its_keys_from_the_settings(app):
    assert app.config["BULLETIN_PER_PAGE"] == settings.of(app).per_page
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600


def test_each_app_hashes_passwords_at_its_own_cost(app_config, tmp_path):
    cheap = start(app_config)
    dearer = start({**app_config, "INSTANCE_PATH": str(tmp_path / "other")}, BULLETIN_ARGON2_MEMORY_COST=128)
    with cheap.app_context():
        assert "m=64," in passwords.hash_password("a long passphrase here")
    with dearer.app_context():
        hashed = passwords.hash_password("a long passphrase here")
        assert "m=128," in hashed
        assert passwords.verify_password(hashed, "a long passphrase here")
