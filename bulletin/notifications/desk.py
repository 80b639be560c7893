"""The mails the coordinator's decisions send: to an organisation's members (approved, rejected, a
message, suspended, restored, verified, a posting hidden, restored or released).

Each is written in the coordinator's language at the moment of the decision, like the page they see.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from bulletin import i18n, settings
from bulletin.db import get_session
from bulletin.links import external_url
from bulletin.models import Organisation, OrganisationMessage, Posting
from bulletin.notifications.delivery import Mail, send_to_each
from bulletin.services import accounts


def site_name() -> str:
    return settings.current().site_name


def dashboard_url() -> str:
    return external_url("dashboard.index", lang=i18n.current_language())


# Sign-ups ---------------------------------------------------------------------------------------------


def tell_approved(organisation: Organisation) -> None:
    """Every member who signed up hears that the organisation may post now."""
    message = Mail(_("%(name)s is approved", name=organisation.name),
                   render_template("desk/mail_approved.txt", organisation=organisation, url=dashboard_url()))
    send_to_each(message, [member.email for member in accounts.members_of(get_session(), organisation.id)])


def tell_rejected(name: str, reason: str, emails: list[str]) -> None:
    """The rejected sign-up's accounts are deleted already: their addresses come from the decision."""
    message = Mail(_("Your sign-up for %(name)s", name=name),
                   render_template("desk/mail_rejected.txt", name=name, reason=reason))
    send_to_each(message, emails)


# An organisation's active members ---------------------------------------------------------------------


def tell_members(organisation: Organisation, subject: str, template: str, **context) -> int:
    """Mail the organisation's active members; returns how many mails went out."""
    body = render_template(template, organisation=organisation, dashboard_url=dashboard_url(), **context)
    members = [member for member in accounts.members_of(get_session(), organisation.id) if member.active]
    return send_to_each(Mail(subject, body), [member.email for member in members])


def tell_message(organisation: Organisation, message: OrganisationMessage) -> int:
    subject = _("A message from the coordinator of %(site)s", site=site_name())
    return tell_members(organisation, subject, "desk/mail_message.txt", message=message)


def tell_suspended(organisation: Organisation, reason: str) -> int:
    return tell_members(organisation, _("%(name)s is suspended", name=organisation.name),
                        "desk/mail_suspended.txt", reason=reason)


def tell_restored(organisation: Organisation) -> int:
    return tell_members(organisation, _("%(name)s is public again", name=organisation.name),
                        "desk/mail_restored.txt")


def tell_verified(organisation: Organisation) -> int:
    return tell_members(organisation, _("%(name)s is verified", name=organisation.name),
                        "desk/mail_verified.txt")


# ``title`` is the posting's title as the coordinator's page shows it (desk presenters' posting_title).


def tell_posting_hidden(posting: Posting, title) -> int:
    return tell_members(posting.organisation, _("Your posting was hidden"), "desk/mail_posting_hidden.txt",
                        posting=title, reason=posting.moderation_reason)


def tell_posting_restored(posting: Posting, title) -> int:
    return tell_members(posting.organisation, _("Your posting is shown again"),
                        "desk/mail_posting_restored.txt", posting=title)


def tell_posting_released(posting: Posting, title) -> int:
    return tell_members(posting.organisation, _("Your posting is on the board"),
                        "desk/mail_posting_released.txt", posting=title)
