"""The second step of signing in: a one-time code from an authenticator app (services/two_factor.py).

After the right password an account that uses two-step sign-in (and every coordinator while
``BULLETIN_COORDINATOR_TWO_FACTOR`` is on) is only *half* signed in: the session holds which account,
a digest of its ``session_secret`` and the time, and nothing else. Flask-Login knows nobody, so no page
of the dashboard or the desk opens. The code page, or for a coordinator without a key yet the set-up
page, accepts it for five minutes; a new password or "reset access" meanwhile (a new ``session_secret``)
voids it at once. Only a right code starts the login session (``login_sessions.begin``).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length

from bulletin import settings, signin_throttle
from bulletin.blueprints.signing_in import complete_sign_in, safe_next
from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.extensions import limiter
from bulletin.forms.fields import ONE_LINE, REQUIRED, TOO_LONG
from bulletin.models import User
from bulletin.services import two_factor

bp = Blueprint("two_factor", __name__, url_prefix="/<lang>/account/two-factor")

PENDING = "two_factor_pending"  # the half sign-in
SETUP = "two_factor_setup"  # the key being set up, until a right code confirms it
PENDING_SECONDS = 5 * 60


def six_digits(form, field) -> None:
    code = two_factor.normalise_code(field.data)
    if code and (len(code) != two_factor.CODE_DIGITS or not code.isascii() or not code.isdigit()):
        raise ValidationError(_l("Please enter the 6 digits your app shows."))


def code_field(label=None) -> StringField:
    return StringField(
        label or _l("Code from your app"),
        [DataRequired(message=REQUIRED), ONE_LINE, Length(max=20, message=TOO_LONG), six_digits],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"},
    )


class CodeForm(FlaskForm):
    code = code_field()


def login_limit() -> str:
    return settings.current().login_limit


def required(user: User) -> bool:
    return two_factor.required(user, settings.current().coordinator_two_factor)


def throttle_key(user: User) -> str:
    # Counted apart from the password's failures: a right password clears those, not these.
    return "totp:" + user.email


def _secret_digest(user: User) -> str:
    # The cookie is signed, not encrypted: it carries a digest of the account's secret, not the secret.
    return hashlib.sha256(user.session_secret.encode()).hexdigest()


def start(user: User, next_url: str | None):
    """Half sign ``user`` in (the password was right) and send the browser on to the second step."""
    session.clear()  # nothing of the visitor's earlier session carries over, as in login_sessions.begin
    session[PENDING] = {"user": user.id, "secret": _secret_digest(user), "at": int(time.time()),
                        "next": safe_next(next_url) or ""}
    return redirect(url_for("two_factor.verify" if two_factor.is_enrolled(user) else "two_factor.setup"))


def pending_user() -> User | None:
    """The half-signed-in account, while its five minutes last and nothing ended its sessions."""
    marker = session.get(PENDING)
    if not isinstance(marker, dict):
        return None
    if not 0 <= time.time() - marker.get("at", 0) <= PENDING_SECONDS:
        return None
    user = get_session().get(User, marker.get("user"))
    if user is None or not user.active or not hmac.compare_digest(marker.get("secret", ""),
                                                                  _secret_digest(user)):
        return None
    return user


def start_again():
    """No (longer a) half sign-in: back to the password, with a word if one ran out."""
    if session.pop(PENDING, None) is not None:
        flash(_("Please sign in again: the time for entering the code ran out."), "info")
    session.pop(SETUP, None)
    return redirect(url_for("account.login"))


def finish(user: User):
    next_url = (session.get(PENDING) or {}).get("next")
    return complete_sign_in(user, next_url)  # a new session: the half sign-in goes with everything else


def must_wait(form: FlaskForm, user: User) -> bool:
    """Many wrong codes for this account, from wherever: a short pause (bulletin/signin_throttle.py)."""
    wait = signin_throttle.seconds_to_wait(throttle_key(user))
    if wait:
        form.form_errors.append(ngettext(
            "Too many failed attempts for this account. Please wait %(num)d second and try again.",
            "Too many failed attempts for this account. Please wait %(num)d seconds and try again.",
            wait,
        ))
    return bool(wait)


def wrong_code(form: FlaskForm, field, user: User) -> None:
    """Count the failure and say so; a wrong code has changed nothing that would need undoing."""
    signin_throttle.record_failure(throttle_key(user))
    field.errors = [_("This code is not right. Please enter the code your app shows now.")]


@bp.route("", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # per remote address, like the password
def verify():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user = pending_user()
    if user is None:
        return start_again()
    if not two_factor.is_enrolled(user):
        return redirect(url_for(".setup"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("account/two_factor.html", form=form), 400 if form.is_submitted() else 200
    if must_wait(form, user):
        return render_template("account/two_factor.html", form=form), 429
    # A wrong code claims nothing, so there is nothing to save then either.
    if not commit(lambda: two_factor.check_code(get_session(), user, form.code.data)):
        wrong_code(form, form.code, user)
        return render_template("account/two_factor.html", form=form), 400
    signin_throttle.record_success(throttle_key(user))
    return finish(user)


def setup_page(user: User, secret: str, form: CodeForm, status: int = 200):
    uri = two_factor.provisioning_uri(secret, user.email, settings.current().site_name)
    back = url_for("sign_ins.index") if current_user.is_authenticated else None
    return render_template("account/two_factor_setup.html", form=form, secret=two_factor.grouped(secret),
                           qr=two_factor.qr_data_uri(uri), back_url=back), status


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def setup():
    """Set up an app: signed in (anybody, from "Your sign-ins"), or half signed in (a coordinator who
    must use it and has no key yet). An account that has a key cannot set up another here: with the
    password alone, that would get round the code."""
    half = not current_user.is_authenticated
    user = pending_user() if half else current_user._get_current_object()
    if user is None:
        return start_again()
    if two_factor.is_enrolled(user):
        if half:
            return redirect(url_for(".verify"))
        flash(_("Two-step sign-in is already on."), "info")
        return redirect(url_for("sign_ins.index"))
    # The same key until it is confirmed, so that a wrong code does not make the scanned one useless.
    pending = session.get(SETUP)
    if not isinstance(pending, dict) or pending.get("user") != user.id:
        pending = session[SETUP] = {"user": user.id, "secret": two_factor.new_secret()}
    form = CodeForm()
    if not form.validate_on_submit():
        return setup_page(user, pending["secret"], form, 400 if form.is_submitted() else 200)
    if must_wait(form, user):
        return setup_page(user, pending["secret"], form, 429)
    # A wrong code stores nothing (services/two_factor.enrol), so there is nothing to save then either.
    if not commit(lambda: two_factor.enrol(get_session(), user, pending["secret"], form.code.data)):
        wrong_code(form, form.code, user)
        return setup_page(user, pending["secret"], form, 400)
    signin_throttle.record_success(throttle_key(user))
    session.pop(SETUP, None)
    if half:
        return finish(user)
    flash(_("Two-step sign-in is on. From now on, signing in asks for a code from your app."), "success")
    return redirect(url_for("sign_ins.index"))
