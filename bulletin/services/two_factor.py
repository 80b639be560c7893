"""Two-step sign-in: time-based one-time passwords (TOTP, RFC 6238) from an authenticator app.

A code is accepted for the current 30-second time step and one step either side (a phone's clock a little
off), and never twice: the account keeps the last step a code was accepted for, and only a later step
counts (OWASP ASVS 2.8.4). The key is the account's, in base32; it is shown once while it is set up and
never again, nor written to the audit log.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno
from sqlalchemy import or_, update
from sqlmodel import Session

from bulletin.models import User, utcnow
from bulletin.services import audit

DRIFT_STEPS = 1  # steps either side of now: 30 seconds of clock difference, as RFC 6238 suggests
CODE_DIGITS = 6


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommended key length


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The address as a QR code, an SVG data URI (the page's CSP allows data: images, nothing inline)."""
    return segno.make_qr(uri, error="m").svg_data_uri(omitsize=True, border=4, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The key in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[start:start + 4] for start in range(0, len(secret), 4))


def normalise_code(code: str | None) -> str:
    """Apps show "123 456"; people type spaces and dashes. What is left must be the six digits."""
    return "".join(char for char in (code or "") if char not in " -\u00a0")


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret) and user.totp_enabled_at is not None


def required(user: User, coordinators_must: bool) -> bool:
    """Whether signing in asks this account for a code (or, not set up yet, to set it up first)."""
    return is_enrolled(user) or (coordinators_must and user.is_coordinator)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step within the drift window whose code is ``code``, or None."""
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(session: Session, user: User, code: str, now: float | None = None) -> bool:
    """True once for a right code: its step is claimed in one UPDATE, so of two requests with the same
    code at the same moment only one gets through. The caller commits."""
    if not is_enrolled(user):
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return claimed == 1


def enrol(session: Session, user: User, secret: str, code: str, now: float | None = None) -> bool:
    """Store ``secret`` for ``user`` if ``code`` is right for it: the app was set up correctly. The code's
    step counts as used. False, and nothing stored, for a wrong code."""
    step = matching_step(secret, code, now)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step, user.totp_enabled_at = secret, step, utcnow()
    audit.record(session, user, "user.two_factor_on", user, {})
    return True


def clear(user: User) -> bool:
    """Forget the key: the next sign-in asks for none, or (a coordinator) for a new one to be set up.
    True if there was one."""
    had = is_enrolled(user)
    user.totp_secret = user.totp_last_step = user.totp_enabled_at = None
    return had


def turn_off(session: Session, user: User) -> None:
    """The owner turns two-step sign-in off (the caller checked their password and a code)."""
    clear(user)
    audit.record(session, user, "user.two_factor_off", user, {})
