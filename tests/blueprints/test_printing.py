"""The print addresses as a browser meets them: refusals with a reason, headers, the cache, and the
coordinator's page for the flyer."""

from __future__ import annotations

import io
import os

import pypdf
import pytest
from flask_babel import force_locale, gettext
from sqlmodel import select

from bulletin.blueprints import printing
from bulletin.models import AuditEntry, Organisation
from bulletin.printing import featured
from bulletin.services import postings
from bulletin.services.actors import SystemActor

CODES = "de, en, ar, fa, uk, ru, tr, fr, ps, ti, ku, so"
UNKNOWN_FILTER_VALUE = "This filter has a value we do not know. Please choose one from the list."


def page_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def in_german(message: str, **values) -> str:
    with force_locale("de"):
        return gettext(message, **values)


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs really built (not served from the cache)."""
    count = []
    real = printing.render_pdf

    def counting(html, static_folder):
        count.append(1)
        return real(html, static_folder)

    monkeypatch.setattr(printing, "render_pdf", counting)
    return count


@pytest.mark.parametrize(("query", "message"), [
    ("lang=de,xx", "Unknown language: %(values)s. Use these codes: %(codes)s."),
    ("lang=", "Please choose at least one language."),
    ("lang=de&format=a3", "The format must be a4 or a5."),
    ("lang=de&booklet=yes", "The booklet option is 1 (one page per language) or 0 (two languages per page)."),
    ("lang=de&categories=food,weapons", "Unknown category: %(values)s."),
])
def test_bad_flyer_options_are_refused_with_a_reason(client, query, message):
    response = client.get(f"/de/flyer.pdf?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    values = {"values": "xx" if "xx" in query else "weapons", "codes": CODES}
    assert in_german(message, **values) in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("category=food", "Please choose a district."),
    ("district=Atlantis&category=food", UNKNOWN_FILTER_VALUE),
    ("district=Altstadt", "Please choose a category."),
    ("district=Altstadt&category=food&lang=zz", "Unknown language: %(values)s. Use these codes: %(codes)s."),
])
def test_bad_sheet_options_are_refused_with_a_reason(client, query, message):
    response = client.get(f"/de/sheets/offers.pdf?{query}")
    assert response.status_code == 400
    assert in_german(message, values="zz", codes=CODES) in response.get_data(as_text=True)


def test_a_bad_language_for_a_notice_is_refused(client, make_posting):
    posting = make_posting()
    assert client.get(f"/en/postings/{posting.id}/notice.pdf?lang=klingon").status_code == 400


def test_a_pdf_is_sent_inline_with_a_name_and_cache_headers(client):
    response = client.get("/en/flyer.pdf?lang=de&lang=ar&format=a5&booklet=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="flyer-de-ar-a5-booklet.pdf"'
    assert response.cache_control.public and response.cache_control.max_age == printing.PDF_MAX_AGE
    etag = response.headers["ETag"]
    again = client.get("/en/flyer.pdf?lang=de,ar&format=a5&booklet=1", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_an_unchanged_request_comes_from_the_cache_and_a_change_rebuilds(client, app, make_posting, db,
                                                                          renders):
    posting = make_posting(title={"de": "Fahrrad zu verschenken"})
    address = f"/de/postings/{posting.id}/notice.pdf?lang=de,en"
    first = client.get(address)
    second = client.get(address)
    assert len(renders) == 1
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert len(os.listdir(os.path.join(app.instance_path, "print-cache"))) == 1

    postings.set_translation(db, SystemActor("test"), posting, "en", "A bicycle to give away", "")
    db.commit()
    third = client.get(address)
    assert len(renders) == 2
    assert third.headers["ETag"] != first.headers["ETag"]
    assert "A bicycle to give away" in page_text(third.data)
    assert "A bicycle to give away" not in page_text(first.data)


def test_the_flyer_is_rebuilt_when_its_contacts_change(client, make_organisation, make_user, db, renders):
    coordinator = make_user(role="coordinator")
    advice = make_organisation(name="Beratungsstelle Mitte", type="counselling")
    client.get("/de/flyer.pdf?lang=de")
    client.get("/de/flyer.pdf?lang=de")
    assert len(renders) == 1
    featured.set_featured(db, coordinator, {advice.id})
    db.commit()
    assert "Beratungsstelle Mitte" in page_text(client.get("/de/flyer.pdf?lang=de").data)
    assert len(renders) == 2


def test_the_posting_page_links_to_its_notice(client, make_posting):
    posting = make_posting(title={"ar": "دروس لغة"})
    page = client.get(f"/de/postings/{posting.id}").get_data(as_text=True)
    assert f'href="/de/postings/{posting.id}/notice.pdf?lang=de,ar"' in page


# The coordinator's page --------------------------------------------------------------------------------


def test_only_the_coordinator_sees_the_flyer_page(client, login, make_user):
    response = client.get("/en/desk/flyer")
    assert response.status_code == 302 and "/en/account/login" in response.headers["Location"]
    login(make_user())
    assert client.get("/en/desk/flyer").status_code == 403


def test_the_flyer_page_offers_every_language_and_the_forms(client, login, make_user, make_organisation):
    make_organisation(name="Tafel Neustetten")
    login(make_user(role="coordinator"))
    assert 'href="/en/desk/flyer"' in client.get("/en/desk/organisations").get_data(as_text=True)
    page = client.get("/en/desk/flyer").get_data(as_text=True)
    assert 'action="/en/flyer.pdf"' in page and 'action="/en/sheets/offers.pdf"' in page
    for code in ("de", "ar", "ti", "ps", "so"):
        assert f'name="lang" value="{code}"' in page
    assert '<span lang="ti" dir="ltr">ትግርኛ</span>' in page
    assert 'name="categories" value="housing" checked' in page
    assert "Tafel Neustetten" in page
    assert '<option value="Bahnhofsviertel">' in page


def test_the_coordinator_marks_the_flyer_contacts(client, login, make_user, make_organisation, csrf_token,
                                                  db):
    coordinator = make_user(role="coordinator")
    advice = make_organisation(name="Migrationsberatung", type="counselling")
    login(coordinator)
    response = client.post("/en/desk/flyer/featured",
                           data={"organisations": [str(advice.id)], "csrf_token": csrf_token()})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Organisation, advice.id).featured
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.feature")).one()
    assert entry.actor == coordinator.email
    page = client.get("/en/desk/flyer").get_data(as_text=True)
    assert "The contacts on the flyer are saved." in page
    assert f'<input checked id="organisations-0" name="organisations" type="checkbox" value="{advice.id}">' \
        in page


def test_too_many_contacts_are_refused_and_nothing_changes(client, login, make_user, make_organisation,
                                                           csrf_token, db):
    login(make_user(role="coordinator"))
    chosen = [str(make_organisation().id) for _ in range(featured.MAX_FEATURED + 1)]
    response = client.post("/en/desk/flyer/featured",
                           data={"organisations": chosen, "csrf_token": csrf_token()})
    assert response.status_code == 400
    message = "Choose at most 4 organisations: the flyer has no room for more."
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert featured.featured_organisations(db) == []


def test_an_unknown_organisation_is_refused(client, login, make_user, csrf_token):
    login(make_user(role="coordinator"))
    response = client.post("/en/desk/flyer/featured",
                           data={"organisations": ["999"], "csrf_token": csrf_token()})
    assert response.status_code == 400
