"""An organisation's own desk: its status, its postings, translations, profile, logo and members."""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from bulletin.models import AuditEntry, Posting, User
from bulletin.services import accounts, listing, organisations
from bulletin.services.actors import SystemActor

PAST = date(2000, 1, 1)

PASSWORD = "correct horse battery"  # what make_user in conftest.py gives every account


@pytest.fixture
def member(make_organisation, make_user, login):
    """A signed-in member of an approved organisation."""
    user = make_user(organisation=make_organisation(name="Kleiderkammer Süd"))
    login(user)
    return user


def posting_form(today, **changes) -> dict:
    return {
        "type": "offer",
        "category": "clothing",
        "original_language": "de",
        "title": "Winterjacken für Kinder",
        "body": "Größen 98 bis 140, dienstags 10-12 Uhr.",
        "district": "Mühlbach",
        "valid_until": (today + timedelta(days=30)).isoformat(),
        **changes,
    }


def postings_of(db, organisation) -> list[Posting]:
    db.expire_all()
    return list(db.exec(select(Posting).where(Posting.organisation_id == organisation.id)))


def png_bytes(size=(60, 40), colour=(200, 30, 30)) -> bytes:
    output = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.info["comment"] = "hidden text"
    image.save(output, format="PNG", pnginfo=_text_chunk("Author", "somebody"))
    return output.getvalue()


def _text_chunk(key: str, value: str):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


# The dashboard's front page -----------------------------------------------------------------------------


def test_a_pending_organisation_is_told_that_nothing_is_public_yet(
    client, login, make_organisation, make_user
):
    login(make_user(organisation=make_organisation(status="pending")))
    page = client.get("/en/dashboard/").get_data(as_text=True)
    assert "waiting for approval" in page
    assert "Nothing is public yet" in page
    assert 'class="badge badge-pending"' in page
    assert "/en/dashboard/postings/new" not in page  # no posting before approval
    assert "/en/dashboard/profile" in page  # but the profile may be kept right


def test_a_suspended_organisation_is_told_so_clearly(
    client, login, make_organisation, make_user, make_posting
):
    organisation = make_organisation(status="suspended")
    make_posting(organisation=organisation, title="Alte Anzeige")
    login(make_user(organisation=organisation))
    page = client.get("/en/dashboard/").get_data(as_text=True)
    assert "Your organisation is suspended" in page
    assert "Alte Anzeige" in page
    assert "/en/dashboard/postings/new" not in page
    assert "/close" not in page
    assert client.get("/en/dashboard/profile").status_code == 403


def test_the_dashboard_lists_postings_with_their_status_and_date(client, member, make_posting, today):
    organisation = member.organisation
    make_posting(organisation=organisation, title="Offen", valid_until=today + timedelta(days=10))
    make_posting(organisation=organisation, title="Geschlossen", status="closed")
    make_posting(organisation=organisation, title="Abgelaufen", valid_until=today - timedelta(days=1))
    page = client.get("/en/dashboard/").get_data(as_text=True)
    rows = {
        title: re.search(rf"{title}.*?</tr>", page, re.S).group(0)
        for title in ("Offen", "Geschlossen", "Abgelaufen")
    }
    assert 'badge-open">Open' in rows["Offen"]
    assert 'badge-closed">Closed' in rows["Geschlossen"]
    assert 'badge-expired">Expired' in rows["Abgelaufen"]
    valid_until = today + timedelta(days=10)
    assert f"{valid_until:%b} {valid_until.day}, {valid_until.year}" in rows["Offen"]
    assert "/reopen" in rows["Geschlossen"] and "/close" not in rows["Geschlossen"]
    assert "/renew" not in rows["Geschlossen"] and "/renew" in rows["Abgelaufen"]
    assert "/close" in rows["Offen"]


def test_the_dashboard_needs_a_sign_in(client):
    response = client.get("/en/dashboard/")
    assert response.status_code == 302
    assert "/en/account/login" in response.headers["Location"]


# Postings -----------------------------------------------------------------------------------------------


