"""Volunteer translators' pages: the queue, the side-by-side editor, and the coordinator's review.

Translators (and the coordinator) only. The rules live in bulletin.services.translations; whether a
translation is published at once or waits for review is BULLETIN_TRANSLATION_REVIEW.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from bulletin.blueprints import query_args
from bulletin.blueprints.dashboard import MAX_ID
from bulletin.blueprints.moderation import coordinator_required
from bulletin.blueprints.presenters import Text, page_nav, text
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms import ONE_LINE, REQUIRED, SEVERAL_LINES, STRIP, TOO_LONG, show_service_errors
from bulletin.i18n import isolate
from bulletin.models import Organisation, Posting, TranslationDraft
from bulletin.services import clock, organisations, postings, translations
from bulletin.services.errors import InvalidData, NotFound
from bulletin.services.pagination import Page
from bulletin.taxonomy import LANGUAGE_BY_CODE, Language

bp = Blueprint("translate", __name__, url_prefix="/<lang>/translate")



def translator_required(view):
    """Anonymous visitors are sent to sign in; accounts that translate nothing are refused with 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not translations.may_translate(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


# Forms --------------------------------------------------------------------------------------------------


class PostingTranslationForm(FlaskForm):
    title = StringField(
        _l("Title"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=postings.TITLE_MAX, message=TOO_LONG)],
        filters=STRIP,
    )
    body = TextAreaField(_l("Description"), [SEVERAL_LINES, Length(max=postings.BODY_MAX, message=TOO_LONG)])
    based_on = HiddenField()  # the original the translator saw (translations.source_digest)


class ProfileTranslationForm(FlaskForm):
    body = TextAreaField(
        _l("Description"),
        [DataRequired(message=REQUIRED), SEVERAL_LINES,
         Length(max=organisations.DESCRIPTION_MAX, message=TOO_LONG)],
    )
    based_on = HiddenField()


# What the pages show ---------------------------------------------------------------------------------


def state_labels() -> dict[str, str]:
    return {
        "missing": _("Not translated yet"),
        "outdated": _("Translation out of date"),
        "waiting": _("Waiting for review"),
    }


STATE_BADGES = {"missing": "request", "outdated": "pending", "waiting": "open"}


def order_options() -> list[tuple[str, str]]:
    return [("newest", _("Newest first")), ("most-read", _("Most read first"))]


@dataclass(frozen=True)
class JobRow:
    kind_label: str
    title: Text
    organisation_name: str | None
    language: Language
    state: str
    state_label: str
    badge: str
    views: str
    created: str
    url: str


def subject_title(subject) -> Text:
    """What names a posting (its original title) or a profile (the organisation's name)."""
    if isinstance(subject, Posting):
        original = subject.text(subject.original_language)
        return text(original.title, original.language)
    original = translations.original_text(subject)
    return text(subject.name, original[0] if original else "und")


def editor_url(kind: str, subject_id: int, language: str) -> str:
    endpoint = ".posting" if kind == "posting" else ".organisation"
    key = "posting_id" if kind == "posting" else "organisation_id"
    return url_for(endpoint, **{key: subject_id, "language": language})


def job_rows(jobs: list[translations.Job]) -> list[JobRow]:
    labels = state_labels()
    return [
        JobRow(
            kind_label=_("Posting") if job.kind == "posting" else _("Organisation profile"),
            title=subject_title(job.subject),
            organisation_name=job.subject.organisation.name if job.kind == "posting" else None,
            language=LANGUAGE_BY_CODE[job.language],
            state=job.state,
            state_label=labels[job.state],
            badge=STATE_BADGES[job.state],
            views=format_number(job.views),
            created=format_date(job.created_at),
            url=editor_url(job.kind, job.subject.id, job.language),
        )
        for job in jobs
    ]


@dataclass(frozen=True)
class Editor:
    """The side-by-side page: the original on one side, the translation form on the other."""

    heading: str
    kind: str
    name: Text  # the organisation's name, for a profile; the posting's organisation, for a posting
    original_title: Text | None
    original_body: Text | None
    target: Language
    notices: list[str]
    public_url: str
    action: str


