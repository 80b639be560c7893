"""Every script on a phone that has no fonts of its own, in a real browser.

Chromium runs with a font configuration that offers one Latin font and nothing else (no Arabic, no
Cyrillic, no Ethiopic), like a phone bought elsewhere. Whatever else the page shows must come from the
board's own web fonts. A character no font has is drawn as the "missing glyph" box, the same box for every
such character: the check draws each character of the page in the font its element uses and compares it
with a character that has no glyph anywhere (U+0378 is unassigned). Same pixels: an empty box.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from sqlmodel import select

from bulletin import importer
from bulletin.models import Organisation
from bulletin.services import postings
from bulletin.services.actors import SystemActor

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "bulletin" / "data" / "demo.jsonl"
ACTOR = SystemActor("test")
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
# The phone's own font: Latin with its extensions, punctuation, arrows and simple symbols such as ✓.
PHONE_UNICODES = "U+0000-024F,U+02B0-036F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF," \
                 "U+25A0-25FF,U+2700-27BF"

COURSE = {
    "de": ("Deutschkurs für Frauen mit Kinderbetreuung",
           "Dienstags und donnerstags von 9 bis 11 Uhr. Die Anmeldung ist kostenlos."),
    "ar": ("دورة لغة ألمانية للنساء مع رعاية الأطفال",
           "كل ثلاثاء وخميس من الساعة 9 إلى 11. التسجيل مجاني."),
    "fa": ("کلاس زبان آلمانی برای زنان با نگهداری از کودکان",
           "سه‌شنبه‌ها و پنج‌شنبه‌ها از ساعت ۹ تا ۱۱. ثبت‌نام رایگان است."),
    "ps": ("د ښځو لپاره د الماني ژبې کورس د ماشومانو له ساتنې سره",
           "سه شنبه او پنجشنبه له ۹ بجو تر ۱۱ بجو. نوم لیکنه وړیا ده."),
    "ti": ("ንደቂ ኣንስትዮ ናይ ጀርመን ቋንቋ ትምህርቲ ምስ ክንክን ህጻናት",
           "ሰሉስን ሓሙስን ካብ ሰዓት 9 ክሳብ 11። ምዝገባ ብነጻ እዩ።"),
    "uk": ("Курс німецької мови для жінок з доглядом за дітьми",
           "Щовівторка та щочетверга з 9 до 11. Реєстрація безкоштовна."),
}
# The board's own font for each script, as fonts.css names it.
SCRIPT_FAMILY = {"ar": "Board Arabic", "fa": "Board Arabic", "ti": "Board Ethiopic", "uk": "Board Cyrillic"}

MISSING_GLYPHS = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (font, char) => {
    context.clearRect(0, 0, 64, 64);
    context.font = font;
    context.fillText(char, 8, 44);
    return context.getImageData(0, 0, 64, 64).data.join(",");
  };
  const boxes = new Map();
  const missing = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = /[\\p{Z}\\p{C}\\p{M}]/u;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || !element.checkVisibility()) continue;
    const style = getComputedStyle(element);
    const font = `${style.fontStyle} ${style.fontWeight} 32px ${style.fontFamily}`;
    if (!boxes.has(font)) boxes.set(font, draw(font, "\\u0378"));
    for (const char of new Set(node.data)) {
      if (skip.test(char)) continue;
      if (draw(font, char) === boxes.get(font)) missing.set(char, node.data.trim().slice(0, 60));
    }
  }
  return Array.from(missing, ([char, text]) => ({char, text}));
}"""

LOADED_FAMILIES = "() => Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)"


def phone_fonts(folder: Path) -> Path:
    """A font configuration with one Latin font, cut from a font of this machine; returns its file."""
    fc_list = shutil.which("fc-list")  # fontconfig's, which Chromium uses too
    try:
        found = subprocess.run(  # noqa: S603 - a fixed command of this machine, no outside input
            [fc_list, ":charset=41 e9 11f 2713 2192", "file"], capture_output=True, text=True, check=True,
            timeout=30,
        ).stdout.split() if fc_list else []
    except (OSError, subprocess.SubprocessError):
        found = []
    candidates = [Path(line.rstrip(":")) for line in found if line.rstrip(":").endswith(".ttf")]
    regular = [path for path in candidates if "Bold" not in path.name and "Oblique" not in path.name]
    if not regular:
        pytest.skip("no Latin font with symbols on this machine to play the phone's own font")
    fonts = folder / "fonts"
    fonts.mkdir()
    font = TTFont(regular[0])
    options = subset.Options()
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(PHONE_UNICODES))
    subsetter.subset(font)
    font.save(fonts / "phone-latin.ttf")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def phone_browser(chromium, tmp_path_factory):
    """A second Chromium, launched like the first (tests/conftest.py), that sees only the phone's
    Latin font."""
    config = phone_fonts(tmp_path_factory.mktemp("phone"))
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run"]
    browser = chromium.browser_type.launch(
        executable_path=executable, args=flags, env={**os.environ, "FONTCONFIG_FILE": str(config)},
    )
    yield browser
    browser.close()


