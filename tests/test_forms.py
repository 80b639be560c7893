"""Every text field of every form refuses what the text rule refuses (bulletin.services.text_rules): a NUL
byte, a line break in one-line text, a bidi override, a zero-width space. Each form is sent once per field
and value, and answers 400 with a message saying what is wrong; nothing is stored."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, StringField

from bulletin.forms.fields import TypedText
from bulletin.mail import outbox
from bulletin.models import (
    AuditEntry,
    Organisation,
    OrganisationMessage,
    OrganisationText,
    Posting,
    PostingText,
    Report,
    TranslationDraft,
    User,
)
from bulletin.services import accounts, reports, translations

CONTENT = (Organisation, OrganisationText, Posting, PostingText, Report, User, AuditEntry,
           OrganisationMessage, TranslationDraft)

NUL = "Eins\x00zwei"
ONE_LINE_BAD = (NUL, "Eins\r\nzwei", "\u202eEins", "Eins\u200bzwei")
SEVERAL_LINES_BAD = (NUL, "Eins\x1b[31mzwei", "\u202eEins", "Eins\u200bzwei")
GUARD_MESSAGE = "holds a character that cannot be accepted"
LINE_BREAK_MESSAGE = "Line breaks are not allowed here"


def expected_message(value: str) -> str:
    if "\x00" in value:
        return GUARD_MESSAGE  # refused for the whole request (bulletin.input_guard)
    if "\n" in value:
        return LINE_BREAK_MESSAGE
    code = next(character for character in value if character in "\x1b\u202e\u200b")
    return f"invisible or control character (U+{ord(code):04X})"


def stored(db) -> list:
    """Everything people's text can change, as plain rows."""
    db.rollback()  # read what is committed now
    return [sorted(map(repr, db.execute(select(model.__table__)).all())) for model in CONTENT]


@pytest.fixture
def send(client, csrf_token, db):
    """Send the form at ``url`` once per text field and bad value; check each answer and that nothing
    changed. ``fields`` maps a field name to whether it takes several lines."""

    def run(url: str, data: dict, fields: dict[str, bool], method: str = "post") -> None:
        before = stored(db)
        for name, multiline in fields.items():
            for value in SEVERAL_LINES_BAD if multiline else ONE_LINE_BAD:
                sent = {**data, name: value}
                if method == "post":
                    response = client.post(url, data={**sent, "csrf_token": csrf_token()})
                else:
                    response = client.get(url, query_string=sent)
                assert response.status_code == 400, (name, value, response.status_code)
                page = html.unescape(response.get_data(as_text=True))
                assert expected_message(value) in page, (name, value)
        assert stored(db) == before

    return run


@pytest.fixture
def coordinator(make_user, login):
    user = make_user(role="coordinator", email="koordination@board.example")
    login(user)
    return user


@pytest.fixture
def member(make_organisation, make_user, login):
    organisation = make_organisation(name="Kleiderstube", key="kleiderstube")
    user = make_user(organisation=organisation, email="helga@kleiderstube.example")
    login(user)
    return user


def posting_data(today) -> dict:
    return {"type": "offer", "category": "clothing", "original_language": "de", "title": "Winterjacken",
            "body": "Für Kinder.", "district": "", "valid_until": (today + timedelta(days=30)).isoformat()}


# Every text field has the rule ---------------------------------------------------------------------------


def every_form() -> list[type[FlaskForm]]:
    """The board's forms: the app imports every module that defines one."""
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith("bulletin."):
            found.append(form)
    return found


def test_every_text_field_of_every_form_has_the_text_rule(app):
    forms = every_form()
    assert {"SignupForm", "PostingForm", "ReportForm", "PostingTranslationForm", "AuditFilterForm"} <= {
        form.__name__ for form in forms
    }
    missing = []
    for form in forms:
        for name in dir(form):
            field = getattr(form, name)
            field_class = getattr(field, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField):
                continue
            if issubclass(field_class, PasswordField | HiddenField):
                continue  # passwords are no text anyone reads; hidden fields are checked where they are used
            validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
            if not any(isinstance(validator, TypedText) for validator in validators):
                missing.append(f"{form.__name__}.{name}")
    assert missing == []


# Pages without an account --------------------------------------------------------------------------------


def test_signup(send, app):
    data = {"name": "Neue Gruppe", "type": "ngo", "description_language": "de", "description": "Wir helfen.",
            "account_email": "neu@example.org", "password": "a long enough password",
            "password_repeat": "a long enough password", "privacy_consent": "y"}
    send("/en/account/signup", data, {"name": False, "email": False, "phone": False, "website": False,
                                      "address": False, "description": True, "account_email": False})
    assert outbox() == []


@pytest.mark.parametrize("field", ["password", "password_repeat"])
def test_signup_refuses_a_nul_in_a_password(client, csrf_token, db, field):
    before = stored(db)
    data = {"name": "Neue Gruppe", "type": "ngo", "description_language": "de", "privacy_consent": "y",
            "account_email": "neu@example.org", "password": "a long enough password",
            "password_repeat": "a long enough password", "csrf_token": csrf_token()}
    response = client.post("/en/account/signup", data={**data, field: "a long\x00enough password"})
    assert response.status_code == 400
    assert GUARD_MESSAGE in response.get_data(as_text=True)
    assert stored(db) == before


