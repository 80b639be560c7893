"""Expiry reminders and their one-click renew links: due once per expiry, signed, single-use, expiring."""

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bulletin.services import expiry, moderation
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, PermissionDenied

SECRET = "a secret for the tests"


def test_postings_are_due_within_the_week_once_per_expiry(db, make_organisation, make_posting, today):
    organisation = make_organisation()
    soon = make_posting(organisation=organisation, valid_until=today + timedelta(days=7))
    today_ends = make_posting(organisation=organisation, valid_until=today)
    make_posting(organisation=organisation, valid_until=today + timedelta(days=8))  # next week
    make_posting(organisation=organisation, valid_until=today - timedelta(days=1))  # expired already
    make_posting(organisation=organisation)  # no end date
    make_posting(organisation=organisation, valid_until=today + timedelta(days=3), status="closed")
    make_posting(organisation=make_organisation(status="suspended"), valid_until=today + timedelta(days=3))
    hidden = make_posting(organisation=organisation, valid_until=today + timedelta(days=3))
    moderation.hide_posting(db, SystemActor("coordinator"), hidden, "Falsch")
    db.commit()

    due = expiry.postings_due(db, today, 7)
    assert {posting.id for posting in due} == {soon.id, today_ends.id}
    assert [(org.id, len(items)) for org, items in expiry.by_organisation(due)] == [(organisation.id, 2)]

    expiry.record_reminder(db, soon)
    db.commit()
    assert {posting.id for posting in expiry.postings_due(db, today, 7)} == {today_ends.id}
    soon.valid_until = today + timedelta(days=5)  # a new expiry is a new reminder
    db.commit()
    assert soon.id in {posting.id for posting in expiry.postings_due(db, today, 7)}


@pytest.fixture
def reminder(db, make_posting, today):
    posting = make_posting(valid_until=today + timedelta(days=6))
    found = expiry.record_reminder(db, posting)
    db.commit()
    return found


def test_a_link_renews_once(db, reminder, today):
    token = expiry.make_token(SECRET, reminder)
    found = expiry.reminder_for_token(db, SECRET, token, 14)
    assert found.id == reminder.id
    posting = expiry.renew_with_link(db, found, today, 90)
    db.commit()
    assert posting.valid_until == today + timedelta(days=90)
    assert expiry.reminder_for_token(db, SECRET, token, 14) is None  # used up
    with pytest.raises(InvalidData):
        expiry.renew_with_link(db, found, today, 90)


def test_forged_foreign_and_tampered_links_are_refused(db, reminder):
    token = expiry.make_token(SECRET, reminder)
    assert expiry.reminder_for_token(db, "another secret", token, 14) is None
    assert expiry.reminder_for_token(db, SECRET, token[:-2] + "xx", 14) is None
    assert expiry.reminder_for_token(db, SECRET, "not-a-token", 14) is None
    signer = URLSafeTimedSerializer(SECRET, salt=expiry.TOKEN_SALT)
    wrong_nonce = signer.dumps({"reminder": reminder.id, "nonce": "guessed"})
    assert expiry.reminder_for_token(db, SECRET, wrong_nonce, 14) is None
    password_salt = URLSafeTimedSerializer(SECRET, salt="password-reset")
    assert expiry.reminder_for_token(
        db, SECRET, password_salt.dumps({"reminder": reminder.id, "nonce": reminder.nonce}), 14
    ) is None


def test_links_expire(db, reminder, monkeypatch):
    token = expiry.make_token(SECRET, reminder)
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: now + 15 * 24 * 3600)
    assert expiry.reminder_for_token(db, SECRET, token, 14) is None
    assert expiry.reminder_for_token(db, SECRET, token, 16) is not None


def test_a_closed_posting_or_a_suspended_organisation_is_not_renewed(db, reminder, today):
    posting = expiry.posting_of(db, reminder)
    posting.organisation.status = "suspended"
    db.commit()
    with pytest.raises(PermissionDenied):
        expiry.renew_with_link(db, reminder, today, 90)
    db.rollback()
    posting = expiry.posting_of(db, reminder)
    posting.organisation.status, posting.status = "approved", "closed"
    db.commit()
    with pytest.raises(InvalidData):
        expiry.renew_with_link(db, reminder, today, 90)
