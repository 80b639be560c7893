"""The coordinator's desk: sign-ups, organisations and postings, and what every desk page shares.

The desk's other pages are views of the same blueprint in their own modules: desk_reports (reports
from visitors), desk_insights (statistics, the audit log) and desk_accounts. Every page and action of
the desk is the coordinator's alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import i18n
from bulletin.blueprints import desk_presenters, query_args
from bulletin.blueprints.dashboard import MAX_ID
from bulletin.blueprints.desk_forms import HideForm, MessageForm, SuspendForm
from bulletin.blueprints.presenters import page_nav
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms import RejectForm
from bulletin.links import external_url
from bulletin.mail import send_mail_or_log
from bulletin.models import Organisation, OrganisationMessage, Posting
from bulletin.services import accounts, audit_log, clock, moderation, organisations, postings, reports
from bulletin.services.errors import InvalidData
from bulletin.services.pagination import paginate
from bulletin.taxonomy import LANGUAGE_BY_CODE, ORGANISATION_STATUSES, ORGANISATION_TYPES

Result = TypeVar("Result")

bp = Blueprint("moderation", __name__, url_prefix="/<lang>/desk")


def coordinator_required(view):
    """Anonymous visitors are sent to sign in; members and translators are refused with 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return guarded


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
        url=external_url("dashboard.index", lang=i18n.current_language()),
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


# Shared by the desk's pages and actions ------------------------------------------------------------------


@bp.context_processor
def desk_context():
    def desk_counts() -> dict[str, int]:
        """What waits for the coordinator, for the desk's navigation."""
        session = get_session()
        return {
            "waiting": moderation.count_waiting(session),
            "held": moderation.count_held(session),
            "reports": reports.open_count(session),
        }

    return {"desk_counts": desk_counts}


@bp.app_context_processor
def dashboard_context():
    def coordinator_notices(organisation: Organisation) -> desk_presenters.CoordinatorNotices:
        """The coordinator's open messages and held or hidden postings, for the organisation's dashboard."""
        session = get_session()
        return desk_presenters.coordinator_notices(
            moderation.messages_of(session, organisation.id, open_only=True),
            moderation.withheld_postings(session, organisation.id),
        )

    return {"coordinator_notices": coordinator_notices}


def decide(change: Callable[[], Result]) -> tuple[bool, Result | None]:
    """Run one service call and commit it; a refused change rolls back and its reasons are flashed."""
    try:
        return True, commit(change)
    except InvalidData as error:
        for message in error.errors.values():
            flash(str(message), "error")
        return False, None


def tell_members(organisation: Organisation, subject: str, template: str, **context) -> int:
    """Mail the organisation's active members; returns how many mails went out."""
    body = render_template(template, organisation=organisation,
                           dashboard_url=external_url("dashboard.index", lang=i18n.current_language()),
                           **context)
    members = [member for member in accounts.members_of(get_session(), organisation.id) if member.active]
    return sum(send_mail_or_log(member.email, subject, body) for member in members)


def site_name() -> str:
    return current_app.config["BULLETIN_SITE_NAME"]


def found_or_404(model, object_id: int):
    found = get_session().get(model, object_id)
    if found is None:
        abort(404)
    return found


def flash_outcome(changed: bool, done: str, unchanged: str) -> None:
    """Say what happened; a repeated click (nothing left to change) is news, not an error."""
    flash(done if changed else unchanged, "success" if changed else "info")


# Organisations ---------------------------------------------------------------------------------------


def organisation_status_options() -> list[tuple[str, str]]:
    labels = desk_presenters.organisation_status_labels()
    return [("", _("All"))] + [(status, labels[status]) for status in ORGANISATION_STATUSES]


def verified_options() -> list[tuple[str, str]]:
    return [("", _("All")), ("yes", _("Verified")), ("no", _("Not verified"))]


@bp.get("/organisations/all", endpoint="all_organisations")
@coordinator_required
def all_organisations():
    status = query_args.choice(request.args, "status", ORGANISATION_STATUSES)
    verified = query_args.choice(request.args, "verified", ("yes", "no"))
    page = paginate(
        get_session(),
        moderation.organisations_by_name(status, None if verified is None else verified == "yes"),
        query_args.page_number(request.args),
        current_app.config["BULLETIN_PER_PAGE"],
    )
    if page.page > page.pages:
        abort(404)
    filters = {"status": status, "verified": verified}
    return render_template(
        "moderation/organisation_list.html",
        rows=desk_presenters.organisation_rows(page.items),
        total=page.total,
        nav=page_nav(page, lambda number: url_for(".all_organisations", page=number if number > 1 else None,
                                                  **filters)),
        status_options=organisation_status_options(),
        status=status or "",
        verified_options=verified_options(),
        verified=verified or "",
    )


