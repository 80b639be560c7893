"""flask send-expiry-reminders: once a day, one mail per organisation about postings that expire within
a week, each with a renew link; never twice for the same expiry; and the day's statistics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import ExpiryReminder, OpenPostingsSnapshot, Posting


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def board(make_organisation, make_user, make_posting, today):
    tafel = make_organisation(name="Tafel")
    make_user(organisation=tafel, email="anna@tafel.example")
    make_user(organisation=tafel, email="ben@tafel.example")
    make_posting(organisation=tafel, title="Brot", valid_until=today + timedelta(days=7))
    make_posting(organisation=tafel, title="Obst", valid_until=today + timedelta(days=2))
    make_posting(organisation=tafel, title="Später", valid_until=today + timedelta(days=30))
    lonely = make_organisation(name="Ohne Mitglieder")
    make_posting(organisation=lonely, title="Niemand da", valid_until=today + timedelta(days=3))
    return tafel


def test_each_organisation_gets_one_mail_with_a_link_per_posting(runner, board, mails, db, client, today):
    result = runner.invoke(args=["send-expiry-reminders"])
    assert result.exit_code == 0, result.output
    assert "Organisations reminded: 1; postings they were reminded of: 2." in result.output
    assert "Organisations without an active member to remind: 1." in result.output
    assert "Recorded today's statistics." in result.output

    assert sorted(mail["To"] for mail in mails) == ["anna@tafel.example", "ben@tafel.example"]
    body = mails[0].get_content()
    assert "Brot" in body and "Obst" in body and "Später" not in body
    links = re.findall(r"http://board\.test/de/renew/\S+", body)
    assert len(links) == 2
    assert db.exec(select(OpenPostingsSnapshot.day).distinct()).all() == [today]

    path = links[0].removeprefix("http://board.test")
    assert client.get(path).status_code == 200  # the link leads to the confirmation page


def test_a_second_run_reminds_nobody_again(runner, board, mails, db):
    runner.invoke(args=["send-expiry-reminders"])
    second = runner.invoke(args=["send-expiry-reminders"])
    assert "Organisations reminded: 0; postings they were reminded of: 0." in second.output
    assert "Today's statistics were recorded already." in second.output
    assert len(mails) == 2
    assert len(db.exec(select(ExpiryReminder)).all()) == 2


def test_a_renewed_posting_is_reminded_again_before_its_new_expiry(runner, board, mails, db, today):
    runner.invoke(args=["send-expiry-reminders"])
    brot = db.exec(select(Posting).where(Posting.valid_until == today + timedelta(days=7))).one()
    brot.valid_until = today + timedelta(days=6)
    db.commit()
    runner.invoke(args=["send-expiry-reminders"])
    assert len(mails) == 4 and "Brot" in mails[-1].get_content() and "Obst" not in mails[-1].get_content()


def test_when_no_mail_goes_out_the_next_run_tries_again(app, runner, board, db, monkeypatch):
    monkeypatch.setattr("bulletin.mail.send_mail_or_log", lambda *args: False)
    result = runner.invoke(args=["send-expiry-reminders"])
    assert "could not be mailed" in result.output
    assert db.exec(select(ExpiryReminder)).all() == []


def test_links_use_the_configured_public_address(configure, app, runner, board, mails):
    configure(BULLETIN_BASE_URL="https://hilfe.neustetten.example/board")
    runner.invoke(args=["send-expiry-reminders"])
    assert "https://hilfe.neustetten.example/board/de/renew/" in mails[0].get_content()


def test_without_a_public_address_the_command_says_what_to_set(configure, app, runner, board, mails):
    configure(BULLETIN_BASE_URL=None)
    app.config["SERVER_NAME"] = None
    result = runner.invoke(args=["send-expiry-reminders"])
    assert result.exit_code != 0 and "BULLETIN_BASE_URL" in result.output
    assert mails == []
