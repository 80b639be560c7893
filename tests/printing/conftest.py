"""Reading a printed PDF back as a person would: the words on each half of a page, and where each QR
code sends a phone."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import pypdf
import pypdfium2
import pytest
import zxingcpp

RENDER_SCALE = 2  # 144 dpi: a QR module is several pixels wide, as on a phone's camera image


@dataclass(frozen=True)
class PrintedPage:
    width: float  # points
    height: float
    text: str  # every word on the page, white space normalised
    top: str  # the words on the upper half
    bottom: str  # and on the lower half
    codes: tuple[tuple[str, str, str], ...]  # what a QR code says, "top"/"bottom", "left"/"right"

    def says(self, words: str, part: str = "text") -> bool:
        """Whether ``words`` stand on the page (or its "top" or "bottom" half), line breaks aside."""
        text, wanted = getattr(self, part), normalised(words)
        if wanted in text:
            return True
        # A PDF keeps mixed-direction lines in visual runs: a Latin name or a colon inside an Arabic
        # sentence comes out on either side of it. Then each word must still be there, in the same half.
        if any(unicodedata.bidirectional(char) in ("R", "AL") for char in wanted):
            return all(word in text for word in re.findall(r"\w+", wanted))
        return False


def normalised(text: str) -> str:
    return " ".join(text.split())


def _texts(page: pypdf.PageObject) -> tuple[str, str, str]:
    half = float(page.mediabox.height) / 2
    parts: dict[str, list[str]] = {"top": [], "bottom": []}

    def visit(text, cm, tm, _font, _size):
        y = pypdf.mult(tm, cm)[5]
        parts["top" if y > half else "bottom"].append(text)

    whole = page.extract_text(visitor_text=visit)
    return normalised(whole), normalised(" ".join(parts["top"])), normalised(" ".join(parts["bottom"]))


def _codes(document: pypdfium2.PdfDocument, index: int) -> tuple[tuple[str, str, str], ...]:
    page = document[index]
    try:
        image = page.render(scale=RENDER_SCALE).to_pil()
    finally:
        page.close()
    found = []
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        corner = barcode.position.top_left
        assert barcode.ec_level == "H"  # restores 30 % of the symbol: a photocopy or a pin hole is fine
        found.append((barcode.text, "top" if corner.y < image.height / 2 else "bottom",
                      "left" if corner.x < image.width / 2 else "right"))
    return tuple(found)


def read_pdf(data: bytes) -> list[PrintedPage]:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    document = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for index, page in enumerate(reader.pages):
            text, top, bottom = _texts(page)
            pages.append(PrintedPage(
                width=float(page.mediabox.width), height=float(page.mediabox.height),
                text=text, top=top, bottom=bottom, codes=_codes(document, index),
            ))
        return pages
    finally:
        document.close()


def embedded_fonts(data: bytes) -> set[str]:
    """The base names of the fonts the PDF carries inside it."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            if any(key.startswith("/FontFile") for key in descendant["/FontDescriptor"].get_object()):
                names.add(str(font["/BaseFont"]))
    return names


@pytest.fixture
def pdf_reader():
    return read_pdf


@pytest.fixture
def pdf_fonts():
    return embedded_fonts
