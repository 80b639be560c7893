"""The pages refugees see: without an account, in their language, only what is public, never a 500."""

from __future__ import annotations

import gzip
import io
import re
from datetime import date, timedelta

import page_weight
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from PIL import Image

from bulletin.extensions import babel
from bulletin.services import logos, organisations
from bulletin.services.actors import SystemActor
from bulletin.taxonomy import CATEGORIES

ACTOR = SystemActor("test")

# A small catalogue of our own, so the tests see German and Arabic pages whatever the real catalogues say.
CATALOGUES = {
    "de": {
        "Page not found": "Seite nicht gefunden",
        "There is no page at this address.": "Unter dieser Adresse gibt es keine Seite.",
        "This posting is no longer available": "Dieser Eintrag ist nicht mehr verfügbar",
        "Other postings in %(category)s": "Weitere Einträge in %(category)s",
        "Furniture & household": "Möbel & Haushalt",
        "Written in %(language)s": "Verfasst auf %(language)s",
        "Translated from %(language)s": "Übersetzt aus: %(language)s",
        "No end date": "Ohne Enddatum",
    },
    "ar": {"Search": "بحث"},
}


def write_catalogues(directory) -> str:
    for code, messages in CATALOGUES.items():
        folder = directory / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        catalogue = Catalog(locale=code)
        for msgid, msgstr in messages.items():
            catalogue.add(msgid, msgstr)
        with open(folder / "messages.po", "wb") as handle:
            write_po(handle, catalogue)
        with open(folder / "messages.mo", "wb") as handle:
            write_mo(handle, catalogue)
    return str(directory)


@pytest.fixture
def app_config(app_config, tmp_path):
    """Three postings per page, and German and Arabic interfaces."""
    return {
        **app_config,
        "BULLETIN_PER_PAGE": 3,
        "BABEL_TRANSLATION_DIRECTORIES": write_catalogues(tmp_path / "translations"),
    }


@pytest.fixture(autouse=True)
def fresh_translations(app):
    """Flask-Babel keeps loaded catalogues per language for the whole process: start and end clean."""
    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


def page_text(response) -> str:
    return response.get_data(as_text=True)


def visible(response) -> str:
    """The page's text without tags, whitespace collapsed, as a reader would scan it."""
    body = page_text(response).split("<main", 1)[-1]
    return re.sub(r" ([,.])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", body).split()))


# --- the start page ----------------------------------------------------------------------------------


def test_home_shows_every_category_as_a_pictogram_with_its_counts(client, make_posting):
    make_posting(title="Sofa zu verschenken", category="furniture-household")
    make_posting(title="Tisch zu verschenken", category="furniture-household")
    make_posting(title="Suchen Schrank", category="furniture-household", type="request")
    response = client.get("/en/")
    assert response.status_code == 200
    html = page_text(response)
    for category in CATEGORIES:
        assert f'href="/en/categories/{category.slug}"' in html
    assert html.count("<svg") >= len(CATEGORIES)
    assert 'aria-hidden="true"' in html
    text = visible(response)
    assert "Furniture & household 2 offers · 1 request" in text
    assert "Clothing Nothing at the moment" in text
    assert "You do not need an account" in text
    assert "Sofa zu verschenken" in text and "Suchen Schrank" in text


def test_home_district_filter_narrows_counts_newest_and_category_links(client, make_posting):
    make_posting(title="Fahrrad in der Altstadt", category="mobility", district="Altstadt")
    make_posting(title="Fahrrad am Sonnenhang", category="mobility", district="Sonnenhang")
    html = page_text(client.get("/en/"))
    assert '<option value="Altstadt" dir="auto">Altstadt</option>' in html  # names keep their direction
    assert '<option value="Sonnenhang" dir="auto">Sonnenhang</option>' in html

    response = client.get("/en/?district=Sonnenhang")
    assert response.status_code == 200
    text = visible(response)
    assert "Fahrrad am Sonnenhang" in text and "Fahrrad in der Altstadt" not in text
    assert "Getting around 1 offer" in text
    html = page_text(response)
    assert 'href="/en/categories/mobility?district=Sonnenhang"' in html
    assert '<option value="Sonnenhang" selected dir="auto">' in html


