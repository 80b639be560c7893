"""What a first visit to a page costs: its HTML and stylesheets compressed, and the web fonts its text needs.

A browser fetches a font file only for characters it renders that fall in the file's unicode-range
(static/css/fonts.css). This module reads that stylesheet and the page as a browser would to say which
files those are: the text in the closed language chooser is not rendered, and the languages' own names
(class "native-name") use the small "Board Names" faces first. The worst case is assumed: the phone has
no font of its own for Arabic, Cyrillic or Ethiopic, so the local() sources never match.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser

BODY_FAMILIES = ("Board Arabic", "Board Ethiopic", "Board Cyrillic")  # fonts.css, body
NAMES_FAMILY = "Board Names"
# fonts.css: on a page in one of these scripts, names in the same script use the page's font.
SCRIPT_GROUPS = ({"ar", "fa", "ps"}, {"uk", "ru"}, {"ti"})
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: str
    file: str  # path below static/
    ranges: tuple[tuple[int, int], ...]

    def covers(self, char: str) -> bool:
        return any(low <= ord(char) <= high for low, high in self.ranges)


def unicode_ranges(value: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in value.split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def font_faces(static_folder: str) -> list[FontFace]:
    with open(os.path.join(static_folder, "css", "fonts.css"), encoding="utf-8") as handle:
        css = handle.read()
    faces = []
    for block in re.findall(r"@font-face\s*\{(.*?)\}", css, re.S):
        family = re.search(r'font-family:\s*"([^"]+)"', block).group(1)
        weight = re.search(r"font-weight:\s*(\d+)", block).group(1)
        url = re.search(r'url\("\.\./([^"?]+)', block).group(1)
        ranges = unicode_ranges(re.search(r"unicode-range:\s*([^;]+);", block).group(1))
        faces.append(FontFace(family, weight, url, ranges))
    return faces


class RenderedText(HTMLParser):
    """The characters a browser renders, split into ordinary text and languages' own names."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in (None, "text", "search") and attributes.get("value"):
            self._add(attributes["value"], attributes)
        if tag not in VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def _hidden(self) -> bool:
        tags = [tag for tag, _ in self.stack]
        if "head" in tags or "script" in tags or "style" in tags:
            return True
        # A closed <details> shows its <summary> only.
        for index, (tag, attributes) in enumerate(self.stack):
            if tag == "details" and "open" not in attributes:
                return not any(inner == "summary" for inner, _ in self.stack[index + 1:])
        return False

    def _language(self, own: dict | None) -> str | None:
        for attrs in [own or {}, *(attrs for _, attrs in reversed(self.stack))]:
            if attrs.get("lang"):
                return attrs["lang"]
        return None

    def _add(self, data: str, own: dict | None = None) -> None:
        in_names = any("native-name" in (attrs.get("class") or "").split() for _, attrs in self.stack)
        in_names = in_names or "native-name" in ((own or {}).get("class") or "").split()
        if len(self.stack) >= 2 and self.stack[-1][0] == "span" and self.stack[-2][0] == "label":
            in_names = in_names or "lang" in self.stack[-1][1]
        page_language = next((attrs.get("lang") for tag, attrs in self.stack if tag == "html"), None)
        same_script = any({page_language, self._language(own)} <= group for group in SCRIPT_GROUPS)
        (self.names if in_names and not same_script else self.text).append(data)

    def handle_data(self, data):
        if not self._hidden():
            self._add(data)


def fonts_needed(html: str, static_folder: str) -> set[str]:
    """The font files (paths below static/) a first visit to this page downloads."""
    parser = RenderedText()
    parser.feed(html)
    faces = font_faces(static_folder)
    needed = set()

    def first_covering(families, char):
        for family in families:
            matching = [face for face in faces if face.family == family and face.covers(char)]
            if matching:
                return matching  # every weight: headings are bold
        return []

    for char in set("".join(parser.text)):
        needed.update(face.file for face in first_covering(BODY_FAMILIES, char))
    for char in set("".join(parser.names)):
        needed.update(face.file for face in first_covering((NAMES_FAMILY, *BODY_FAMILIES), char))
    return needed


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def first_visit_bytes(client, html: bytes, static_folder: str) -> tuple[int, dict[str, int]]:
    """The page, its stylesheets (gzip, as a server would send them) and its fonts (woff2 is compressed)."""
    parts = {"html": len(gzip.compress(html))}
    for url in stylesheets(html.decode()):
        with client.get(url) as response:
            assert response.status_code == 200, url
            parts[url.split("?")[0]] = len(gzip.compress(response.get_data()))
    for file in sorted(fonts_needed(html.decode(), static_folder)):
        parts[file] = os.path.getsize(os.path.join(static_folder, file))
    return sum(parts.values()), parts
