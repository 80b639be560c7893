"""Signing up an organisation, and confirming the address (docs/security.md, "Sign-up and account
enumeration").

The sign-up form (``account.signup``) hands a valid form to ``receive``: the answer is the same page with
the same status whether or not the address has an account, and the mail (a confirmation link, or a note
to the owner of a known address) goes out after the response, so its time tells nothing either.

The confirmation link shows a page with a button (GET): mail scanners open links, and must not confirm
anything. Only the button's POST confirms, signs the member in and tells the coordinators.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from bulletin import i18n, login_sessions
from bulletin.db import get_session
from bulletin.forms import SignupForm, show_service_errors
from bulletin.links import external_url
from bulletin.mail import send_after_response
from bulletin.models import User
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
    return max(1, current_app.config.get("BULLETIN_SIGNUP_CONFIRM_HOURS", 48))


def render_signup(form: SignupForm):
    return render_template("account/signup.html", form=form,
                           privacy_url=url_for("legal.privacy")), 400 if form.is_submitted() else 200


def receive(form: SignupForm):
    """A valid sign-up form: create the sign-up or tell the known address's owner; the same answer."""
    session = get_session()
    email = accounts.normalise_email(form.account_email.data)
    try:
        result = signups.sign_up(session, form.organisation_input(), email, form.password.data)
        session.commit()
    except InvalidData as error:
        session.rollback()
        show_service_errors(form, error, {"email": "account_email"})
        page, _status = render_signup(form)
        return page, 400
    except IntegrityError:  # the same address signed up a moment ago: from now on it is a known one
        session.rollback()
        result = signups.SignupResult(existing=accounts.get_by_email(session, email))
    if result.created is not None:
        send_after_response(result.created.email, *confirmation_mail(result.created))
    elif result.existing is not None and result.existing.active:
        send_after_response(result.existing.email, *known_address_mail(result.existing))
    return render_template("account/signup_sent.html", sent=SignupSent(email=email, hours=confirm_hours()))


def confirm_link(user: User) -> str:
    token = signups.make_confirm_token(current_app.secret_key, user)
    return external_url("signup.confirm", lang=i18n.current_language(), token=token)


def confirmation_mail(user: User) -> tuple[str, str]:
    """The subject and text of the mail with the link that confirms a sign-up's address."""
    body = render_template(
        "account/mail_confirm.txt", url=confirm_link(user), hours=confirm_hours(),
        organisation_name=user.organisation.name if user.organisation else "",
    )
    return _("Confirm your email address"), body


def known_address_mail(user: User) -> tuple[str, str]:
    """The subject and text of the mail to an address that already has an account."""
    lang = i18n.current_language()
    body = render_template(
        "account/mail_signup_known.txt",
        login_url=external_url("account.login", lang=lang),
        reset_url=external_url("account.forgot_password", lang=lang),
        unconfirmed=not signups.is_confirmed(user),
    )
    return _("Someone tried to register with your email address"), body


def refuse_unconfirmed(form, user: User):
    """Sign-in with the right password for an account whose address is not confirmed: no sign-in, a new
    confirmation link by mail instead (only after the password, so nobody else learns of the account)."""
    send_after_response(user.email, *confirmation_mail(user))
    form.form_errors.append(_("Your email address is not confirmed yet. We have sent you a new mail with a "
                              "link to confirm it: please open it."))
    return render_template("account/login.html", form=form), 400


def tell_coordinators_about(user: User) -> None:
    """Mail the coordinators about a sign-up whose address is now confirmed."""
    organisation = user.organisation
    subject = _("New organisation waiting for approval: %(name)s", name=organisation.name)
    body = render_template(
        "account/mail_signup.txt",
        organisation=organisation,
        email=user.email,
        url=external_url("moderation.organisations", lang=i18n.current_language()),
    )
    for address in accounts.coordinator_emails(get_session()):
        send_after_response(address, subject, body)


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
    signups.confirm(session, user)
    session.commit()
    login_sessions.begin(user)
    tell_coordinators_about(user)
    flash(_("Welcome! Your organisation now waits for approval. Until then nothing is public."), "success")
    return redirect(url_for("dashboard.index"))
