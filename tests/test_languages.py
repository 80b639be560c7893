"""Twelve interface languages: every public page in each, right to left where the language is, user text
isolated from the sentence around it, and fonts that cover every script a page can show."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import page_weight
import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from bulletin.i18n import ui_languages
from bulletin.services import postings
from bulletin.services.actors import SystemActor
from bulletin.taxonomy import LANGUAGE_CODES, LANGUAGES, language_direction

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
ACTOR = SystemActor("test")
RTL = [language.code for language in LANGUAGES if language.direction == "rtl"]

# What every phone's own fonts have: Latin with its extensions (Turkish ğ ı ş, Kurmanji ê î û, French œ,
# German ß), punctuation, currency, arrows, simple symbols (✓). Nothing here needs a web font.
PHONE_RANGES = (
    (0x0000, 0x024F), (0x02B0, 0x036F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF),
    (0x2100, 0x214F), (0x2190, 0x21FF), (0x25A0, 0x25FF), (0x2700, 0x27BF),
)
SCRIPT_FONTS = {
    "Arabic": "fonts/vazirmatn-arabic-400.woff2",
    "Ethiopic": "fonts/noto-sans-ethiopic-400.woff2",
    "Cyrillic": "fonts/noto-sans-cyrillic-400.woff2",
}
ALPHABETS = {
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة٠١٢٣٤٥٦٧٨٩،؛؟ًٌٍَُِّْ",
    "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأئ۰۱۲۳۴۵۶۷۸۹\u200c،؛؟",
    "ps": "ابپتټثجچحخځڅدډذرړزږژسشښصضطظعغفقکګلمنڼوهۀیېۍئ۰۱۲۳۴۵۶۷۸۹",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "ti": "ሀለሐመረሰሸቀቐበቨተቸነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐቈቊቋቌቍኰኲኳኴኵጐጒጓጔጕ፡።፣፤፥፦፧",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ",
    "ku": "abcçdeêfghiîjklmnopqrsştuûvwxyzABCÇDEÊFGHIÎJKLMNOPQRSŞTUÛVWXYZ",
    "de": "äöüßÄÖÜẞ", "fr": "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ«»", "so": "abcdefghijklmnopqrstuvwxyz'",
}
# A posting written in each language, as an organisation or a volunteer would.
SAMPLES = {
    "de": "Kinderwagen abzugeben, gut erhalten",
    "en": "Pram to give away, in good condition",
    "ar": "عربة أطفال للتبرع بحالة جيدة",
    "fa": "کالسکه بچه رایگان، در وضعیت خوب",
    "uk": "Віддаємо дитячий візок у гарному стані",
    "ru": "Отдаём детскую коляску в хорошем состоянии",
    "tr": "Bebek arabası ücretsiz, iyi durumda",
    "fr": "Poussette à donner, en bon état",
    "ps": "د ماشومانو ګاډی وړیا، په ښه حالت کې",
    "ti": "ናይ ህጻናት ዓረብያ ብነጻ ይወሃብ፡ ጽቡቕ ኩነታት",
    "ku": "Erebeya zarokan belaş e, rewşa wê baş e",
    "so": "Gaariga carruurta oo bilaash ah, xaalad wanaagsan",
}
PAGE_BUDGET = 30 * 1024
# Tigrinya on a phone without any Ethiopic font (Android and iOS have one, used through local()): the
# Ethiopic syllabary is ~350 distinct glyphs, 45 KB even unhinted and regular only. Once, then cached.
ETHIOPIC_WORST_CASE_BUDGET = 60 * 1024


def page(response) -> str:
    return response.get_data(as_text=True)


def script_of(char: str) -> str | None:
    """The web-font script a character needs, or None when the phone's own fonts have it."""
    code = ord(char)
    if any(low <= code <= high for low, high in PHONE_RANGES):
        return None
    name = unicodedata.name(char, "")
    if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
        return "Arabic"
    if 0x1200 <= code <= 0x137F:
        return "Ethiopic"
    if 0x0400 <= code <= 0x04FF:
        return "Cyrillic"
    return name or f"U+{code:04X}"


def cmap(file: str) -> set[int]:
    return set(TTFont(STATIC / file).getBestCmap())


def test_all_twelve_languages_are_interface_languages(app):
    assert ui_languages(app) == LANGUAGE_CODES
    assert len(LANGUAGE_CODES) == 12
    assert RTL == ["ar", "fa", "ps"]


# Every public page in every language ----------------------------------------------------------------


