"""Signing in, choosing a new password, and adding a member to an organisation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from bulletin.forms.fields import (
    EMAIL_MAX,
    LEFT_TO_RIGHT,
    NEW_PASSWORD,
    ONE_LINE,
    REQUIRED,
    STRIP,
    TOO_LONG,
    email_validators,
    new_password_validators,
    repeat_validators,
)
from bulletin.services import accounts


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=EMAIL_MAX, message=TOO_LONG)],
        filters=STRIP,
        render_kw={"autocomplete": "username", **LEFT_TO_RIGHT},
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(message=REQUIRED), Length(max=accounts.PASSWORD_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), email_validators(), filters=STRIP, render_kw=LEFT_TO_RIGHT)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        new_password_validators(),
        description=_l("At least %(min)d characters.", min=accounts.PASSWORD_MIN),
        render_kw=NEW_PASSWORD,
    )
    password_repeat = PasswordField(_l("New password again"), repeat_validators(), render_kw=NEW_PASSWORD)



class AddMemberForm(FlaskForm):
    email = EmailField(
        _l("Email address of the new member"),
        email_validators(),
        description=_l("They get an email with a link to choose their password."),
        filters=STRIP,
        render_kw=LEFT_TO_RIGHT,
    )
