"""An organisation's own postings and profile.

A posting outside the user's reach (another organisation's, for a member) answers 404: the user need not
learn that it exists. One in reach that the user may not change now (a pending or suspended organisation)
answers 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from bulletin.blueprints.account import reset_hours, reset_link
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms import (
    AddMemberForm,
    MatchDigestForm,
    PostingForm,
    ProfileForm,
    TranslationForm,
    show_service_errors,
)
from bulletin.i18n import current_language, isolate
from bulletin.links import external_url
from bulletin.mail import send_mail_or_log
from bulletin.models import Organisation, Posting
from bulletin.search import digest
from bulletin.services import accounts, clock, logos, organisations, permissions, postings
from bulletin.services.errors import InvalidData
from bulletin.taxonomy import CATEGORY_BY_SLUG, LANGUAGES, POSTING_TYPES

bp = Blueprint("dashboard", __name__, url_prefix="/<lang>/dashboard")

MAX_ID = 2**31 - 1  # ids are 32-bit columns on PostgreSQL; a larger number in a URL is no page



@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


# What the pages show ---------------------------------------------------------------------------------


def state_labels() -> dict[str, str]:
    return {"open": _("Open"), "expired": _("Expired"), "closed": _("Closed")}


def organisation_status_labels() -> dict[str, str]:
    return {"pending": _("Waiting for approval"), "approved": _("Approved"), "suspended": _("Suspended")}


STATUS_BADGES = {"pending": "pending", "suspended": "closed"}  # an approved organisation needs no badge


@dataclass(frozen=True)
class PostingRow:
    """One posting in a table of the dashboard or the desk."""

    id: int
    title: str
    title_language: str
    type_label: str
    category_label: str
    organisation_name: str
    state: str
    state_label: str
    valid_until: str
    public_url: str | None
    editable: bool
    renewable: bool  # a closed posting is reopened first; renewing it alone would change nothing visible
    outdated: list[TranslationLink]  # translations made from an earlier version of the original


def posting_rows(items: list[Posting], today: date) -> list[PostingRow]:
    reader = current_language()
    labels = state_labels()
    rows = []
    for posting in items:
        shown = posting.text(reader)
        state = postings.posting_state(posting, today)
        category = CATEGORY_BY_SLUG.get(posting.category)
        rows.append(
            PostingRow(
                id=posting.id,
                title=shown.title if shown else posting.key,
                title_language=shown.language if shown else posting.original_language,
                type_label=str(POSTING_TYPES.get(posting.type, posting.type)),
                category_label=str(category.label) if category else posting.category,
                organisation_name=posting.organisation.name,
                state=state,
                state_label=labels[state],
                valid_until=format_date(posting.valid_until) if posting.valid_until else _("No end date"),
                public_url=url_for("public.posting", posting_id=posting.id)
                if posting.is_listed(today)
                else None,
                editable=permissions.can_edit_posting(current_user, posting),
                renewable=state != "closed",
                outdated=[link for link in translation_links(posting) if link.outdated],
            )
        )
    return rows


def status_notice(organisation: Organisation) -> str | None:
    if organisation.status == "pending":
        return _(
            "Your organisation is waiting for approval by the coordinator. Nothing is public yet. "
            "You can already complete your profile."
        )
    if organisation.status == "suspended":
        return _(
            "Your organisation is suspended: its page and its postings are not shown publicly and "
            "cannot be changed. Please contact the coordinator."
        )
    return None


@dataclass(frozen=True)
class TranslationLink:
    code: str
    native_name: str
    direction: str
    url: str
    exists: bool
    outdated: bool  # made from an earlier version of the original: save it again once checked


def translation_links(posting: Posting) -> list[TranslationLink]:
    present = {text.language: text for text in posting.texts}
    return [
        TranslationLink(
            language.code,
            language.native_name,
            language.direction,
            url_for("dashboard.translation", posting_id=posting.id, language=language.code),
            language.code in present,
            language.code in present and present[language.code].outdated,
        )
        for language in LANGUAGES
        if language.code != posting.original_language
    ]


# Lookups and the one pattern every change follows -----------------------------------------------------


def own_organisation() -> Organisation:
    """The signed-in member's organisation; the coordinator has none and works at the desk."""
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation


def posting_in_reach(posting_id: int) -> Posting:
    """The posting if this user may know about it: their organisation's, or any for the coordinator."""
    posting = get_session().get(Posting, posting_id)
    if posting is None:
        abort(404)
    if not current_user.is_coordinator and posting.organisation_id != current_user.organisation_id:
        abort(404)
    return posting


def back_to_list() -> str:
    return url_for("moderation.postings") if current_user.is_coordinator else url_for(".index")


def form_status(form) -> int:
    return 400 if form.is_submitted() else 200


# Pages --------------------------------------------------------------------------------------------------


@bp.get("/")
def index():
    if current_user.organisation is None:
        # The coordinator works at the desk, a volunteer translator at the translations queue.
        return redirect(url_for("translate.queue" if current_user.is_translator else "moderation.postings"))
    organisation = current_user.organisation
    today = clock.today()
    items = list(get_session().exec(postings.overview(today, organisation_id=organisation.id)))
    return render_template(
        "dashboard/index.html",
        organisation=organisation,
        status_label=organisation_status_labels().get(organisation.status, organisation.status),
        status_badge=STATUS_BADGES.get(organisation.status),
        public_url=url_for("public.organisation", key=organisation.key) if organisation.is_public else None,
        notice=status_notice(organisation),
        rows=posting_rows(items, today),
        can_post=permissions.can_post_for(current_user, organisation),
        can_edit_profile=permissions.can_edit_profile(current_user, organisation),
        digest_form=MatchDigestForm(match_digest=organisation.match_digest)
        if permissions.can_post_for(current_user, organisation) else None,
    )


