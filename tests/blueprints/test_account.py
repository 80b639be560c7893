"""Signing up, in and out, and resetting a forgotten password: what members see, what attackers cannot do."""

from __future__ import annotations

import re
import time

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import SQLModel, select

from bulletin import create_app
from bulletin.db import get_engine
from bulletin.extensions import babel
from bulletin.mail import outbox
from bulletin.models import User
from bulletin.services import accounts

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account
NEW_PASSWORD = "a brand new passphrase"

SIGNUP = {
    "name": "Café Mondial",
    "type": "initiative",
    "description_language": "de",
    "description": "Wir treffen uns jeden Dienstag.",
    "languages": ["de", "ar"],
    "email": "kontakt@cafe-mondial.example",
    "phone": "+49 7141 55555",
    "website": "https://cafe-mondial.example",
    "address": "Kirchgasse 3",
    "district": "Altstadt",
    "account_email": "Lena@Cafe-Mondial.example",
    "password": PASSWORD,
    "password_repeat": PASSWORD,
    "privacy_consent": "y",
}

# Enough German to show that refusals and mails come in the reader's language.
GERMAN = {
    "Too many attempts": "Zu viele Versuche",
    "Too many attempts. Please wait a minute and try again.": "Zu viele Versuche. Bitte warten.",
    "Choose a new password": "Neues Passwort wählen",
    "Hello,": "Hallo,",
}


@pytest.fixture
def german_catalogue(tmp_path):
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = Catalog(locale="de")
    for msgid, msgstr in GERMAN.items():
        catalogue.add(msgid, msgstr)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalogue)
    (folder / "messages.po").write_text("")  # its presence makes German an interface language
    # Flask-Babel keeps loaded catalogues for the whole process: start and end clean.
    babel.domain_instance.cache.clear()
    yield str(tmp_path / "translations")
    babel.domain_instance.cache.clear()


def link_in(mail) -> str:
    """The path of the link in a mail, for the test client."""
    url = re.search(r"https?://\S+", mail.get_content()).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


# Sign-up ------------------------------------------------------------------------------------------------


def test_signup_form_labels_every_field(client):
    page = client.get("/en/account/signup").get_data(as_text=True)
    for field_id in ("name", "type", "description", "email", "account_email", "password", "password_repeat",
                     "privacy_consent"):
        assert f'<label for="{field_id}"' in page
    assert 'href="/en/privacy"' in page  # the consent's label links to what it agrees to
    assert 'aria-describedby="account_email-hint"' in page
    assert 'lang="ar"' in page  # languages are offered by their own names, tagged with their language


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password_repeat": "something else entirely"}, "The two passwords differ."),
        ({"password": "short", "password_repeat": "short"}, "Between 12 and 128 characters, please."),
        ({"name": ""}, "Please fill in this field."),
        ({"name": "x" * 201}, "At most 200 characters."),
        ({"account_email": "not-an-address"}, "This is not an email address."),
        ({"website": "cafe-mondial.example"}, "A web address starts with http:// or https://."),
        ({"languages": ["de", "xx"]}, "Please choose one of the options."),
        ({"privacy_consent": ""}, "Please confirm that you have read the privacy notice."),
    ],
)
def test_signup_with_bad_input_says_why_and_stores_nothing(client, csrf_token, db, changes, message):
    response = client.post("/en/account/signup", data={**SIGNUP, **changes, "csrf_token": csrf_token()})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'class="form-errors" role="alert"' in page
    assert db.exec(select(User)).all() == []


# Sign-in and sign-out -----------------------------------------------------------------------------------


