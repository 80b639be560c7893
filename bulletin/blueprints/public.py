"""What refugees see, without an account or a cookie: categories, postings, organisations, search.

Views read and check the query string, ask bulletin.services.listing for what may be shown, turn it into
view models (bulletin.blueprints.presenters) and render. Nothing here writes to the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import i18n, settings
from bulletin.blueprints import presenters, query_args
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.search import get_search
from bulletin.search.match import matches_for
from bulletin.search.query import Filters, search_postings
from bulletin.search.snippets import Looked, Segment, snippet
from bulletin.services import clock, listing
from bulletin.services.errors import Gone, NotFound
from bulletin.services.pagination import Page
from bulletin.services.permissions import can_edit_posting
from bulletin.taxonomy import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    ORGANISATION_TYPES,
    POSTING_TYPE_PLURALS,
    POSTING_TYPES,
)

bp = Blueprint("public", __name__, url_prefix="/<lang>")

NEWEST_ON_HOME = 10
MATCHES_ON_PAGE = 10
MAX_QUERY_LENGTH = 200
TYPE_CHOICES = (*POSTING_TYPES, "all")


def _per_page() -> int:
    return settings.current().per_page


def _reader() -> str:
    return i18n.current_language()


def _page_urls(**args):
    """Links to other pages of the list on this page, keeping its filters."""
    values = {**(request.view_args or {}), **args}
    return lambda number: url_for(request.endpoint, **values, page=number if number > 1 else None)


def _require_page(page) -> None:
    """A page number past the end of the list is a page that does not exist."""
    if page.page > page.pages:
        abort(404)


def _district(session, today) -> tuple[str | None, list[str]]:
    """The chosen district (one with postings, or one of the board's own) and the districts with postings."""
    listed = listing.listed_districts(session, today)
    known = set(listed) | set(settings.current().districts)
    return query_args.choice(request.args, "district", known), listed


def _posting_type() -> str | None:
    value = query_args.choice(request.args, "type", TYPE_CHOICES)
    return None if value == "all" else value


def _type_options() -> list[tuple[str, str]]:
    return [("all", _("Offers and requests")), ("offer", _("Offers")), ("request", _("Requests"))]


def _organisation_type_options() -> list[tuple[str, str]]:
    return [("", _("All kinds"))] + [(key, str(label)) for key, label in ORGANISATION_TYPES.items()]


def _category_options() -> list[tuple[str, str]]:
    return [("", _("All categories"))] + [(category.slug, str(category.label)) for category in CATEGORIES]


@bp.get("/")
def home():
    session, today = get_session(), clock.today()
    district, districts = _district(session, today)
    counts = listing.count_by_category(session, today, district=district)
    newest = listing.list_postings(
        session, today, listing.PostingFilter(district=district), page=1, per_page=NEWEST_ON_HOME
    )
    return render_template(
        "public/home.html",
        town=settings.current().town,
        tiles=presenters.category_tiles(CATEGORIES, counts, district),
        district_options=presenters.district_options(districts, district),
        district=district or "",
        cards=presenters.posting_cards(newest.items, _reader()),
        more_url=url_for("public.search", district=district) if newest.has_next else None,
    )


@bp.get("/categories/<slug>")
def category(slug: str):
    chosen = CATEGORY_BY_SLUG.get(slug)
    if chosen is None:
        abort(404)
    session, today = get_session(), clock.today()
    district, districts = _district(session, today)
    posting_type = _posting_type()
    page = listing.list_postings(
        session, today, listing.PostingFilter(category=slug, type=posting_type, district=district),
        page=query_args.page_number(request.args), per_page=_per_page(),
    )
    _require_page(page)
    return render_template(
        "public/category.html",
        category=chosen,
        cards=presenters.posting_cards(page.items, _reader()),
        count=presenters.posting_count(page.total),
        nav=presenters.page_nav(page, _page_urls(type=posting_type, district=district)),
        district_options=presenters.district_options(districts, district),
        district=district or "",
        type_options=_type_options(),
        posting_type=posting_type or "all",
    )


@bp.get("/postings/<int:posting_id>")
def posting(posting_id: int):
    if posting_id > MAX_ID:
        abort(404)
    session, today = get_session(), clock.today()
    try:
        item = listing.public_posting(session, posting_id, today)
    except NotFound:
        abort(404)
    except Gone as gone:
        return _gone(gone.obj)
    text_language = query_args.choice(request.args, "text", item.languages)
    editable = current_user.is_authenticated and can_edit_posting(current_user, item)
    view = presenters.posting_view(item, _reader(), text_language, editable)
    # Its organisation and the coordinator see what fits it; visitors do not.
    matches = _match_views(session, item, _reader(), today) if editable else None
    # Its readers are counted with the visits (blueprints/visits.py), also when the page comes cached.
    return render_template(
        "public/posting.html", posting=view, matches=matches,
        matches_heading=_("Offers that fit this request") if item.type == "request"
        else _("Requests this offer fits"),
    )


@dataclass(frozen=True)
class MatchView:
    """A posting that fits the one shown, how well, and why."""

    title: presenters.Text
    url: str
    organisation_name: str
    score: str
    reasons: list[str]


def _reason_texts(reasons, reader: str) -> list[str]:
    lexicon = get_search().lexicon
    concepts = [lexicon.label(reason.value, reader) for reason in reasons if reason.kind == "concept"]
    words = [reason.value for reason in reasons if reason.kind == "words"]
    texts = []
    if concepts:
        texts.append(_("Both about: %(concepts)s", concepts=", ".join(dict.fromkeys(concepts))))
    if words:
        texts.append(_("Shared words: %(words)s", words=", ".join(words)))
    for reason in reasons:
        if reason.kind == "category":
            texts.append(_("Same category"))
        elif reason.kind == "district":
            texts.append(_("Same district: %(district)s", district=reason.value))
        elif reason.kind == "language":
            texts.append(_("Readable in %(language)s",
                           language=presenters.language_name(reason.value, reader)))
    return texts


def _match_views(session, item, reader: str, today) -> list[MatchView]:
    found = matches_for(get_search(), item, limit=MATCHES_ON_PAGE, today=today)
    listed = listing.listed_in_order(session, [match.posting_id for match in found], today)
    others = {other.id: other for other in listed}
    views = []
    for match in found:
        other = others.get(match.posting_id)
        if other is None:
            continue
        shown = other.text(reader)
        views.append(MatchView(
            title=presenters.text(shown.title, shown.language),
            url=url_for("public.posting", posting_id=other.id),
            organisation_name=other.organisation.name,
            score=format_percent(match.score),
            reasons=_reason_texts(match.reasons, reader),
        ))
    return views


def _gone(item):
    """A posting that was public but is closed or expired: 410, and where to look instead."""
    chosen = CATEGORY_BY_SLUG[item.category]
    editable = current_user.is_authenticated and can_edit_posting(current_user, item)
    return render_template(
        "public/posting_gone.html",
        code=410,
        title=_("This posting is no longer available"),
        message=_("It was closed or its time has run out. Other postings in the same category may help you."),
        category=chosen,
        category_url=url_for("public.category", slug=chosen.slug),
        edit_url=url_for("dashboard.edit_posting", posting_id=item.id) if editable else None,
    ), 410


@bp.get("/organisations")
def organisations():
    organisation_type = query_args.choice(request.args, "type", ORGANISATION_TYPES)
    page = listing.list_organisations(
        get_session(), organisation_type, query_args.page_number(request.args), _per_page()
    )
    _require_page(page)
    return render_template(
        "public/organisations.html",
        organisations=[presenters.organisation_summary(organisation) for organisation in page.items],
        nav=presenters.page_nav(page, _page_urls(type=organisation_type)),
        type_options=_organisation_type_options(),
        organisation_type=organisation_type or "",
    )


@bp.get("/organisations/<path:key>")
def organisation(key: str):
    if len(key) > 100 or not key.isprintable():
        abort(404)
    session, today = get_session(), clock.today()
    try:
        found = listing.public_organisation(session, key)
    except NotFound:
        abort(404)
    page = listing.list_postings(
        session, today, listing.PostingFilter(organisation_key=found.key),
        page=query_args.page_number(request.args), per_page=_per_page(),
    )
    _require_page(page)
    return render_template(
        "public/organisation.html",
        profile=presenters.organisation_profile(found, _reader()),
        cards=presenters.posting_cards(page.items, _reader()),
        nav=presenters.page_nav(page, _page_urls()),
    )


@dataclass(frozen=True)
class SearchCard:
    """A search result: the usual card, its snippet around the words looked for, with them marked."""

    card: presenters.PostingCard
    snippet: list[Segment] | None


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    heading: str
    links: list[FacetLink]


def _search_card(posting, reader: str, looked: Looked, analyzer) -> SearchCard:
    card = presenters.posting_card(posting, reader)
    shown = posting.text(reader)
    marked = snippet(shown.body, shown.language, looked, analyzer) if shown.body else None
    return SearchCard(card=card, snippet=marked)


def _facet_groups(facets: dict[str, list[tuple[str, int]]],
                  chosen: dict[str, str | None]) -> list[FacetGroup]:
    """The counts of the results by type, category and district, each a link that sets (or clears) it."""
    labels = {
        "type": lambda value: str(POSTING_TYPE_PLURALS.get(value, value)),
        "category": lambda value: str(CATEGORY_BY_SLUG[value].label) if value in CATEGORY_BY_SLUG else value,
        "district": lambda value: value,
    }
    headings = {"type": _("Show"), "category": _("Category"), "district": _("District")}
    groups = []
    for name in ("type", "category", "district"):
        links = []
        for value, count in facets.get(name, []):
            selected = chosen.get(name) == value
            args = {**chosen, name: None if selected else value}
            links.append(FacetLink(labels[name](value), count, url_for("public.search", **args), selected))
        if links:
            groups.append(FacetGroup(headings[name], links))
    return groups


@bp.get("/search")
def search():
    session, today = get_session(), clock.today()
    query, shortened = query_args.free_text(request.args, "q", MAX_QUERY_LENGTH)
    district, districts = _district(session, today)
    posting_type = _posting_type()
    category_slug = query_args.choice(request.args, "category", CATEGORY_BY_SLUG)
    number = query_args.page_number(request.args)
    engine, reader = get_search(), _reader()
    result = search_postings(
        engine, query, Filters(type=posting_type, category=category_slug, district=district),
        page=number, per_page=_per_page(), reader_language=reader, today=today,
    )
    if number > result.pages:
        abort(404)
    page = Page(items=listing.listed_in_order(session, [hit.posting_id for hit in result.hits], today),
                total=result.total, page=number, per_page=_per_page())
    chosen = {"q": query or None, "type": posting_type, "category": category_slug, "district": district}
    has_words = result.has_words
    return render_template(
        "public/search.html",
        query=query,
        max_query_length=MAX_QUERY_LENGTH,
        notice=_search_notice(query, has_words, shortened, page.total),
        suggestion=result.suggestion,
        suggestion_url=url_for("public.search", **{**chosen, "q": result.suggestion})
        if result.suggestion else None,
        heading=_("Results") if has_words else _("All postings, newest first"),
        empty_message=None if has_words else _("There are no postings at the moment."),
        results=[_search_card(item, reader, Looked(result.terms, frozenset(result.concepts), engine.lexicon),
                              engine.analyzer) for item in page.items],
        count=presenters.posting_count(page.total),
        facets=_facet_groups(result.facets, chosen),
        nav=presenters.page_nav(page, _page_urls(**chosen)),
        district_options=presenters.district_options(districts, district),
        district=district or "",
        type_options=_type_options(),
        posting_type=posting_type or "all",
        category_options=_category_options(),
        category_slug=category_slug or "",
    )


def _search_notice(query: str, has_words: bool, shortened: bool, total: int) -> str | None:
    if not query:
        return _("Type one or more words to search. Below are all postings, newest first.")
    if not has_words:
        return _("Your search has no words we can look for. Below are all postings, newest first.")
    if total == 0:
        return _("Nothing found for “%(query)s”. Try fewer or other words, or look through the categories.",
                 query=i18n.isolate(query))  # a query in another direction than the sentence reads right
    if shortened:
        return _("Your search was long: only its first %(count)d characters were used.",
                 count=MAX_QUERY_LENGTH)
    return None
