"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from bulletin import login_sessions, settings, signin_throttle
from bulletin.blueprints import signup as signup_views
from bulletin.blueprints import two_factor as two_factor_views
from bulletin.blueprints.signing_in import complete_sign_in, safe_next
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms.account import ForgotPasswordForm, LoginForm, ResetPasswordForm
from bulletin.forms.fields import EMAIL_MAX
from bulletin.forms.organisation import SignupForm
from bulletin.forms.service_errors import show_service_errors
from bulletin.mail import after_response
from bulletin.models import User
from bulletin.notifications.accounts import send_password_changed_mail, send_reset_mail
from bulletin.services import accounts, signups
from bulletin.services.errors import InvalidData

bp = Blueprint("account", __name__, url_prefix="/<lang>/account")


class RefusedSignIn(Exception):
    """The password did not sign anybody in: wrong (``user`` is None), or right for an account whose
    address is not confirmed yet (``user`` is that account). Nothing of the attempt is saved."""

    def __init__(self, user: User | None):
        super().__init__()
        self.user = user


def login_limit() -> str:
    return settings.current().login_limit


def posted_email_key() -> str:
    """The rate-limit key for the email address in the form, hashed so the store holds no addresses."""
    email = accounts.normalise_email(request.form.get("email", ""))[:EMAIL_MAX]
    return "email:" + hashlib.sha256(email.encode()).hexdigest() if email else ""


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignupForm()
    if not form.validate_on_submit():
        return signup_views.render_signup(form)
    # The same answer whether or not the address has an account (blueprints/signup.py).
    return signup_views.receive(form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # per remote address, the limiter's default key
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("account/login.html", form=form), 400 if form.is_submitted() else 200
    email = accounts.normalise_email(form.email.data)
    # Many failures on one account, from wherever: a short pause, not a lock (bulletin/signin_throttle.py).
    wait = signin_throttle.seconds_to_wait(email)
    if wait:
        form.form_errors.append(ngettext(
            "Too many failed attempts for this account. Please wait %(num)d second and try again.",
            "Too many failed attempts for this account. Please wait %(num)d seconds and try again.",
            wait,
        ))
        return render_template("account/login.html", form=form), 429
    try:
        # Saved: the time of this sign-in, and a stronger hash if the settings changed.
        user = commit(lambda: confirmed_account(email, form.password.data))
    except RefusedSignIn as refused:
        if refused.user is not None:  # a sign-up whose address is not confirmed yet
            return signup_views.refuse_unconfirmed(form, refused.user)
        signin_throttle.record_failure(email)
        form.form_errors.append(_("The email address or the password is not right."))
        return render_template("account/login.html", form=form), 400
    signin_throttle.record_success(email)
    if two_factor_views.required(user):  # not signed in yet: the code comes first (blueprints/two_factor.py)
        return two_factor_views.start(user, form.next.data)
    return complete_sign_in(user, form.next.data)


def confirmed_account(email: str, password: str) -> User:
    """The account these credentials sign in, if its address is confirmed; else RefusedSignIn."""
    user = accounts.authenticate(get_session(), email, password)
    if user is None or not signups.is_confirmed(user):
        raise RefusedSignIn(user)
    return user


@bp.post("/logout")
def logout():
    login_sessions.end()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=posted_email_key, scope="email")  # no mail floods
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("account/forgot_password.html", form=form), 400 if form.is_submitted() else 200
    user = accounts.get_by_email(get_session(), form.email.data)
    if user is not None and user.active:
        # Written and sent after the answer, so its time does not tell whether the account exists either.
        user_id = user.id
        after_response(lambda: send_reset_mail(get_session().get(User, user_id)))
    # The same answer whether or not the account exists, so nobody can probe for addresses.
    return render_template("account/reset_sent.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    session = get_session()
    max_age = settings.current().password_reset_max_age
    user = accounts.user_for_reset_token(session, current_app.secret_key, token, max_age)
    if user is None:
        return render_template("account/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template("account/reset_password.html", form=form), 400 if form.is_submitted() else 200
    try:
        commit(lambda: accounts.set_password(session, user, user, form.password.data))
    except InvalidData as error:
        show_service_errors(form, error)
        return render_template("account/reset_password.html", form=form), 400
    # The new password ended every session of this account (services/accounts.set_password); whoever
    # was signed in here signs in again, with the new password.
    login_sessions.end()
    user_id = user.id
    after_response(lambda: send_password_changed_mail(get_session().get(User, user_id)))
    flash(_("Your new password is saved. Please sign in with it."), "success")
    return redirect(url_for("account.login"))