def test_home_refuses_an_unknown_district_with_a_message(client, make_posting):
    make_posting()
    response = client.get("/en/?district=Atlantis")
    assert response.status_code == 400
    assert "This filter has a value we do not know" in page_text(response)


def test_home_shows_ten_newest_and_links_to_all(client, make_posting):
    for number in range(12):
        make_posting(title=f"Angebot Nummer {number:02d}")
    text = visible(client.get("/en/"))
    assert "Angebot Nummer 11" in text and "Angebot Nummer 02" in text
    assert "Angebot Nummer 01" not in text
    assert 'href="/en/search">All postings</a>' in page_text(client.get("/en/"))


# --- categories ----------------------------------------------------------------------------------------


def test_category_lists_its_postings_with_type_and_district_filters(client, make_posting):
    make_posting(title="Wintermantel", category="clothing", district="Altstadt")
    make_posting(title="Suchen Schuhe", category="clothing", type="request", district="Oberstadt")
    make_posting(title="Sofa", category="furniture-household")

    text = visible(client.get("/en/categories/clothing"))
    assert "Clothing" in text
    assert "Wintermantel" in text and "Suchen Schuhe" in text and "Sofa" not in text
    assert "2 postings" in text

    text = visible(client.get("/en/categories/clothing?type=request"))
    assert "Suchen Schuhe" in text and "Wintermantel" not in text
    text = visible(client.get("/en/categories/clothing?type=all&district=Altstadt"))
    assert "Wintermantel" in text and "Suchen Schuhe" not in text

    empty = client.get("/en/categories/clothing?district=Unterried")  # one of the board's districts
    assert empty.status_code == 200
    assert "Nothing here at the moment" in page_text(empty)


@pytest.mark.parametrize("query", ["type=gift", "district=Atlantis", "district=%00", "page=abc", "page=0",
                                   "page=-1", "page=1.5", "page=%D9%A2"])
def test_category_refuses_bad_filters_and_page_numbers(client, make_posting, query):
    make_posting(category="clothing")
    response = client.get(f"/en/categories/clothing?{query}")
    assert response.status_code == 400
    assert "Bad request" in page_text(response)


def test_category_paginates_and_keeps_its_filters(client, make_posting):
    for number in range(7):
        make_posting(title=f"Jacke {number}", category="clothing", district="Altstadt")
    first = page_text(client.get("/en/categories/clothing?district=Altstadt"))
    assert "Jacke 6" in first and "Jacke 3" not in first
    assert "Page 1 of 3" in first
    assert 'href="/en/categories/clothing?district=Altstadt&amp;page=2"' in first

    second = client.get("/en/categories/clothing?district=Altstadt&page=2")
    text = visible(second)
    assert "Jacke 3" in text and "Jacke 6" not in text and "Page 2 of 3" in text
    assert 'href="/en/categories/clothing?district=Altstadt" rel="prev"' not in page_text(second)
    assert 'rel="prev" href="/en/categories/clothing?district=Altstadt"' in page_text(second)

    assert "Jacke 0" in visible(client.get("/en/categories/clothing?district=Altstadt&page=3"))
    assert client.get("/en/categories/clothing?district=Altstadt&page=4").status_code == 404
    assert client.get("/en/categories/clothing?page=99999999999999").status_code == 404


def test_unknown_category_is_not_found(client):
    response = client.get("/en/categories/weapons")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


# --- a posting -------------------------------------------------------------------------------------------


