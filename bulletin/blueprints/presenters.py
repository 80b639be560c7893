"""What the public pages show of postings and organisations, prepared for one reader's language.

Templates only print these view models: every choice (which text, which label, which link) is made here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from bulletin.models import Organisation, Posting
from bulletin.services.pagination import Page
from bulletin.taxonomy import (
    CATEGORY_BY_SLUG,
    LANGUAGE_BY_CODE,
    ORGANISATION_TYPES,
    POSTING_TYPES,
    Category,
    language_direction,
)

SNIPPET_LENGTH = 160


@dataclass(frozen=True)
class Text:
    """Words someone wrote, with their language, so the page can tag and isolate them."""

    value: str
    language: str
    direction: str


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    native_name: str
    direction: str
    url: str
    is_original: bool
    is_current: bool


@dataclass(frozen=True)
class Contact:
    phone: str | None
    phone_href: str | None
    email: str | None
    email_href: str | None
    website: str | None
    website_label: str | None
    address: str | None


@dataclass(frozen=True)
class OrganisationSummary:
    name: str
    url: str
    verified: bool
    type_label: str
    district: str | None
    languages: list[Text]


@dataclass(frozen=True)
class OrganisationProfile:
    summary: OrganisationSummary
    logo_url: str | None
    description: Text | None
    written_in: str | None
    outdated: str | None  # the warning when the description shown is a translation of an older original
    contact: Contact


@dataclass(frozen=True)
class PostingCard:
    url: str
    title: Text
    snippet: Text | None
    written_in: str | None
    outdated: str | None
    type: str
    type_label: str
    category: Category
    district: str | None
    organisation_name: str
    verified: bool


@dataclass(frozen=True)
class EditorActions:
    edit_url: str
    close_url: str


@dataclass(frozen=True)
class PostingView:
    id: int
    title: Text
    body: Text | None
    written_in: str
    outdated: str | None
    original_url: str | None  # the original text, offered beside an outdated translation
    type: str
    type_label: str
    category: Category
    category_url: str
    district: str | None
    valid_until: str
    organisation: OrganisationSummary
    contact: Contact
    languages: list[LanguageChoice]
    editor: EditorActions | None


@dataclass(frozen=True)
class CategoryTile:
    category: Category
    url: str
    counts: str


@dataclass(frozen=True)
class PageNav:
    number: int
    pages: int
    total: int
    previous_url: str | None
    next_url: str | None
    label: str


def language_name(code: str, reader: str) -> str:
    """A language's name in the reader's language; its own name when Babel does not know it."""
    try:
        name = Locale.parse(reader).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    language = LANGUAGE_BY_CODE.get(code)
    return name or (language.native_name if language else code)


def native_name(code: str) -> str:
    language = LANGUAGE_BY_CODE.get(code)
    return language.native_name if language else code


def text(value: str, language: str) -> Text:
    return Text(value=value, language=language, direction=language_direction(language))


def written_in_note(shown: str, original: str, reader: str) -> str | None:
    """Say which language the reader is looking at when it is not their own, or that it is a translation."""
    if shown == original:
        if shown == reader:
            return None
        return _("Written in %(language)s", language=language_name(shown, reader))
    if shown == reader:
        return _("Translated from %(language)s", language=language_name(original, reader))
    return _(
        "Translated from %(original)s into %(language)s",
        original=language_name(original, reader),
        language=language_name(shown, reader),
    )


def outdated_note(text) -> str | None:
    """The warning shown with a translation made from an earlier version of the original."""
    if text is None or not getattr(text, "outdated", False):
        return None
    return _("This translation may be out of date; the original was changed.")


def snippet(body: str) -> str:
    """The start of a description, whole words, on one line."""
    flat = re.sub(r"\s+", " ", body).strip()
    if len(flat) <= SNIPPET_LENGTH:
        return flat
    cut = flat[:SNIPPET_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:-") + "…"


def phone_href(phone: str | None) -> str | None:
    """A tap-to-call link: only the digits and a leading plus."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return None
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


def email_href(email: str | None) -> str | None:
    return "mailto:" + quote(email, safe="@.+-_") if email else None


def website_link(website: str | None) -> tuple[str | None, str | None]:
    """The address to link to and a short label, only for plain web addresses."""
    if not website or not re.match(r"^https?://", website, re.IGNORECASE):
        return None, None
    label = re.sub(r"^https?://(www\.)?", "", website, flags=re.IGNORECASE).rstrip("/")
    return website, label


def contact(organisation: Organisation) -> Contact:
    website, website_label = website_link(organisation.website)
    return Contact(
        phone=organisation.phone,
        phone_href=phone_href(organisation.phone),
        email=organisation.email,
        email_href=email_href(organisation.email),
        website=website,
        website_label=website_label,
        address=organisation.address,
    )


def organisation_summary(organisation: Organisation) -> OrganisationSummary:
    return OrganisationSummary(
        name=organisation.name,
        url=url_for("public.organisation", key=organisation.key),
        verified=organisation.verified,
        type_label=str(ORGANISATION_TYPES.get(organisation.type, organisation.type)),
        district=organisation.district,
        languages=[text(native_name(code), code) for code in organisation.languages],
    )