@pytest.fixture
def board(make_organisation, make_posting, today):
    organisation = make_organisation(name="Möbelbörse Altstadt e.V.",
                                     descriptions={"de": "Gebrauchte Möbel."})
    open_posting = make_posting(organisation=organisation,
                                title={"de": "Sofa abzugeben", "ar": "أريكة للتبرع"},
                                category="furniture-household", valid_until=today + timedelta(days=30))
    closed = make_posting(organisation=organisation, title={"de": "Schrank"}, status="closed")
    return {
        "home": ("/{lang}/", 200),
        "category": ("/{lang}/categories/furniture-household", 200),
        "posting": (f"/{{lang}}/postings/{open_posting.id}", 200),
        "organisations": ("/{lang}/organisations", 200),
        "organisation": (f"/{{lang}}/organisations/{organisation.key}", 200),
        "search": ("/{lang}/search?q=Sofa", 200),
        "not found": ("/{lang}/no-such-page", 404),
        "gone": (f"/{{lang}}/postings/{closed.id}", 410),
    }


def chooser(html: str) -> str:
    return re.search(r'<details class="language-chooser">.*?</details>', html, re.S).group(0)


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_public_page_renders_in_every_language(client, board, lang):
    direction = language_direction(lang)
    for name, (pattern, status) in board.items():
        url = pattern.format(lang=lang)
        response = client.get(url)
        html = page(response)
        assert response.status_code == status, (name, html[-500:])
        assert f'<html lang="{lang}" dir="{direction}">' in html, name
        assert re.search(r'<link rel="stylesheet" href="/static/css/fonts\.css\?v=[0-9a-f]{12}">', html), name

        # The chooser: every language in its own name and script, to this very page where it exists.
        languages = chooser(html)
        for language in LANGUAGES:
            code = language.code
            target = f"/{code}/" if status == 404 else url.replace(f"/{lang}/", f"/{code}/", 1)
            link = (f'<a class="native-name" href="{target.replace("&", "&amp;")}" lang="{code}" '
                    f'dir="{language.direction}" hreflang="{code}"')
            assert link in languages, (name, link)
            assert f">{language.native_name}</a>" in languages
        assert languages.count('aria-current="true"') == 1
        assert f'hreflang="{lang}" aria-current="true">' in languages

        # hreflang alternates for search engines, only where the page has language versions.
        alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
        if status != 200:
            assert alternates == [], name
            continue
        assert [code for code, _ in alternates] == [*LANGUAGE_CODES, "x-default"], name
        for code, href in alternates[:-1]:
            assert href == "http://board.test" + url.replace(f"/{lang}/", f"/{code}/", 1)
        x_default = alternates[-1][1]
        assert x_default == ("http://board.test/" if name == "home" else
                             "http://board.test" + url.replace(f"/{lang}/", "/de/", 1))


def test_the_bare_address_picks_the_browsers_language_without_a_cookie(client):
    for header, expected in (("fa-IR,fa;q=0.9,en;q=0.5", "/fa/"), ("ti", "/ti/"), ("uk-UA", "/uk/"),
                             ("xx", "/de/")):
        response = client.get("/", headers={"Accept-Language": header})
        assert response.status_code == 302 and response.headers["Location"].endswith(expected), header
        assert "Set-Cookie" not in response.headers
        assert "Accept-Language" in response.headers["Vary"]


def test_the_chosen_language_stays_in_every_link(client, board):
    html = page(client.get("/ps/categories/furniture-household"))
    main = html.split("<main", 1)[1]
    links = re.findall(r'href="(/[^"]*)"', main)
    outside = ("/static/", "/api/")  # files and open data have no language
    assert links and all(link.startswith("/ps/") for link in links if not link.startswith(outside))


# User text isolated from the sentence around it -----------------------------------------------------


class IsolationCheck(HTMLParser):
    """Finds every place a piece of user text appears and whether it is isolated there: inside <bdi> or an
    element with its own dir (an element with dir="auto" takes its direction from the text itself), or
    wrapped in U+2068 ... U+2069 in plain text."""

    VOID = page_weight.VOID

    def __init__(self, needles: list[str]):
        super().__init__(convert_charrefs=True)
        self.needles = needles
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[str, bool, bool]] = []  # (needle, isolated, has lang)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [tag for tag, _ in self.stack]
        if "head" in tags or "body" not in tags:
            return
        inner = self.stack[tags.index("body") + 1:]
        isolated = any(tag == "bdi" or "dir" in attrs for tag, attrs in inner)
        has_lang = any("lang" in attrs for _, attrs in inner)
        for needle in self.needles:
            for match in re.finditer(re.escape(needle), data):
                wrapped = data[:match.start()].endswith("\u2068") and data[match.end():].startswith("\u2069")
                self.found.append((needle, isolated or wrapped, has_lang))


