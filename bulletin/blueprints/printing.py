"""Print: the multilingual flyer and the notice-board sheets as PDF, and the coordinator's page to make them.

The PDF addresses are public downloads, like the pages they print. Their ``lang`` query value names the
document's languages (any of the board's twelve, comma-separated or repeated); the ``/<lang>/`` prefix
stays the language of the address, of error messages and of the QR codes where that language has an
interface. A value the page does not know answers 400 with a message saying what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from bulletin import i18n, settings
from bulletin.blueprints import query_args
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.transactions import commit
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms.fields import NOT_A_CHOICE, MultiCheckboxField
from bulletin.forms.service_errors import show_service_errors
from bulletin.models import Posting
from bulletin.printing import featured, flyer, notices
from bulletin.printing.pdf import CachedPdf, PdfCache, render_pdf
from bulletin.printing.sources import catalogue_stamps, design_stamps
from bulletin.services import clock, listing
from bulletin.services.errors import Gone, InvalidData, NotFound
from bulletin.taxonomy import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    CATEGORY_SLUGS,
    LANGUAGE_BY_CODE,
    ORGANISATION_TYPES,
)

bp = Blueprint("printing", __name__, url_prefix="/<lang>")

PDF_MAX_AGE = 300  # seconds: a closed posting's notice stops being served soon after
PDF_LIMIT = "30 per minute"  # building a PDF takes a second of a worker; cached ones are cheap
MAX_VALUES = 40  # more values than this in one query parameter is no request a page makes


@bp.app_template_global()
def print_url(endpoint: str, languages: list[str], **values) -> str:
    """The address of a PDF in ``languages``: ``lang`` in url_for is the address's own prefix."""
    address = url_for(endpoint, **values)
    codes = ",".join(dict.fromkeys(code for code in languages if code))
    return f"{address}{'&' if '?' in address else '?'}{urlencode({'lang': codes}, safe=',')}"


# Reading the query string ------------------------------------------------------------------------------


def listed_values(args: MultiDict, name: str) -> list[str] | None:
    """``name=a,b`` or ``name=a&name=b`` (as a form's checkboxes send it); None when absent."""
    if name not in args:
        return None
    values = [part.strip() for value in args.getlist(name) for part in value.split(",")]
    values = [value for value in values if value]
    if len(values) > MAX_VALUES:
        raise query_args.InvalidArgument(_("Too many values. Please choose from the list."))
    return list(dict.fromkeys(values))


def shown(values: list[str]) -> str:
    """Values a visitor typed, shortened for a message."""
    return ", ".join(value[:20] for value in values[:5])


def document_languages(args: MultiDict) -> tuple[str, ...]:
    """The languages to print: any of the board's twelve; the address's language when none is named."""
    values = listed_values(args, "lang")
    if values is None:
        return (i18n.current_language(),)
    if not values:
        raise query_args.InvalidArgument(_("Please choose at least one language."))
    unknown = [value for value in values if value not in LANGUAGE_BY_CODE]
    if unknown:
        raise query_args.InvalidArgument(_(
            "Unknown language: %(values)s. Use these codes: %(codes)s.",
            values=shown(unknown), codes=", ".join(LANGUAGE_BY_CODE),
        ))
    return tuple(values)


def paper_format(args: MultiDict) -> str:
    value = args.get("format", "a4").strip().lower()
    if value not in flyer.PAPERS:
        raise query_args.InvalidArgument(_("The format must be a4 or a5."))
    return value


def booklet_option(args: MultiDict) -> bool:
    value = args.get("booklet", "0").strip()
    if value not in ("", "0", "1"):
        raise query_args.InvalidArgument(
            _("The booklet option is 1 (one page per language) or 0 (two languages per page).")
        )
    return value == "1"


def flyer_categories(args: MultiDict) -> tuple[str, ...]:
    """The categories to show, in the board's order; all of them when none is named."""
    values = listed_values(args, "categories")
    if not values:
        return CATEGORY_SLUGS
    unknown = [value for value in values if value not in CATEGORY_BY_SLUG]
    if unknown:
        raise query_args.InvalidArgument(_("Unknown category: %(values)s.", values=shown(unknown)))
    return tuple(slug for slug in CATEGORY_SLUGS if slug in values)


def required_choice(args: MultiDict, name: str, allowed, missing_message: str) -> str:
    if not args.get(name, "").strip():
        raise query_args.InvalidArgument(missing_message)
    return query_args.choice(args, name, allowed)


# Building and sending --------------------------------------------------------------------------------


def board_language(code: str) -> str:
    """The language a QR code opens the board in: ``code`` when it has an interface, else the default."""
    languages = i18n.ui_languages()
    if code in languages:
        return code
    return i18n.default_language()


def build(parts: dict, languages: tuple[str, ...], html: Callable[[], str]) -> CachedPdf:
    """The PDF for ``parts``: from the cache, or rendered from ``html()`` and kept."""
    app = current_app._get_current_object()
    cache = PdfCache(os.path.join(app.instance_path, "print-cache"))
    key_parts = {**parts, "catalogues": catalogue_stamps(app, languages), "design": design_stamps(app)}
    return cache.get_or_build(key_parts, lambda: render_pdf(html(), app.static_folder))


