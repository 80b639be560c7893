"""The board's fixed vocabularies: categories, posting and organisation types, languages.

Labels are wrapped in ``lazy_gettext`` so each request shows them in its own language.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    slug: str
    label: object  # a lazy string
    icon: str  # name of the pictogram in templates/icons/


CATEGORIES: tuple[Category, ...] = (
    Category("clothing", _l("Clothing"), "clothing"),
    Category("furniture-household", _l("Furniture & household"), "furniture-household"),
    Category("food", _l("Food"), "food"),
    Category("baby-children", _l("Babies & children"), "baby-children"),
    Category("language", _l("Language courses"), "language"),
    Category("counselling", _l("Counselling"), "counselling"),
    Category("accompaniment", _l("Accompaniment"), "accompaniment"),
    Category("work-training", _l("Work & training"), "work-training"),
    Category("housing", _l("Housing"), "housing"),
    Category("health", _l("Health"), "health"),
    Category("education", _l("School & learning"), "education"),
    Category("leisure-sport", _l("Leisure & sport"), "leisure-sport"),
    Category("mobility", _l("Getting around"), "mobility"),
    Category("digital", _l("Phone & internet"), "digital"),
    Category("volunteering", _l("Volunteering"), "volunteering"),
    Category("other", _l("Other"), "other"),
)
CATEGORY_BY_SLUG = {category.slug: category for category in CATEGORIES}
CATEGORY_SLUGS = tuple(CATEGORY_BY_SLUG)

POSTING_TYPES = {"offer": _l("Offer"), "request": _l("Request")}
POSTING_TYPE_PLURALS = {"offer": _l("Offers"), "request": _l("Requests")}
POSTING_STATUSES = ("open", "closed")

ORGANISATION_TYPES = {
    "ngo": _l("Association / NGO"),
    "counselling": _l("Counselling centre"),
    "authority": _l("Public authority"),
    "initiative": _l("Volunteer group"),
    "other": _l("Other"),
}
ORGANISATION_STATUSES = ("pending", "approved", "suspended")
# A translator translates postings and profiles into User.languages; made by the coordinator.
ROLES = ("member", "coordinator", "translator")


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str  # the language's own name in its own script: never translated
    direction: str  # "ltr" or "rtl"


# Every language content can be written in. The interface is offered in those with a catalogue.
LANGUAGES: tuple[Language, ...] = (
    Language("de", "Deutsch", "ltr"),
    Language("en", "English", "ltr"),
    Language("ar", "العربية", "rtl"),
    Language("fa", "فارسی", "rtl"),
    Language("uk", "Українська", "ltr"),
    Language("ru", "Русский", "ltr"),
    Language("tr", "Türkçe", "ltr"),
    Language("fr", "Français", "ltr"),
    Language("ps", "پښتو", "rtl"),
    Language("ti", "ትግርኛ", "ltr"),
    Language("ku", "Kurdî (Kurmancî)", "ltr"),
    Language("so", "Soomaali", "ltr"),
)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
LANGUAGE_CODES = tuple(LANGUAGE_BY_CODE)


def language_direction(code: str) -> str:
    language = LANGUAGE_BY_CODE.get(code)
    return language.direction if language else "ltr"


def language_rank(code: str) -> int:
    """A language's place in the board's usual order (unknown codes last)."""
    return LANGUAGE_CODES.index(code) if code in LANGUAGE_CODES else len(LANGUAGE_CODES)