def isolation(html: str, needles: list[str]) -> list[tuple[str, bool, bool]]:
    checker = IsolationCheck(needles)
    checker.feed(html)
    return checker.found


@pytest.fixture
def mixed_board(make_organisation, make_posting, make_user, db):
    german = make_organisation(name="Möbelbörse Altstadt e.V.", phone="+49 7141 12345",
                               email="info@moebel.example.org", address="Marktplatz 1, 71000 Neustetten",
                               descriptions={"de": "Gebrauchte Möbel (gratis)!"})
    arabic = make_organisation(name="جمعية الجالية العربية", descriptions={"ar": "نساعد العائلات الجديدة."})
    sofa = make_posting(organisation=german, title={"de": "Sofa (3-Sitzer) abzugeben!"},
                        bodies={"de": "Grau, 2 m breit."}, district="Altstadt")
    course = make_posting(organisation=arabic, title={"ar": "دروس لغة عربية للأطفال (مجانًا)"},
                          bodies={"ar": "كل يوم سبت، الساعة 10."}, category="language")
    translator = make_user(role="translator")
    translator.languages = ["fa"]
    db.commit()
    return {"german": german, "arabic": arabic, "sofa": sofa, "course": course,
            "member": make_user(organisation=german), "translator": translator,
            "coordinator": make_user(role="coordinator")}


USER_TEXT = ["Möbelbörse Altstadt e.V.", "جمعية الجالية العربية", "Sofa (3-Sitzer) abzugeben!",
             "Grau, 2 m breit.", "دروس لغة عربية للأطفال (مجانًا)", "كل يوم سبت، الساعة 10.",
             "Marktplatz 1, 71000 Neustetten", "+49 7141 12345", "info@moebel.example.org",
             "Gebrauchte Möbel (gratis)!", "نساعد العائلات الجديدة."]
WRITTEN_TEXT = USER_TEXT[2:6] + USER_TEXT[9:]  # what someone wrote in a language: it carries its lang


def assert_isolated(html: str, url: str) -> int:
    found = isolation(html, USER_TEXT)
    for needle, isolated, has_lang in found:
        assert isolated, f"{url}: {needle!r} is not isolated"
        if needle in WRITTEN_TEXT:
            assert has_lang, f"{url}: {needle!r} does not say its language"
    return len(found)


@pytest.mark.parametrize("lang", [*RTL, "de"])
def test_user_text_is_isolated_on_every_page_it_appears(client, login, csrf_token, mixed_board, lang):
    sofa, course = mixed_board["sofa"], mixed_board["course"]
    public = [f"/{lang}/", f"/{lang}/categories/furniture-household", f"/{lang}/categories/language",
              f"/{lang}/postings/{sofa.id}", f"/{lang}/postings/{course.id}", f"/{lang}/organisations",
              f"/{lang}/organisations/{mixed_board['german'].key}",
              f"/{lang}/organisations/{mixed_board['arabic'].key}",
              f"/{lang}/search?q=Sofa", f"/{lang}/search?q=دروس", f"/{lang}/search?q=Sofa دروس"]
    seen = 0
    for url in public:
        seen += assert_isolated(page(client.get(url)), url)
    login(mixed_board["member"])
    own = f"/{lang}/dashboard/postings/{sofa.id}"
    for url in (f"/{lang}/dashboard/", f"/{lang}/dashboard/members", f"{own}/edit", f"{own}/translations/ar"):
        seen += assert_isolated(page(client.get(url)), url)
    client.post(f"/{lang}/account/logout", data={"csrf_token": csrf_token()})
    login(mixed_board["coordinator"])
    for url in (f"/{lang}/desk/postings", f"/{lang}/translate/"):
        seen += assert_isolated(page(client.get(url)), url)
    client.post(f"/{lang}/account/logout", data={"csrf_token": csrf_token()})
    login(mixed_board["translator"])
    for url in (f"/{lang}/translate/", f"/{lang}/translate/postings/{sofa.id}/fa",
                f"/{lang}/translate/organisations/{mixed_board['arabic'].id}/fa"):
        seen += assert_isolated(page(client.get(url)), url)
    assert seen > 40  # the text was really there to check


