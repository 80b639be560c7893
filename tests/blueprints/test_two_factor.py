"""Two-step sign-in: coordinators set up and use a one-time code (TOTP); members may choose to."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import SQLModel, select

from bulletin import create_app
from bulletin.db import get_engine
from bulletin.models import AuditEntry, User, utcnow
from bulletin.services import two_factor

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account
SECRET_ON_PAGE = re.compile(r'<code id="totp-secret" dir="ltr">([A-Z2-7 ]+)</code>')


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BULLETIN_COORDINATOR_TWO_FACTOR": True}  # the production default


def enrolled(db, user) -> str:
    """Give ``user`` a key, as a finished set-up would, and return it."""
    secret = two_factor.new_secret()
    user.totp_secret, user.totp_enabled_at = secret, utcnow()
    db.commit()
    return secret


def code(secret: str, seconds_from_now: float = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + seconds_from_now)


def password_step(client, csrf_token, user, **environ):
    return client.post("/en/account/login", data={"email": user.email, "password": PASSWORD,
                                                  "csrf_token": csrf_token()}, **environ)


def code_step(client, csrf_token, value: str, path: str = "/en/account/two-factor", **environ):
    return client.post(path, data={"code": value, "csrf_token": csrf_token()}, **environ)


def sign_in(client, csrf_token, user, secret: str, seconds_from_now: float = 0):
    first = password_step(client, csrf_token, user)
    assert first.status_code == 302 and first.headers["Location"].endswith("/en/account/two-factor")
    return code_step(client, csrf_token, code(secret, seconds_from_now))


def test_a_coordinator_sets_it_up_at_first_sign_in_with_a_qr_code(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    first = password_step(client, csrf_token, coordinator)
    assert first.status_code == 302
    assert first.headers["Location"].endswith("/en/account/two-factor/setup")
    assert client.get("/en/desk/organisations").status_code == 302  # not signed in yet

    page = client.get("/en/account/two-factor/setup")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<img src="data:image/svg+xml' in html
    assert "no-store" in page.headers["Cache-Control"]
    secret = SECRET_ON_PAGE.search(html).group(1).replace(" ", "")
    # A reload shows the same key: a wrong code must not make the one already scanned useless.
    assert secret in client.get("/en/account/two-factor/setup").get_data(as_text=True).replace(" ", "")

    wrong = code_step(client, csrf_token, "000000" if code(secret) != "000000" else "111111",
                      "/en/account/two-factor/setup")
    assert wrong.status_code == 400
    assert "This code is not right." in wrong.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, coordinator.id).totp_secret is None
    assert code_step(client, csrf_token, "12ab56", "/en/account/two-factor/setup").status_code == 400

    done = code_step(client, csrf_token, code(secret), "/en/account/two-factor/setup")
    assert done.status_code == 302 and "/account/" not in done.headers["Location"]
    assert client.get("/en/desk/organisations").status_code == 200
    stored = db.get(User, coordinator.id)
    assert stored.totp_secret == secret and stored.totp_enabled_at is not None
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "user.two_factor_on")).one()
    assert secret not in str(entry.changes)
    # Never shown again once it is set up.
    assert secret not in client.get("/en/account/sign-ins/").get_data(as_text=True).replace(" ", "")
    assert client.get("/en/account/two-factor/setup").status_code == 302


def test_the_otpauth_address_names_the_board_as_issuer(app):
    secret = two_factor.new_secret()
    uri = two_factor.provisioning_uri(secret, "koordination@example.org", app.config["BULLETIN_SITE_NAME"])
    assert uri.startswith("otpauth://totp/Neustetten%20hilft:koordination%40example.org?")
    assert f"secret={secret}" in uri and "issuer=Neustetten%20hilft" in uri


def test_the_desk_stays_closed_until_the_code_is_right(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    secret = enrolled(db, coordinator)
    first = password_step(client, csrf_token, coordinator)
    assert first.headers["Location"].endswith("/en/account/two-factor")
    for path in ("/en/desk/organisations", "/en/desk/accounts", "/en/dashboard/", "/en/account/sign-ins/"):
        assert client.get(path).status_code == 302, path
    # With the password alone, no new key can be set up instead of the code.
    assert client.get("/en/account/two-factor/setup").headers["Location"].endswith("/en/account/two-factor")
    assert code_step(client, csrf_token, code(pyotp.random_base32()),
                     "/en/account/two-factor/setup").status_code == 302
    assert db.get(User, coordinator.id).totp_secret == secret

    page = client.get("/en/account/two-factor")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.get_data(as_text=True)
    assert code_step(client, csrf_token, "123 45x").status_code == 400
    assert client.get("/en/desk/organisations").status_code == 302
    done = code_step(client, csrf_token, code(secret))
    assert done.status_code == 302
    assert client.get("/en/desk/organisations").status_code == 200


def test_a_code_is_accepted_once_only(client, csrf_token, make_user, db):
    member = make_user()
    secret = enrolled(db, member)
    now = code(secret)
    assert code_step(client, csrf_token, now, "/en/account/two-factor").status_code == 302  # no half sign-in
    assert password_step(client, csrf_token, member).status_code == 302
    assert code_step(client, csrf_token, now).status_code == 302
    assert client.get("/en/dashboard/").status_code == 200
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})

    assert password_step(client, csrf_token, member).status_code == 302
    replayed = code_step(client, csrf_token, now)
    assert replayed.status_code == 400
    assert "This code is not right." in replayed.get_data(as_text=True)
    assert code_step(client, csrf_token, code(secret, -30)).status_code == 400  # an earlier step neither
    assert client.get("/en/dashboard/").status_code == 302


def test_one_step_of_clock_drift_is_accepted_two_are_not(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    secret = enrolled(db, coordinator)
    assert password_step(client, csrf_token, coordinator).status_code == 302
    assert code_step(client, csrf_token, code(secret, -60)).status_code == 400
    assert code_step(client, csrf_token, code(secret, +60)).status_code == 400
    assert code_step(client, csrf_token, code(secret, -30)).status_code == 302
    assert client.get("/en/desk/organisations").status_code == 200


@pytest.fixture
def throttled(app_config, app):
    """A client of an app that allows three code attempts a minute from one address, and two free
    failures per account; and a CSRF token for it."""
    throttled = create_app({**app_config, "RATELIMIT_ENABLED": True, "BULLETIN_LOGIN_LIMIT": "3 per minute",
                            "BULLETIN_LOGIN_FREE_FAILURES": 2})
    SQLModel.metadata.create_all(get_engine(throttled))
    client = throttled.test_client()

    def token() -> str:
        with client.session_transaction() as session:
            raw = session.setdefault("csrf_token", "fixed-raw-token")
        return URLSafeTimedSerializer(throttled.secret_key, salt="wtf-csrf-token").dumps(raw)

    yield client, token
    get_engine(throttled).dispose()


def test_wrong_codes_are_limited_per_address(throttled, make_user, db):
    member = make_user()
    secret = enrolled(db, member)
    client, token = throttled
    address = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    assert password_step(client, token, member, **address).status_code == 302
    for _ in range(3):
        assert code_step(client, token, "000000", **address).status_code in (400, 429)
    assert code_step(client, token, code(secret), **address).status_code == 429


def test_wrong_codes_for_one_account_make_it_wait_from_any_address(throttled, make_user, db):
    member = make_user()
    secret = enrolled(db, member)
    client, token = throttled
    assert password_step(client, token, member).status_code == 302
    wrong = "000000" if code(secret) != "000000" else "111111"
    for number in range(3):  # from three addresses: only the count per account sees them together
        answer = code_step(client, token, wrong, environ_base={"REMOTE_ADDR": f"198.51.100.{number}"})
        assert answer.status_code == 400
    waiting = code_step(client, token, code(secret), environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert waiting.status_code == 429
    assert "Too many failed attempts for this account." in waiting.get_data(as_text=True)


def test_the_half_sign_in_ends_after_five_minutes(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    secret = enrolled(db, coordinator)
    assert password_step(client, csrf_token, coordinator).status_code == 302
    with client.session_transaction() as session:
        marker = session["two_factor_pending"]
        session["two_factor_pending"] = {**marker, "at": marker["at"] - 5 * 60 - 1}
    late = code_step(client, csrf_token, code(secret))
    assert late.status_code == 302 and late.headers["Location"].endswith("/en/account/login")
    assert "the time for entering the code ran out" in client.get("/en/account/login").get_data(as_text=True)
    assert client.get("/en/desk/organisations").status_code == 302
    assert client.get("/en/account/two-factor").headers["Location"].endswith("/en/account/login")


def test_reset_access_meanwhile_ends_the_half_sign_in(client, csrf_token, make_user, db):
    member = make_user()
    secret = enrolled(db, member)
    assert password_step(client, csrf_token, member).status_code == 302
    member.session_secret = "changed-by-reset"
    db.commit()
    assert code_step(client, csrf_token, code(secret)).headers["Location"].endswith("/en/account/login")
    assert client.get("/en/dashboard/").status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(client, csrf_token, make_user, db):
    member = make_user()
    secret = enrolled(db, member)
    assert sign_in(client, csrf_token, member, secret).status_code == 302
    page = client.get("/en/account/sign-ins/").get_data(as_text=True)
    assert "Turn off two-step sign-in" in page

    def turn_off(password: str, value: str):
        return client.post("/en/account/sign-ins/two-factor-off", data={
            "two-factor-password": password, "two-factor-code": value,
            "two-factor-csrf_token": csrf_token()})

    wrong_password = turn_off("not my password", code(secret, 30))
    assert wrong_password.status_code == 400
    assert "This is not your password." in wrong_password.get_data(as_text=True)
    assert turn_off(PASSWORD, code(secret)).status_code == 400  # the code just used to sign in
    db.expire_all()
    assert two_factor.is_enrolled(db.get(User, member.id))

    assert turn_off(PASSWORD, code(secret, 30)).status_code == 302
    db.expire_all()
    assert db.get(User, member.id).totp_secret is None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "user.two_factor_off")).one()
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    assert password_step(client, csrf_token, member).headers["Location"].endswith("/en/dashboard/")


def test_a_coordinator_cannot_turn_it_off_while_the_board_requires_it(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    secret = enrolled(db, coordinator)
    assert sign_in(client, csrf_token, coordinator, secret).status_code == 302
    page = client.get("/en/account/sign-ins/").get_data(as_text=True)
    assert "Coordinators must use two-step sign-in on this board." in page
    assert "Turn off two-step sign-in" not in page
    refused = client.post("/en/account/sign-ins/two-factor-off", data={
        "two-factor-password": PASSWORD, "two-factor-code": code(secret, 30),
        "two-factor-csrf_token": csrf_token()})
    assert refused.status_code == 400
    assert db.get(User, coordinator.id).totp_secret == secret


def test_reset_access_clears_the_key(client, csrf_token, make_user, db):
    coordinator = make_user(role="coordinator")
    assert sign_in(client, csrf_token, coordinator, enrolled(db, coordinator)).status_code == 302
    colleague = make_user(role="coordinator")
    secret = enrolled(db, colleague)
    member = make_user()
    enrolled(db, member)

    for user in (colleague, member):
        answer = client.post(f"/en/desk/accounts/{user.id}/send-reset", data={"csrf_token": csrf_token()})
        assert answer.status_code == 302
    db.expire_all()
    assert db.get(User, member.id).totp_secret is None
    assert db.get(User, colleague.id).totp_secret is None
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "user.reset_link")).all()
    assert [entry.changes for entry in entries] == [{"two_factor": {"before": True, "after": False}}] * 2
    assert all(secret not in str(entry.changes) for entry in entries)

    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    # The colleague (a lost phone, say) sets up a new key at the next sign-in; the member needs none.
    assert password_step(client, csrf_token, colleague).headers["Location"].endswith("/two-factor/setup")
    assert password_step(client, csrf_token, member).headers["Location"].endswith("/en/dashboard/")


def test_members_are_not_forced_but_may_set_it_up(client, csrf_token, login, make_user, db):
    member = make_user()
    assert login(member).headers["Location"].endswith("/en/dashboard/")
    page = client.get("/en/account/sign-ins/").get_data(as_text=True)
    assert "Set up two-step sign-in" in page

    setup = client.get("/en/account/two-factor/setup").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(setup).group(1).replace(" ", "")
    assert code_step(client, csrf_token, code(secret, -60), "/en/account/two-factor/setup").status_code == 400
    done = code_step(client, csrf_token, code(secret), "/en/account/two-factor/setup")
    assert done.status_code == 302 and done.headers["Location"].endswith("/en/account/sign-ins/")
    assert client.get("/en/dashboard/").status_code == 200  # still signed in
    assert db.get(User, member.id).totp_secret == secret

    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    assert password_step(client, csrf_token, member).headers["Location"].endswith("/en/account/two-factor")
    assert code_step(client, csrf_token, code(secret, 30)).status_code == 302
    assert client.get("/en/dashboard/").status_code == 200