def test_the_new_posting_form_suggests_a_valid_until_date(client, member, today):
    page = client.get("/en/dashboard/postings/new").get_data(as_text=True)
    assert f'value="{(today + timedelta(days=90)).isoformat()}"' in page
    assert 'lang="en" selected value="en"' in page  # written in the language of the interface


def test_a_new_posting_is_saved_and_shown_publicly(client, member, csrf_token, db, today):
    response = client.post(
        "/en/dashboard/postings/new", data={**posting_form(today), "csrf_token": csrf_token()}
    )
    assert response.status_code == 302
    [posting] = postings_of(db, member.organisation)
    assert posting.text("de").title == "Winterjacken für Kinder"
    assert posting.district == "Mühlbach"
    assert posting.valid_until == today + timedelta(days=30)
    listed = listing.list_postings(db, today, listing.PostingFilter(), 1, 20)
    assert [item.id for item in listed.items] == [posting.id]
    assert "Your posting is saved" in client.get("/en/dashboard/").get_data(as_text=True)
    assert (
        db.exec(select(AuditEntry).where(AuditEntry.action == "posting.create")).first().actor == member.email
    )


def test_a_posting_held_for_review_is_not_announced_as_public(configure, client, app, member, csrf_token, db,
                                                              today):
    configure(BULLETIN_POSTING_REVIEW="unverified")  # the member's organisation is not verified
    client.post("/en/dashboard/postings/new", data={**posting_form(today), "csrf_token": csrf_token()})
    [posting] = postings_of(db, member.organisation)
    page = client.get("/en/dashboard/").get_data(as_text=True)
    assert posting.moderation == "held"
    assert "The coordinator reviews it before it is shown on the board." in page
    assert "Your posting is saved and shown on the board." not in page
    assert listing.list_postings(db, today, listing.PostingFilter(), 1, 20).total == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "x" * 201}, "At most 200 characters."),
        ({"title": "   "}, "Please fill in this field."),
        ({"body": "x" * 5001}, "At most 5000 characters."),
        ({"valid_until": PAST.isoformat()}, "The date must not be in the past."),
        ({"valid_until": "2020-02-30"}, "Enter a date like 2025-12-31."),
        ({"valid_until": ""}, "Choose the last day the posting is valid."),
        ({"category": "weapons"}, "Unknown category."),
        ({"type": "gift"}, "Please choose one of the options."),
        ({"district": "Atlantis"}, "Please choose one of the options."),
        ({"original_language": "xx"}, "Please choose one of the options."),
    ],
)
def test_bad_posting_input_says_why_and_stores_nothing(
    client, member, csrf_token, db, today, changes, message
):
    response = client.post(
        "/en/dashboard/postings/new", data={**posting_form(today, **changes), "csrf_token": csrf_token()}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Winterjacken" in page or "title" in changes  # what was typed is still there
    assert postings_of(db, member.organisation) == []
    # One clear message, next to its field.
    assert re.findall(r'<p class="field-error" id="[^"]+">(.*?)</p>', page) == [message]


def test_a_date_more_than_a_year_ahead_is_refused(client, member, csrf_token, db, today):
    too_late = today + timedelta(days=367)
    response = client.post(
        "/en/dashboard/postings/new",
        data={**posting_form(today, valid_until=too_late.isoformat()), "csrf_token": csrf_token()},
    )
    assert response.status_code == 400
    assert "At most one year from today." in response.get_data(as_text=True)
    assert postings_of(db, member.organisation) == []


def test_editing_keeps_translations_and_may_change_the_original_language(
    client, member, csrf_token, db, make_posting, today
):
    posting = make_posting(
        organisation=member.organisation,
        title={"de": "Sofa abzugeben", "ar": "أريكة مجانية"},
        bodies={"de": "Gut erhalten.", "ar": "بحالة جيدة."},
        valid_until=today + timedelta(days=20),
    )
    form = client.get(f"/en/dashboard/postings/{posting.id}/edit").get_data(as_text=True)
    assert 'value="Sofa abzugeben"' in form
    assert f"/en/dashboard/postings/{posting.id}/translations/ar" in form
    response = client.post(
        f"/en/dashboard/postings/{posting.id}/edit",
        data={
            **posting_form(
                today,
                title="Sofa und Sessel",
                body="Gut erhalten.",
                category="furniture-household",
                valid_until=(today + timedelta(days=20)).isoformat(),
            ),
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert posting.text("de").title == "Sofa und Sessel"
    assert posting.text("ar").title == "أريكة مجانية"
    assert posting.languages == ["de", "ar"]


def test_editing_an_imported_posting_without_end_date_keeps_it_open_ended(
    client, member, csrf_token, db, make_posting, today
):
    posting = make_posting(organisation=member.organisation, title="Deutschkurs", category="language")
    response = client.post(
        f"/en/dashboard/postings/{posting.id}/edit",
        data={
            **posting_form(
                today, title="Deutschkurs A1", category="language", valid_until="", district="Altstadt"
            ),
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert posting.valid_until is None
    assert posting.text("de").title == "Deutschkurs A1"


def test_editing_keeps_a_district_that_is_not_in_the_list(
    client, member, csrf_token, db, make_posting, today
):
    posting = make_posting(organisation=member.organisation, district="Nordstadt")
    page = client.get(f"/en/dashboard/postings/{posting.id}/edit").get_data(as_text=True)
    assert '<option selected value="Nordstadt">Nordstadt</option>' in page


def test_renew_close_and_reopen(client, member, csrf_token, db, make_posting, today):
    posting = make_posting(organisation=member.organisation, valid_until=today - timedelta(days=3))
    base = f"/en/dashboard/postings/{posting.id}"
    assert client.post(f"{base}/renew", data={"csrf_token": csrf_token()}).status_code == 302
    db.expire_all()
    assert posting.valid_until == today + timedelta(days=90)
    assert "The posting is valid until" in client.get("/en/dashboard/").get_data(as_text=True)

    assert client.post(f"{base}/close", data={"csrf_token": csrf_token()}).status_code == 302
    db.expire_all()
    assert posting.status == "closed"
    assert listing.list_postings(db, today, listing.PostingFilter(), 1, 20).total == 0

    assert client.post(f"{base}/reopen", data={"csrf_token": csrf_token()}).status_code == 302
    db.expire_all()
    assert posting.status == "open"
    assert listing.list_postings(db, today, listing.PostingFilter(), 1, 20).total == 1
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.object_id == posting.id)).all()
    assert actions[-3:] == ["posting.renew", "posting.close", "posting.reopen"]


def test_state_changes_are_post_only(client, member, make_posting):
    posting = make_posting(organisation=member.organisation)
    for action in ("renew", "close", "reopen"):
        assert client.get(f"/en/dashboard/postings/{posting.id}/{action}").status_code == 405


def test_another_organisations_posting_is_not_even_shown(client, member, make_posting):
    foreign = make_posting(title="Fremd")
    assert client.get(f"/en/dashboard/postings/{foreign.id}/edit").status_code == 404
    assert client.get(f"/en/dashboard/postings/{foreign.id}/translations/ar").status_code == 404
    assert client.get("/en/dashboard/postings/999999/edit").status_code == 404
    assert client.get("/en/dashboard/postings/" + "9" * 30 + "/edit").status_code == 404  # no overflow


# Translations ---------------------------------------------------------------------------------------------


def test_a_translation_is_added_then_replaced(client, member, csrf_token, db, make_posting):
    posting = make_posting(organisation=member.organisation, title="Fahrradwerkstatt", category="mobility")
    url = f"/en/dashboard/postings/{posting.id}/translations/ar"
    form = client.get(url).get_data(as_text=True)
    assert "Fahrradwerkstatt" in form  # the original, to translate from
    assert 'dir="rtl"' in form and 'lang="ar"' in form
    response = client.post(url, data={"title": "ورشة دراجات", "body": "كل سبت.", "csrf_token": csrf_token()})
    assert response.status_code == 302
    db.expire_all()
    assert posting.text("ar").title == "ورشة دراجات"
    assert posting.text("ar").source_language == "de"
    client.post(url, data={"title": "ورشة الدراجات", "body": "", "csrf_token": csrf_token()})
    db.expire_all()
    assert posting.text("ar").title == "ورشة الدراجات"
    assert posting.text("ar").body == ""
    assert posting.text("de").title == "Fahrradwerkstatt"
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.translate")).all()
    assert [entry.changes["language"] for entry in entries] == ["ar", "ar"]


def test_the_original_language_cannot_be_translated(client, member, csrf_token, db, make_posting):
    posting = make_posting(organisation=member.organisation, title="Sprachcafé")
    url = f"/en/dashboard/postings/{posting.id}/translations/de"
    assert client.get(url).headers["Location"].endswith(f"/en/dashboard/postings/{posting.id}/edit")
    response = client.post(url, data={"title": "Überschrieben", "body": "", "csrf_token": csrf_token()})
    assert response.status_code == 400
    assert "This is the original language" in response.get_data(as_text=True)
    db.expire_all()
    assert posting.text("de").title == "Sprachcafé"


def test_an_unknown_language_is_no_page(client, member, make_posting):
    posting = make_posting(organisation=member.organisation)
    assert client.get(f"/en/dashboard/postings/{posting.id}/translations/xx").status_code == 404


def test_a_too_long_translation_is_refused(client, member, csrf_token, db, make_posting):
    posting = make_posting(organisation=member.organisation)
    url = f"/en/dashboard/postings/{posting.id}/translations/uk"
    response = client.post(url, data={"title": "т" * 201, "body": "", "csrf_token": csrf_token()})
    assert response.status_code == 400
    assert "At most 200 characters." in response.get_data(as_text=True)
    db.expire_all()
    assert posting.languages == ["de"]


# Profile and logo -----------------------------------------------------------------------------------------


def profile_form(**changes) -> dict:
    return {
        "name": "Kleiderkammer Süd",
        "type": "ngo",
        "description_language": "de",
        "description": "Kleidung für alle, dienstags und donnerstags.",
        "languages": ["de", "uk"],
        "email": "info@kleiderkammer.example",
        "phone": "+49 7141 1234",
        "website": "https://kleiderkammer.example",
        "address": "Hauptstraße 5",
        "district": "Unterried",
        **changes,
    }


def test_the_profile_is_saved(client, member, csrf_token, db):
    response = client.post("/en/dashboard/profile", data={**profile_form(), "csrf_token": csrf_token()})
    assert response.status_code == 302
    organisation = member.organisation
    db.expire_all()
    assert organisation.languages == ["de", "uk"]
    assert organisation.district == "Unterried"
    assert organisation.description("de").description == "Kleidung für alle, dienstags und donnerstags."


def test_the_profile_keeps_translated_descriptions(client, member, csrf_token, db):

    organisation = member.organisation
    organisations.update_profile(
        db,
        SystemActor("test"),
        organisation,
        organisations.OrganisationInput(
            name=organisation.name, type="ngo", descriptions={"de": "Wir helfen.", "en": "We help."}
        ),
    )
    db.commit()
    client.post(
        "/en/dashboard/profile",
        data={**profile_form(description="Wir helfen gern."), "csrf_token": csrf_token()},
    )
    db.expire_all()
    assert organisation.description("de").description == "Wir helfen gern."
    assert organisation.description("en").description == "We help."


def test_a_real_png_logo_is_accepted_and_re_encoded(app, client, member, csrf_token, db):
    upload = png_bytes()
    response = client.post(
        "/en/dashboard/profile",
        data={**profile_form(), "logo": (io.BytesIO(upload), "logo.png"), "csrf_token": csrf_token()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.expire_all()
    filename = member.organisation.logo
    assert re.fullmatch(r"[0-9a-f]{32}\.png", filename)
    with open(os.path.join(app.config["BULLETIN_UPLOAD_DIR"], filename), "rb") as handle:
        stored = handle.read()
    assert stored != upload  # re-encoded: the text chunk from the upload is gone
    assert b"somebody" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (60, 40)
    assert f"/logos/{filename}" in client.get("/en/dashboard/profile").get_data(as_text=True)


def noise_png() -> bytes:
    """A real picture of about 120 KB: random pixels do not compress."""
    output = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(output, format="PNG")
    return output.getvalue()


def bomb_png() -> bytes:
    output = io.BytesIO()
    Image.new("1", (6000, 6000)).save(output, format="PNG")  # 36 million pixels in a few kilobytes
    return output.getvalue()


@pytest.mark.parametrize(
    ("name", "make_content", "message"),
    [
        (
            "notes.png",
            lambda: b"this is only text, not a picture\n" * 20,
            "This file is not an image we can read.",
        ),
        ("cut.png", lambda: png_bytes((300, 300))[:400], "This file is not an image we can read."),
        ("huge.png", noise_png, "The logo may be at most 48 KB."),
        ("bomb.png", bomb_png, "The image is too large."),
    ],
)
def test_a_bad_logo_is_refused_and_the_old_one_stays(configure,
    app, client, member, csrf_token, db, name, make_content, message
):
    # A small limit keeps the "too large" upload small: the test client spools big bodies to files.
    configure(BULLETIN_LOGO_MAX_BYTES=50_000)
    client.post(
        "/en/dashboard/profile",
        data={**profile_form(), "logo": (io.BytesIO(png_bytes()), "old.png"), "csrf_token": csrf_token()},
        content_type="multipart/form-data",
    )
    db.expire_all()
    old_logo = member.organisation.logo
    assert old_logo
    response = client.post(
        "/en/dashboard/profile",
        data={
            **profile_form(name="Neuer Name"),
            "logo": (io.BytesIO(make_content()), name),
            "csrf_token": csrf_token(),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert member.organisation.logo == old_logo
    assert member.organisation.name == "Kleiderkammer Süd"  # the whole submission was refused


def test_bad_profile_input_says_why(client, member, csrf_token, db):
    response = client.post(
        "/en/dashboard/profile", data={**profile_form(phone="call me maybe"), "csrf_token": csrf_token()}
    )
    assert response.status_code == 400
    assert "A phone number has digits" in response.get_data(as_text=True)
    db.expire_all()
    assert member.organisation.phone == "+49 7141 12345"


# Members ---------------------------------------------------------------------------------------------------


def test_a_member_adds_a_colleague_who_sets_a_password_from_the_mail(
    client, member, csrf_token, db, mails, login
):
    page = client.get("/en/dashboard/members").get_data(as_text=True)
    assert member.email in page
    response = client.post(
        "/en/dashboard/members", data={"email": "Sami@Example.org", "csrf_token": csrf_token()}
    )
    assert response.status_code == 302
    colleague = accounts.get_by_email(db, "sami@example.org")
    assert colleague.organisation_id == member.organisation_id
    [mail] = mails
    assert mail["To"] == "sami@example.org"
    assert member.organisation.name in mail["Subject"]
    link = re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+/reset/\S+", mail.get_content()).group(0))
    client.post("/en/account/logout", data={"csrf_token": csrf_token()})
    response = client.post(
        link, data={"password": PASSWORD, "password_repeat": PASSWORD, "csrf_token": csrf_token()}
    )
    assert response.status_code == 302
    login(colleague)
    assert "sami@example.org" in client.get("/en/dashboard/members").get_data(as_text=True)


def test_an_address_in_use_cannot_be_added_again(client, member, csrf_token, db, make_user):
    other = make_user()
    response = client.post("/en/dashboard/members", data={"email": other.email, "csrf_token": csrf_token()})
    assert response.status_code == 400
    assert "There is already an account with this email address." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, other.id).organisation_id != member.organisation_id


def test_a_pending_organisation_cannot_add_members_yet(client, login, make_organisation, make_user):
    login(make_user(organisation=make_organisation(status="pending")))
    page = client.get("/en/dashboard/members").get_data(as_text=True)
    assert "once the coordinator has approved your organisation" in page
    assert 'name="email"' not in page
