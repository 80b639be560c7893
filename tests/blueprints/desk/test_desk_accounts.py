"""The desk's accounts: coordinator and translator accounts, deactivating, reactivating, password links,
and the last sign-in of each account."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from bulletin.models import AuditEntry, User
from bulletin.services import accounts

PASSWORD = "correct horse battery"


def post(client, csrf_token, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def test_the_list_shows_every_account_with_its_last_sign_in(client, coordinator, make_user):
    make_user(email="never@verein.example")
    page = client.get("/en/desk/accounts").get_data(as_text=True)
    assert "coordinator@board.example" in page and "never@verein.example" in page
    assert "never" in page  # the member has not signed in
    members = client.get("/en/desk/accounts?role=member").get_data(as_text=True)
    assert "never@verein.example" in members and "coordinator@board.example" not in members
    assert client.get("/en/desk/accounts?role=admin").status_code == 400


def test_a_translator_account_gets_its_languages_and_an_email_to_choose_a_password(
    client, coordinator, csrf_token, db, mails
):
    response = client.post("/en/desk/accounts", data={
        "email": "Leyla@Translators.example", "role": "translator", "languages": ["ar", "fa"],
        "csrf_token": csrf_token(),
    })
    assert response.status_code == 302
    user = accounts.get_by_email(db, "leyla@translators.example")
    assert (user.role, user.languages, user.organisation_id) == ("translator", ["ar", "fa"], None)
    [mail] = mails
    assert mail["To"] == "leyla@translators.example" and "/en/account/reset/" in mail.get_content()
    assert "as Translator" in mail.get_content()
    page = client.get("/en/desk/accounts").get_data(as_text=True)
    assert '<span lang="fa" dir="rtl">فارسی</span>' in page


def test_a_coordinator_account_is_created_too(client, coordinator, csrf_token, db):
    post(client, csrf_token, "/en/desk/accounts", email="zweite@board.example", role="coordinator")
    assert accounts.get_by_email(db, "zweite@board.example").is_coordinator


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "leyla@example.org", "role": "translator"},
         "Choose the languages this person translates into."),
        ({"email": "leyla@example.org", "role": "member"}, "Please choose one of the options."),
        ({"email": "not an address", "role": "coordinator"}, "This is not an email address."),
        ({"email": "coordinator@board.example", "role": "coordinator"},
         "There is already an account with this email address."),
    ],
)
def test_bad_account_requests_are_refused_with_a_message(client, coordinator, csrf_token, db, mails, data,
                                                         message):
    response = post(client, csrf_token, "/en/desk/accounts", **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(db.exec(select(User)).all()) == 1 and mails == []


def test_deactivating_signs_out_and_locks_out_until_reactivated(
    app, client, coordinator, csrf_token, make_user, db
):
    member = make_user(email="mia@verein.example")
    other = app.test_client()  # the member's own browser
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("raw")
    credentials = {"email": member.email, "password": PASSWORD, "csrf_token": token}

    def sign_in():
        # Each sign-in starts a new session with a new CSRF token: the sign-in form carries the one before.
        with other.session_transaction() as session:
            session["csrf_token"] = "raw"
        return other.post("/en/account/login", data=credentials)

    assert sign_in().status_code == 302
    assert other.get("/en/dashboard/").status_code == 200

    assert post(client, csrf_token, f"/en/desk/accounts/{member.id}/deactivate").status_code == 302
    assert other.get("/en/dashboard/").status_code == 302  # signed out at once
    assert sign_in().status_code == 400

    assert post(client, csrf_token, f"/en/desk/accounts/{member.id}/reactivate").status_code == 302
    assert sign_in().status_code == 302
    actions = [entry.action for entry in db.exec(select(AuditEntry).where(AuditEntry.object_id == member.id,
                                                                           AuditEntry.object_type == "user"))]
    assert actions[-2:] == ["user.deactivate", "user.reactivate"]
    page = client.get("/en/desk/accounts").get_data(as_text=True)
    assert "mia@verein.example" in page and "never" not in page.split("mia@verein.example")[1][:400]


def test_the_coordinator_cannot_deactivate_their_own_account(client, coordinator, csrf_token, db):
    response = post(client, csrf_token, f"/en/desk/accounts/{coordinator.id}/deactivate")
    assert "You cannot deactivate your own account." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.expire_all()
    assert db.get(User, coordinator.id).active


def test_a_member_gets_a_password_link_on_request(client, coordinator, csrf_token, make_user, db, mails):
    member = make_user(email="jan@verein.example")
    response = post(client, csrf_token, f"/en/desk/accounts/{member.id}/send-reset")
    assert response.status_code == 302
    [mail] = mails
    assert mail["To"] == "jan@verein.example" and "/en/account/reset/" in mail.get_content()
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.reset_link")).one()
    assert entry.actor == coordinator.email and "reset" not in str(entry.changes)  # never the link itself
    member.active = False
    db.commit()
    post(client, csrf_token, f"/en/desk/accounts/{member.id}/send-reset")
    assert len(mails) == 1


def test_unknown_accounts_are_not_found(client, coordinator, csrf_token):
    for action in ("deactivate", "reactivate", "send-reset"):
        assert post(client, csrf_token, f"/en/desk/accounts/77777/{action}").status_code == 404
