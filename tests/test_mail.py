"""Mail never turns a saved change into a 500: subjects go out on one line, and a mail that still cannot be
written is logged and counted as not sent, like an SMTP failure."""

from __future__ import annotations

import logging

import pytest

from bulletin.mail import UnwritableMail, build_message, send_mail_or_log


def test_a_subject_with_line_breaks_goes_out_on_one_line(mails):
    assert send_mail_or_log("anna@example.org", "Evil\r\nCorp\u2028is approved", "Hallo") is True

    assert len(mails) == 1
    assert mails[0]["Subject"] == "Evil Corp is approved"
    assert "\n" not in mails[0]["Subject"]


@pytest.mark.parametrize(("to", "body"), [
    ("anna@example.org\r\nBcc: everyone@example.org", "Hallo"),
    ("anna@example.org", "Hallo \ud800"),
    ("anna\ud800@example.org", "Hallo"),
])
def test_a_mail_that_cannot_be_written_is_logged_and_not_sent(mails, caplog, to, body):
    with caplog.at_level(logging.ERROR):
        assert send_mail_or_log(to, "Betreff", body) is False

    assert mails == []
    assert "Could not send mail to" in caplog.text


def test_building_says_why_a_mail_cannot_be_written(app):
    with pytest.raises(UnwritableMail):
        build_message("anna@example.org\nBcc: x@example.org", "Betreff", "Hallo")


def test_approving_a_name_stored_with_a_line_break_still_mails_the_members(
    client, csrf_token, db, mails, make_organisation, make_user, login
):
    organisation = make_organisation(name="Tafel", status="pending")
    make_user(organisation=organisation, email="anna@tafel.example")
    organisation.name = "Tafel\nNeustetten"  # stored before names were checked
    db.commit()
    login(make_user(role="coordinator", email="koordination@board.example"))

    response = client.post(f"/en/desk/organisations/{organisation.id}/approve",
                           data={"csrf_token": csrf_token()})

    assert response.status_code == 302
    db.refresh(organisation)
    assert organisation.status == "approved"
    assert [mail["Subject"] for mail in mails] == ["Tafel Neustetten is approved"]
