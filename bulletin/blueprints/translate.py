"""Volunteer translators' pages: the queue, the side-by-side editor, and the coordinator's review.

Translators (and the coordinator) only. The rules live in bulletin.services.translations; whether a
translation is published at once or waits for review is BULLETIN_TRANSLATION_REVIEW.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.presenters import page_nav
from bulletin.blueprints.transactions import commit
from bulletin.blueprints.translate_presenters import editor_page, job_rows, order_options, review_item
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.forms.service_errors import show_service_errors
from bulletin.forms.translation import PostingTranslationForm, ProfileTranslationForm
from bulletin.i18n import isolate
from bulletin.models import Organisation, Posting, TranslationDraft
from bulletin.services import clock, translations
from bulletin.services.errors import InvalidData, NotFound
from bulletin.services.pagination import Page
from bulletin.taxonomy import LANGUAGE_BY_CODE

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


# Lookups and committing -------------------------------------------------------------------------------


def target_language(language: str) -> str:
    """The language in the address: unknown is no page; one this translator does not do is refused."""
    if language not in LANGUAGE_BY_CODE:
        abort(404)
    if not translations.can_translate(current_user, language):
        abort(403)
    return language


def review_mode() -> str:
    return settings.current().translation_review


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
    per_page = settings.current().per_page
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
        waiting_count=translations.count_waiting_for_review(session) if current_user.is_coordinator else None,
        review_mode=review_mode(),
    )


def posting_for_translation(posting_id: int) -> Posting:
    """A public posting (the coordinator may translate any): others are no page for a translator."""
    try:
        return translations.posting_to_translate(get_session(), current_user, posting_id, clock.today())
    except NotFound:
        abort(404)


def organisation_for_translation(organisation_id: int) -> Organisation:
    """A public profile with a description to translate (the coordinator may translate any)."""
    try:
        return translations.organisation_to_translate(get_session(), current_user, organisation_id)
    except NotFound:
        abort(404)


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
    waiting = translations.waiting_for_review(get_session())
    return render_template("translate/review.html", items=[review_item(item) for item in waiting],
                           review_mode=review_mode())


def draft_or_404(draft_id: int) -> TranslationDraft:
    try:
        return translations.draft_by_id(get_session(), draft_id)
    except NotFound:
        abort(404)


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
