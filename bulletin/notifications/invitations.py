"""Mails that invite somebody to a new account: a member added by their organisation, a coordinator or
translator added at the desk. The invitation is a link to choose a password (``accounts.reset_link``),
written in the language of the person who sent it, who knows the new account's holder.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from bulletin import i18n, settings
from bulletin.links import external_url
from bulletin.models import Organisation, User
from bulletin.notifications.accounts import reset_hours, reset_link
from bulletin.notifications.delivery import Mail, send


def _invitation(user: User, template: str, **context) -> str:
    return render_template(
        template,
        inviter=current_user.email,
        url=reset_link(user),
        hours=reset_hours(),
        login_url=external_url("account.login", lang=i18n.current_language()),
        **context,
    )


def invite_member(member: User, organisation: Organisation) -> bool:
    """A member their organisation added; False if the mail failed."""
    body = _invitation(member, "dashboard/mail_new_member.txt", organisation=organisation)
    subject = _("Your account for %(organisation)s", organisation=organisation.name)
    return send(Mail(subject, body), member.email)


def invite_staff(user: User, role: str) -> bool:
    """A new coordinator or translator (``role``: the role's name in the inviter's words); False if the
    mail failed."""
    body = _invitation(user, "desk/mail_new_account.txt", role=role)
    return send(Mail(_("Your account on %(site)s", site=settings.current().site_name), body), user.email)
