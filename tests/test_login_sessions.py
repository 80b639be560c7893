"""Login sessions end on the server: sign-out, a new password and "reset access" void any copy of a cookie."""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from bulletin.models import LoginSession
from bulletin.services import accounts, staff
from bulletin.services.actors import SystemActor

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account
TEST_ACTOR = SystemActor("test")


def saved_cookie(client) -> str:
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"], domain="board.test")
    assert cookie is not None
    return cookie.value


def with_cookie(app, value: str):
    """A second browser that holds a copy of the session cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value, domain="board.test")
    return other


def opens_dashboard(client) -> bool:
    return client.get("/en/dashboard/").status_code == 200


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, login, csrf_token, make_user):
    login(make_user())
    copy = saved_cookie(client)
    assert opens_dashboard(with_cookie(app, copy))
    assert client.post("/en/account/logout", data={"csrf_token": csrf_token()}).status_code == 302
    assert not opens_dashboard(client)
    assert not opens_dashboard(with_cookie(app, copy))


def csrf_token_for(app, client) -> str:
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_sign_out_ends_only_this_browser(app, client, login, csrf_token, make_user, db):
    user = make_user()
    login(user)
    first = saved_cookie(client)
    second_browser = app.test_client()
    response = second_browser.post("/en/account/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_token_for(app, second_browser)})
    assert response.status_code == 302
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    assert not opens_dashboard(with_cookie(app, first))
    assert opens_dashboard(second_browser)
    assert len(db.exec(select(LoginSession)).all()) == 1


def test_a_new_password_ends_every_session_of_the_account(app, client, login, make_user, db):
    user = make_user()
    login(user)
    copy = saved_cookie(client)
    accounts.set_password(db, TEST_ACTOR, user, "another good password")
    db.commit()
    assert not opens_dashboard(client)
    assert not opens_dashboard(with_cookie(app, copy))
    assert db.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all() == []


def test_the_coordinators_reset_access_signs_the_account_out_everywhere(client, login, make_user, db):
    member = make_user()
    login(member)
    coordinator = make_user(role="coordinator")
    staff.reset_access(db, coordinator, member)
    db.commit()
    assert not opens_dashboard(client)


def test_sign_in_starts_a_new_session_with_a_new_csrf_token(client, login, make_user):
    with client.session_transaction() as session:
        session["csrf_token"] = "planted-by-someone-else"
        session["leftover"] = "from before"
    login(make_user())
    with client.session_transaction() as session:
        assert session.get("csrf_token") != "planted-by-someone-else"
        assert "leftover" not in session


def test_the_cookie_names_a_token_whose_hash_alone_is_stored(client, login, make_user, db):
    user = make_user()
    login(user)
    [row] = db.exec(select(LoginSession)).all()
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert token != str(user.id) and len(token) >= 40
    assert row.token_hash != token and row.user_id == user.id


def test_an_idle_session_ends(app, client, login, make_user, db):
    login(make_user())
    [row] = db.exec(select(LoginSession)).all()
    idle = timedelta(minutes=app.config["BULLETIN_SESSION_IDLE_MINUTES"] + 1)
    row.last_seen_at = row.last_seen_at - idle
    row.created_at = row.created_at - idle
    db.commit()
    assert not opens_dashboard(client)


def test_a_session_ends_after_its_lifetime_however_busy(app, client, login, make_user, db):
    login(make_user())
    [row] = db.exec(select(LoginSession)).all()
    row.created_at = row.created_at - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=1)
    db.commit()
    assert not opens_dashboard(client)


def test_use_keeps_a_session_alive(app, client, login, make_user, db):
    login(make_user())
    [row] = db.exec(select(LoginSession)).all()
    row.last_seen_at = row.last_seen_at - timedelta(minutes=app.config["BULLETIN_SESSION_IDLE_MINUTES"] - 1)
    db.commit()
    assert opens_dashboard(client)
    db.refresh(row)
    assert opens_dashboard(client)


def test_a_deactivated_account_is_signed_out(client, login, make_user, db):
    member = make_user()
    login(member)
    staff.set_active(db, make_user(role="coordinator"), member, False)
    db.commit()
    assert not opens_dashboard(client)
    assert db.exec(select(LoginSession)).all() == []
