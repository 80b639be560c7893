"""What a deployment behind a TLS proxy relies on: referrer policy, HSTS, trusted hosts, private pages,
mail links from the configured address, and a production start that refuses unsafe settings."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

from bulletin import create_app
from bulletin.config import ConfigError
from bulletin.db import get_engine

PRODUCTION = {
    "BULLETIN_ENV": "production",
    "SECRET_KEY": "a production secret",
    "BULLETIN_BASE_URL": "https://board.example.org",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "BULLETIN_OPERATOR_NAME": "Stadt Neustetten",
    "BULLETIN_OPERATOR_ADDRESS": "Marktplatz 1, 71000 Neustetten",
    "BULLETIN_OPERATOR_EMAIL": "info@neustetten.example",
}


def production_app(app_config, **overrides):
    config = {**app_config, **PRODUCTION, "SERVER_NAME": None, **overrides}
    config.pop("TESTING", None)
    return create_app(config)


def test_pages_send_their_address_only_to_the_board_itself(client):
    response = client.get("/en/")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/en/").headers
    secure = client.get("/en/", base_url="https://board.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_form_posted_over_https_with_the_same_origin_referer_works(client, csrf_token, make_user):
    user = make_user()
    response = client.post(
        "/en/account/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf_token()},
        base_url="https://board.test",
        headers={"Referer": "https://board.test/en/account/login"},
    )
    assert response.status_code == 302


def test_a_form_posted_over_https_from_another_site_is_refused(client, csrf_token, make_user):
    user = make_user()
    response = client.post(
        "/en/account/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf_token()},
        base_url="https://board.test",
        headers={"Referer": "https://evil.example/form"},
    )
    assert response.status_code == 400


def test_pages_behind_sign_in_are_never_stored(client, login, make_user):
    assert "no-store" not in client.get("/en/").headers.get("Cache-Control", "")
    assert "no-store" in client.get("/en/account/login").headers["Cache-Control"]
    login(make_user())
    for path in ("/en/dashboard/", "/en/"):
        assert "no-store" in client.get(path).headers["Cache-Control"], path


def test_static_files_stay_cacheable_when_signed_in(client, login, make_user):
    login(make_user())
    response = client.get("/static/css/board.css?v=1")
    assert "immutable" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]


def test_a_reset_mail_asked_for_with_a_foreign_host_links_to_the_board(app, client, make_user, mails):
    # An attacker would first fetch the form under the same foreign Host; the token is not the point here.
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user()
    response = client.post(
        "/en/account/forgot-password",
        data={"email": user.email},
        headers={"Host": "attacker.example"},
    )
    assert response.status_code == 200
    [mail] = mails
    body = mail.get_content()
    assert "http://board.test/en/account/reset/" in body
    assert "attacker.example" not in body


def test_production_refuses_requests_for_unknown_hosts(app_config, database_backend):
    app = production_app(app_config)
    SQLModel.metadata.create_all(get_engine(app))
    client = app.test_client()
    assert client.get("/en/", base_url="https://board.example.org").status_code == 200
    refused = client.get("/en/", base_url="https://attacker.example")
    assert refused.status_code == 400
    assert "unknown host" in refused.get_data(as_text=True)
    get_engine(app).dispose()


def test_further_trusted_hosts_can_be_named(app_config):
    app = production_app(app_config, BULLETIN_TRUSTED_HOSTS=["old-board.example.org"])
    assert app.config["TRUSTED_HOSTS"] == ["board.example.org", "old-board.example.org"]


@pytest.mark.parametrize("missing", ["BULLETIN_BASE_URL"])
def test_production_needs_the_public_address(app_config, missing):
    with pytest.raises(ConfigError, match=missing):
        production_app(app_config, **{missing: None})


@pytest.mark.parametrize("address", ["board.example.org", "ftp://board.example.org", "https://x.org/?a=1"])
def test_a_malformed_public_address_stops_the_start(app_config, address):
    with pytest.raises(ConfigError, match="BULLETIN_BASE_URL"):
        production_app(app_config, BULLETIN_BASE_URL=address)


def test_production_refuses_rate_limits_counted_per_process(app_config):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        production_app(app_config, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=True)


def test_one_process_may_count_in_memory_when_it_says_so(app_config):
    app = production_app(app_config, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=True,
                         BULLETIN_SINGLE_PROCESS=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_names_the_session_cookie_for_this_host_only(app_config):
    assert production_app(app_config).config["SESSION_COOKIE_NAME"] == "__Host-session"
