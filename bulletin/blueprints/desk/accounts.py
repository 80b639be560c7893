"""The desk's accounts: every account with its last sign-in; new coordinator and translator accounts;
deactivating, reactivating, and sending someone a link to choose a new password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from bulletin import settings
from bulletin.blueprints import query_args
from bulletin.blueprints.desk import bp, presenters
from bulletin.blueprints.desk.actions import decide, decide_and_tell, found_or_404
from bulletin.blueprints.desk.forms import StaffAccountForm
from bulletin.blueprints.desk.paging import nav, page_or_404
from bulletin.blueprints.guards import coordinator_required
from bulletin.blueprints.transactions import commit
from bulletin.blueprints.url_rules import MAX_ID
from bulletin.db import get_session
from bulletin.forms.service_errors import show_service_errors
from bulletin.models import User
from bulletin.notifications import invitations
from bulletin.notifications.accounts import send_reset_mail
from bulletin.services import desk_listings, staff
from bulletin.services.errors import InvalidData

ACCOUNT = f"/accounts/<int(max={MAX_ID}):user_id>"
ROLES = ("coordinator", "translator", "member")


def role_options() -> list[tuple[str, str]]:
    labels = presenters.role_labels()
    return [("", _("All"))] + [(role, labels[role]) for role in ROLES]


@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@coordinator_required
def accounts_page():
    form = StaffAccountForm()
    if form.validate_on_submit():
        try:
            user = commit(lambda: staff.create_staff_account(
                get_session(), current_user, form.email.data, form.role.data, list(form.languages.data or [])
            ))
        except InvalidData as error:
            show_service_errors(form, error)
        except IntegrityError:  # the same address was added a moment ago
            form.email.errors = [_("There is already an account with this email address.")]
        else:
            if invitations.invite_staff(user, presenters.role_labels()[user.role]):
                flash(_("%(email)s has an account now and got an email to choose a password.",
                        email=user.email), "success")
            else:
                flash(_('%(email)s has an account now, but the email could not be sent. They can use '
                        '"Forgot your password?" on the sign-in page.', email=user.email), "error")
            return redirect(url_for(".accounts"))
    role = query_args.choice(request.args, "role", ROLES)
    page = page_or_404(desk_listings.accounts_page(
        get_session(), role=role, page=query_args.page_number(request.args),
        per_page=settings.current().per_page,
    ))
    return render_template(
        "desk/accounts.html",
        form=form,
        rows=presenters.account_rows(page.items, current_user.id),
        total=page.total,
        nav=nav(page, ".accounts", role=role),
        role_options=role_options(),
        role=role or "",
    ), 400 if form.is_submitted() else 200


def set_active(user_id: int, active: bool):
    """Deactivate or reactivate an account; a repeated click says it was already so."""
    user = found_or_404(User, user_id)
    if active:
        done = _("%(email)s can sign in again.", email=user.email)
        unchanged = _("%(email)s was already active.", email=user.email)
    else:
        done = _("%(email)s is deactivated and can no longer sign in.", email=user.email)
        unchanged = _("%(email)s was already deactivated.", email=user.email)
    decide_and_tell(lambda: staff.set_active(get_session(), current_user, user, active), done, unchanged)
    return redirect(url_for(".accounts"))


@bp.post(f"{ACCOUNT}/deactivate")
@coordinator_required
def deactivate_account(user_id: int):
    return set_active(user_id, False)


@bp.post(f"{ACCOUNT}/reactivate")
@coordinator_required
def reactivate_account(user_id: int):
    return set_active(user_id, True)


@bp.post(f"{ACCOUNT}/send-reset")
@coordinator_required
def send_reset(user_id: int):
    user = found_or_404(User, user_id)
    ok, _result = decide(lambda: staff.reset_access(get_session(), current_user, user))
    if ok:
        if send_reset_mail(user):
            flash(_("%(email)s is signed out everywhere and got an email with a link to choose a new "
                    "password.", email=user.email), "success")
        else:
            flash(_("The email to %(email)s could not be sent. Please try again later.", email=user.email),
                  "error")
    return redirect(url_for(".accounts"))
