"""Fixtures: an app on a fresh database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from datetime import date

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlmodel import SQLModel

from bulletin import create_app, settings
from bulletin.db import get_engine, get_session, make_engine
from bulletin.mail import outbox
from bulletin.services import accounts, organisations, postings
from bulletin.services.actors import SystemActor

TEST_ACTOR = SystemActor("test-setup")
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgres_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_backend(request):
    """The database every test runs against; PostgreSQL gets its tables once per session."""
    if request.param == "postgresql":
        engine = make_engine(_postgres_url())
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        SQLModel.metadata.create_all(engine)
        engine.dispose()
    return request.param


def _empty_postgres(engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config(database_backend, tmp_path):
    url = _postgres_url() if database_backend == "postgresql" else f"sqlite:///{tmp_path / 'test.sqlite'}"
    return {
        "TESTING": True,
        "BULLETIN_ENV": "test",
        "SECRET_KEY": "test-" + secrets.token_hex(8),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "BULLETIN_INDEX_DIR": str(tmp_path / "index"),
        "BULLETIN_UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "memory",
        "BULLETIN_ARGON2_TIME_COST": 1,
        "BULLETIN_ARGON2_MEMORY_COST": 64,
        # Visits are written at once here, so a test reads them after its request;
        # tests/blueprints/test_visit_counting.py gathers them as production does.
        "BULLETIN_VISIT_FLUSH_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        # Coordinators sign in with the password alone here; tests/blueprints/test_two_factor.py turns it on.
        "BULLETIN_COORDINATOR_TWO_FACTOR": False,
        "SERVER_NAME": "board.test",
        "BULLETIN_BASE_URL": "http://board.test",
    }


@pytest.fixture
def app(app_config, database_backend):
    app = create_app(app_config)
    engine = get_engine(app)
    if database_backend == "postgresql":
        _empty_postgres(engine)
    else:
        SQLModel.metadata.create_all(engine)
    with app.app_context():
        yield app
    engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The test itself runs inside one app context; without this, requests would share its ``g``
    (the language, Babel's cached locale, the database session) with each other and the test.
    """

    def open(self, *args, **kwargs):
        # Read the whole answer and close it, as a server does: what runs once the response has gone out
        # (mails sent after the answer, bulletin.mail.send_after_response) runs before the test goes on.
        kwargs.setdefault("buffered", True)
        outer = g._get_current_object() if has_app_context() else None
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer is not None and "db_session" in outer:
            outer.db_session.expire_all()  # let the test see what the request changed
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def db(app):
    """The session the app uses in this test's app context."""
    return get_session()


@pytest.fixture
def mails(app):
    return outbox()


@pytest.fixture
def configure(app):
    """Change settings of the running app, checked as at start: ``configure(BULLETIN_PER_PAGE=3)``."""

    def change(**values):
        settings.init_app(app, settings.replace(settings.of(app), **values))

    return change


@pytest.fixture
def today():
    return date.today()


_counter = itertools.count(1)


@pytest.fixture
def make_organisation(db):
    def make(name: str | None = None, status: str = "approved", **fields) -> organisations.Organisation:
        number = next(_counter)
        data = organisations.OrganisationInput(
            name=name or f"Organisation {number}",
            type=fields.pop("type", "ngo"),
            descriptions=fields.pop("descriptions", {"de": "Wir helfen gern."}),
            email=fields.pop("email", f"org{number}@example.org"),
            phone=fields.pop("phone", "+49 7141 12345"),
            address=fields.pop("address", "Marktplatz 1, Neustetten"),
            district=fields.pop("district", "Altstadt"),
            languages=fields.pop("languages", ["de", "en"]),
        )
        organisation = organisations.create_organisation(
            db, TEST_ACTOR, data, status=status, verified=fields.pop("verified", False), **fields
        )
        db.commit()
        return organisation

    return make


@pytest.fixture
def make_user(db, make_organisation):
    def make(organisation=None, role: str = "member", email: str | None = None, password: str = PASSWORD):
        if role == "member" and organisation is None:
            organisation = make_organisation()
        user = accounts.create_user(
            db, TEST_ACTOR, email or f"user{next(_counter)}@example.org", password, role=role,
            organisation=organisation if role == "member" else None,
        )
        db.commit()
        return user

    return make


@pytest.fixture
def make_posting(db, make_organisation):
    def make(organisation=None, title: str | dict | None = None, **fields) -> postings.Posting:
        organisation = organisation or make_organisation()
        titles = title if isinstance(title, dict) else {"de": title or f"Angebot {next(_counter)}"}
        data = postings.PostingInput(
            type=fields.pop("type", "offer"),
            category=fields.pop("category", "furniture-household"),
            titles=titles,
            bodies=fields.pop("bodies", {next(iter(titles)): "Gut erhalten, bitte abholen."}),
            original_language=fields.pop("original_language", next(iter(titles))),
            district=fields.pop("district", "Altstadt"),
            valid_until=fields.pop("valid_until", None),
            status=fields.pop("status", "open"),
        )
        posting = postings.create_posting(db, TEST_ACTOR, organisation, data, **fields)
        db.commit()
        return posting

    return make


@pytest.fixture
def csrf_token(app, client):
    """A valid CSRF token for ``client``'s session, as a form on a page would carry it."""

    def token() -> str:
        with client.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    return token


@pytest.fixture
def login(client, csrf_token):
    """Sign ``user`` in through the real sign-in form."""

    def sign_in(user, password: str = PASSWORD):
        response = client.post(
            "/en/account/login", data={"email": user.email, "password": password, "csrf_token": csrf_token()}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return sign_in


# Headless Chromium (Debian's "chromium" package): one Playwright for the whole session, shared by
# tests/browser and tests/deployment, because Playwright's sync API cannot run twice in one process.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (Debian package 'chromium')"
        if os.environ.get("BULLETIN_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", and BULLETIN_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
