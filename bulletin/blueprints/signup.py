"""Signing up an organisation, and confirming the address (docs/security.md, "Sign-up and account
enumeration").

The sign-up form (``account.signup``) hands a valid form to ``receive``: the answer is the same page with
the same status whether or not the address has an account, and the mail (a confirmation link, or a note
to the owner of a known address, written in bulletin/notifications/signups.py) goes out after the
response, so its time tells nothing either.

The confirmation link shows a page with a button (GET): mail scanners open links, and must not confirm
anything. Only the button's POST confirms, signs the member in and tells the coordinators.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from bulletin import login_sessions, settings
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms.organisation import SignupForm
from bulletin.forms.service_errors import show_service_errors
from bulletin.models import User
from bulletin.notifications import signups as signup_mails
from bulletin.services import accounts, signups
from bulletin.services.errors import InvalidData

bp = Blueprint("signup", __name__, url_prefix="/<lang>/account")

TOKEN_MAX = 300  # a real token is about 100 characters; anything far longer is not one


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


@dataclass(frozen=True)
class SignupSent:
    email: str
    hours: int


@dataclass(frozen=True)
class Confirmation:
    email: str
    organisation_name: str


def confirm_hours() -> int:
    return settings.current().signup_confirm_hours


def render_signup(form: SignupForm):
    return render_template("account/signup.html", form=form,
                           privacy_url=url_for("legal.privacy")), 400 if form.is_submitted() else 200


def receive(form: SignupForm):
    """A valid sign-up form: create the sign-up or tell the known address's owner; the same answer."""
    session = get_session()
    email = accounts.normalise_email(form.account_email.data)
    try:
        result = commit(lambda: signups.sign_up(session, form.organisation_input(), email,
                                                form.password.data))
    except InvalidData as error:
        show_service_errors(form, error, {"email": "account_email"})
        page, _status = render_signup(form)
        return page, 400
    except IntegrityError:  # the same address signed up a moment ago: from now on it is a known one
        result = signups.SignupResult(existing=accounts.get_by_email(session, email))
    if result.created is not None:
        signup_mails.send_confirmation_after_response(result.created)
    elif result.existing is not None and result.existing.active:
        signup_mails.send_known_address_after_response(result.existing)
    return render_template("account/signup_sent.html", sent=SignupSent(email=email, hours=confirm_hours()))


def refuse_unconfirmed(form, user: User):
    """Sign-in with the right password for an account whose address is not confirmed: no sign-in, a new
    confirmation link by mail instead (only after the password, so nobody else learns of the account)."""
    signup_mails.send_confirmation_after_response(user)
    form.form_errors.append(_("Your email address is not confirmed yet. We have sent you a new mail with a "
                              "link to confirm it: please open it."))
    return render_template("account/login.html", form=form), 400


def no_store(page, status: int):
    """A page reached through a secret link: never kept by a cache."""
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def link_no_longer_works():
    return no_store(render_template("account/confirm_invalid.html"), 400)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    if len(token) > TOKEN_MAX:
        return link_no_longer_works()
    session = get_session()
    max_age = confirm_hours() * 3600
    user = signups.user_for_confirm_token(session, current_app.secret_key, token, max_age)
    if user is None:
        return link_no_longer_works()
    form = ConfirmForm()
    if not form.validate_on_submit():
        shown = Confirmation(email=user.email,
                             organisation_name=user.organisation.name if user.organisation else "")
        page = render_template("account/confirm.html", form=form, confirmation=shown)
        return no_store(page, 400 if form.is_submitted() else 200)
    commit(lambda: signups.confirm(session, user))
    login_sessions.begin(user)
    signup_mails.tell_coordinators_after_response(user)
    flash(_("Welcome! Your organisation now waits for approval. Until then nothing is public."), "success")
    return redirect(url_for("dashboard.index"))
