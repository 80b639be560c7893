"""The desk's accounts: every account with its last sign-in; new coordinator and translator accounts;
deactivating, reactivating, and sending someone a link to choose a new password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from bulletin import i18n
from bulletin.blueprints import desk_presenters, query_args
from bulletin.blueprints.account import reset_hours, reset_link, send_reset_mail
from bulletin.blueprints.dashboard import MAX_ID
from bulletin.blueprints.desk_forms import StaffAccountForm
from bulletin.blueprints.moderation import (
    bp,
    coordinator_required,
    decide,
    flash_outcome,
    found_or_404,
    site_name,
)
from bulletin.blueprints.presenters import page_nav
from bulletin.db import get_session
from bulletin.forms import show_service_errors
from bulletin.links import external_url
from bulletin.mail import send_mail_or_log
from bulletin.models import User
from bulletin.services import staff
from bulletin.services.errors import InvalidData
from bulletin.services.pagination import paginate


def role_options() -> list[tuple[str, str]]:
    labels = desk_presenters.role_labels()
    return [("", _("All"))] + [(role, labels[role]) for role in ("coordinator", "translator", "member")]


@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@coordinator_required
def accounts_page():
    session = get_session()
    form = StaffAccountForm()
    if form.validate_on_submit():
        try:
            user = staff.create_staff_account(
                session, current_user, form.email.data, form.role.data, list(form.languages.data or [])
            )
            session.commit()
        except InvalidData as error:
            session.rollback()
            show_service_errors(form, error)
        except IntegrityError:  # the same address was added a moment ago
            session.rollback()
            form.email.errors = [_("There is already an account with this email address.")]
        else:
            if invite_staff(user):
                flash(_("%(email)s has an account now and got an email to choose a password.",
                        email=user.email), "success")
            else:
                flash(_('%(email)s has an account now, but the email could not be sent. They can use '
                        '"Forgot your password?" on the sign-in page.', email=user.email), "error")
            return redirect(url_for(".accounts"))
    role = query_args.choice(request.args, "role", ("coordinator", "translator", "member"))
    page = paginate(session, staff.all_accounts(role), query_args.page_number(request.args),
                    current_app.config["BULLETIN_PER_PAGE"])
    if page.page > page.pages:
        abort(404)
    return render_template(
        "moderation/accounts.html",
        form=form,
        rows=desk_presenters.account_rows(page.items, current_user.id),
        total=page.total,
        nav=page_nav(page, lambda number: url_for(".accounts", role=role,
                                                  page=number if number > 1 else None)),
        role_options=role_options(),
        role=role or "",
    ), 400 if form.is_submitted() else 200


def invite_staff(user: User) -> bool:
    body = render_template(
        "moderation/mail_new_account.txt",
        inviter=current_user.email,
        role=desk_presenters.role_labels()[user.role],
        url=reset_link(user),
        hours=reset_hours(),
        login_url=external_url("account.login", lang=i18n.current_language()),
    )
    return send_mail_or_log(user.email, _("Your account on %(site)s", site=site_name()), body)


@bp.post(f"/accounts/<int(max={MAX_ID}):user_id>/deactivate")
@coordinator_required
def deactivate_account(user_id: int):
    user = found_or_404(User, user_id)
    ok, changed = decide(lambda: staff.set_active(get_session(), current_user, user, False))
    if ok:
        flash_outcome(changed, _("%(email)s is deactivated and can no longer sign in.", email=user.email),
                      _("%(email)s was already deactivated.", email=user.email))
    return redirect(url_for(".accounts"))


@bp.post(f"/accounts/<int(max={MAX_ID}):user_id>/reactivate")
@coordinator_required
def reactivate_account(user_id: int):
    user = found_or_404(User, user_id)
    ok, changed = decide(lambda: staff.set_active(get_session(), current_user, user, True))
    if ok:
        flash_outcome(changed, _("%(email)s can sign in again.", email=user.email),
                      _("%(email)s was already active.", email=user.email))
    return redirect(url_for(".accounts"))


@bp.post(f"/accounts/<int(max={MAX_ID}):user_id>/send-reset")
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