def render_organisation(organisation: Organisation, *, message_form: MessageForm | None = None,
                        suspend_form: SuspendForm | None = None, status: int = 200):
    session, today = get_session(), clock.today()
    items = list(session.exec(postings.overview(today, organisation_id=organisation.id)))
    return render_template(
        "moderation/organisation.html",
        organisation=desk_presenters.organisation_detail(
            organisation, accounts.members_of(session, organisation.id)
        ),
        messages=desk_presenters.message_views(moderation.messages_of(session, organisation.id)),
        postings=desk_presenters.desk_posting_rows(items, today),
        reports=desk_presenters.report_rows(session, reports.about_organisation(session, organisation.id)),
        entries=desk_presenters.audit_rows(audit_log.entries_about(session, "organisation", organisation.id)),
        message_form=message_form or MessageForm(formdata=None),
        suspend_form=suspend_form or SuspendForm(formdata=None),
    ), status


def back_to_organisation(organisation_id: int):
    return redirect(url_for(".organisation", organisation_id=organisation_id))


@bp.get(f"/organisations/<int(max={MAX_ID}):organisation_id>", endpoint="organisation")
@coordinator_required
def organisation_page(organisation_id: int):
    return render_organisation(found_or_404(Organisation, organisation_id))


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/message")
@coordinator_required
def message_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    form = MessageForm()
    if not form.validate():
        return render_organisation(organisation, message_form=form, status=400)
    ok, message = decide(
        lambda: moderation.ask_for_changes(get_session(), current_user, organisation, form.text.data)
    )
    if ok:
        subject = _("A message from the coordinator of %(site)s", site=site_name())
        sent = tell_members(organisation, subject, "moderation/mail_message.txt", message=message)
        flash(ngettext("Your message is on the dashboard of %(name)s and was emailed to %(num)d member.",
                       "Your message is on the dashboard of %(name)s and was emailed to %(num)d members.",
                       sent, name=organisation.name), "success")
    return back_to_organisation(organisation_id)


@bp.post(
    f"/organisations/<int(max={MAX_ID}):organisation_id>/messages/<int(max={MAX_ID}):message_id>/resolve"
)
@coordinator_required
def resolve_message(organisation_id: int, message_id: int):
    message = found_or_404(OrganisationMessage, message_id)
    if message.organisation_id != organisation_id:
        abort(404)
    ok, changed = decide(lambda: moderation.resolve_message(get_session(), current_user, message))
    if ok:
        flash_outcome(changed, _("The message is marked as resolved."),
                      _("The message was already resolved."))
    return back_to_organisation(organisation_id)


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/suspend")
@coordinator_required
def suspend_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    form = SuspendForm()
    if not form.validate():
        return render_organisation(organisation, suspend_form=form, status=400)
    reason = (form.reason.data or "").strip()
    ok, _result = decide(
        lambda: moderation.suspend_organisation(get_session(), current_user, organisation, reason)
    )
    if ok:
        tell_members(organisation, _("%(name)s is suspended", name=organisation.name),
                     "moderation/mail_suspended.txt", reason=reason)
        flash(_("%(name)s is suspended: its page and postings are hidden.", name=organisation.name),
              "success")
    return back_to_organisation(organisation_id)


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/restore")
@coordinator_required
def restore_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    ok, _result = decide(lambda: moderation.restore_organisation(get_session(), current_user, organisation))
    if ok:
        tell_members(organisation, _("%(name)s is public again", name=organisation.name),
                     "moderation/mail_restored.txt")
        flash(_("%(name)s is public again, with its open postings.", name=organisation.name), "success")
    return back_to_organisation(organisation_id)


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/verify")
@coordinator_required
def verify_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    ok, changed = decide(lambda: moderation.set_verified(get_session(), current_user, organisation, True))
    if ok and changed:
        tell_members(organisation, _("%(name)s is verified", name=organisation.name),
                     "moderation/mail_verified.txt")
        flash(_("%(name)s now shows the verified badge.", name=organisation.name), "success")
    elif ok:
        flash(_("%(name)s was already verified.", name=organisation.name), "info")
    return back_to_organisation(organisation_id)


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/unverify")
@coordinator_required
def unverify_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    ok, changed = decide(lambda: moderation.set_verified(get_session(), current_user, organisation, False))
    if ok:
        flash_outcome(changed, _("%(name)s no longer shows the verified badge.", name=organisation.name),
                      _("%(name)s was not verified.", name=organisation.name))
    return back_to_organisation(organisation_id)


