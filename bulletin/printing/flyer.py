"""The flyer: one panel per language saying what the board is, how to use it, what it offers, whom to ask,
and a QR code that opens the board in that language.

Every panel's words come from its own language's catalogue (``force_locale``), English where a catalogue
has no translation yet, each tagged with the language it is really in. Templates only print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from bulletin.models import Organisation
from bulletin.printing.qr import qr_data_uri
from bulletin.printing.words import Words, in_language
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGE_BY_CODE

PAPERS = ("a4", "a5")
PANELS_PER_SHEET = 2  # without the booklet option: two panels per page, to cut apart


@dataclass(frozen=True)
class FlyerOptions:
    languages: tuple[str, ...]  # one panel each, in this order
    paper: str  # "a4" or "a5"
    booklet: bool  # one page per language instead of two panels per page
    categories: tuple[str, ...]  # category slugs to show, in the board's order


@dataclass(frozen=True)
class PanelCategory:
    label: Words
    icon: str


@dataclass(frozen=True)
class PanelContact:
    name: str
    phone: str | None
    email: str | None
    website: str | None
    address: str | None


@dataclass(frozen=True)
class FlyerPanel:
    language: str
    direction: str
    native_name: str
    site_name: str
    headline: Words
    intro: Words
    free_note: Words
    steps_heading: Words
    steps: tuple[Words, ...]
    categories_heading: Words
    categories: tuple[PanelCategory, ...]
    contacts_heading: Words
    contacts: tuple[PanelContact, ...]
    scan_text: Words
    address: str  # the board's address, to type in without a camera
    qr: str  # data URI of the QR code


@dataclass(frozen=True)
class Flyer:
    title: str
    paper: str
    layout: str  # "halves" (two panels per page) or "booklet" (one per page)
    sheets: tuple[tuple[FlyerPanel, ...], ...]


def short_address(url: str) -> str:
    """An address as people type it: no scheme, no trailing slash."""
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


def _contact(organisation: Organisation) -> PanelContact:
    return PanelContact(
        name=organisation.name,
        phone=organisation.phone,
        email=organisation.email,
        website=short_address(organisation.website) if organisation.website else None,
        address=organisation.address,
    )


def flyer_panel(code: str, options: FlyerOptions, contacts: list[Organisation], home_url: str,
                site_name: str, town: str) -> FlyerPanel:
    """One language's panel, in that language (English where its catalogue has no translation yet)."""
    language = LANGUAGE_BY_CODE[code]

    def say(message: Callable[[], str]) -> Words:
        return in_language(code, message)

    return FlyerPanel(
        language=code,
        direction=language.direction,
        native_name=language.native_name,
        site_name=site_name,
        headline=say(lambda: _("Find help in %(town)s", town=town)),
        intro=say(lambda: _("A notice board where organisations and volunteers offer help to people who "
                            "have fled: things, courses, advice and company.")),
        free_note=say(lambda: _("Free of charge. No account needed.")),
        steps_heading=say(lambda: _("How it works")),
        steps=(
            say(lambda: _("Scan the code with your phone camera.")),
            say(lambda: _("Choose what you need, or search.")),
            say(lambda: _("Contact the organisation directly: by phone, by email or in person.")),
        ),
        categories_heading=say(lambda: _("What you can find")),
        categories=tuple(
            PanelCategory(say(lambda label=category.label: str(label)), category.icon)
            for category in (CATEGORY_BY_SLUG[slug] for slug in options.categories)
        ),
        contacts_heading=say(lambda: _("Advice and counselling")),
        contacts=tuple(_contact(organisation) for organisation in contacts),
        scan_text=say(lambda: _("Scan to open the board in your language")),
        address=short_address(home_url),
        qr=qr_data_uri(home_url),
    )


def flyer(options: FlyerOptions, contacts: list[Organisation], home_url: Callable[[str], str],
          site_name: str, town: str) -> Flyer:
    """The whole flyer: its panels, grouped into the pages they are printed on."""
    panels = [
        flyer_panel(code, options, contacts, home_url(code), site_name, town) for code in options.languages
    ]
    per_sheet = 1 if options.booklet else PANELS_PER_SHEET
    return Flyer(
        title=site_name,
        paper=options.paper,
        layout="booklet" if options.booklet else "halves",
        sheets=tuple(tuple(panels[start:start + per_sheet]) for start in range(0, len(panels), per_sheet)),
    )


def cache_parts(options: FlyerOptions, contacts: list[Organisation], home_urls: list[str],
                site_name: str, town: str) -> dict:
    """Everything from the request and the database that the flyer shows (see ``PdfCache``)."""
    return {
        "document": "flyer",
        "options": [list(options.languages), options.paper, options.booklet, list(options.categories)],
        "contacts": [[organisation.id, organisation.updated_at] for organisation in contacts],
        "home_urls": home_urls,
        "site": [site_name, town],
    }


def filename(options: FlyerOptions) -> str:
    booklet = "-booklet" if options.booklet else ""
    return f"flyer-{'-'.join(options.languages)}-{options.paper}{booklet}.pdf"
