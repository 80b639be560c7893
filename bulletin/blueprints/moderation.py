"""The coordinator's desk: sign-ups waiting for approval, and every posting on the board."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from bulletin.blueprints import query_args
from bulletin.blueprints.dashboard import MAX_ID, posting_rows
from bulletin.blueprints.presenters import page_nav
from bulletin.db import get_session
from bulletin.forms import RejectForm
from bulletin.mail import send_mail_or_log
from bulletin.models import Organisation
from bulletin.services import accounts, clock, organisations, postings
from bulletin.services.errors import InvalidData
from bulletin.services.pagination import paginate
from bulletin.taxonomy import LANGUAGE_BY_CODE, ORGANISATION_TYPES
from bulletin.web import error_title

bp = Blueprint("moderation", __name__, url_prefix="/<lang>/desk")


def coordinator_required(view):
    """Anonymous visitors are sent to sign in; members are refused with 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return guarded


@bp.errorhandler(query_args.InvalidArgument)
def invalid_argument(error: query_args.InvalidArgument):
    return render_template("error.html", code=400, title=error_title(400), message=error.description), 400


# What the pages show ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpokenLanguage:
    code: str
    native_name: str
    direction: str


@dataclass(frozen=True)
class PendingOrganisation:
    """A sign-up as the coordinator judges it: everything it said, and who signed up."""

    id: int
    name: str
    type_label: str
    signed_up: str
    email: str | None
    phone: str | None
    website: str | None
    address: str | None
    district: str | None
    languages: list[SpokenLanguage]
    description: str | None
    description_language: str | None
    member_emails: list[str]
    reject_form: RejectForm


def reject_form_for(organisation_id: int, formdata=None) -> RejectForm:
    """The reject form of one organisation; several share a page, so each needs its own field id."""
    form = RejectForm(formdata=formdata)
    field_id = f"reason-{organisation_id}"
    form.reason.id = field_id
    form.reason.label.field_id = field_id
    return form


def pending_organisation(organisation: Organisation, reject_form: RejectForm) -> PendingOrganisation:
    original = next((text for text in organisation.texts if text.is_original), None)
    return PendingOrganisation(
        id=organisation.id,
        name=organisation.name,
        type_label=str(ORGANISATION_TYPES.get(organisation.type, organisation.type)),
        signed_up=format_date(organisation.created_at),
        email=organisation.email,
        phone=organisation.phone,
        website=organisation.website,
        address=organisation.address,
        district=organisation.district,
        languages=[
            SpokenLanguage(code, LANGUAGE_BY_CODE[code].native_name, LANGUAGE_BY_CODE[code].direction)
            for code in organisation.languages
            if code in LANGUAGE_BY_CODE
        ],
        description=original.description if original else None,
        description_language=original.language if original else None,
        member_emails=[member.email for member in accounts.members_of(get_session(), organisation.id)],
        reject_form=reject_form,
    )


def render_waiting_list(failed_form: tuple[int, RejectForm] | None = None, status: int = 200):
    waiting = organisations.waiting_for_approval(get_session())
    cards = [
        pending_organisation(
            organisation,
            failed_form[1]
            if failed_form and failed_form[0] == organisation.id
            else reject_form_for(organisation.id),
        )
        for organisation in waiting
    ]
    return render_template("moderation/organisations.html", organisations=cards), status


# Sign-ups ---------------------------------------------------------------------------------------------


@bp.get("/organisations", endpoint="organisations")
@coordinator_required
def organisations_waiting():
    return render_waiting_list()


def organisation_or_404(organisation_id: int) -> Organisation:
    organisation = get_session().get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/approve")
@coordinator_required
def approve_organisation(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    session = get_session()
    changed = organisations.approve(session, current_user, organisation)
    session.commit()
    if not changed:
        flash(_("%(name)s was already approved.", name=organisation.name), "info")
        return redirect(url_for(".organisations"))
    body = render_template(
        "moderation/mail_approved.txt",
        organisation=organisation,
        url=url_for("dashboard.index", _external=True),
    )
    subject = _("%(name)s is approved", name=organisation.name)
    for member in accounts.members_of(session, organisation.id):
        send_mail_or_log(member.email, subject, body)
    flash(_("%(name)s is approved and its members were told.", name=organisation.name), "success")
    return redirect(url_for(".organisations"))


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/reject")
@coordinator_required
def reject_organisation(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    form = reject_form_for(organisation_id, formdata=request.form)
    if not form.validate():
        return render_waiting_list((organisation_id, form), status=400)
    session = get_session()
    name, reason = organisation.name, (form.reason.data or "").strip()
    try:
        emails = organisations.reject(session, current_user, organisation, reason)
        session.commit()
    except InvalidData as error:
        session.rollback()
        for message in error.errors.values():
            flash(str(message), "error")
        return render_waiting_list(status=400)
    body = render_template("moderation/mail_rejected.txt", name=name, reason=reason)
    subject = _("Your sign-up for %(name)s", name=name)
    for email in emails:
        send_mail_or_log(email, subject, body)
    flash(_("The sign-up of %(name)s is rejected and deleted.", name=name), "success")
    return redirect(url_for(".organisations"))


# Every posting -----------------------------------------------------------------------------------------


def state_options() -> list[tuple[str, str]]:
    return [("", _("All")), ("open", _("Open")), ("expired", _("Expired")), ("closed", _("Closed"))]


@bp.get("/postings", endpoint="postings")
@coordinator_required
def all_postings():
    session = get_session()
    everyone = organisations.all_by_name(session)
    state = query_args.choice(request.args, "status", postings.POSTING_STATES)
    organisation = query_args.choice(request.args, "organisation", [str(item.id) for item in everyone])
    page_number = query_args.page_number(request.args)
    today = clock.today()
    statement = postings.overview(
        today, state=state, organisation_id=int(organisation) if organisation else None
    )
    page = paginate(session, statement, page_number, current_app.config["BULLETIN_PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    filters = {"status": state, "organisation": organisation}
    return render_template(
        "moderation/postings.html",
        rows=posting_rows(page.items, today),
        total=page.total,
        nav=page_nav(
            page, lambda number: url_for(".postings", page=number if number > 1 else None, **filters)
        ),
        state_options=state_options(),
        state=state or "",
        organisation_options=[("", _("All organisations"))]
        + [(str(item.id), item.name) for item in everyone],
        organisation=organisation or "",
    )