def test_login_and_forgotten_password(send, make_user):
    make_user(role="coordinator", email="koordination@board.example")
    send("/en/account/login", {"email": "koordination@board.example", "password": "correct horse battery"},
         {"email": False})
    send("/en/account/forgot-password", {}, {"email": False})
    assert outbox() == []


def test_passwords_refuse_only_a_nul(client, csrf_token, db, make_user):
    user = make_user(role="coordinator", email="koordination@board.example")
    before = stored(db)
    login = client.post("/en/account/login", data={"email": user.email, "password": "correct\x00horse",
                                                   "csrf_token": csrf_token()})
    token = accounts.make_reset_token(client.application.secret_key, user)
    reset = client.post(f"/en/account/reset/{token}", data={
        "password": "a new\x00password", "password_repeat": "a new\x00password", "csrf_token": csrf_token(),
    })
    for response in (login, reset):
        assert response.status_code == 400
        assert GUARD_MESSAGE in response.get_data(as_text=True)
    assert stored(db) == before


def test_report_a_problem(send, make_posting):
    posting = make_posting(title="Sofa")
    send(f"/en/report/posting/{posting.id}", {"reason": "other", "text": "Stimmt nicht."}, {"text": True})


# An organisation's dashboard -----------------------------------------------------------------------------


def test_profile(send, member):
    data = {"name": "Kleiderstube", "type": "ngo", "description_language": "de", "description": "Kleidung.",
            "email": "info@kleiderstube.example", "phone": "+49 7141 1234", "website": "https://example.org",
            "address": "Marktplatz 1", "district": ""}
    send("/en/dashboard/profile", data, {"name": False, "email": False, "phone": False, "website": False,
                                         "address": False, "description": True})


def test_new_posting(send, member, today):
    send("/en/dashboard/postings/new", posting_data(today), {"title": False, "body": True})


def test_edit_posting_and_its_translation(send, member, make_posting, today):
    posting = make_posting(organisation=member.organisation, title="Winterjacken")
    send(f"/en/dashboard/postings/{posting.id}/edit", posting_data(today), {"title": False, "body": True})
    send(f"/en/dashboard/postings/{posting.id}/translations/en", {"title": "Winter coats", "body": ""},
         {"title": False, "body": True})


def test_add_member(send, member):
    send("/en/dashboard/members", {}, {"email": False})


# The coordinator's desk ----------------------------------------------------------------------------------


def test_reject_a_sign_up(send, coordinator, make_organisation):
    pending = make_organisation(name="Wartet", status="pending")
    send(f"/en/desk/organisations/{pending.id}/reject", {}, {"reason": True})


def test_organisation_decisions(send, coordinator, make_organisation):
    organisation = make_organisation(name="Tafel")
    send(f"/en/desk/organisations/{organisation.id}/suspend", {}, {"reason": True})
    send(f"/en/desk/organisations/{organisation.id}/message", {}, {"text": True})


def test_hide_a_posting(send, coordinator, make_posting):
    posting = make_posting(title="Sofa")
    send(f"/en/desk/postings/{posting.id}/hide", {}, {"reason": True})


def test_close_a_report(send, coordinator, db, make_posting):
    report = reports.report_posting(db, make_posting(title="Sofa"), "money", "Sie wollen Geld.")
    db.commit()
    send(f"/en/desk/reports/{report.id}/resolve", {}, {"note": True})


def test_new_staff_account(send, coordinator):
    send("/en/desk/accounts", {"role": "translator", "languages": "ar"}, {"email": False})


def test_audit_log_filters(send, coordinator):
    send("/en/desk/audit", {}, {"actor": False, "object_key": False}, method="get")


# Volunteer translators ----------------------------------------------------------------------------------


def test_translations(send, coordinator, make_posting, make_organisation):
    posting = make_posting(title="Sofa", bodies={"de": "Grau."})
    send(f"/en/translate/postings/{posting.id}/ar",
         {"title": "أريكة", "body": "", "based_on": translations.source_digest(posting)},
         {"title": False, "body": True})
    organisation = make_organisation(name="Tafel", descriptions={"de": "Lebensmittel."})
    send(f"/en/translate/organisations/{organisation.id}/ar",
         {"body": "طعام", "based_on": translations.source_digest(organisation)}, {"body": True})


# What the rule lets through ------------------------------------------------------------------------------


def test_several_lines_persian_and_emoji_are_welcome(client, csrf_token, db, member, today):
    text = "Für Kinder.\r\nBitte abholen.\tDanke 👩\u200d👧\r\nمی\u200cخواهم \u200fکمک"
    data = {**posting_data(today), "title": "لباس گرم \u200f(زمستان)", "body": text}
    response = client.post("/en/dashboard/postings/new", data={**data, "csrf_token": csrf_token()})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored_text = db.scalars(select(PostingText)).one()
    assert stored_text.body == text.strip() and stored_text.title == data["title"]
