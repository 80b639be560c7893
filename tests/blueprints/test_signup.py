"""Signing up: the same answer for known and new addresses, and confirming the address by its link."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import select

from bulletin.mail import outbox
from bulletin.models import AuditEntry, Organisation, User
from bulletin.services import moderation, organisations, signups

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account

SIGNUP = {
    "name": "Café Mondial",
    "type": "initiative",
    "description_language": "de",
    "description": "Wir treffen uns jeden Dienstag.",
    "languages": ["de", "ar"],
    "email": "kontakt@cafe-mondial.example",
    "phone": "+49 7141 55555",
    "address": "Kirchgasse 3",
    "district": "Altstadt",
    "account_email": "Lena@Cafe-Mondial.example",
    "password": PASSWORD,
    "password_repeat": PASSWORD,
    "privacy_consent": "y",
}
EMAIL = "lena@cafe-mondial.example"


def links_in(mail) -> list[str]:
    """The paths of the links in a mail, for the test client."""
    return [re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"https?://\S+", mail.get_content())]


def sign_up(client, csrf_token, **changes):
    return client.post("/en/account/signup", data={**SIGNUP, **changes, "csrf_token": csrf_token()})


def user_by_email(db, email: str = EMAIL) -> User | None:
    return db.exec(select(User).where(User.email == email)).first()


@pytest.fixture
def signed_up(client, csrf_token, db, mails):
    """A new sign-up, not confirmed yet: its account and the path of its confirmation link."""
    sign_up(client, csrf_token)
    [mail] = mails
    [link] = links_in(mail)
    mails.clear()
    return user_by_email(db), link


# The answer -----------------------------------------------------------------------------------------------


def test_known_and_new_addresses_get_the_same_answer(client, csrf_token, make_user):
    make_user(email="known@cafe-mondial.example")
    known = sign_up(client, csrf_token, account_email="known@cafe-mondial.example")
    new = sign_up(client, csrf_token, account_email="new@cafe-mondial.example")
    assert known.status_code == new.status_code == 200
    known_page, new_page = known.get_data(as_text=True), new.get_data(as_text=True)
    assert known_page.replace("known@", "new@") == new_page
    assert "We have sent a mail to" in new_page
    assert "within 48 hours" in new_page
    assert "There is already an account" not in known_page


def test_a_known_address_changes_nothing_and_its_owner_is_told(client, csrf_token, db, make_user, mails):
    user = make_user(email=EMAIL)
    organisations_before = db.exec(select(Organisation)).all()
    password_hash = user.password_hash
    response = sign_up(client, csrf_token, password="another good passphrase",
                       password_repeat="another good passphrase")
    assert response.status_code == 200
    assert db.exec(select(Organisation)).all() == organisations_before
    assert len(db.exec(select(User)).all()) == 1
    db.refresh(user)
    assert user.password_hash == password_hash and user.organisation.name != "Café Mondial"
    [mail] = mails
    assert mail["To"] == EMAIL
    assert mail["Subject"] == "Someone tried to register with your email address"
    assert links_in(mail) == ["/en/account/login", "/en/account/forgot-password"]
    assert "not confirmed yet" not in mail.get_content()


def test_a_new_address_waits_unconfirmed_and_gets_the_link(client, csrf_token, db, make_user, mails):
    coordinator = make_user(role="coordinator", email="coordinator@board.example")
    response = sign_up(client, csrf_token)
    assert response.status_code == 200
    assert EMAIL in response.get_data(as_text=True)
    user = user_by_email(db)
    assert user.email_confirmed_at is None
    assert user.organisation.status == "pending" and user.organisation.name == "Café Mondial"
    consent = db.exec(select(AuditEntry).where(AuditEntry.action == "user.consent")).one()
    assert (consent.object_id, consent.changes) == (user.id, {"privacy_notice": True})
    # Only the applicant hears of it; the coordinator's queue does not show it yet.
    [mail] = mails
    assert mail["To"] == EMAIL != coordinator.email
    assert mail["Subject"] == "Confirm your email address"
    assert "Café Mondial" in mail.get_content() and "48 hours" in mail.get_content()
    [link] = links_in(mail)
    assert link.startswith("/en/account/confirm/")
    assert organisations.waiting_for_approval(db) == [] and moderation.count_waiting(db) == 0
    assert client.get("/en/dashboard/").status_code == 302  # not signed in


def test_mails_are_sent_after_the_response(app, client, csrf_token, make_user):
    make_user(email="known@cafe-mondial.example")
    sent_when_answered = []

    @app.after_request
    def count_mails(response):
        sent_when_answered.append(len(outbox()))
        return response

    sign_up(client, csrf_token, account_email="known@cafe-mondial.example")
    sign_up(client, csrf_token, account_email="new@cafe-mondial.example")
    assert sent_when_answered[-2:] == [0, 1]  # the answer was complete before each mail went out
    assert len(outbox()) == 2


def test_the_consent_is_required(client, csrf_token, db, mails):
    response = sign_up(client, csrf_token, privacy_consent="")
    assert response.status_code == 400
    assert "Please confirm that you have read the privacy notice." in response.get_data(as_text=True)
    assert db.exec(select(User)).all() == [] and mails == []


# Confirming -----------------------------------------------------------------------------------------------


def test_opening_the_link_confirms_nothing_the_button_does(client, csrf_token, db, make_user, mails,
                                                           signed_up):
    coordinator = make_user(role="coordinator", email="coordinator@board.example")
    user, link = signed_up
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Confirm my address" in page.get_data(as_text=True)
    assert client.post(link).status_code == 400  # no CSRF token: nothing happens
    db.refresh(user)
    assert user.email_confirmed_at is None and mails == []

    response = client.post(link, data={"csrf_token": csrf_token()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/dashboard/")
    db.refresh(user)
    assert user.email_confirmed_at is not None
    dashboard = client.get("/en/dashboard/").get_data(as_text=True)
    assert "Your organisation now waits for approval" in dashboard
    [mail] = mails
    assert mail["To"] == coordinator.email
    assert "Café Mondial" in mail["Subject"]
    assert links_in(mail) == ["/en/desk/organisations"]
    assert organisations.waiting_for_approval(db) == [user.organisation]


def test_the_link_works_once(client, csrf_token, db, signed_up):
    user, link = signed_up
    assert client.post(link, data={"csrf_token": csrf_token()}).status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "expired or has already been used" in again.get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_token()}).status_code == 400


def test_an_expired_or_forged_link_is_refused_clearly(configure, app, client, csrf_token, db, signed_up):
    user, _link = signed_up

    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 49 * 3600

    expired = URLSafeTimedSerializer(app.secret_key, salt=signups.CONFIRM_SALT, signer=TwoDaysAgo).dumps(
        {"user": user.id, "email": user.email}
    )
    forged = URLSafeTimedSerializer("another key", salt=signups.CONFIRM_SALT).dumps(
        {"user": user.id, "email": user.email}
    )
    for token in (expired, forged, "not-a-token", "x" * 400):
        response = client.post(f"/en/account/confirm/{token}", data={"csrf_token": csrf_token()})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "This link no longer works" in page
        assert 'href="/en/account/signup"' in page and 'href="/en/account/login"' in page
    db.refresh(user)
    assert user.email_confirmed_at is None
    configure(BULLETIN_SIGNUP_CONFIRM_HOURS=50)  # the expired link was refused for its age alone
    assert client.get(f"/en/account/confirm/{expired}").status_code == 200


def test_the_confirmation_page_speaks_the_links_language(client, signed_up):
    _user, link = signed_up
    page = client.get(link.replace("/en/", "/ar/")).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page


# Signing in before confirming -----------------------------------------------------------------------------


def test_signing_in_unconfirmed_sends_a_new_link_only_for_the_right_password(client, csrf_token, db, mails,
                                                                            signed_up):
    user, _link = signed_up
    wrong = client.post("/en/account/login",
                        data={"email": EMAIL, "password": "wrong password!", "csrf_token": csrf_token()})
    assert wrong.status_code == 400
    assert "The email address or the password is not right." in wrong.get_data(as_text=True)
    assert mails == []

    refused = client.post("/en/account/login",
                          data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token()})
    assert refused.status_code == 400
    assert "Your email address is not confirmed yet" in refused.get_data(as_text=True)
    assert client.get("/en/dashboard/").status_code == 302
    db.refresh(user)
    assert user.last_login_at is None
    [mail] = mails
    [new_link] = links_in(mail)
    assert client.post(new_link, data={"csrf_token": csrf_token()}).status_code == 302


def test_signing_up_again_unconfirmed_says_so_in_the_mail(client, csrf_token, db, mails, signed_up):
    response = sign_up(client, csrf_token)
    assert response.status_code == 200
    assert len(db.exec(select(Organisation)).all()) == 1
    [mail] = mails
    assert mail["Subject"] == "Someone tried to register with your email address"
    assert "not confirmed yet" in mail.get_content()