def test_contact_details_keep_left_to_right_on_right_to_left_pages(client, mixed_board):
    html = page(client.get(f"/ar/postings/{mixed_board['sofa'].id}"))
    assert '<a href="tel:+49714112345" dir="ltr">+49 7141 12345</a>' in html
    assert '<a href="mailto:info@moebel.example.org" dir="ltr">info@moebel.example.org</a>' in html
    assert '<h1 lang="de" dir="auto">Sofa (3-Sitzer) abzugeben!</h1>' in html
    assert "<title>\u2068Sofa (3-Sitzer) abzugeben!\u2069 · " in html  # plain text: isolated by marks


def test_the_isolation_check_notices_text_that_is_not_isolated():
    html = "<html><body><main><p>Angebot von Möbelbörse Altstadt e.V. heute</p></main></body></html>"
    assert isolation(html, ["Möbelbörse Altstadt e.V."]) == [("Möbelbörse Altstadt e.V.", False, False)]


def test_mixed_direction_search_queries_find_postings_in_either_script(client, make_posting, db):
    course = make_posting(title={"de": "Deutschkurs für Anfänger"}, bodies={"de": "Montags um 18 Uhr."})
    postings.set_translation(db, ACTOR, course, "ar", "دورة لغة ألمانية للمبتدئين", "كل يوم اثنين.")
    db.commit()
    make_posting(title={"de": "Fahrrad"})
    for query in ("Deutschkurs دورة", "دورة Deutschkurs", "\u200fدورة\u200f \u200eAnfänger\u200e",
                  "ألمانية", "\u2067دورة\u2069 Deutschkurs"):
        for lang in ("ar", "de"):
            html = page(client.get(f"/{lang}/search", query_string={"q": query}))
            assert f'href="/{lang}/postings/{course.id}"' in html, (lang, query)
            assert "Fahrrad" not in html
    html = page(client.get("/ar/search", query_string={"q": "Deutschkurs دورة"}))
    # The query stays as typed, in its own direction.
    search_field = r'<input id="search-q" type="search" name="q" value="Deutschkurs دورة"[^>]* dir="auto">'
    assert re.search(search_field, html)
    # Shown in Arabic: the translation, in its own direction.
    assert '<h3 lang="ar" dir="auto"><a href="/ar/postings/' in html


# Right-to-left layout -------------------------------------------------------------------------------


def test_stylesheets_mirror_by_themselves_and_flip_only_arrows():
    board_css = (STATIC / "css" / "board.css").read_text(encoding="utf-8")
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right", "border-left",
                     "border-right", "text-align: left", "text-align: right", "float: left", "float: right",
                     " left:", " right:"):
        assert physical not in board_css, physical
    # Arrows point the way of reading; pictograms are never mirrored.
    assert '.forward:dir(rtl)::after { content: " \\2190"' in board_css
    assert '.back:dir(rtl)::before { content: "\\2192 "' in board_css
    assert '[dir="rtl"] .forward::after' in board_css  # browsers without :dir()
    mirrored = [rule for rule in re.findall(r"[^{}]+\{[^}]*\}", board_css) if "scaleX(-1)" in rule]
    assert ".pictogram" in board_css and not any("pictogram" in rule for rule in mirrored)


def test_templates_use_no_physical_directions():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert 'align="left"' not in text and 'align="right"' not in text, path
        assert not re.search(r"[←→‹›]", text), path  # arrows come from the stylesheet, mirrored


# Fonts ----------------------------------------------------------------------------------------------


def test_fonts_css_names_each_file_with_its_content_hash():
    css = (STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("\.\./(fonts/[^"?]+)\?v=([0-9a-f]{12})"\)', css)
    assert urls
    for file, version in urls:
        assert hashlib.sha256((STATIC / file).read_bytes()).hexdigest()[:12] == version, file
    shipped = {f"fonts/{name}" for name in os.listdir(STATIC / "fonts") if name.endswith(".woff2")}
    assert shipped == {file for file, _ in urls}  # nothing shipped that no page can use
    assert "url(" not in re.sub(r'url\("\.\./fonts/[^"]+"\)', "", css)  # only our own files


