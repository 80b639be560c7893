"""The flyer as a person holds it: each panel in its language, and every QR code opening the board there.

Expected words come from the catalogues (force_locale + gettext), so these tests hold while the
translations arrive: a language without a translation yet shows English, one with a translation must
not.
"""

from __future__ import annotations

import pytest
from flask import url_for
from flask_babel import force_locale, gettext

from bulletin.printing import featured
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_CODES, language_direction

TOWN = "Neustetten"
HEADLINE = "Find help in %(town)s"
SCAN = "Scan to open the board in your language"
STEPS = (
    "Scan the code with your phone camera.",
    "Choose what you need, or search.",
    "Contact the organisation directly: by phone, by email or in person.",
)
A4 = (595.28, 841.89)  # points
A5 = (419.53, 595.28)


def headline(code: str) -> str:
    with force_locale(code):
        return gettext(HEADLINE, town=TOWN)


def panel_words(code: str) -> list[str]:
    """What a panel in ``code`` must say, as that language's catalogue words it."""
    with force_locale(code):
        steps = [gettext(step).rstrip(".።") for step in STEPS]  # a full stop may land at either end in RTL
        return [gettext(HEADLINE, town=TOWN), gettext(SCAN), *steps, str(CATEGORY_BY_SLUG["housing"].label)]


def home(code: str) -> str:
    return url_for("public.home", lang=code, _external=True)


def assert_panel(page, part: str, code: str) -> None:
    for words in panel_words(code):
        assert page.says(words, part), (code, words)
    if headline(code) != headline("en"):  # the catalogue translates it: no English may be left
        assert not page.says(headline("en"), part)


def size(page) -> tuple[float, float]:
    return round(page.width, 2), round(page.height, 2)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_a_flyer_in_each_single_language(client, pdf_reader, code):
    response = client.get(f"/en/flyer.pdf?lang={code}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    [page] = pdf_reader(response.data)
    assert size(page) == A4
    assert_panel(page, "top", code)
    side = "right" if language_direction(code) == "rtl" else "left"  # right-to-left panels are mirrored
    assert page.codes == ((home(code), "top", side),)


def test_four_languages_two_of_them_right_to_left(client, pdf_reader):
    response = client.get("/de/flyer.pdf?lang=de,ar,uk,fa&format=a4")
    assert response.status_code == 200
    first, second = pdf_reader(response.data)
    for page, (upper, lower) in ((first, ("de", "ar")), (second, ("uk", "fa"))):
        assert size(page) == A4
        assert_panel(page, "top", upper)
        assert_panel(page, "bottom", lower)
        # Right-to-left panels are mirrored: their code sits on the right, the others' on the left.
        assert set(page.codes) == {(home(upper), "top", "left"), (home(lower), "bottom", "right")}


def test_a_booklet_has_one_page_per_language_on_a5(client, pdf_reader, pdf_fonts):
    response = client.get("/en/flyer.pdf?lang=ti,ps&format=a5&booklet=1")
    pages = pdf_reader(response.data)
    assert [size(page) for page in pages] == [A5, A5]
    for page, code in zip(pages, ("ti", "ps"), strict=True):
        assert_panel(page, "text", code)
        assert [text for text, _, _ in page.codes] == [home(code)]
    fonts = pdf_fonts(response.data)
    assert any("Ethiopic" in name for name in fonts)  # Tigrinya's script
    assert any("Arabic" in name for name in fonts)  # Pashto's
    assert all("+" in name for name in fonts)  # subsets: the tag before the plus names the subset


def test_two_panels_per_a5_page(client, pdf_reader):
    pages = pdf_reader(client.get("/en/flyer.pdf?lang=ru,so,tr&format=a5").data)
    assert [size(page) for page in pages] == [A5, A5]
    assert_panel(pages[0], "top", "ru")
    assert_panel(pages[0], "bottom", "so")
    assert_panel(pages[1], "top", "tr")
    assert [(text, half) for text, half, _ in pages[1].codes] == [(home("tr"), "top")]


def test_only_the_chosen_categories_are_shown(client, pdf_reader):
    [page] = pdf_reader(client.get("/en/flyer.pdf?lang=en&categories=food,housing").data)
    assert "Food" in page.text and "Housing" in page.text
    assert "Clothing" not in page.text and "Health" not in page.text


def test_featured_approved_organisations_are_the_contacts(client, pdf_reader, db, make_organisation,
                                                            make_user):
    coordinator = make_user(role="coordinator")
    advice = make_organisation(name="Migrationsberatung Caritas", type="counselling", phone="07141 9876-0")
    make_organisation(name="Nicht ausgewählt", phone="07141 1111")
    gone = make_organisation(name="Inzwischen gesperrt", phone="07141 2222")
    featured.set_featured(db, coordinator, {advice.id, gone.id})
    gone.status = "suspended"
    db.commit()
    [page] = pdf_reader(client.get("/en/flyer.pdf?lang=de").data)
    assert "Migrationsberatung Caritas" in page.text and "07141 9876-0" in page.text
    with force_locale("de"):
        assert gettext("Advice and counselling").upper() in page.text
    assert "Nicht ausgewählt" not in page.text
    assert "Inzwischen gesperrt" not in page.text
