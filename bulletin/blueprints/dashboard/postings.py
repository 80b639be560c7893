"""An organisation's postings: writing, editing, renewing, closing and reopening them, and translating."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints.dashboard.presenters import translation_links
from bulletin.blueprints.dashboard.reach import back_to_list, form_status, own_organisation, posting_in_reach
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms.posting import PostingForm
from bulletin.forms.service_errors import show_service_errors
from bulletin.forms.translation import TranslationForm
from bulletin.services import clock, permissions, postings
from bulletin.services.errors import InvalidData
from bulletin.taxonomy import LANGUAGES


def new_posting():
    organisation = own_organisation()
    if not permissions.can_post_for(current_user, organisation):
        abort(403)
    form = PostingForm()
    page = {
        "form": form,
        "heading": _("New posting"),
        "action": url_for(".new_posting"),
        "back_url": url_for(".index"),
    }
    if not form.validate_on_submit():
        return render_template("dashboard/posting_form.html", **page), form_status(form)
    session = get_session()
    try:
        posting = commit(
            lambda: postings.create_posting(
                session, current_user, organisation, form.posting_input({}, "open"),
                review=settings.current().posting_review,
            )
        )
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template("dashboard/posting_form.html", **page), 400
    if posting.moderation == "held":
        flash(_("Your posting is saved. The coordinator reviews it before it is shown on the board."), "info")
    else:
        flash(_("Your posting is saved and shown on the board."), "success")
    return redirect(url_for(".index"))


def edit_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    if not permissions.can_edit_posting(current_user, posting):
        abort(403)
    original = posting.text(posting.original_language)
    form = PostingForm(
        data={
            "type": posting.type,
            "category": posting.category,
            "original_language": posting.original_language,
            "title": original.title if original else "",
            "body": original.body if original else "",
            "district": posting.district or "",
            "valid_until": posting.valid_until,
        },
        keep_district=posting.district,
        keep_valid_until=posting.valid_until,
        editing=True,
    )
    for field in (form.title, form.body):  # the original's words, tagged with its language
        field.render_kw = {**(field.render_kw or {}), "lang": posting.original_language}
    page = {
        "form": form,
        "heading": _("Edit posting"),
        "action": url_for(".edit_posting", posting_id=posting.id),
        "back_url": back_to_list(),
        "organisation_name": posting.organisation.name if current_user.is_coordinator else None,
        "translations": translation_links(posting),
    }
    if not form.validate_on_submit():
        return render_template("dashboard/posting_form.html", **page), form_status(form)
    # The form shows the original text; the translations travel along unchanged.
    translations = {
        text.language: (text.title, text.body)
        for text in posting.texts
        if text.language != posting.original_language
    }
    data = form.posting_input(translations, posting.status)
    try:
        changed = commit(lambda: postings.update_posting(get_session(), current_user, posting, data))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template("dashboard/posting_form.html", **page), 400
    flash(
        _("The posting is saved.") if changed else _("Nothing was changed."), "success" if changed else "info"
    )
    return redirect(back_to_list())


def renew_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    days = settings.current().renew_days
    commit(lambda: postings.renew_posting(get_session(), current_user, posting, clock.today(), days))
    flash(_("The posting is valid until %(date)s.", date=format_date(posting.valid_until)), "success")
    return redirect(back_to_list())


def close_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    if posting.status == "closed":
        flash(_("The posting was already closed."), "info")
    else:
        commit(lambda: postings.close_posting(get_session(), current_user, posting))
        flash(_("The posting is closed and no longer shown."), "success")
    return redirect(back_to_list())


def reopen_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    if posting.status == "open":
        flash(_("The posting was already open."), "info")
    else:
        commit(lambda: postings.reopen_posting(get_session(), current_user, posting))
        if posting.is_expired(clock.today()):
            flash(_("The posting is open again, but its date has passed: renew it to show it."), "info")
        else:
            flash(_("The posting is open again."), "success")
    return redirect(back_to_list())


def translation(posting_id: int, language: str):
    posting = posting_in_reach(posting_id)
    target = next((item for item in LANGUAGES if item.code == language), None)
    if target is None:
        abort(404)
    if not permissions.can_edit_posting(current_user, posting):
        abort(403)
    existing = next((text for text in posting.texts if text.language == language), None)
    form = TranslationForm(data={"title": existing.title, "body": existing.body} if existing else None)
    for field in (form.title, form.body):  # typed in the target language, in its direction
        field.render_kw = {"lang": target.code, "dir": target.direction}
    original = posting.text(posting.original_language)
    page = {
        "form": form,
        "posting": posting,
        "original": original,
        "target": target,
        "exists": bool(existing),
        "outdated": bool(existing and existing.outdated),
    }
    if language == posting.original_language and not form.is_submitted():
        flash(_("This is the language the posting was written in: change its text here."), "info")
        return redirect(url_for(".edit_posting", posting_id=posting.id))
    if not form.validate_on_submit():
        return render_template("dashboard/translation.html", **page), form_status(form)
    try:
        changed = commit(
            lambda: postings.set_translation(
                get_session(), current_user, posting, language, form.title.data, form.body.data
            )
        )
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template("dashboard/translation.html", **page), 400
    if changed:
        flash(_("The translation into %(language)s is saved.", language=target.native_name), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for(".edit_posting", posting_id=posting.id))
