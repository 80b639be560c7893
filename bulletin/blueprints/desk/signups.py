"""The desk's list of sign-ups: approve an organisation, or reject it with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bulletin.blueprints.desk import bp
from bulletin.blueprints.desk.actions import decide, found_or_404
from bulletin.blueprints.desk.organisation_presenters import pending_organisations, reject_form_for
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.transactions import commit
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.forms.organisation import RejectForm
from bulletin.models import Organisation
from bulletin.notifications import desk as desk_mails
from bulletin.services import desk_listings, organisations


def render_waiting_list(failed_form: tuple[int, RejectForm] | None = None, status: int = 200):
    cards = pending_organisations(desk_listings.sign_ups(get_session()), failed_form)
    return render_template("desk/organisations.html", organisations=cards), status


@bp.get("/organisations", endpoint="organisations")
@coordinator_required
def organisations_waiting():
    return render_waiting_list()


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/approve")
@coordinator_required
def approve_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    changed = commit(lambda: organisations.approve(get_session(), current_user, organisation))
    if not changed:
        flash(_("%(name)s was already approved.", name=organisation.name), "info")
        return redirect(url_for(".organisations"))
    desk_mails.tell_approved(organisation)
    flash(_("%(name)s is approved and its members were told.", name=organisation.name), "success")
    return redirect(url_for(".organisations"))


@bp.post(f"/organisations/<int(max={MAX_ID}):organisation_id>/reject")
@coordinator_required
def reject_organisation(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id)
    form = reject_form_for(organisation_id, formdata=request.form)
    if not form.validate():
        return render_waiting_list((organisation_id, form), status=400)
    name, reason = organisation.name, (form.reason.data or "").strip()
    ok, emails = decide(lambda: organisations.reject(get_session(), current_user, organisation, reason))
    if not ok:
        return render_waiting_list(status=400)
    desk_mails.tell_rejected(name, reason, emails)
    flash(_("The sign-up of %(name)s is rejected and deleted.", name=name), "success")
    return redirect(url_for(".organisations"))
