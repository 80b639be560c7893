"""The organisation's members: the list, adding one, and the mail that invites them."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from bulletin.blueprints.dashboard.reach import form_status, own_organisation
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.forms.account import AddMemberForm
from bulletin.forms.service_errors import show_service_errors
from bulletin.i18n import isolate
from bulletin.notifications import invitations
from bulletin.services import accounts, permissions
from bulletin.services.errors import InvalidData


def members():
    organisation = own_organisation()
    form = AddMemberForm()
    session = get_session()
    can_add = permissions.is_active_member_of(current_user, organisation)
    if form.validate_on_submit():
        try:
            member = commit(
                lambda: accounts.add_member(
                    session, current_user, organisation, form.email.data, secrets.token_urlsafe(32)
                )
            )
        except InvalidData as error:
            show_service_errors(form, error)
        except IntegrityError:  # the same address was added a moment ago
            form.email.errors = [_("There is already an account with this email address.")]
        else:
            if invitations.invite_member(member, organisation):
                flash(
                    _("%(email)s is a member now and got an email to choose a password.",
                      email=isolate(member.email)),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(email)s is a member now, but the email could not be sent. They can use "
                        '"Forgot your password?" on the sign-in page.',
                        email=isolate(member.email),
                    ),
                    "error",
                )
            return redirect(url_for(".members"))
    return render_template(
        "dashboard/members.html",
        form=form,
        organisation=organisation,
        can_add=can_add,
        members=accounts.members_of(session, organisation.id),
    ), form_status(form)
