"""A posting's notice and a district's sheet, read back from the PDF: the words, the tear-off strips, and
where every QR code leads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import force_locale, gettext

from bulletin.services import organisations
from bulletin.services.actors import SystemActor
from bulletin.taxonomy import CATEGORY_BY_SLUG

A4 = (595.28, 841.89)
ARABIC_TITLE = "أريكة وطاولة طعام مجاناً"


@pytest.fixture
def furniture(make_organisation):
    return make_organisation(name="Möbelbörse der Diakonie", phone="07141 4477-12",
                             email="moebel@diakonie.example", district="Bahnhofsviertel")


@pytest.fixture
def sofa(make_posting, furniture, today):
    return make_posting(
        organisation=furniture,
        title={"de": "Sofa und Esstisch zu verschenken", "ar": ARABIC_TITLE},
        bodies={"de": "Gut erhalten, bitte selbst abholen.", "ar": "بحالة جيدة، يرجى الاستلام."},
        district="Bahnhofsviertel",
        valid_until=today + timedelta(days=30),
    )


def posting_url(posting, code: str) -> str:
    return url_for("public.posting", posting_id=posting.id, lang=code, _external=True)


def in_language(code: str, message: str) -> str:
    with force_locale(code):
        return gettext(message)


def test_a_notice_in_german_and_arabic(client, pdf_reader, sofa):
    response = client.get(f"/de/postings/{sofa.id}/notice.pdf?lang=de,ar")
    assert response.status_code == 200
    [page] = pdf_reader(response.data)  # one sheet for the board
    assert (round(page.width, 2), round(page.height, 2)) == A4
    assert page.says("Sofa und Esstisch zu verschenken") and page.says(ARABIC_TITLE)
    assert page.says("Gut erhalten, bitte selbst abholen.")
    for code in ("de", "ar"):
        assert page.says(in_language(code, "Offer").upper()) or page.says(in_language(code, "Offer"))
        with force_locale(code):
            assert page.says(str(CATEGORY_BY_SLUG["furniture-household"].label))
    assert page.says("Möbelbörse der Diakonie")
    assert [text for text, _, _ in page.codes] == [posting_url(sofa, "de")]
    short_link = f"board.test/de/postings/{sofa.id}"
    # The contact box and eight strips to tear off, each with the phone number and the short link.
    assert page.text.count("07141 4477-12") == 9
    assert page.text.count(short_link) == 9


def test_a_language_without_a_translation_shows_the_original_with_its_own_labels(client, pdf_reader, sofa):
    [page] = pdf_reader(client.get(f"/en/postings/{sofa.id}/notice.pdf?lang=uk").data)
    assert page.says("Sofa und Esstisch zu verschenken")
    assert not page.says(ARABIC_TITLE)
    with force_locale("uk"):
        assert page.says(str(CATEGORY_BY_SLUG["furniture-household"].label))
    assert [text for text, _, _ in page.codes] == [posting_url(sofa, "uk")]


def test_a_long_text_is_cut_and_points_to_the_code(client, pdf_reader, make_posting, furniture):
    sentence = "Dies ist ein langer Satz über das Angebot, damit der Aushang voll wird. "
    posting = make_posting(organisation=furniture, title="Viel Text", bodies={"de": sentence * 60})
    pages = pdf_reader(client.get(f"/de/postings/{posting.id}/notice.pdf?lang=de").data)
    assert len(pages) == 1
    assert pages[0].says(in_language("de", "The whole text is online: scan the code."))
    assert pages[0].text.count(furniture.phone) == 9  # the strips are all still there


@pytest.mark.parametrize("change", ["closed", "expired"])
def test_a_closed_or_expired_posting_gets_no_notice(client, sofa, db, today, change):
    if change == "closed":
        sofa.status = "closed"
    else:
        sofa.valid_until = today - timedelta(days=1)
    db.commit()
    response = client.get(f"/de/postings/{sofa.id}/notice.pdf?lang=de")
    assert response.status_code == 410
    assert response.mimetype == "text/html"
    with force_locale("de"):
        assert gettext("This posting is no longer available") in response.get_data(as_text=True)


def test_a_hidden_or_unknown_posting_is_not_found(client, sofa, furniture, db):
    organisations.set_status(db, SystemActor("test"), furniture, status="suspended")
    db.commit()
    assert client.get(f"/de/postings/{sofa.id}/notice.pdf").status_code == 404
    assert client.get("/de/postings/999999/notice.pdf").status_code == 404


def test_the_district_sheet_lists_the_open_offers_of_one_district_and_category(
    client, pdf_reader, make_posting, furniture, sofa, today
):
    bed = make_posting(organisation=furniture, title="Kinderbett mit Matratze", district="Bahnhofsviertel")
    make_posting(organisation=furniture, title="Anderer Stadtteil", district="Altstadt")
    make_posting(organisation=furniture, title="Eine Anfrage", type="request", district="Bahnhofsviertel")
    make_posting(organisation=furniture, title="Schon vergeben", status="closed", district="Bahnhofsviertel")
    make_posting(organisation=furniture, title="Andere Kategorie", category="clothing",
                 district="Bahnhofsviertel")
    make_posting(organisation=furniture, title="Abgelaufen", district="Bahnhofsviertel",
                 valid_until=today - timedelta(days=2))

    response = client.get(
        "/de/sheets/offers.pdf?district=Bahnhofsviertel&category=furniture-household&lang=de,ar"
    )
    assert response.status_code == 200
    [page] = pdf_reader(response.data)
    assert page.says("Sofa und Esstisch zu verschenken") and page.says(ARABIC_TITLE)
    assert page.says("Kinderbett mit Matratze")
    for title in ("Anderer Stadtteil", "Eine Anfrage", "Schon vergeben", "Andere Kategorie", "Abgelaufen"):
        assert not page.says(title)
    with force_locale("de"):
        label = str(CATEGORY_BY_SLUG["furniture-household"].label)
        assert page.says(gettext("Offers in %(district)s: %(category)s", district="Bahnhofsviertel",
                                 category=label))
    category_page = url_for("public.category", slug="furniture-household", district="Bahnhofsviertel",
                            type="offer", lang="de", _external=True)
    assert sorted(text for text, _, _ in page.codes) == sorted(
        [category_page, posting_url(sofa, "de"), posting_url(bed, "de")]
    )


def test_a_district_without_offers_says_so(client, pdf_reader):
    response = client.get("/en/sheets/offers.pdf?district=Altstadt&category=food&lang=en,ar")
    [page] = pdf_reader(response.data)
    for code in ("en", "ar"):
        assert page.says(in_language(code, "There are no open offers here at the moment."))