def test_sign_in_leads_to_the_dashboard(client, csrf_token, make_user, db):
    user = make_user()
    response = client.post(
        "/en/account/login",
        data={"email": user.email.upper(), "password": PASSWORD, "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/dashboard/")
    db.refresh(user)
    assert user.last_login_at is not None
    assert user.organisation.name in client.get("/en/dashboard/").get_data(as_text=True)


@pytest.mark.parametrize("email_known", [True, False])
def test_a_failed_sign_in_does_not_tell_whether_the_address_exists(
    client, csrf_token, make_user, email_known
):
    user = make_user()
    email = user.email if email_known else "nobody@example.org"
    response = client.post(
        "/en/account/login", data={"email": email, "password": "wrong password!", "csrf_token": csrf_token()}
    )
    assert response.status_code == 400
    assert "The email address or the password is not right." in response.get_data(as_text=True)
    assert client.get("/en/dashboard/").status_code == 302  # still signed out


def test_an_inactive_account_cannot_sign_in(client, csrf_token, make_user, db):
    user = make_user()
    user.active = False
    db.commit()
    response = client.post(
        "/en/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token()}
    )
    assert response.status_code == 400


def test_sign_in_returns_to_the_page_that_asked_for_it(client, csrf_token, make_user):
    user = make_user()
    asked = client.get("/en/dashboard/profile")
    assert asked.status_code == 302
    login_url = asked.headers["Location"]
    assert "next=" in login_url
    page = client.get(login_url).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/en/dashboard/profile"' in page
    response = client.post(
        "/en/account/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "/en/dashboard/profile",
            "csrf_token": csrf_token(),
        },
    )
    assert response.headers["Location"].endswith("/en/dashboard/profile")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
        "",
    ],
)
def test_sign_in_never_sends_someone_to_another_site(client, csrf_token, make_user, target):
    user = make_user()
    response = client.post(
        "/en/account/login",
        data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/dashboard/")


def test_sign_out_is_a_post_with_a_csrf_token(client, csrf_token, login, make_user):
    login(make_user())
    assert client.get("/en/account/logout").status_code == 405
    assert client.post("/en/account/logout").status_code == 400  # no token: still signed in
    assert client.get("/en/dashboard/").status_code == 200
    response = client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    assert response.status_code == 302
    assert client.get("/en/dashboard/").status_code == 302


def test_a_signed_in_member_is_not_shown_the_forms_again(client, login, make_user):
    login(make_user())
    assert client.get("/en/account/login").headers["Location"].endswith("/en/dashboard/")
    assert client.get("/en/account/signup").headers["Location"].endswith("/en/dashboard/")


# Forgotten password -------------------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(client, csrf_token, mails):
    response = client.post(
        "/en/account/forgot-password", data={"email": "nobody@example.org", "csrf_token": csrf_token()}
    )
    assert response.status_code == 200
    assert "If an account exists for this address" in response.get_data(as_text=True)
    assert mails == []


def test_password_reset_end_to_end_and_the_link_works_once(client, csrf_token, make_user, mails, login, db):
    user = make_user()
    response = client.post(
        "/en/account/forgot-password", data={"email": user.email, "csrf_token": csrf_token()}
    )
    assert "If an account exists for this address" in response.get_data(as_text=True)
    [mail] = mails
    assert mail["To"] == user.email
    assert mail["Subject"] == "Choose a new password"
    link = link_in(mail)

    form = client.get(link)
    assert form.status_code == 200
    assert 'id="password"' in form.get_data(as_text=True)
    mismatch = client.post(
        link,
        data={"password": NEW_PASSWORD, "password_repeat": "different words", "csrf_token": csrf_token()},
    )
    assert mismatch.status_code == 400
    done = client.post(
        link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "csrf_token": csrf_token()}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/en/account/login")

    assert accounts.authenticate(db, user.email, PASSWORD) is None
    login(user, password=NEW_PASSWORD)

    used_again = client.get(link)
    assert used_again.status_code == 400
    assert "expired or has already been used" in used_again.get_data(as_text=True)
    second_try = client.post(
        link,
        data={
            "password": "yet another passphrase",
            "password_repeat": "yet another passphrase",
            "csrf_token": csrf_token(),
        },
    )
    assert second_try.status_code == 400
    assert accounts.authenticate(db, user.email, NEW_PASSWORD) is not None


def test_an_expired_reset_link_is_refused_clearly(configure, app, client, csrf_token, make_user, mails, db):
    user = make_user()
    client.post("/en/account/forgot-password", data={"email": user.email, "csrf_token": csrf_token()})
    link = link_in(mails[0])
    configure(BULLETIN_PASSWORD_RESET_MAX_AGE=-1)  # every link is older than that
    response = client.post(
        link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "csrf_token": csrf_token()}
    )
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    assert accounts.authenticate(db, user.email, PASSWORD) is not None


def test_a_forged_reset_link_is_refused(client):
    response = client.get("/en/account/reset/not-a-token")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


# Throttling ---------------------------------------------------------------------------------------------


@pytest.fixture
def throttled_client(app_config, german_catalogue, make_user):
    """A client of an app that limits sign-in attempts to three a minute."""
    throttled = create_app(
        {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "BULLETIN_LOGIN_LIMIT": "3 per minute",
            "BULLETIN_LOGIN_FREE_FAILURES": 3,
            "BABEL_TRANSLATION_DIRECTORIES": german_catalogue,
        }
    )
    SQLModel.metadata.create_all(get_engine(throttled))
    yield throttled.test_client()
    get_engine(throttled).dispose()