def test_posting_page_says_what_who_where_until_and_how_to_reach(client, make_organisation, make_posting):
    organisation = make_organisation(
        name="Kleiderkammer Neustetten", verified=True, phone="+49 (7141) 123-45",
        email="kammer@example.org", address="Marktplatz 1, Neustetten",
    )
    organisation.website = "https://kleiderkammer.example.org/"
    posting = make_posting(
        organisation=organisation, title="Kinderkleidung", category="clothing", district="Altstadt",
        bodies={"de": "Größen 92 bis 128.\nBitte vorher anrufen."}, valid_until=date(2099, 3, 1),
    )
    response = client.get(f"/en/postings/{posting.id}")
    assert response.status_code == 200
    html = page_text(response)
    assert '<h1 lang="de" dir="auto">Kinderkleidung</h1>' in html
    assert 'lang="de" dir="auto">Größen 92 bis 128.\nBitte vorher anrufen.</div>' in html
    assert 'class="badge badge-offer">Offer</span>' in html
    assert f'href="/en/organisations/{organisation.key}"><bdi>Kleiderkammer Neustetten</bdi></a>' in html
    assert "✓ verified" in html
    assert 'href="tel:+49714112345"' in html
    assert 'href="mailto:kammer@example.org"' in html
    assert 'href="https://kleiderkammer.example.org/"' in html
    text = visible(response)
    assert "Clothing" in text
    assert "Where Altstadt Marktplatz 1, Neustetten" in text
    assert "Until March 1, 2099" in text
    assert "Written in German" in text


def test_posting_dates_follow_the_reader_language(client, make_posting):
    dated = make_posting(valid_until=date(2099, 3, 1))
    undated = make_posting()
    assert "1. März 2099" in visible(client.get(f"/de/postings/{dated.id}"))
    assert "Ohne Enddatum" in visible(client.get(f"/de/postings/{undated.id}"))
    assert "No end date" in visible(client.get(f"/en/postings/{undated.id}"))


def test_posting_is_shown_in_the_reader_language_when_translated(client, make_posting):
    posting = make_posting(
        title={"en": "Bicycle for a child", "de": "Kinderfahrrad", "ar": "دراجة للأطفال"},
        bodies={"en": "Blue, 20 inch."}, original_language="en", category="mobility",
    )
    german = client.get(f"/de/postings/{posting.id}")
    assert '<h1 lang="de" dir="auto">Kinderfahrrad</h1>' in page_text(german)
    assert "Übersetzt aus: Englisch" in visible(german)

    english = visible(client.get(f"/en/postings/{posting.id}"))
    assert "Bicycle for a child" in english and "Written in English" in english

    arabic = client.get(f"/en/postings/{posting.id}?text=ar")
    assert '<h1 lang="ar" dir="auto">دراجة للأطفال</h1>' in page_text(arabic)
    assert "Translated from English into Arabic" in visible(arabic)


def test_posting_without_a_translation_shows_the_original_labelled(client, make_posting):
    posting = make_posting(title={"ar": "سرير أطفال"}, bodies={"ar": "خشب"}, category="baby-children")
    response = client.get(f"/de/postings/{posting.id}")
    assert '<h1 lang="ar" dir="auto">سرير أطفال</h1>' in page_text(response)
    assert "Verfasst auf Arabisch" in visible(response)


def test_posting_lists_its_languages_with_the_original_marked(client, make_posting):
    posting = make_posting(title={"de": "Kinderbett", "uk": "Дитяче ліжко"})
    html = page_text(client.get(f"/en/postings/{posting.id}"))
    deutsch = '<span class="native-name" lang="de" dir="ltr">Deutsch</span>'
    current = f'<strong aria-current="true">{deutsch}&nbsp;(original)</strong>'
    assert current in html
    other = (f'<a href="/en/postings/{posting.id}?text=uk" hreflang="uk"><span class="native-name" lang="uk" '
             'dir="ltr">Українська')
    assert other in html

    chosen = page_text(client.get(f"/en/postings/{posting.id}?text=uk"))
    assert '<h1 lang="uk" dir="auto">Дитяче ліжко</h1>' in chosen
    original = f'<a href="/en/postings/{posting.id}?text=de" hreflang="de">'
    assert original + deutsch + "&nbsp;(original)</a>" in chosen