def send_pdf(document: CachedPdf, filename: str):
    """Inline (the browser shows it, and can print or save it), cacheable, revalidated by its ETag."""
    response = make_response(document.data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(document.key)
    response.cache_control.public = True
    response.cache_control.max_age = PDF_MAX_AGE
    return response.make_conditional(request)


def posting_gone():
    return render_template(
        "error.html",
        code=410,
        title=_("This posting is no longer available"),
        message=_("It was closed or its time has run out. Other postings in the same category may help you."),
    ), 410


# The documents ----------------------------------------------------------------------------------------


@bp.get("/flyer.pdf")
@limiter.limit(PDF_LIMIT)
def flyer_pdf():
    options = flyer.FlyerOptions(
        languages=document_languages(request.args),
        paper=paper_format(request.args),
        booklet=booklet_option(request.args),
        categories=flyer_categories(request.args),
    )
    contacts = featured.featured_organisations(get_session())
    site_name, town = settings.current().site_name, settings.current().town
    home_urls = {
        code: url_for("public.home", lang=board_language(code), _external=True) for code in options.languages
    }
    parts = flyer.cache_parts(options, contacts, list(home_urls.values()), site_name, town)
    document = build(parts, options.languages, lambda: render_template(
        "print/flyer.html", flyer=flyer.flyer(options, contacts, home_urls.__getitem__, site_name, town)
    ))
    return send_pdf(document, flyer.filename(options))


def posting_url(posting: Posting, language: str) -> str:
    return url_for("public.posting", posting_id=posting.id, lang=board_language(language), _external=True)


@bp.get(f"/postings/<int(max={MAX_ID}):posting_id>/notice.pdf")
@limiter.limit(PDF_LIMIT)
def notice_pdf(posting_id: int):
    languages = document_languages(request.args)
    try:
        posting = listing.public_posting(get_session(), posting_id, clock.today())
    except NotFound:
        abort(404)
    except Gone:
        return posting_gone()
    url = posting_url(posting, languages[0])
    parts = {
        "document": "notice", "posting": notices.posting_stamp(posting), "languages": languages, "url": url,
    }
    document = build(parts, languages, lambda: render_template(
        "print/notice.html", notice=notices.notice(posting, languages, url)
    ))
    return send_pdf(document, notices.notice_filename(posting, languages))


@bp.get("/sheets/offers.pdf")
@limiter.limit(PDF_LIMIT)
def district_sheet_pdf():
    session, today = get_session(), clock.today()
    languages = document_languages(request.args)
    district = required_choice(request.args, "district", known_districts(session, today),
                               _("Please choose a district."))
    category = required_choice(request.args, "category", CATEGORY_BY_SLUG, _("Please choose a category."))
    offers = listing.listed_postings(
        session, today, listing.PostingFilter(type="offer", category=category, district=district)
    )
    primary = board_language(languages[0])
    list_url = url_for("public.category", slug=category, district=district, type="offer", lang=primary,
                       _external=True)
    parts = {
        "document": "district-sheet",
        "offers": [notices.posting_stamp(posting) for posting in offers],
        "request": [district, category, languages, list_url, today],
    }
    document = build(parts, languages, lambda: render_template(
        "print/district_sheet.html",
        sheet=notices.district_sheet(offers, district, category, languages,
                                     lambda posting: posting_url(posting, languages[0]), list_url, today),
    ))
    return send_pdf(document, notices.sheet_filename(district, category, languages))


def known_districts(session, today) -> list[str]:
    """The board's districts and those that have postings."""
    listed = listing.listed_districts(session, today)
    return sorted(set(settings.current().districts) | set(listed))


# The coordinator's page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A checkbox or option of the page's print forms."""

    value: str
    label: str
    checked: bool
    language: str | None = None
    direction: str | None = None
    icon: str | None = None


class FeaturedForm(FlaskForm):
    organisations = MultiCheckboxField(
        _l("Contacts on the flyer"),
        coerce=int,
        invalid_choice_message=NOT_A_CHOICE,
        description=_l("At most %(max)d. Counselling centres are listed first.", max=featured.MAX_FEATURED),
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations.choices = [
            (organisation.id, f"{organisation.name} ({ORGANISATION_TYPES.get(organisation.type, '')})")
            for organisation in candidates
        ]
        if not self.is_submitted():
            self.organisations.data = [item.id for item in candidates if item.featured]


def language_choices(checked: set[str]) -> list[Choice]:
    return [
        Choice(code, language.native_name, code in checked, code, language.direction)
        for code, language in LANGUAGE_BY_CODE.items()
    ]


def render_desk(form: FeaturedForm, status: int = 200):
    session, today = get_session(), clock.today()
    here = {i18n.current_language()}
    return render_template(
        "print/desk.html",
        flyer_languages=language_choices(here),
        sheet_languages=language_choices(here),
        categories=[Choice(category.slug, str(category.label), True, icon=category.icon)
                    for category in CATEGORIES],
        sheet_categories=[Choice(category.slug, str(category.label), False) for category in CATEGORIES],
        districts=[Choice(district, district, False) for district in known_districts(session, today)],
        form=form,
        flyer_url=url_for(".flyer_pdf"),
        sheet_url=url_for(".district_sheet_pdf"),
    ), status


@bp.get("/desk/flyer")
@coordinator_required
def desk():
    return render_desk(FeaturedForm(featured.candidates(get_session())))


@bp.post("/desk/flyer/featured")
@coordinator_required
def feature_organisations():
    session = get_session()
    form = FeaturedForm(featured.candidates(session))
    if not form.validate():
        return render_desk(form, 400)
    try:
        commit(lambda: featured.set_featured(session, current_user, set(form.organisations.data or [])))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_desk(form, 400)
    flash(_("The contacts on the flyer are saved."), "success")
    return redirect(url_for(".desk"))