def editor_page(kind: str, subject, language: str, draft: TranslationDraft | None) -> Editor:
    target = LANGUAGE_BY_CODE[language]
    original_language, original_title, original_body = translations.original_text(subject)
    published = translations.translation_of(subject, language)
    notices = []
    if published is not None and published.outdated:
        notices.append(_("The original was changed after this translation was made. Please compare them and "
                         "bring the translation up to date: until then readers see a warning."))
    if draft is not None:
        notices.append(_("A translation by %(email)s is waiting for the coordinator's review. Sending yours "
                         "replaces it.", email=isolate(draft.translator_email)))
    if isinstance(subject, Posting):
        public_url = url_for("public.posting", posting_id=subject.id, text=subject.original_language)
        name = text(subject.organisation.name, original_language)
    else:
        public_url = url_for("public.organisation", key=subject.key)
        name = text(subject.name, original_language)
    return Editor(
        heading=_("Translation into %(language)s", language=isolate(target.native_name)),
        kind=kind,
        name=name,
        original_title=text(original_title, original_language) if original_title else None,
        original_body=text(original_body, original_language) if original_body else None,
        target=target,
        notices=notices,
        public_url=public_url,
        action=editor_url(kind, subject.id, language),
    )


@dataclass(frozen=True)
class ReviewItem:
    id: int
    kind_label: str
    name: Text
    target: Language
    translator: str
    submitted: str
    original_title: Text | None
    original_body: Text | None
    draft_title: Text | None
    draft_body: Text
    published_body: Text | None  # what readers see now in that language, to compare
    original_changed: bool
    approve_url: str
    reject_url: str


def review_item(draft: TranslationDraft) -> ReviewItem:
    subject = translations.subject_of(get_session(), draft)
    original_language, original_title, original_body = translations.original_text(subject) or ("und", "", "")
    published = translations.translation_of(subject, draft.language)
    published_words = None
    if published is not None:
        published_words = published.body if isinstance(subject, Posting) else published.description
    return ReviewItem(
        id=draft.id,
        kind_label=_("Posting") if isinstance(subject, Posting) else _("Organisation profile"),
        name=subject_title(subject),
        target=LANGUAGE_BY_CODE[draft.language],
        translator=draft.translator_email,
        submitted=format_date(draft.created_at),
        original_title=text(original_title, original_language) if original_title else None,
        original_body=text(original_body, original_language) if original_body else None,
        draft_title=text(draft.title, draft.language) if draft.title else None,
        draft_body=text(draft.body, draft.language),
        published_body=text(published_words, draft.language) if published_words else None,
        original_changed=draft.source_digest != translations.source_digest(subject),
        approve_url=url_for(".approve", draft_id=draft.id),
        reject_url=url_for(".reject", draft_id=draft.id),
    )


# Lookups and committing -------------------------------------------------------------------------------


def target_language(language: str) -> str:
    """The language in the address: unknown is no page; one this translator does not do is refused."""
    if language not in LANGUAGE_BY_CODE:
        abort(404)
    if not translations.can_translate(current_user, language):
        abort(403)
    return language


def review_mode() -> str:
    return current_app.config["BULLETIN_TRANSLATION_REVIEW"]


# Pages --------------------------------------------------------------------------------------------------


@bp.get("/")
@translator_required
def queue():
    session = get_session()
    languages = translations.languages_of(current_user)
    language = query_args.choice(request.args, "language", languages)
    order = query_args.choice(request.args, "order", translations.ORDERS) or "newest"
    number = query_args.page_number(request.args)
    jobs = translations.queue(session, current_user, clock.today(), language=language, order=order)
    per_page = current_app.config["BULLETIN_PER_PAGE"]
    page = Page(items=jobs[(number - 1) * per_page:number * per_page], total=len(jobs), page=number,
                per_page=per_page)
    if page.page > page.pages:
        abort(404)
    filters = {"language": language, "order": order if order != "newest" else None}
    return render_template(
        "translate/queue.html",
        rows=job_rows(page.items),
        total=len(jobs),
        nav=page_nav(page, lambda n: url_for(".queue", page=n if n > 1 else None, **filters)),
        language_options=[("", _("All my languages"))]
        + [(code, LANGUAGE_BY_CODE[code].native_name) for code in languages],
        language=language or "",
        order_options=order_options(),
        order=order,
        my_languages=[LANGUAGE_BY_CODE[code] for code in languages],
        waiting_count=len(translations.waiting_for_review(session)) if current_user.is_coordinator else None,
        review_mode=review_mode(),
    )


def posting_for_translation(posting_id: int) -> Posting:
    """A public posting (the coordinator may translate any): others are no page for a translator."""
    posting = get_session().get(Posting, posting_id)
    if posting is None or not (current_user.is_coordinator or posting.is_listed(clock.today())):
        abort(404)
    return posting


