"""Mails of a sign-up (docs/security.md, "Sign-up and account enumeration").

Each is written during the request, in its language, and sent once the response has gone out: the
sign-up page answers alike for new and known addresses, and must take as long for both.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from bulletin import i18n, settings
from bulletin.db import get_session
from bulletin.links import external_url
from bulletin.models import User
from bulletin.notifications.delivery import Mail, send_after_response
from bulletin.services import accounts, signups


def confirm_link(user: User) -> str:
    token = signups.make_confirm_token(current_app.secret_key, user)
    return external_url("signup.confirm", lang=i18n.current_language(), token=token)


def confirmation_mail(user: User) -> Mail:
    """The mail with the link that confirms a sign-up's address."""
    body = render_template(
        "account/mail_confirm.txt", url=confirm_link(user), hours=settings.current().signup_confirm_hours,
        organisation_name=user.organisation.name if user.organisation else "",
    )
    return Mail(_("Confirm your email address"), body)


def known_address_mail(user: User) -> Mail:
    """The mail to an address that already has an account: somebody tried to sign up with it."""
    lang = i18n.current_language()
    body = render_template(
        "account/mail_signup_known.txt",
        login_url=external_url("account.login", lang=lang),
        reset_url=external_url("account.forgot_password", lang=lang),
        unconfirmed=not signups.is_confirmed(user),
    )
    return Mail(_("Someone tried to register with your email address"), body)


def new_signup_mail(user: User) -> Mail:
    """The coordinators' news of a sign-up whose address is now confirmed."""
    organisation = user.organisation
    body = render_template(
        "account/mail_signup.txt",
        organisation=organisation,
        email=user.email,
        url=external_url("desk.organisations", lang=i18n.current_language()),
    )
    return Mail(_("New organisation waiting for approval: %(name)s", name=organisation.name), body)


def send_confirmation_after_response(user: User) -> None:
    send_after_response(confirmation_mail(user), [user.email])


def send_known_address_after_response(user: User) -> None:
    send_after_response(known_address_mail(user), [user.email])


def tell_coordinators_after_response(user: User) -> None:
    """Mail every coordinator about ``user``'s confirmed sign-up, once the response has gone out."""
    send_after_response(new_signup_mail(user), accounts.coordinator_emails(get_session()))
