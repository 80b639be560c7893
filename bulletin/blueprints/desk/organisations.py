"""The desk's organisations: the list of all, and one organisation's page with what the coordinator may
do to it (a message asking for changes, suspending and restoring, the verified badge)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.desk import audit_rows, bp, organisation_presenters, presenters
from bulletin.blueprints.desk.actions import decide, decide_and_tell, found_or_404
from bulletin.blueprints.desk.forms import MessageForm, SuspendForm
from bulletin.blueprints.desk.paging import nav, page_or_404
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.models import Organisation, OrganisationMessage
from bulletin.notifications import desk as desk_mails
from bulletin.services import accounts, audit_log, clock, desk_listings, moderation
from bulletin.taxonomy import ORGANISATION_STATUSES

ORGANISATION = f"/organisations/<int(max={MAX_ID}):organisation_id>"


def organisation_status_options() -> list[tuple[str, str]]:
    labels = presenters.organisation_status_labels()
    return [("", _("All"))] + [(status, labels[status]) for status in ORGANISATION_STATUSES]


def verified_options() -> list[tuple[str, str]]:
    return [("", _("All")), ("yes", _("Verified")), ("no", _("Not verified"))]


@bp.get("/organisations/all", endpoint="all_organisations")
@coordinator_required
def all_organisations():
    status = query_args.choice(request.args, "status", ORGANISATION_STATUSES)
    verified = query_args.choice(request.args, "verified", ("yes", "no"))
    page = page_or_404(desk_listings.organisations_page(
        get_session(), status=status, verified=None if verified is None else verified == "yes",
        page=query_args.page_number(request.args), per_page=settings.current().per_page,
    ))
    return render_template(
        "desk/organisation_list.html",
        rows=organisation_presenters.organisation_rows(page.items),
        total=page.total,
        nav=nav(page, ".all_organisations", status=status, verified=verified),
        status_options=organisation_status_options(),
        status=status or "",
        verified_options=verified_options(),
        verified=verified or "",
    )


def render_organisation(organisation: Organisation, *, message_form: MessageForm | None = None,
                        suspend_form: SuspendForm | None = None, status: int = 200):
    session, today = get_session(), clock.today()
    return render_template(
        "desk/organisation.html",
        organisation=organisation_presenters.organisation_detail(
            organisation, accounts.members_of(session, organisation.id)
        ),
        messages=organisation_presenters.message_views(moderation.messages_of(session, organisation.id)),
        postings=presenters.desk_posting_rows(desk_listings.postings_of(session, today, organisation.id),
                                              today),
        reports=presenters.report_rows(desk_listings.reports_about_organisation(session, organisation.id)),
        entries=audit_rows.audit_rows(audit_log.entries_about(session, "organisation", organisation.id)),
        message_form=message_form or MessageForm(formdata=None),
        suspend_form=suspend_form or SuspendForm(formdata=None),
    ), status


def back_to_organisation(organisation_id: int):
    return redirect(url_for(".organisation", organisation_id=organisation_id))


@bp.get(ORGANISATION, endpoint="organisation")
@coordinator_required
def organisation_page(organisation_id: int):
    return render_organisation(found_or_404(Organisation, organisation_id))


@bp.post(f"{ORGANISATION}/message")
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
        sent = desk_mails.tell_message(organisation, message)
        flash(ngettext("Your message is on the dashboard of %(name)s and was emailed to %(num)d member.",
                       "Your message is on the dashboard of %(name)s and was emailed to %(num)d members.",
                       sent, name=organisation.name), "success")
    return back_to_organisation(organisation_id)


@bp.post(f"{ORGANISATION}/messages/<int(max={MAX_ID}):message_id>/resolve")
@coordinator_required
def resolve_message(organisation_id: int, message_id: int):
    message = found_or_404(OrganisationMessage, message_id)
    if message.organisation_id != organisation_id:
        abort(404)
    decide_and_tell(lambda: moderation.resolve_message(get_session(), current_user, message),
                    _("The message is marked as resolved."), _("The message was already resolved."))
    return back_to_organisation(organisation_id)


@bp.post(f"{ORGANISATION}/suspend")
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
        desk_mails.tell_suspended(organisation, reason)
        flash(_("%(name)s is suspended: its page and postings are hidden.", name=organisation.name),
              "success")
    return back_to_organisation(organisation_id)


@bp.post(f"{ORGANISATION}/restore")
@coordinator_required
def restore_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    ok, _result = decide(lambda: moderation.restore_organisation(get_session(), current_user, organisation))
    if ok:
        desk_mails.tell_restored(organisation)
        flash(_("%(name)s is public again, with its open postings.", name=organisation.name), "success")
    return back_to_organisation(organisation_id)


@bp.post(f"{ORGANISATION}/verify")
@coordinator_required
def verify_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    decide_and_tell(lambda: moderation.set_verified(get_session(), current_user, organisation, True),
                    _("%(name)s now shows the verified badge.", name=organisation.name),
                    _("%(name)s was already verified.", name=organisation.name),
                    then=lambda: desk_mails.tell_verified(organisation))
    return back_to_organisation(organisation_id)


@bp.post(f"{ORGANISATION}/unverify")
@coordinator_required
def unverify_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    decide_and_tell(lambda: moderation.set_verified(get_session(), current_user, organisation, False),
                    _("%(name)s no longer shows the verified badge.", name=organisation.name),
                    _("%(name)s was not verified.", name=organisation.name))
    return back_to_organisation(organisation_id)
