"""Sheets for the notice boards in shelters: one posting with tear-off strips, or a district's offers.

Each language block is prepared inside ``force_locale`` of its language, so its labels come from that
language's catalogue; the posting's own words are shown in the languages it was written or translated in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from bulletin.models import Organisation, Posting, PostingText
from bulletin.printing.flyer import short_address
from bulletin.printing.qr import qr_data_uri
from bulletin.printing.words import Words, in_language, words
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_BY_CODE, POSTING_TYPES, language_direction

TEXT_BUDGET = 1500  # characters of description on one sheet, shared by its languages
MIN_TEXT = 240  # no language gets less, however many there are
TEAR_OFF_STRIPS = 8
STRIP_TITLE = 32  # characters of the title on a strip


@dataclass(frozen=True)
class KindLine:
    """"Offer · Clothing" in one language."""

    kind: Words
    category: Words


@dataclass(frozen=True)
class NoticeText:
    language: str
    direction: str
    title: str
    body: str
    notes: tuple[Words, ...]  # "translated from ...", and "more online" when the body was cut


@dataclass(frozen=True)
class NoticeContact:
    organisation: str
    phone: str | None
    email: str | None
    website: str | None
    address: str | None
    district: str | None


@dataclass(frozen=True)
class Notice:
    title: str
    language: str  # the first chosen language: the shared labels are in it
    direction: str
    icon: str
    kinds: tuple[KindLine, ...]
    texts: tuple[NoticeText, ...]
    contact: NoticeContact
    labels: dict[str, Words]
    valid_until: str | None
    qr: str
    address: str
    scan_captions: tuple[Words, ...]
    strip_title: str
    strip_contact: str
    strips: int


@dataclass(frozen=True)
class SheetOffer:
    titles: tuple[Words, ...]  # in the chosen languages it has, else its original
    organisation: str
    phone: str | None
    valid_until: str | None
    address: str
    qr: str


@dataclass(frozen=True)
class DistrictSheet:
    title: str
    language: str
    direction: str
    icon: str
    headings: tuple[Words, ...]
    as_of: Words
    until_label: Words
    offers: tuple[SheetOffer, ...]
    empty: tuple[Words, ...]
    qr: str  # to the category page of the district, which lists the same offers


def language_name(code: str, reader: str) -> str:
    """A language's name in the reader's language; its own name when Babel does not know it."""
    try:
        name = Locale.parse(reader).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    return name or (LANGUAGE_BY_CODE[code].native_name if code in LANGUAGE_BY_CODE else code)


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` characters, cut after a whole word; and whether anything was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:-–")
    return cut + " …", True


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def texts_to_show(posting: Posting, languages: tuple[str, ...]) -> list[PostingText]:
    """The posting's texts in the chosen languages; its original when it has none of them."""
    by_language = {text.language: text for text in posting.texts}
    chosen = [by_language[code] for code in languages if code in by_language]
    return chosen or [posting.text(posting.original_language)]


def _kind_lines(posting: Posting, languages: tuple[str, ...]) -> tuple[KindLine, ...]:
    lines: list[KindLine] = []
    kind, category = POSTING_TYPES[posting.type], CATEGORY_BY_SLUG[posting.category].label
    for code in languages:
        line = KindLine(in_language(code, lambda: str(kind)), in_language(code, lambda: str(category)))
        if line not in lines:
            lines.append(line)
    return tuple(lines)


def _notice_text(text: PostingText, budget: int) -> NoticeText:
    body, cut = shorten(text.body or "", budget)
    notes = []
    if not text.is_original:
        source = language_name(text.source_language, text.language)
        notes.append(in_language(text.language, lambda: _("Translated from %(language)s", language=source)))
    if cut:
        notes.append(in_language(text.language, lambda: _("The whole text is online: scan the code.")))
    return NoticeText(
        language=text.language,
        direction=language_direction(text.language),
        title=text.title,
        body=body,
        notes=tuple(notes),
    )


def _valid_until(day: date | None) -> str | None:
    return format_date(day, format="long") if day else None


def _contact(posting: Posting) -> NoticeContact:
    organisation: Organisation = posting.organisation
    return NoticeContact(
        organisation=organisation.name,
        phone=organisation.phone,
        email=organisation.email,
        website=short_address(organisation.website) if organisation.website else None,
        address=organisation.address,
        district=posting.district or organisation.district,
    )