@pytest.mark.parametrize("code", ["fr", "xx", "", "DE"])  # a NUL: tests/test_input_guard.py
def test_posting_refuses_a_text_language_it_does_not_have(client, make_posting, code):
    posting = make_posting()
    response = client.get(f"/en/postings/{posting.id}?text={code}")
    if code == "":
        assert response.status_code == 200  # an empty choice is no choice
    else:
        assert response.status_code == 400
        assert "This filter has a value we do not know" in page_text(response)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("how", ["closed", "expired"])
def test_closed_or_expired_posting_is_gone_with_a_way_back(client, make_posting, today, lang, how):
    fields = {"status": "closed"} if how == "closed" else {"valid_until": today - timedelta(days=1)}
    posting = make_posting(title="Altes Angebot", category="furniture-household", **fields)
    response = client.get(f"/{lang}/postings/{posting.id}")
    assert response.status_code == 410
    text = visible(response)
    assert "Altes Angebot" not in text
    expected = {
        "en": ("This posting is no longer available", "Other postings in Furniture & household"),
        "de": ("Dieser Eintrag ist nicht mehr verfügbar", "Weitere Einträge in Möbel & Haushalt"),
    }[lang]
    assert expected[0] in text and expected[1] in text
    assert f'href="/{lang}/categories/furniture-household"' in page_text(response)
    for page in (f"/{lang}/", f"/{lang}/categories/furniture-household", f"/{lang}/search?q=Altes"):
        assert "Altes Angebot" not in page_text(client.get(page))


@pytest.mark.parametrize("posting_id", ["999", "99999999999999999999"])
def test_unknown_posting_is_not_found(client, posting_id):
    response = client.get(f"/en/postings/{posting_id}")
    assert response.status_code == 404
    assert "There is no page at this address." in page_text(response)


@pytest.mark.parametrize(("lang", "title"), [("en", "Page not found"), ("de", "Seite nicht gefunden")])
@pytest.mark.parametrize("path", ["nothing", "categories/none", "organisations/nobody", "postings/12345"])
def test_unknown_pages_answer_404_in_the_reader_language(client, lang, title, path):
    response = client.get(f"/{lang}/{path}")
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in page_text(response)
    assert f'<html lang="{lang}"' in page_text(response)


def test_visitors_see_no_editing_controls(client, make_posting):
    html = page_text(client.get(f"/en/postings/{make_posting().id}"))
    assert "/dashboard/postings" not in html and "csrf_token" not in html


def test_members_of_other_organisations_see_no_editing_controls(client, make_user, make_posting, login):
    posting = make_posting()
    login(make_user())
    html = page_text(client.get(f"/en/postings/{posting.id}"))
    assert f"/dashboard/postings/{posting.id}" not in html and "Close this posting" not in html


def test_editors_see_edit_and_close_on_their_posting(client, make_organisation, make_user, make_posting,
                                                     login):
    organisation = make_organisation()
    posting = make_posting(organisation=organisation)
    login(make_user(organisation=organisation))
    html = page_text(client.get(f"/en/postings/{posting.id}"))
    edit = re.search(r'<a class="button secondary" href="([^"]+)">Edit</a>', html)
    assert edit and str(posting.id) in edit.group(1)
    close_form = re.search(r'<form class="inline" method="post" action="([^"]+)">\s*'
                           r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
                           r'<button class="button danger" type="submit">Close this posting</button>', html)
    assert close_form and str(posting.id) in close_form.group(1)


# --- what is not public stays hidden ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_postings_and_profiles_of_hidden_organisations_are_nowhere(
    client, db, make_organisation, make_posting, status
):
    hidden = make_organisation(name="Verborgener Verein")
    posting = make_posting(organisation=hidden, title="Verborgenes Sofa", category="furniture-household")
    make_posting(title="Sichtbares Sofa", category="furniture-household")
    organisations.set_status(db, ACTOR, hidden, status=status)
    db.commit()

    for page in ("/en/", "/en/categories/furniture-household", "/en/search?q=Sofa", "/en/search",
                 "/en/organisations"):
        html = page_text(client.get(page))
        assert "Verborgen" not in html, page
    assert "Sichtbares Sofa" in page_text(client.get("/en/search?q=Sofa"))
    assert "Furniture & household 1 offer" in visible(client.get("/en/"))
    assert client.get(f"/en/postings/{posting.id}").status_code == 404
    assert client.get(f"/en/organisations/{hidden.key}").status_code == 404