def organisation_profile(organisation: Organisation, reader: str) -> OrganisationProfile:
    description = organisation.description(reader)
    shown = None
    note = None
    if description is not None and description.description:
        shown = text(description.description, description.language)
        note = written_in_note(description.language, description.source_language, reader)
    return OrganisationProfile(
        summary=organisation_summary(organisation),
        logo_url=url_for("logo", filename=organisation.logo) if organisation.logo else None,
        description=shown,
        written_in=note,
        outdated=outdated_note(description) if shown else None,
        contact=contact(organisation),
    )


def posting_card(posting: Posting, reader: str) -> PostingCard:
    shown = posting.text(reader)
    return PostingCard(
        url=url_for("public.posting", posting_id=posting.id),
        title=text(shown.title, shown.language),
        snippet=text(snippet(shown.body), shown.language) if shown.body else None,
        written_in=written_in_note(shown.language, posting.original_language, reader),
        outdated=outdated_note(shown),
        type=posting.type,
        type_label=str(POSTING_TYPES.get(posting.type, posting.type)),
        category=CATEGORY_BY_SLUG[posting.category],
        district=posting.district,
        organisation_name=posting.organisation.name,
        verified=posting.organisation.verified,
    )


def posting_cards(postings: list[Posting], reader: str) -> list[PostingCard]:
    return [posting_card(posting, reader) for posting in postings]


def language_choices(posting: Posting, shown: str) -> list[LanguageChoice]:
    return [
        LanguageChoice(
            code=code,
            native_name=native_name(code),
            direction=language_direction(code),
            url=url_for("public.posting", posting_id=posting.id, text=code),
            is_original=code == posting.original_language,
            is_current=code == shown,
        )
        for code in posting.languages
    ]


def valid_until_label(posting: Posting) -> str:
    if posting.valid_until is None:
        return _("No end date")
    return format_date(posting.valid_until, format="long")


def posting_view(posting: Posting, reader: str, text_language: str | None, editable: bool) -> PostingView:
    """The posting page: the text in ``text_language`` if asked for, else the reader's, else the original."""
    shown = posting.text(text_language or reader)
    editor = None
    if editable:
        editor = EditorActions(
            edit_url=url_for("dashboard.edit_posting", posting_id=posting.id),
            close_url=url_for("dashboard.close_posting", posting_id=posting.id),
        )
    category = CATEGORY_BY_SLUG[posting.category]
    return PostingView(
        id=posting.id,
        title=text(shown.title, shown.language),
        body=text(shown.body, shown.language) if shown.body else None,
        written_in=written_in_note(shown.language, posting.original_language, reader)
        or _("Written in %(language)s", language=language_name(shown.language, reader)),
        outdated=outdated_note(shown),
        original_url=url_for("public.posting", posting_id=posting.id, text=posting.original_language)
        if shown.outdated else None,
        type=posting.type,
        type_label=str(POSTING_TYPES.get(posting.type, posting.type)),
        category=category,
        category_url=url_for("public.category", slug=category.slug),
        district=posting.district or posting.organisation.district,
        valid_until=valid_until_label(posting),
        organisation=organisation_summary(posting.organisation),
        contact=contact(posting.organisation),
        languages=language_choices(posting, shown.language),
        editor=editor,
    )


def type_counts(counts: dict[str, int]) -> str:
    """For example "3 offers · 1 request"; the parts that are zero are left out."""
    parts = []
    if counts.get("offer"):
        parts.append(ngettext("%(num)d offer", "%(num)d offers", counts["offer"]))
    if counts.get("request"):
        parts.append(ngettext("%(num)d request", "%(num)d requests", counts["request"]))
    return " · ".join(parts) or _("Nothing at the moment")


def category_tiles(categories: tuple[Category, ...], counts: dict[str, dict[str, int]],
                   district: str | None) -> list[CategoryTile]:
    return [
        CategoryTile(
            category=category,
            url=url_for("public.category", slug=category.slug, district=district),
            counts=type_counts(counts.get(category.slug, {})),
        )
        for category in categories
    ]


def page_nav(page: Page, url_for_page: Callable[[int], str]) -> PageNav:
    return PageNav(
        number=page.page,
        pages=page.pages,
        total=page.total,
        previous_url=url_for_page(page.page - 1) if page.has_previous else None,
        next_url=url_for_page(page.page + 1) if page.has_next else None,
        label=_("Page %(number)d of %(pages)d", number=page.page, pages=page.pages),
    )


def district_options(listed: list[str], selected: str | None) -> list[tuple[str, str]]:
    """The district filter's choices: all, then each district with postings (and the chosen one)."""
    districts = sorted({*listed, selected} - {None})
    return [("", _("All districts"))] + [(district, district) for district in districts]


def posting_count(total: int) -> str:
    return ngettext("%(num)d posting", "%(num)d postings", total)
