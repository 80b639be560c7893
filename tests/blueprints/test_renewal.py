"""The renew link of an expiry reminder: looking does nothing, the button renews once, old links fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import select

from bulletin.models import AuditEntry, ExpiryReminder
from bulletin.services import expiry


@pytest.fixture
def posting(make_organisation, make_posting, today):
    organisation = make_organisation(name="Möbelbörse")
    return make_posting(organisation=organisation, title="Kleiderschrank",
                        valid_until=today + timedelta(days=5))


@pytest.fixture
def link(app, db, posting) -> str:
    reminder = expiry.record_reminder(db, posting)
    db.commit()
    return f"/en/renew/{expiry.make_token(app.secret_key, reminder)}"


def press(client, csrf_token, url):
    return client.post(url, data={"csrf_token": csrf_token()})


def test_opening_the_link_only_asks(client, link, posting, db, today):
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Kleiderschrank" in text and "Möbelbörse" in text
    assert '<meta name="robots" content="noindex">' in text
    assert page.headers["Cache-Control"] == "no-store"
    client.get(link)  # a mail scanner's second look
    db.expire_all()
    assert posting.valid_until == today + timedelta(days=5)
    assert db.exec(select(ExpiryReminder)).one().used_at is None


def test_the_button_renews_once(client, csrf_token, link, posting, db, today):
    done = press(client, csrf_token, link)
    assert done.status_code == 200
    assert "The posting is renewed" in done.get_data(as_text=True)
    db.expire_all()
    assert posting.valid_until == today + timedelta(days=90)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.renew")).one()
    assert entry.actor == "renewal link"

    for second_try in (client.get(link), press(client, csrf_token, link)):
        assert second_try.status_code == 400
        assert "This link no longer works" in second_try.get_data(as_text=True)
    assert len(db.exec(select(AuditEntry).where(AuditEntry.action == "posting.renew")).all()) == 1


def test_an_expired_link_is_refused(client, csrf_token, link, posting, db, today, monkeypatch):
    signed = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed(self) + 15 * 24 * 3600)
    assert client.get(link).status_code == 400
    assert press(client, csrf_token, link).status_code == 400
    db.expire_all()
    assert posting.valid_until == today + timedelta(days=5)


@pytest.mark.parametrize("token", ["nonsense", "x" * 400, "eyJyZW1pbmRlciI6MX0.forged.sig"])
def test_forged_links_are_refused(client, token):
    response = client.get(f"/en/renew/{token}")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def test_renewing_needs_the_forms_token(client, link, posting, db, today):
    assert client.post(link).status_code == 400
    db.expire_all()
    assert posting.valid_until == today + timedelta(days=5)


def test_a_closed_posting_is_not_renewed_and_the_link_stays_unused(client, csrf_token, link, posting, db):
    posting.status = "closed"
    db.commit()
    response = press(client, csrf_token, link)
    assert response.status_code == 400
    assert "closed" in response.get_data(as_text=True)
    db.expire_all()
    assert db.exec(select(ExpiryReminder)).one().used_at is None