# --- organisations ---------------------------------------------------------------------------------------


def test_organisation_directory_lists_approved_organisations(client, make_organisation):
    make_organisation(name="Beratungsstelle Mühlbach", type="counselling", district="Mühlbach",
                      languages=["de", "ar", "fa"], verified=True)
    make_organisation(name="Helferkreis Oberstadt", type="initiative", district="Oberstadt")
    make_organisation(name="Wartet noch", status="pending")
    response = client.get("/en/organisations")
    text = visible(response)
    assert "Beratungsstelle Mühlbach ✓ verified" in text
    assert "Counselling centre" in text and "Mühlbach" in text
    assert "Languages spoken: Deutsch, العربية, فارسی" in text
    assert "Helferkreis Oberstadt" in text and "Volunteer group" in text
    assert "Wartet noch" not in text
    html = page_text(response)
    assert '<span class="native-name" lang="ar" dir="rtl">العربية</span>' in html

    filtered = visible(client.get("/en/organisations?type=initiative"))
    assert "Helferkreis Oberstadt" in filtered and "Beratungsstelle" not in filtered
    assert client.get("/en/organisations?type=club").status_code == 400


def test_organisation_directory_paginates(client, make_organisation):
    for letter in "ABCDE":
        make_organisation(name=f"Verein {letter}")
    first = visible(client.get("/en/organisations"))
    assert "Verein A" in first and "Verein C" in first and "Verein D" not in first
    second = visible(client.get("/en/organisations?page=2"))
    assert "Verein D" in second and "Verein E" in second and "Page 2 of 2" in second
    assert client.get("/en/organisations?page=3").status_code == 404


def test_organisation_profile_shows_description_contacts_and_open_postings(
    client, app, make_organisation, make_posting
):
    organisation = make_organisation(
        name="Café International",
        descriptions={"de": "Wir treffen uns jeden Dienstag.", "en": "We meet on Tuesdays."},
        phone="0711 555 12", email="cafe@example.org", address="Bahnhofstraße 3", languages=["de", "tr"],
    )
    for number in range(4):
        make_posting(organisation=organisation, title=f"Treffen {number}")
    make_posting(organisation=organisation, title="Vorbei", status="closed")

    english = client.get(f"/en/organisations/{organisation.key}")
    assert english.status_code == 200
    text = visible(english)
    assert "Café International" in text
    assert "We meet on Tuesdays." in text and "Translated from German" in text
    assert "Languages spoken: Deutsch, Türkçe" in text
    assert "Bahnhofstraße 3" in text
    html = page_text(english)
    assert 'href="tel:071155512"' in html and 'href="mailto:cafe@example.org"' in html
    assert "Treffen 3" in text and "Treffen 1" in text and "Treffen 0" not in text and "Vorbei" not in text
    assert "Treffen 0" in visible(client.get(f"/en/organisations/{organisation.key}?page=2"))
    assert client.get(f"/en/organisations/{organisation.key}?page=3").status_code == 404

    german = visible(client.get(f"/de/organisations/{organisation.key}"))
    assert "Wir treffen uns jeden Dienstag." in german and "Verfasst auf" not in german


def test_organisation_profile_shows_its_logo_served_from_the_uploads(client, app, db, make_organisation):
    organisation = make_organisation(name="Mit Logo")
    image = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(image, format="PNG")
    filename = logos.store_logo(image.getvalue(), app.config["BULLETIN_UPLOAD_DIR"], 100_000)
    organisations.set_logo(db, ACTOR, organisation, filename)
    db.commit()

    html = page_text(client.get(f"/en/organisations/{organisation.key}"))
    assert f'<img class="logo" src="/logos/{filename}" alt="">' in html
    with client.get(f"/logos/{filename}") as logo:
        assert logo.status_code == 200 and logo.mimetype == "image/png"
        assert logo.cache_control.max_age == 365 * 24 * 3600
        assert "Set-Cookie" not in logo.headers