@pytest.fixture
def phone(phone_browser):
    contexts = []

    def open_page():
        context = phone_browser.new_context(**PHONE)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def course(db):
    """The demo town, and a German course translated into the languages of the screenshots."""
    assert importer.import_text(db, DEMO.read_text(encoding="utf-8")).saved
    db.commit()
    organisation = db.exec(select(Organisation).where(Organisation.status == "approved")).first()
    data = postings.PostingInput(type="offer", category="language", original_language="de",
                                 titles={code: title for code, (title, _) in COURSE.items()},
                                 bodies={code: body for code, (_, body) in COURSE.items()})
    posting = postings.create_posting(db, ACTOR, organisation, data)
    db.commit()
    return posting


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


def open_chooser(page) -> None:
    page.click(".language-chooser summary")
    settle(page)


@pytest.mark.parametrize("lang", ["ar", "fa", "ti", "uk"])
def test_home_and_posting_show_every_character_on_a_phone_without_fonts(live_server, phone, course, lang,
                                                                      screenshot_dir):
    for name, path in (("home", f"/{lang}/"), ("posting", f"/{lang}/postings/{course.id}")):
        page = phone()
        page.goto(live_server + path)
        settle(page)
        assert page.evaluate("document.documentElement.dir") == ("rtl" if lang in ("ar", "fa") else "ltr")
        shot = os.path.join(screenshot_dir, f"{name}-{lang}.png")
        page.screenshot(path=shot, full_page=(name == "posting"))
        assert SCRIPT_FAMILY[lang] in page.evaluate(LOADED_FAMILIES), name  # our font, not the phone's
        open_chooser(page)  # the languages' own names too
        assert page.evaluate(MISSING_GLYPHS) == [], f"{name} in {lang}"
        if name == "posting":
            assert COURSE[lang][0] in page.locator("h1").inner_text()


def test_a_german_page_downloads_no_web_font_until_the_chooser_opens(live_server, phone, course):
    page = phone()
    fonts = []
    page.on("request", lambda request: fonts.append(request.url) if "/static/fonts/" in request.url else None)
    page.goto(f"{live_server}/de/search?q=Tisch")
    settle(page)
    assert fonts == []
    assert page.evaluate(MISSING_GLYPHS) == []
    open_chooser(page)
    # The names of Arabic, Persian, Pashto, Ukrainian, Russian and Tigrinya: the small names files only.
    assert sorted(url.split("/static/fonts/")[1].split("?")[0] for url in fonts) == [
        "names-arabic.woff2", "names-cyrillic.woff2", "names-ethiopic.woff2",
    ]
    assert page.evaluate(MISSING_GLYPHS) == []


def test_the_check_finds_a_character_no_font_has(live_server, phone, make_posting):
    """Georgian is not among the board's languages: no shipped font and not this phone has it."""
    posting = make_posting(title={"de": "Sprachcafé ქართული"})
    page = phone()
    page.goto(f"{live_server}/de/postings/{posting.id}")
    settle(page)
    missing = page.evaluate(MISSING_GLYPHS)
    assert {item["char"] for item in missing} == set("ქართული")
    assert all("Sprachcafé" in item["text"] for item in missing)


def test_without_the_boards_fonts_this_phone_shows_empty_boxes(live_server, phone, course):
    """The phone really lacks these scripts: it is the board's fonts that make the pages readable."""
    for lang in ("ar", "ti", "uk"):
        page = phone()
        page.route("**/static/fonts/**", lambda route: route.abort())
        page.goto(f"{live_server}/{lang}/postings/{course.id}")
        settle(page)
        missing = {item["char"] for item in page.evaluate(MISSING_GLYPHS)}
        title = COURSE[lang][0]
        assert {char for char in title if not char.isspace()} <= missing, lang
