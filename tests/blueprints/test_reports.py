"""Report a problem: the public link and form, what is kept, the coordinator's mail, the throttle."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import SQLModel, select

from bulletin import create_app
from bulletin.db import get_engine
from bulletin.mail import outbox
from bulletin.models import Report


@pytest.fixture
def posting(make_organisation, make_posting):
    organisation = make_organisation(name="Sprachcafé Sonnenhang")
    return make_posting(organisation=organisation, title="Deutschkurs am Abend")


def send(client, csrf_token, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def test_every_public_posting_and_profile_links_to_the_form(client, posting):
    page = client.get(f"/en/postings/{posting.id}").get_data(as_text=True)
    assert f'href="/en/report/posting/{posting.id}"' in page
    profile = client.get(f"/en/organisations/{posting.organisation.key}").get_data(as_text=True)
    assert f'href="/en/report/organisation/{posting.organisation.key}"' in profile


def test_a_visitor_reports_a_posting_and_the_coordinator_is_told(
    client, csrf_token, posting, make_user, db, mails
):
    make_user(role="coordinator", email="koordination@board.example")
    form = client.get(f"/ar/report/posting/{posting.id}")
    assert form.status_code == 200
    assert "Deutschkurs am Abend" in form.get_data(as_text=True)

    response = send(client, csrf_token, f"/ar/report/posting/{posting.id}", reason="unavailable",
                    text="Niemand geht ans Telefon.")

    assert response.status_code == 302 and response.headers["Location"].endswith("/ar/report/thanks")
    assert client.get(response.headers["Location"]).status_code == 200
    report = db.exec(select(Report)).one()
    assert (report.posting_id, report.organisation_id) == (posting.id, posting.organisation_id)
    assert (report.reason, report.text, report.status) == ("unavailable", "Niemand geht ans Telefon.", "open")
    [mail] = mails
    assert mail["To"] == "koordination@board.example"
    assert "Deutschkurs am Abend" in mail["Subject"]
    assert "Niemand geht ans Telefon." in mail.get_content()
    assert "/de/desk/reports" in mail.get_content()  # the board's language (de), not the visitor's


def test_a_visitor_reports_an_organisation(client, csrf_token, posting, db):
    key = posting.organisation.key
    response = send(client, csrf_token, f"/en/report/organisation/{key}", reason="money", text="")
    assert response.status_code == 302
    report = db.exec(select(Report)).one()
    assert report.posting_id is None and report.organisation_id == posting.organisation_id


def test_nothing_about_the_visitor_is_stored(client, csrf_token, posting, db):
    send(client, csrf_token, f"/en/report/posting/{posting.id}", reason="wrong", text="Falsche Uhrzeit")
    row = db.exec(select(Report)).one().model_dump()
    stored = " ".join(str(value) for value in row.values())
    assert "127.0.0.1" not in stored and "werkzeug" not in stored.lower()
    assert set(row) == {"id", "organisation_id", "posting_id", "reason", "text", "created_at", "status",
                        "resolved_by", "resolved_at", "note"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "Ohne Grund"}, "Please choose one of the options."),
        ({"reason": "lies", "text": ""}, "Please choose one of the options."),
        ({"reason": "other", "text": "  "}, "Please describe the problem in a few words."),
        ({"reason": "wrong", "text": "x" * 1001}, "At most 1000 characters."),
    ],
)
def test_bad_reports_get_a_clear_message_and_nothing_is_stored(
    client, csrf_token, posting, db, data, message
):
    response = send(client, csrf_token, f"/en/report/posting/{posting.id}", **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.exec(select(Report)).first() is None


def test_only_public_things_can_be_reported(client, csrf_token, make_posting, make_organisation, db):
    closed = make_posting(status="closed")
    pending = make_organisation(status="pending")
    for url in (f"/en/report/posting/{closed.id}", "/en/report/posting/99999",
                f"/en/report/organisation/{pending.key}", "/en/report/organisation/nobody"):
        assert client.get(url).status_code == 404
        assert send(client, csrf_token, url, reason="wrong").status_code == 404
    assert db.exec(select(Report)).first() is None


def test_a_report_without_csrf_token_is_refused(client, posting, db):
    response = client.post(f"/en/report/posting/{posting.id}", data={"reason": "wrong"})
    assert response.status_code == 400
    assert db.exec(select(Report)).first() is None


@pytest.fixture
def throttled(app_config, posting):
    """An app that takes two reports an hour from one address."""
    app = create_app({**app_config, "RATELIMIT_ENABLED": True, "BULLETIN_REPORT_LIMIT": "2 per hour"})
    SQLModel.metadata.create_all(get_engine(app))
    yield app
    get_engine(app).dispose()


def report_from(app, posting_id: int, address: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "raw"
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("raw")
    return client.post(f"/en/report/posting/{posting_id}", data={"reason": "wrong", "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_reports_are_throttled_per_address(throttled, posting, db):
    assert [report_from(throttled, posting.id, "192.0.2.7").status_code for _ in range(3)] == [302, 302, 429]
    assert report_from(throttled, posting.id, "192.0.2.8").status_code == 302
    assert len(db.exec(select(Report)).all()) == 3
    with throttled.app_context():
        assert outbox() == []  # nobody to tell: no coordinator account