@pytest.mark.parametrize("name", ["abc.png", "../secret_key", "0" * 32 + ".PNG", "0" * 32 + ".png"])
def test_logo_route_serves_only_stored_logo_names(client, name):
    assert client.get(f"/logos/{name}").status_code == 404


# --- search ----------------------------------------------------------------------------------------------


def test_search_finds_postings_by_word_with_filters(client, make_posting):
    make_posting(title="Deutschkurs für Anfänger", category="language", district="Altstadt")
    make_posting(title="Deutschkurs am Abend", category="language", district="Oberstadt", type="request")
    make_posting(title="Winterjacke", category="clothing")

    text = visible(client.get("/en/search?q=deutschkurs"))
    assert "Deutschkurs für Anfänger" in text and "Deutschkurs am Abend" in text and "Winterjacke" not in text
    assert "2 postings" in text

    text = visible(client.get("/en/search?q=deutschkurs&type=request&district=Oberstadt&category=language"))
    assert "Deutschkurs am Abend" in text and "Anfänger" not in text

    html = page_text(client.get("/en/search?q=deutschkurs&type=offer"))
    assert 'value="deutschkurs"' in html and '<option value="offer" selected dir="auto">' in html


def test_search_explains_an_empty_query_and_no_results(client, make_posting):
    make_posting(title="Kinderwagen")
    empty = visible(client.get("/en/search"))
    assert "Type one or more words to search." in empty and "Kinderwagen" in empty
    nothing = visible(client.get("/en/search?q=Elefant"))
    # The query is isolated (U+2068 ... U+2069), so it reads right inside a sentence of either direction.
    assert "Nothing found for “\u2068Elefant\u2069”" in nothing and "Kinderwagen" not in nothing