def test_every_font_comes_with_its_licence():
    readme = (STATIC / "fonts" / "README.md").read_text(encoding="utf-8")
    for name in os.listdir(STATIC / "fonts"):
        if name.endswith(".woff2"):
            assert name in readme, name
    for licence in ("OFL-noto-sans.txt", "OFL-noto-sans-ethiopic.txt", "OFL-vazirmatn.txt"):
        text = (STATIC / "fonts" / licence).read_text(encoding="utf-8")
        assert "SIL Open Font License, Version 1.1" in text and "Copyright" in text.splitlines()[0]
        assert licence in readme


@pytest.mark.parametrize("lang", ["ar", "fa", "ps", "uk", "ru", "ti"])
def test_the_script_font_has_every_letter_of_the_language(lang):
    letters = {char for char in ALPHABETS[lang] if script_of(char)}
    scripts = {script_of(char) for char in letters}
    assert len(scripts) == 1, scripts
    font = cmap(SCRIPT_FONTS[scripts.pop()])
    missing = {char for char in letters if ord(char) not in font}
    assert not missing, "".join(sorted(missing))


@pytest.mark.parametrize("lang", ["de", "tr", "ku", "fr", "so"])
def test_latin_languages_need_no_web_font(lang):
    assert [char for char in ALPHABETS[lang] if script_of(char)] == []


def test_the_ethiopic_font_has_the_whole_syllabary():
    assigned = {code for code in range(0x1200, 0x1380) if unicodedata.name(chr(code), "")}
    assert assigned - cmap(SCRIPT_FONTS["Ethiopic"]) == set()


def test_the_languages_own_names_are_in_the_small_names_fonts():
    css = (STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
    faces = [face for face in page_weight.font_faces(str(STATIC)) if face.family == "Board Names"]
    needed = {char for language in LANGUAGES for char in language.native_name if script_of(char)}
    covered = {char for char in needed if any(face.covers(char) for face in faces)}
    assert covered == needed, "".join(sorted(needed - covered))
    for face in faces:
        in_range = {chr(code) for low, high in face.ranges for code in range(low, high + 1)}
        assert in_range <= needed, face.file  # exactly the names: other text never pulls these in
        assert {ord(char) for char in in_range} <= cmap(face.file), face.file
    assert ".native-name" in css


@pytest.mark.parametrize("path", sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")),
                         ids=lambda path: path.parts[-3])
def test_every_character_of_the_translations_has_a_font(path):
    """A translator's character that no shipped font and no phone has would show as an empty box."""
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    characters = set()
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        characters.update("".join(string or "" for string in strings))
    fonts = {script: cmap(file) for script, file in SCRIPT_FONTS.items()}
    for char in characters:
        script = script_of(char)
        if script is None or unicodedata.category(char) in ("Cf", "Mn", "Zs", "Cc"):
            continue
        assert script in fonts, f"{char!r} ({script}) in {path.parts[-3]} has no font"
        assert ord(char) in fonts[script], f"{char!r} in {path.parts[-3]} is missing from {script}"


# What a first visit costs, in every language ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_a_posting_page_in_its_own_script_stays_small(app, client, make_posting, lang):
    posting = make_posting(title={lang: SAMPLES[lang]}, bodies={lang: (SAMPLES[lang] + ". ") * 20})
    html = client.get(f"/{lang}/postings/{posting.id}").get_data()
    total, parts = page_weight.first_visit_bytes(client, html, app.static_folder)
    fonts = {part for part in parts if part.startswith("fonts/")}
    scripts = {script_of(char) for char in SAMPLES[lang]} - {None}
    assert fonts == {SCRIPT_FONTS[script] for script in scripts} | (
        {"fonts/noto-sans-cyrillic-700.woff2"} if "Cyrillic" in scripts else set()
    ), parts
    assert total <= (ETHIOPIC_WORST_CASE_BUDGET if "Ethiopic" in scripts else PAGE_BUDGET), parts


def test_a_german_page_downloads_no_script_font(app, client, make_posting):
    posting = make_posting(title={"de": SAMPLES["de"]})
    for url in ("/de/", f"/de/postings/{posting.id}", "/de/search?q=Kinderwagen", "/de/organisations"):
        html = client.get(url).get_data()
        assert page_weight.fonts_needed(html.decode(), app.static_folder) == set(), url


def test_fonts_are_served_as_fonts_and_cached_for_a_year(client):
    css = (STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
    for file, version in re.findall(r'url\("\.\./(fonts/[^"?]+)\?v=([0-9a-f]{12})"\)', css):
        with client.get(f"/static/{file}?v={version}") as response:
            assert response.status_code == 200, file
            assert response.mimetype == "font/woff2"
            assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