@bp.post("/match-digest")
def match_digest():
    """Ask for, or stop, the daily mail of new offers matching the organisation's requests."""
    organisation = own_organisation()
    form = MatchDigestForm()
    if not form.validate_on_submit():
        abort(400)
    changed = commit(lambda: digest.set_match_digest(get_session(), current_user, organisation,
                                                       form.match_digest.data))
    if changed and form.match_digest.data:
        flash(_("You will get a daily mail when new offers match your open requests."), "success")
    elif changed:
        flash(_("You will no longer get the daily mail of matching offers."), "success")
    return redirect(url_for(".index"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    organisation = own_organisation()
    if not permissions.can_edit_profile(current_user, organisation):
        abort(403)
    original = next((text for text in organisation.texts if text.is_original), None)
    form = ProfileForm(
        data={
            "name": organisation.name,
            "type": organisation.type,
            "email": organisation.email,
            "phone": organisation.phone,
            "website": organisation.website,
            "address": organisation.address,
            "district": organisation.district or "",
            "description_language": original.language if original else current_language(),
            "description": original.description if original else "",
            "languages": list(organisation.languages),
        },
        keep_district=organisation.district,
    )
    logo_url = url_for("logo", filename=organisation.logo) if organisation.logo else None
    if not form.validate_on_submit():
        return render_template(
            "dashboard/profile.html", form=form, organisation=organisation, logo_url=logo_url
        ), form_status(form)
    translations = {text.language: text.description for text in organisation.texts if not text.is_original}
    try:
        changed = commit(lambda: save_profile(organisation, form, translations))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template(
            "dashboard/profile.html", form=form, organisation=organisation, logo_url=logo_url
        ), 400
    flash(
        _("Your profile is saved.") if changed else _("Nothing was changed."),
        "success" if changed else "info",
    )
    return redirect(url_for(".index"))


def save_profile(organisation: Organisation, form: ProfileForm, translations: dict[str, str]) -> bool:
    """The profile and, if one came, the logo: checked first, so a bad image changes nothing."""
    upload = form.logo.data
    filename = None
    if upload:
        max_bytes = current_app.config["BULLETIN_LOGO_MAX_BYTES"]
        filename = logos.store_logo(
            upload.read(max_bytes + 1), current_app.config["BULLETIN_UPLOAD_DIR"], max_bytes
        )
    session = get_session()
    changed = organisations.update_profile(
        session, current_user, organisation, form.organisation_input(translations)
    )
    if filename and filename != organisation.logo:
        organisations.set_logo(session, current_user, organisation, filename)
        changed = True
    return changed


@bp.route("/postings/new", methods=["GET", "POST"])
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
                session, current_user, organisation, form.posting_input({}, "open")
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


@bp.route(f"/postings/<int(max={MAX_ID}):posting_id>/edit", methods=["GET", "POST"])
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


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/renew")
def renew_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    days = current_app.config["BULLETIN_RENEW_DAYS"]
    commit(lambda: postings.renew_posting(get_session(), current_user, posting, clock.today(), days))
    flash(_("The posting is valid until %(date)s.", date=format_date(posting.valid_until)), "success")
    return redirect(back_to_list())


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/close")
def close_posting(posting_id: int):
    posting = posting_in_reach(posting_id)
    if posting.status == "closed":
        flash(_("The posting was already closed."), "info")
    else:
        commit(lambda: postings.close_posting(get_session(), current_user, posting))
        flash(_("The posting is closed and no longer shown."), "success")
    return redirect(back_to_list())


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/reopen")
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


@bp.route(f"/postings/<int(max={MAX_ID}):posting_id>/translations/<language>", methods=["GET", "POST"])
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


@bp.route("/members", methods=["GET", "POST"])
def members():
    organisation = own_organisation()
    form = AddMemberForm()
    session = get_session()
    can_add = permissions.is_active_member_of(current_user, organisation)
    if form.validate_on_submit():
        try:
            member = commit(
                lambda: accounts.add_member(
                    session, current_user, organisation, form.email.data, secrets.token_urlsafe(32)
                )
            )
        except InvalidData as error:
            show_service_errors(form, error)
        except IntegrityError:  # the same address was added a moment ago
            form.email.errors = [_("There is already an account with this email address.")]
        else:
            if invite(member, organisation):
                flash(
                    _("%(email)s is a member now and got an email to choose a password.",
                      email=isolate(member.email)),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(email)s is a member now, but the email could not be sent. They can use "
                        '"Forgot your password?" on the sign-in page.',
                        email=isolate(member.email),
                    ),
                    "error",
                )
            return redirect(url_for(".members"))
    return render_template(
        "dashboard/members.html",
        form=form,
        organisation=organisation,
        can_add=can_add,
        members=accounts.members_of(session, organisation.id),
    ), form_status(form)


def invite(member, organisation: Organisation) -> bool:
    body = render_template(
        "dashboard/mail_new_member.txt",
        organisation=organisation,
        inviter=current_user.email,
        url=reset_link(member),
        hours=reset_hours(),
        login_url=external_url("account.login", lang=current_language()),
    )
    subject = _("Your account for %(organisation)s", organisation=organisation.name)
    return send_mail_or_log(member.email, subject, body)