HOSTILE_QUERIES = [
    '"Sofa"', "'", '"', "Sofa AND Tisch OR *", "title:Sofa", "body:*", "NOT Sofa", "(Sofa", "Sofa)",
    "%", "_", "\\", "%_%", "Sofa*?", "x" * 5000, "Sofa " * 1000, "Sofa\x1b[31m", "\u202eSofa",  # NUL: 400
    "Sofa دراجة Велосипед 自行车", "<script>alert(1)</script>", "{{ 7*7 }}", "😀" * 50,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_search_query_gives_results_or_a_message(client, make_posting, query):
    make_posting(title="Sofa und Tisch")
    response = client.get("/en/search", query_string={"q": query})
    assert response.status_code == 200
    html = page_text(response)
    assert "<script>alert" not in html
    assert "Sofa und Tisch" in html or "Nothing found for" in html


MALFORMED_ADDRESSES = [
    "q=%FF%FE%00", "q=%00&district=%00", "q=a&q=b", "q[]=x", "category=clothing%00", "type=%FF",
    "q=%25%5F%5C", "page=1&page=2", "q=" + "%E2%80%AE" * 300,
]


@pytest.mark.parametrize("raw", MALFORMED_ADDRESSES)
def test_malformed_search_addresses_never_break_the_page(client, make_posting, raw):
    make_posting(title="Sofa")
    response = client.get(f"/en/search?{raw}")
    assert response.status_code in (200, 400)
    assert "<h1>" in page_text(response)


def test_a_long_search_is_cut_and_says_so(client, make_posting):
    make_posting(title="Sofa")
    response = client.get("/en/search", query_string={"q": "Sofa " + "y" * 5000})
    text = visible(response)
    assert "only its first 200 characters were used" in text or "Nothing found" in text
    assert 'maxlength="200"' in page_text(response)
    assert len(re.search(r'name="q" value="([^"]*)"', page_text(response)).group(1)) <= 200


def test_search_pages_keep_the_query(client, make_posting):
    for number in range(4):
        make_posting(title=f"Sofa {number}")
    html = page_text(client.get("/en/search?q=sofa"))
    assert 'href="/en/search?q=sofa&amp;page=2"' in html
    assert "Sofa 0" in visible(client.get("/en/search?q=sofa&page=2"))


# --- what every public page promises ----------------------------------------------------------------


@pytest.fixture
def public_pages(make_organisation, make_posting):
    organisation = make_organisation()
    posting = make_posting(organisation=organisation, category="clothing")
    return ["/en/", "/en/categories/clothing", f"/en/postings/{posting.id}", "/en/organisations",
            f"/en/organisations/{organisation.key}", "/en/search?q=Angebot", "/de/", "/en/nothing"]


def test_anonymous_visitors_get_no_cookie_and_strict_headers(client, public_pages):
    for page in public_pages:
        response = client.get(page)
        assert "Set-Cookie" not in response.headers, page
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert " style=" not in page_text(response) and "<script" not in page_text(response)


def test_right_to_left_pages_are_marked(client, make_posting):
    posting = make_posting(title={"de": "Sofa"})
    html = page_text(client.get(f"/ar/postings/{posting.id}"))
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h1 lang="de" dir="auto">Sofa</h1>' in html


def test_posting_page_is_light_for_old_phones(app, client, make_organisation, make_posting):
    organisation = make_organisation(descriptions={"de": "Beschreibung " * 50})
    posting = make_posting(
        organisation=organisation,
        title={"de": "Gut erhaltener Kleiderschrank", "ar": "خزانة ملابس", "uk": "Шафа", "en": "Wardrobe"},
        bodies={"de": "Zwei Türen, Buche, 180 cm hoch. " * 40}, valid_until=date(2099, 1, 1),
    )
    response = client.get(f"/en/postings/{posting.id}")
    html = response.get_data()
    first_visit, parts = page_weight.first_visit_bytes(client, html, app.static_folder)
    # An English page needs no script font: the phone's own fonts do Latin. Its languages are named in
    # their own scripts from the few-KB "names" subsets, not the whole Arabic and Cyrillic fonts.
    assert {part for part in parts if part.startswith("fonts/")} == {
        "fonts/names-arabic.woff2", "fonts/names-cyrillic.woff2",
    }
    assert first_visit < 30 * 1024, parts
    assert len(gzip.compress(html)) < 10 * 1024  # a repeat visit: the stylesheets and fonts are cached


def test_static_files_carry_a_content_hash_and_are_cached_long(client):
    html = page_text(client.get("/en/"))
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert re.fullmatch(r"/static/css/board\.css\?v=[0-9a-f]{12}", stylesheet)
    with client.get(stylesheet) as response:
        assert response.status_code == 200 and b".category-grid" in response.get_data()
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public


def test_stylesheet_is_small_and_mirrors_by_itself(app):
    with open(app.static_folder + "/css/board.css", encoding="utf-8") as handle:
        css = handle.read()
    # Every public page needs it on a first visit: what counts is what travels, compressed.
    assert len(gzip.compress(css.encode())) < 4 * 1024
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right", "text-align: left",
                     "text-align: right", "float: left", "float: right", " left:", " right:"):
        assert physical not in css
    assert "@font-face" not in css and "url(" not in css


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda category: category.slug)
def test_every_category_has_a_small_silent_pictogram(app, category):
    with open(f"{app.template_folder}/icons/{category.icon}.svg", encoding="utf-8") as handle:
        svg = handle.read()
    assert len(svg.encode()) < 700
    assert 'viewBox="0 0 48 48"' in svg and 'aria-hidden="true"' in svg and 'focusable="false"' in svg
    assert "currentColor" in svg and "#" not in svg  # takes the colour of the text around it
    assert "<text" not in svg and "<script" not in svg and "style=" not in svg


def test_an_unknown_page_answers_wholly_in_the_language_of_its_address(client):
    response = client.get("/en/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "There is no page at this address." in html
    german = client.get("/de/keine-solche-seite").get_data(as_text=True)
    assert "There is no page at this address." not in german
