"""Where an account is signed in: each browser with when it signed in and was last seen, and a button
that signs out every other one (OWASP ASVS 3.3.4). The password is asked again for that, so a browser
left open elsewhere cannot throw the owner out. Here, too, two-step sign-in is set up (blueprints/
two_factor.py) and turned off, which asks for the password and a code."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from bulletin import login_sessions, settings, signin_throttle
from bulletin.blueprints import two_factor as two_factor_views
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms.fields import REQUIRED, TOO_LONG
from bulletin.models import LoginSession, utcnow
from bulletin.passwords import verify_password
from bulletin.services import accounts, two_factor

bp = Blueprint("sign_ins", __name__, url_prefix="/<lang>/account/sign-ins")


class EndOtherSessionsForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        [DataRequired(message=REQUIRED), Length(max=accounts.PASSWORD_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )


class TurnOffTwoFactorForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        [DataRequired(message=REQUIRED), Length(max=accounts.PASSWORD_MAX, message=TOO_LONG)],
        render_kw={"autocomplete": "current-password"},
    )
    code = two_factor_views.code_field()


def turn_off_form() -> TurnOffTwoFactorForm:
    return TurnOffTwoFactorForm(prefix="two-factor")  # its own field ids next to the other password


@dataclass(frozen=True)
class TwoFactorSection:
    enabled: bool
    since: str | None
    can_turn_off: bool  # not a coordinator while the board requires it of them


def two_factor_section(user) -> TwoFactorSection:
    enabled = two_factor.is_enrolled(user)
    forced = user.is_coordinator and settings.current().coordinator_two_factor
    return TwoFactorSection(enabled, format_date(user.totp_enabled_at) if enabled else None,
                            enabled and not forced)


@dataclass(frozen=True)
class SignInRow:
    started: str
    last_seen: str
    is_this_browser: bool


def sign_in_rows(rows: list[LoginSession], this_hash: str) -> list[SignInRow]:
    return [SignInRow(format_datetime(row.created_at, format="short"),
                      format_datetime(row.last_seen_at, format="short"),
                      row.token_hash == this_hash) for row in rows]


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def this_browser() -> str:
    return login_sessions.token_hash(current_user.get_id())


def page(form: EndOtherSessionsForm, status: int = 200, off_form: TurnOffTwoFactorForm | None = None):
    now = utcnow()
    rows = [row for row in accounts.login_sessions_of(get_session(), current_user.id)
            if login_sessions.still_valid(row, now)]
    return render_template("account/sign_ins.html", form=form,
                           rows=sign_in_rows(rows, this_browser()),
                           two_factor=two_factor_section(current_user), off_form=off_form or turn_off_form(),
                           ), status


@bp.get("/")
def index():
    return page(EndOtherSessionsForm())


@bp.post("/")
@limiter.limit(lambda: settings.current().login_limit)  # a password check, like sign-in
def end_others():
    form = EndOtherSessionsForm()
    if not form.validate_on_submit():
        return page(form, 400)
    if not verify_password(current_user.password_hash, form.password.data):
        form.password.errors = [_("This is not your password.")]
        return page(form, 400)
    ended = commit(lambda: accounts.end_other_sessions(get_session(), current_user, this_browser()))
    flash(_("Every other browser is signed out (%(count)d).", count=ended), "success")
    return redirect(url_for(".index"))


def turn_off_with_code(user, code: str) -> bool:
    """Turn two-step sign-in off if ``code`` is right; a wrong one changes nothing."""
    session = get_session()
    if not two_factor.check_code(session, user, code):
        return False
    two_factor.turn_off(session, user)
    return True


@bp.post("/two-factor-off")
@limiter.limit(lambda: settings.current().login_limit)
def turn_off_two_factor():
    """Turn two-step sign-in off: the password and a code, so neither a browser left open nor a
    stolen password alone can do it."""
    form = turn_off_form()
    user = current_user._get_current_object()
    section = two_factor_section(user)
    if not section.enabled:
        return redirect(url_for(".index"))
    if not form.validate_on_submit():
        return page(EndOtherSessionsForm(), 400, form)
    if not section.can_turn_off:
        form.form_errors.append(_("Coordinators must use two-step sign-in on this board."))
        return page(EndOtherSessionsForm(), 400, form)
    if two_factor_views.must_wait(form, user):
        return page(EndOtherSessionsForm(), 429, form)
    if not verify_password(user.password_hash, form.password.data):
        signin_throttle.record_failure(two_factor_views.throttle_key(user))
        form.password.errors = [_("This is not your password.")]
        return page(EndOtherSessionsForm(), 400, form)
    if not commit(lambda: turn_off_with_code(user, form.code.data)):
        two_factor_views.wrong_code(form, form.code, user)
        return page(EndOtherSessionsForm(), 400, form)
    signin_throttle.record_success(two_factor_views.throttle_key(user))
    flash(_("Two-step sign-in is off. Signing in asks for your password only."), "success")
    return redirect(url_for(".index"))
