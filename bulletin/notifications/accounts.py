"""Mails about an account's password: the link to choose a new one, and the notice that it changed.

Both speak the language of the request that asked for them. ``reset_link`` and ``reset_hours`` also
serve the mails that invite somebody to a new account: the invitation is a link to choose a password.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from bulletin import i18n, settings
from bulletin.links import external_url
from bulletin.models import User
from bulletin.notifications.delivery import Mail, send
from bulletin.services import accounts


def reset_hours() -> int:
    """How long a reset link works, in whole hours as the mail says it (at least one)."""
    return max(1, settings.current().password_reset_max_age // 3600)


def reset_link(user: User) -> str:
    """A signed, single-use link to choose a new password, on the board's public address."""
    token = accounts.make_reset_token(current_app.secret_key, user)
    return external_url("account.reset_password", lang=i18n.current_language(), token=token)


def reset_mail(user: User) -> Mail:
    """The mail with a link to choose a new password."""
    body = render_template("account/mail_reset.txt", url=reset_link(user), hours=reset_hours())
    return Mail(_("Choose a new password"), body)


def send_reset_mail(user: User) -> bool:
    return send(reset_mail(user), user.email)


def send_password_changed_mail(user: User) -> bool:
    """Tell the owner: if someone else changed it, they learn it at once (OWASP ASVS 2.2.3)."""
    body = render_template("account/mail_password_changed.txt",
                           url=external_url("account.forgot_password", lang=i18n.current_language()))
    return send(Mail(_("Your password was changed"), body), user.email)
