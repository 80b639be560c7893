"""The list of an account's sign-ins, and signing out every other browser with the password."""

from __future__ import annotations

import secrets

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from bulletin.models import LoginSession

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account


def second_browser(app, user):
    other = app.test_client()
    with other.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    response = other.post("/en/account/login", data={"email": user.email, "password": PASSWORD,
                                                      "csrf_token": token})
    assert response.status_code == 302
    return other


def test_the_page_lists_each_browser_and_marks_this_one(app, client, login, make_user):
    user = make_user()
    login(user)
    second_browser(app, user)
    page = client.get("/en/account/sign-ins/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<tr><td>") == 2
    assert html.count("✓") == 1
    assert "no-store" in page.headers["Cache-Control"]


def test_signing_out_everywhere_else_needs_the_password_and_keeps_this_browser(
    app, client, login, csrf_token, make_user, db
):
    user = make_user()
    login(user)
    other = second_browser(app, user)
    wrong = client.post("/en/account/sign-ins/",
                        data={"password": "not my password", "csrf_token": csrf_token()})
    assert wrong.status_code == 400
    assert "This is not your password." in wrong.get_data(as_text=True)
    assert other.get("/en/dashboard/").status_code == 200

    done = client.post("/en/account/sign-ins/", data={"password": PASSWORD, "csrf_token": csrf_token()})
    assert done.status_code == 302
    assert other.get("/en/dashboard/").status_code == 302
    assert client.get("/en/dashboard/").status_code == 200
    assert len(db.exec(select(LoginSession)).all()) == 1


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/en/account/sign-ins/")
    assert response.status_code == 302
    assert "/en/account/login" in response.headers["Location"]


def test_without_the_form_token_nothing_ends(app, client, login, make_user):
    user = make_user()
    login(user)
    other = second_browser(app, user)
    assert client.post("/en/account/sign-ins/", data={"password": PASSWORD}).status_code == 400
    assert other.get("/en/dashboard/").status_code == 200