def _in_each_language(languages: tuple[str, ...], message: Callable[[], str]) -> tuple[Words, ...]:
    """``message()`` in each of ``languages``, leaving out repeats (untranslated ones fall back alike)."""
    said: list[Words] = []
    for code in languages:
        caption = in_language(code, message)
        if all(caption.value != known.value for known in said):
            said.append(caption)
    return tuple(said)


def notice(posting: Posting, languages: tuple[str, ...], posting_url: str) -> Notice:
    """The A4 sheet of one posting in ``languages``, with a QR code to ``posting_url``."""
    shown = texts_to_show(posting, languages)
    budget = max(MIN_TEXT, TEXT_BUDGET // len(shown))
    primary = languages[0]
    contact = _contact(posting)
    first_title = shown[0].title
    labels = {
        "contact": in_language(primary, lambda: _("How to get in touch")),
        "valid_until": in_language(primary, lambda: _("Valid until")),
        "district": in_language(primary, lambda: _("District")),
    }
    with force_locale(primary):
        valid_until = _valid_until(posting.valid_until)
    return Notice(
        title=first_title,
        language=primary,
        direction=language_direction(primary),
        icon=CATEGORY_BY_SLUG[posting.category].icon,
        kinds=_kind_lines(posting, languages),
        texts=tuple(_notice_text(text, budget) for text in shown),
        contact=contact,
        labels=labels,
        valid_until=valid_until,
        qr=qr_data_uri(posting_url),
        address=short_address(posting_url),
        scan_captions=_in_each_language(languages, lambda: _("Scan for the details")),
        strip_title=shorten(one_line(first_title), STRIP_TITLE)[0],
        strip_contact=contact.phone or contact.email or contact.organisation,
        strips=TEAR_OFF_STRIPS,
    )


def _sheet_offer(posting: Posting, languages: tuple[str, ...], posting_url: str) -> SheetOffer:
    titles: list[Words] = []
    for text in texts_to_show(posting, languages):
        if all(text.title != known.value for known in titles):
            titles.append(words(text.title, text.language))
    return SheetOffer(
        titles=tuple(titles),
        organisation=posting.organisation.name,
        phone=posting.organisation.phone,
        valid_until=_valid_until(posting.valid_until),
        address=short_address(posting_url),
        qr=qr_data_uri(posting_url),
    )


def district_sheet(offers: list[Posting], district: str, category_slug: str, languages: tuple[str, ...],
                   posting_url: Callable[[Posting], str], list_url: str, today: date) -> DistrictSheet:
    """All open offers of one district and category, each with its own QR code."""
    category = CATEGORY_BY_SLUG[category_slug]
    headings = _in_each_language(languages, lambda: _(
        "Offers in %(district)s: %(category)s", district=district, category=str(category.label)
    ))
    primary = languages[0]
    return DistrictSheet(
        title=headings[0].value,
        language=primary,
        direction=language_direction(primary),
        icon=category.icon,
        headings=headings,
        as_of=in_language(primary, lambda: _(
            "As of %(date)s. Scan a code for the details.", date=format_date(today, format="long")
        )),
        until_label=in_language(primary, lambda: _("Valid until")),
        offers=tuple(_sheet_offer(posting, languages, posting_url(posting)) for posting in offers),
        empty=_in_each_language(languages, lambda: _("There are no open offers here at the moment.")),
        qr=qr_data_uri(list_url),
    )


def posting_stamp(posting: Posting) -> list:
    """What of a posting a sheet shows changes with these: part of the cache key."""
    return [
        posting.id,
        posting.updated_at,
        sorted([text.language, text.updated_at] for text in posting.texts),
        posting.organisation.updated_at,
    ]


def notice_filename(posting: Posting, languages: tuple[str, ...]) -> str:
    return f"notice-{posting.id}-{'-'.join(languages)}.pdf"


def sheet_filename(district: str, category_slug: str, languages: tuple[str, ...]) -> str:
    district_part = re.sub(r"[^A-Za-z0-9]+", "-", district).strip("-").lower() or "district"
    return f"offers-{district_part}-{category_slug}-{'-'.join(languages)}.pdf"