def attempt(client, email, password, address="192.0.2.1", lang="en"):
    with client.session_transaction() as session:
        session["csrf_token"] = "fixed-raw-token"
    token = URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token").dumps(
        "fixed-raw-token"
    )
    return client.post(
        f"/{lang}/account/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_is_throttled_per_address_with_a_translated_page(throttled_client, make_user):
    user = make_user()
    for _ in range(3):
        assert attempt(throttled_client, user.email, "wrong password!", lang="de").status_code == 400
    refused = attempt(throttled_client, user.email, PASSWORD, lang="de")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Zu viele Versuche" in page
    assert '<html lang="de"' in page
    # Another address is not affected by this one's attempts on another account.
    other = make_user()
    assert attempt(throttled_client, other.email, PASSWORD, address="192.0.2.99").status_code == 302


def test_many_failures_on_one_account_make_it_wait_briefly_not_lock(throttled_client, make_user):
    user = make_user()
    for number in range(4):  # from four addresses: the per-address limit does not see them together
        response = attempt(throttled_client, user.email, "wrong password!", address=f"198.51.100.{number}")
        assert response.status_code == 400
    # A fifth address, even with the right password: the account waits a second after the fourth failure.
    refused = attempt(throttled_client, user.email, PASSWORD, address="198.51.100.77")
    assert refused.status_code == 429
    assert "Please wait 1 second" in refused.get_data(as_text=True)
    # The same address with another account still gets in: the address itself is not blocked.
    other = make_user()
    assert attempt(throttled_client, other.email, PASSWORD, address="198.51.100.77").status_code == 302
    # A pause, not a lock: once it is over, the owner signs in.
    time.sleep(1.1)
    assert attempt(throttled_client, user.email, PASSWORD, address="198.51.100.78").status_code == 302


def test_failures_within_the_free_allowance_never_keep_the_owner_out(throttled_client, make_user):
    user = make_user()
    for number in range(3):
        response = attempt(throttled_client, user.email, "wrong password!", address=f"198.51.100.{number}")
        assert response.status_code == 400
    assert attempt(throttled_client, user.email, PASSWORD, address="198.51.100.50").status_code == 302


def test_successful_sign_ins_do_not_use_up_the_account_allowance(throttled_client, make_user):
    user = make_user()
    for number in range(5):
        assert (
            attempt(throttled_client, user.email, PASSWORD, address=f"203.0.113.{number}").status_code == 302
        )


def test_the_reset_mail_comes_in_the_language_of_the_request(app_config, german_catalogue, make_user, db):
    german_app = create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": german_catalogue})
    SQLModel.metadata.create_all(get_engine(german_app))
    user = make_user()
    client = german_app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "raw"
    token = URLSafeTimedSerializer(german_app.secret_key, salt="wtf-csrf-token").dumps("raw")
    client.post("/de/account/forgot-password", data={"email": user.email, "csrf_token": token},
                buffered=True)
    with german_app.app_context():
        [mail] = outbox()
    assert mail["Subject"] == "Neues Passwort wählen"
    assert mail.get_content().startswith("Hallo,")
    assert "/de/account/reset/" in mail.get_content()
    get_engine(german_app).dispose()


def test_the_reset_mail_is_written_only_after_the_answer_has_gone_out(client, csrf_token, make_user, mails):
    # The answer's time must not tell whether the address has an account: nothing mail-related runs before.
    user = make_user()
    response = client.post("/en/account/forgot-password",
                           data={"email": user.email, "csrf_token": csrf_token()}, buffered=False)
    page = response.get_data(as_text=True)
    assert mails == []
    response.close()  # what the server does once the last byte is sent
    [mail] = mails
    assert mail["To"] == user.email
    unknown = client.post("/en/account/forgot-password",
                          data={"email": "nobody@example.org", "csrf_token": csrf_token()})
    assert unknown.status_code == response.status_code == 200
    assert unknown.get_data(as_text=True) == page
    assert len(mails) == 1


def test_the_owner_is_told_when_the_password_was_changed(client, csrf_token, make_user, mails, db):
    user = make_user()
    token = accounts.make_reset_token(client.application.secret_key, user)
    response = client.post(f"/en/account/reset/{token}", data={
        "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "csrf_token": csrf_token()})
    assert response.status_code == 302
    [notice] = mails
    assert notice["To"] == user.email
    assert notice["Subject"] == "Your password was changed"
    assert "http://board.test/en/account/forgot-password" in notice.get_content()