def organisation_for_translation(organisation_id: int) -> Organisation:
    organisation = get_session().get(Organisation, organisation_id)
    if organisation is None or not (current_user.is_coordinator or organisation.is_public):
        abort(404)
    if translations.original_text(organisation) is None:
        abort(404)  # no description: nothing to translate
    return organisation


def prefill(subject, language: str, draft: TranslationDraft | None) -> dict:
    """The form starts from the waiting translation, else the published one, else empty."""
    if draft is not None:
        return {"title": draft.title, "body": draft.body}
    published = translations.translation_of(subject, language)
    if published is None:
        return {}
    if isinstance(subject, Posting):
        return {"title": published.title, "body": published.body}
    return {"body": published.description}


def edit(kind: str, subject, language: str, form_class):
    session = get_session()
    draft = translations.waiting_draft(session, subject, language)
    form = form_class(data=prefill(subject, language, draft))
    target = LANGUAGE_BY_CODE[language]
    for field in (form.title if kind == "posting" else None, form.body):
        if field is not None:  # typed in the target language, in its direction
            field.render_kw = {"lang": target.code, "dir": target.direction}
    if not form.is_submitted():
        form.based_on.data = translations.source_digest(subject)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("translate/editor.html", form=form,
                               editor=editor_page(kind, subject, language, draft)), status
    title = form.title.data if kind == "posting" else ""
    try:
        outcome = commit(lambda: translations.submit(
            session, current_user, subject, language, title, form.body.data,
            based_on=form.based_on.data or "", review=review_mode(), today=clock.today(),
        ))
    except InvalidData as error:
        show_service_errors(form, error)
        status = 400
        if isinstance(error, translations.OriginalChanged):
            form.based_on.data = translations.source_digest(subject)  # what is typed stays; compare again
            status = 409
        return render_template("translate/editor.html", form=form,
                               editor=editor_page(kind, subject, language, draft)), status
    if outcome == "published":
        flash(_("Thank you! The translation into %(language)s is published.",
                language=isolate(target.native_name)), "success")
    else:
        flash(_("Thank you! The translation into %(language)s waits for the coordinator's review.",
                language=isolate(target.native_name)), "success")
    return redirect(url_for(".queue"))


@bp.route(f"/postings/<int(max={MAX_ID}):posting_id>/<language>", methods=["GET", "POST"])
@translator_required
def posting(posting_id: int, language: str):
    language = target_language(language)
    subject = posting_for_translation(posting_id)
    if language == subject.original_language:
        abort(404)  # the original is the organisation's to change
    return edit("posting", subject, language, PostingTranslationForm)


@bp.route(f"/organisations/<int(max={MAX_ID}):organisation_id>/<language>", methods=["GET", "POST"])
@translator_required
def organisation(organisation_id: int, language: str):
    language = target_language(language)
    subject = organisation_for_translation(organisation_id)
    if language == translations.original_text(subject)[0]:
        abort(404)
    return edit("organisation", subject, language, ProfileTranslationForm)


# The coordinator's review ----------------------------------------------------------------------------


@bp.get("/review")
@coordinator_required
def review():
    drafts = translations.waiting_for_review(get_session())
    return render_template("translate/review.html", items=[review_item(draft) for draft in drafts],
                           review_mode=review_mode())


def draft_or_404(draft_id: int) -> TranslationDraft:
    draft = get_session().get(TranslationDraft, draft_id)
    if draft is None:
        abort(404)
    return draft


def decide(draft_id: int, decision, done_message: str):
    draft = draft_or_404(draft_id)
    session = get_session()
    try:
        commit(lambda: decision(session, current_user, draft))
    except InvalidData as error:
        for message in error.errors.values():
            flash(str(message), "error")
    except NotFound:
        flash(_("This is no longer there."), "error")
    else:
        flash(done_message, "success")
    return redirect(url_for(".review"))


@bp.post(f"/review/<int(max={MAX_ID}):draft_id>/approve")
@coordinator_required
def approve(draft_id: int):
    return decide(draft_id, translations.approve, _("The translation is published."))


@bp.post(f"/review/<int(max={MAX_ID}):draft_id>/reject")
@coordinator_required
def reject(draft_id: int):
    return decide(draft_id, translations.reject, _("The translation is rejected; it stays unpublished."))