# Every posting ---------------------------------------------------------------------------------------


def state_options() -> list[tuple[str, str]]:
    return [("", _("All")), ("open", _("Open")), ("expired", _("Expired")), ("closed", _("Closed"))]


def moderation_options() -> list[tuple[str, str]]:
    labels = desk_presenters.moderation_labels()
    return [("", _("All"))] + [(state, labels[state]) for state in moderation.MODERATION_STATES]


@bp.get("/postings", endpoint="postings")
@coordinator_required
def all_postings():
    session = get_session()
    everyone = organisations.all_by_name(session)
    state = query_args.choice(request.args, "status", postings.POSTING_STATES)
    review = query_args.choice(request.args, "review", moderation.MODERATION_STATES)
    organisation = query_args.choice(request.args, "organisation", [str(item.id) for item in everyone])
    page_number = query_args.page_number(request.args)
    today = clock.today()
    statement = moderation.with_moderation(
        postings.overview(today, state=state, organisation_id=int(organisation) if organisation else None),
        review,
    )
    page = paginate(session, statement, page_number, current_app.config["BULLETIN_PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    filters = {"status": state, "review": review, "organisation": organisation}
    return render_template(
        "moderation/postings.html",
        rows=desk_presenters.desk_posting_rows(page.items, today),
        total=page.total,
        nav=page_nav(
            page, lambda number: url_for(".postings", page=number if number > 1 else None, **filters)
        ),
        state_options=state_options(),
        state=state or "",
        review_options=moderation_options(),
        review=review or "",
        organisation_options=[("", _("All organisations"))]
        + [(str(item.id), item.name) for item in everyone],
        organisation=organisation or "",
    )


def render_posting(posting: Posting, hide_form: HideForm | None = None, status: int = 200):
    session = get_session()
    return render_template(
        "moderation/posting.html",
        posting=desk_presenters.posting_detail(posting, clock.today()),
        reports=desk_presenters.report_rows(session, reports.about_posting(session, posting.id)),
        entries=desk_presenters.audit_rows(audit_log.entries_about(session, "posting", posting.id)),
        hide_form=hide_form or HideForm(formdata=None, data={"reason": posting.moderation_reason or ""}),
    ), status


def back_to_posting(posting_id: int):
    return redirect(url_for(".posting", posting_id=posting_id))


@bp.get(f"/postings/<int(max={MAX_ID}):posting_id>", endpoint="posting")
@coordinator_required
def posting_page(posting_id: int):
    return render_posting(found_or_404(Posting, posting_id))


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/hide")
@coordinator_required
def hide_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    form = HideForm()
    if not form.validate():
        return render_posting(posting, form, status=400)
    reason = form.reason.data
    ok, changed = decide(lambda: moderation.hide_posting(get_session(), current_user, posting, reason))
    if ok and changed:
        tell_members(posting.organisation, _("Your posting was hidden"), "moderation/mail_posting_hidden.txt",
                     posting=desk_presenters.posting_title(posting), reason=posting.moderation_reason)
        flash(_("The posting is hidden; its organisation sees your reason."), "success")
    elif ok:
        flash(_("The posting was already hidden for this reason."), "info")
    return back_to_posting(posting_id)


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/restore")
@coordinator_required
def restore_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    ok, changed = decide(lambda: moderation.restore_posting(get_session(), current_user, posting))
    if ok and changed:
        tell_members(posting.organisation, _("Your posting is shown again"),
                     "moderation/mail_posting_restored.txt", posting=desk_presenters.posting_title(posting))
        flash(_("The posting is no longer hidden."), "success")
    elif ok:
        flash(_("The posting was not hidden."), "info")
    return back_to_posting(posting_id)


@bp.post(f"/postings/<int(max={MAX_ID}):posting_id>/release")
@coordinator_required
def release_posting(posting_id: int):
    posting = found_or_404(Posting, posting_id)
    ok, changed = decide(lambda: moderation.release_posting(get_session(), current_user, posting))
    if ok and changed:
        tell_members(posting.organisation, _("Your posting is on the board"),
                     "moderation/mail_posting_released.txt", posting=desk_presenters.posting_title(posting))
        flash(_("The posting is released onto the board."), "success")
    elif ok:
        flash(_("The posting was not waiting for review."), "info")
    if request.form.get("from") == "list":
        return redirect(url_for(".postings", review="held"))
    return back_to_posting(posting_id)


# The desk's other pages join this blueprint from their own modules.
from bulletin.blueprints import desk_accounts, desk_insights, desk_reports  # noqa: E402, F401
