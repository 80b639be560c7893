"""The shipped gunicorn configuration: its logs name no visitor and hold no secret token."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from bulletin import create_app, gunicorn_config
from bulletin.gunicorn_config import REDACTED, PrivateLogger, RedactingFilter, redact

TOKEN = "eyJ1IjoxN30.Zx9kQw.s3cr3t-T0ken_value"


@pytest.mark.parametrize(
    "path",
    [
        f"/de/account/reset/{TOKEN}",
        f"/fa/account/confirm/{TOKEN}",
        f"/uk/renew/{TOKEN}",
    ],
)
def test_secret_tokens_in_paths_are_redacted(path):
    cleaned = redact(path)
    assert TOKEN not in cleaned
    assert cleaned.endswith("/" + REDACTED)
    assert redact(f'"POST {path}?next=%2Fde%2F HTTP/1.1" 302') == (
        f'"POST {path.rsplit("/", 1)[0]}/{REDACTED} HTTP/1.1" 302'
    )


def test_query_strings_and_client_addresses_are_redacted():
    assert redact("GET /de/search?q=secretword&district=Altstadt HTTP/1.1") == "GET /de/search HTTP/1.1"
    for address in ("203.0.113.7", "2001:db8::7"):
        assert redact(f"Invalid request from ip={address}: bad line") == (
            f"Invalid request from ip={REDACTED}: bad line"
        )
    # Plain prose, and a path without a token, stay as they are.
    assert redact("Is the worker alive? Booting worker with pid: 12") == (
        "Is the worker alive? Booting worker with pid: 12"
    )
    assert redact("/de/account/login") == "/de/account/login"


def test_every_route_with_a_token_is_covered(tmp_path):
    """A new route whose last segment is a secret must be added to SECRET_PATH."""
    app = create_app({
        "TESTING": True,
        "BULLETIN_ENV": "test",
        "SECRET_KEY": "test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "BULLETIN_INDEX_DIR": str(tmp_path / "index"),
        "BULLETIN_UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "memory",
        "SERVER_NAME": "board.test",
    })
    adapter = app.url_map.bind("board.test")
    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert any(rule.endpoint == "account.reset_password" for rule in routes)
    for rule in routes:
        values = {name: "de" if name == "lang" else TOKEN for name in rule.arguments}
        path = adapter.build(rule.endpoint, values)
        assert TOKEN not in redact(path), rule.rule


def _request(path: str, query: str):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"https://board.example.org{path}?{query}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    headers = [("X-FORWARDED-FOR", "198.51.100.9"), ("REFERER", environ["HTTP_REFERER"]),
               ("COOKIE", "session=abc")]
    request = SimpleNamespace(headers=headers)
    response = SimpleNamespace(status="200 OK", headers=[("Location", f"{path}?{query}")], sent=1234)
    return response, request, environ


@pytest.fixture
def logger(tmp_path):
    """A PrivateLogger writing its access and error logs to files, closed after the test."""

    def make(access_log_format: str | None = None) -> tuple[PrivateLogger, object, object]:
        config = Config()
        config.set("accesslog", str(tmp_path / "access.log"))
        config.set("errorlog", str(tmp_path / "error.log"))
        config.set("access_log_format", access_log_format or gunicorn_config.ACCESS_LOG_FORMAT)
        made.append(PrivateLogger(config))
        return made[-1], tmp_path / "access.log", tmp_path / "error.log"

    made: list[PrivateLogger] = []
    yield make
    for instance in made:
        for log in (instance.error_log, instance.access_log):
            for handler in list(log.handlers):
                handler.close()
                log.removeHandler(handler)


def test_access_log_holds_no_address_query_or_token(logger):
    log, access_path, _ = logger()
    response, request, environ = _request(f"/de/account/reset/{TOKEN}", "q=secretword")
    log.access(response, request, environ, timedelta(milliseconds=42))
    line = access_path.read_text()
    assert f'"GET /de/account/reset/{REDACTED} HTTP/1.1" 200 1234 42ms' in line
    for secret in (TOKEN, "secretword", "203.0.113.7", "198.51.100.9", "session=abc"):
        assert secret not in line


def test_a_format_asking_for_more_still_gets_nothing(logger):
    """An operator's own access_log_format cannot bring the address, the query or the headers back."""
    log, access_path, _ = logger(
        '%(h)s "%(r)s" %(q)s "%(f)s" %({x-forwarded-for}i)s %({cookie}i)s %({location}o)s '
        "%({remote_addr}e)s %({query_string}e)s"
    )
    response, request, environ = _request(f"/uk/renew/{TOKEN}", "q=secretword")
    log.access(response, request, environ, timedelta(seconds=1))
    line = access_path.read_text()
    assert line.startswith(f'- "GET /uk/renew/{REDACTED} HTTP/1.1" - "-" - - - - -')
    for secret in (TOKEN, "secretword", "203.0.113.7", "198.51.100.9", "session=abc"):
        assert secret not in line


def test_error_log_is_redacted(logger):
    log, _, error_path = logger()
    log.warning("Invalid request from ip=203.0.113.7: Invalid HTTP request line: "
                f"'GET /de/account/reset/{TOKEN}?q=secretword HTTP/1.1'")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("Error handling request %s %s", "GET", f"/fa/account/confirm/{TOKEN}?q=secretword")
    text = error_path.read_text()
    assert "Error handling request GET /fa/account/confirm/" + REDACTED in text
    assert "ValueError: boom" in text  # the traceback is still there
    for secret in (TOKEN, "secretword", "203.0.113.7"):
        assert secret not in text


def test_flask_errors_in_workers_are_redacted():
    """post_worker_init puts the filter on Flask's handler, which writes to gunicorn's error log."""
    from flask.logging import default_handler

    before = list(default_handler.filters)
    try:
        gunicorn_config.post_worker_init(worker=None)
        gunicorn_config.post_worker_init(worker=None)  # a second call adds nothing
        added = [known for known in default_handler.filters if known not in before]
        assert len(added) == 1 and isinstance(added[0], RedactingFilter)
        record = logging.LogRecord("bulletin", logging.ERROR, __file__, 1, "Exception on %s [%s]",
                                   (f"/de/account/reset/{TOKEN}", "POST"), None)
        assert default_handler.filter(record)
        assert record.getMessage() == f"Exception on /de/account/reset/{REDACTED} [POST]"
    finally:
        for known in list(default_handler.filters):
            if known not in before:
                default_handler.removeFilter(known)


def test_workers_and_bind_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BULLETIN_WORKERS", "4")
    assert gunicorn_config._workers() == 4
    for unusable in ("", "0", "four"):
        monkeypatch.setenv("BULLETIN_WORKERS", unusable)
        assert gunicorn_config._workers() >= 2
    monkeypatch.setenv("BULLETIN_BIND", "127.0.0.1:8123")
    assert gunicorn_config._bind() == "127.0.0.1:8123"
    monkeypatch.delenv("BULLETIN_BIND")
    assert gunicorn_config._bind() == "127.0.0.1:8000"
