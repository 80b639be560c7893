"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms import (
    EMAIL_MAX,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
    show_service_errors,
)
from bulletin.mail import send_mail_or_log
from bulletin.services import accounts
from bulletin.services.actors import Applicant
from bulletin.services.errors import InvalidData

bp = Blueprint("account", __name__, url_prefix="/<lang>/account")

def login_limit() -> str:
    return current_app.config["BULLETIN_LOGIN_LIMIT"]


def posted_email_key() -> str:
    """The rate-limit key for the email address in the form, hashed so the store holds no addresses."""
    email = accounts.normalise_email(request.form.get("email", ""))[:EMAIL_MAX]
    return "email:" + hashlib.sha256(email.encode()).hexdigest() if email else ""


def sign_in_failed(response) -> bool:
    return response.status_code != 302


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: a link must not send someone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash and drop tabs and newlines: "/\\evil.example" is another host.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("account/signup.html", form=form), 400 if form.is_submitted() else 200
    session = get_session()
    email = accounts.normalise_email(form.account_email.data)
    try:
        user = accounts.sign_up(
            session, Applicant(email), form.organisation_input(), email, form.password.data
        )
        session.commit()
    except InvalidData as error:
        session.rollback()
        show_service_errors(form, error, {"email": "account_email"})
        return render_template("account/signup.html", form=form), 400
    except IntegrityError:  # the same address signed up a moment ago
        session.rollback()
        form.account_email.errors = [_("There is already an account with this email address.")]
        return render_template("account/signup.html", form=form), 400
    login_user(user)
    tell_coordinators_about(user)
    flash(_("Welcome! Your organisation now waits for approval. Until then nothing is public."), "success")
    return redirect(url_for("dashboard.index"))


def tell_coordinators_about(user) -> None:
    organisation = user.organisation
    subject = _("New organisation waiting for approval: %(name)s", name=organisation.name)
    body = render_template(
        "account/mail_signup.txt",
        organisation=organisation,
        email=user.email,
        url=url_for("moderation.organisations", _external=True),
    )
    for address in accounts.coordinator_emails(get_session()):
        send_mail_or_log(address, subject, body)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # per remote address, the limiter's default key
@limiter.limit(
    login_limit, methods=["POST"], key_func=posted_email_key, deduct_when=sign_in_failed, scope="email"
)  # failures per account, so many addresses cannot share the guessing
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("account/login.html", form=form), 400 if form.is_submitted() else 200
    session = get_session()
    user = accounts.authenticate(session, form.email.data, form.password.data)
    if user is None:
        session.rollback()
        form.form_errors.append(_("The email address or the password is not right."))
        return render_template("account/login.html", form=form), 400
    session.commit()  # the time of this sign-in, and a stronger hash if the settings changed
    login_user(user)
    flash(_("You are signed in."), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"))


@bp.post("/logout")
def logout():
    logout_user()
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
        send_reset_mail(user)
    # The same answer whether or not the account exists, so nobody can probe for addresses.
    return render_template("account/reset_sent.html")


def reset_link(user) -> str:
    token = accounts.make_reset_token(current_app.secret_key, user)
    return url_for("account.reset_password", token=token, _external=True)


def reset_hours() -> int:
    return max(1, current_app.config["BULLETIN_PASSWORD_RESET_MAX_AGE"] // 3600)


def send_reset_mail(user) -> bool:
    body = render_template("account/mail_reset.txt", url=reset_link(user), hours=reset_hours())
    return send_mail_or_log(user.email, _("Choose a new password"), body)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    session = get_session()
    max_age = current_app.config["BULLETIN_PASSWORD_RESET_MAX_AGE"]
    user = accounts.user_for_reset_token(session, current_app.secret_key, token, max_age)
    if user is None:
        return render_template("account/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template("account/reset_password.html", form=form), 400 if form.is_submitted() else 200
    try:
        accounts.set_password(session, user, user, form.password.data)
        session.commit()
    except InvalidData as error:
        session.rollback()
        show_service_errors(form, error)
        return render_template("account/reset_password.html", form=form), 400
    logout_user()  # whoever was signed in here signs in again, with the new password
    flash(_("Your new password is saved. Please sign in with it."), "success")
    return redirect(url_for("account.login"))
