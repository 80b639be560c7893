"""Signing up, in and out, and resetting a forgotten password."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from bulletin import i18n, login_sessions, signin_throttle
from bulletin.blueprints import signup as signup_views
from bulletin.blueprints import two_factor as two_factor_views
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
from bulletin.links import external_url
from bulletin.mail import after_response, send_mail_or_log
from bulletin.models import User
from bulletin.services import accounts, signups
from bulletin.services.errors import InvalidData

bp = Blueprint("account", __name__, url_prefix="/<lang>/account")

def login_limit() -> str:
    return current_app.config["BULLETIN_LOGIN_LIMIT"]


def posted_email_key() -> str:
    """The rate-limit key for the email address in the form, hashed so the store holds no addresses."""
    email = accounts.normalise_email(request.form.get("email", ""))[:EMAIL_MAX]
    return "email:" + hashlib.sha256(email.encode()).hexdigest() if email else ""


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
    session = get_session()
    user = accounts.authenticate(session, email, form.password.data)
    if user is None:
        session.rollback()
        signin_throttle.record_failure(email)
        form.form_errors.append(_("The email address or the password is not right."))
        return render_template("account/login.html", form=form), 400
    if not signups.is_confirmed(user):  # a sign-up whose address is not confirmed yet
        session.rollback()
        return signup_views.refuse_unconfirmed(form, user)
    session.commit()  # the time of this sign-in, and a stronger hash if the settings changed
    signin_throttle.record_success(email)
    if two_factor_views.required(user):  # not signed in yet: the code comes first (blueprints/two_factor.py)
        return two_factor_views.start(user, form.next.data)
    login_sessions.begin(user)
    flash(_("You are signed in."), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"))


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


def reset_link(user) -> str:
    token = accounts.make_reset_token(current_app.secret_key, user)
    return external_url("account.reset_password", lang=i18n.current_language(), token=token)


def reset_hours() -> int:
    return max(1, current_app.config["BULLETIN_PASSWORD_RESET_MAX_AGE"] // 3600)


def reset_mail(user) -> tuple[str, str]:
    """The subject and text of a mail with a link to choose a new password."""
    body = render_template("account/mail_reset.txt", url=reset_link(user), hours=reset_hours())
    return _("Choose a new password"), body


def send_reset_mail(user) -> bool:
    return send_mail_or_log(user.email, *reset_mail(user))


def send_password_changed_mail(user) -> bool:
    """Tell the owner: if someone else changed it, they learn it at once (OWASP ASVS 2.2.3)."""
    body = render_template("account/mail_password_changed.txt",
                           url=external_url("account.forgot_password", lang=i18n.current_language()))
    return send_mail_or_log(user.email, _("Your password was changed"), body)


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
    # The new password ended every session of this account (services/accounts.set_password); whoever
    # was signed in here signs in again, with the new password.
    login_sessions.end()
    user_id = user.id
    after_response(lambda: send_password_changed_mail(get_session().get(User, user_id)))
    flash(_("Your new password is saved. Please sign in with it."), "success")
    return redirect(url_for("account.login"))
